/**
 * The workflow-document check `verifyTask` runs (its `workflowCheck` hook): the document a task was dispatched with
 * (published in `CallAgent`, or supplied by the caller) is a valid workflow document, its hash is the task's
 * `agentWorkflowHash`, and the policy the handler holds for that hash is the one the document derives.
 */
import { hexToBytes, type Hex } from "viem";
import type { VerifyCheck } from "../verify/types.js";
import type { WorkflowCheck, WorkflowCheckContext } from "../verify/verifyTask.js";
import { deriveWorkflowPolicy } from "./deriveWorkflowPolicy.js";
import { diffWorkflowPolicy } from "./checkWorkflow.js";
import { validateWorkflow } from "./validateWorkflow.js";

export type WorkflowTaskCheckParameters = {
  /** The document, when the task published only its hash (text, bytes or parsed value). */
  document?: unknown;
};

/** A `workflowCheck` for `verifyTask`. Never throws; every outcome is a `workflow.*` check. */
export function workflowTaskCheck(parameters: WorkflowTaskCheckParameters = {}): WorkflowCheck {
  return (ctx: WorkflowCheckContext): VerifyCheck[] => {
    const published = ctx.agentWorkflow && ctx.agentWorkflow !== "0x" ? ctx.agentWorkflow : undefined;
    const source: unknown = parameters.document ?? (published ? hexToBytes(published as Hex) : undefined);
    if (source === undefined) return [{ id: "workflow.document", status: "skip", reason: "the task published only the workflow hash and no document was supplied" }];
    const v = validateWorkflow(source);
    if (!v.valid) return [{ id: "workflow.document", status: "fail", reason: v.findings.map((f) => `${f.path || "(document)"}: ${f.code}`).join("; ") }];
    const checks: VerifyCheck[] = [{ id: "workflow.document", status: "pass", reason: `valid ERC-8301 workflow document ${v.document.id} v${v.document.version}` }];
    if (published && published.toLowerCase() !== v.agentWorkflow.toLowerCase())
      checks.push({ id: "workflow.canonical", status: "fail", reason: "the published agentWorkflow bytes are not the document's RFC 8785 canonical form" });
    checks.push(
      ctx.agentWorkflowHash && ctx.agentWorkflowHash.toLowerCase() === v.workflowHash.toLowerCase()
        ? { id: "workflow.hash", status: "pass", reason: `keccak256(JCS(document)) = ${v.workflowHash}` }
        : { id: "workflow.hash", status: "fail", reason: `the document hashes to ${v.workflowHash}, the task names ${String(ctx.agentWorkflowHash)}` },
    );
    if (!ctx.policy) return [...checks, { id: "workflow.policy", status: "skip", reason: "the handler's policy could not be read" }];
    const mismatches = diffWorkflowPolicy(deriveWorkflowPolicy(v.document).policy, ctx.policy as never);
    checks.push(
      mismatches.length === 0
        ? { id: "workflow.policy", status: "pass", reason: "the registered policy is the one the document derives" }
        : { id: "workflow.policy", status: "fail", reason: `registered policy differs from the document: ${mismatches.map((m) => `${m.path} (document ${m.document}, chain ${m.chain})`).join("; ")}` },
    );
    return checks;
  };
}
