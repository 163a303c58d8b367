/**
 * `checkWorkflow`: does the policy a handler registered for a document's hash say what the document declares?
 * Reads the registered policy and each verifier's `proofSystem()`, derives the document's policy, and reports
 * every field where they disagree. A bad document is a finding, not a throw; RPC failures throw `WorkflowRpcError`.
 */
import type { Address, Chain, Hex, PublicClient, Transport } from "viem";
import { agentHandlerAbi, agentVerifierAbi } from "../chain/abis.js";
import { normalizePolicy } from "../chain/policy.js";
import { deriveWorkflowPolicy, type DerivedWorkflowPolicy } from "./deriveWorkflowPolicy.js";
import { isAgentExecError } from "../errors.js";
import { WorkflowInvalidArgumentError, WorkflowRpcError, type WorkflowError, type WorkflowFinding } from "./errors.js";
import type { WorkflowVerifierKind } from "./types.js";
import { validateWorkflow, type ValidateWorkflowOptions } from "./validateWorkflow.js";

/**
 * The `proofSystem()` labels a verifier kind accepts (ERC-8274 labels of the reference verifiers). `custom` is not
 * checked.
 */
export const VERIFIER_KIND_PROOF_SYSTEMS: Readonly<Record<Exclude<WorkflowVerifierKind, "custom">, readonly string[]>> = {
  "attester-set": ["attestation/eip712-ecdsa"],
  "ecdsa-attestation": ["attestation/eip712-ecdsa"],
  wyriwe: ["attestation/wyriwe"],
  "commit-reveal": ["consensus/commit-reveal"],
  optimistic: ["optimistic/bonded-arbiter"],
};

export type WorkflowMismatch = {
  /** The field, e.g. `stages[1].gating`, `agents`, `requesters`, `stages[0].verifier.kind`. */
  path: string;
  document: string;
  chain: string;
};

export type CheckWorkflowParameters = {
  handler: Address;
  document: unknown;
  options?: ValidateWorkflowOptions | undefined;
  /** Also read every verifier's `proofSystem()` and match it against the declared kind (default true). */
  checkVerifierKinds?: boolean | undefined;
};

export type CheckWorkflowReturnType =
  | { status: "invalid-document"; findings: readonly WorkflowFinding[] }
  | { status: "not-registered"; workflowHash: Hex; policy: DerivedWorkflowPolicy }
  | { status: "match" | "mismatch"; workflowHash: Hex; policy: DerivedWorkflowPolicy; mismatches: readonly WorkflowMismatch[] };

type ChainPolicy = {
  stages: readonly { resolution: number; gating: boolean; input: number; verifier: Address; verifierGasLimit: number }[];
  minFinalStage: number;
  pipelineHash: Hex;
  agentAuth: number;
  agentRegistry: Address;
  agents: readonly Address[];
  requesters?: readonly Address[];
};

const RES = ["async", "sync"];
const INP = ["task-input", "previous-output"];
const AUTH = ["allowlist", "registry", "open"];
const list = (xs: readonly string[]) => `[${xs.map((x) => x.toLowerCase()).join(", ")}]`;

/** The field-by-field difference between a derived and a registered policy (empty when they agree). */
export function diffWorkflowPolicy(document: DerivedWorkflowPolicy, chain: ChainPolicy): WorkflowMismatch[] {
  const out: WorkflowMismatch[] = [];
  const cmp = (path: string, d: string, c: string) => {
    if (d !== c) out.push({ path, document: d, chain: c });
  };
  const doc = normalizePolicy(document) as DerivedWorkflowPolicy;
  cmp("stages.length", String(doc.stages.length), String(chain.stages.length));
  doc.stages.forEach((s, i) => {
    const c = chain.stages[i];
    if (!c) return;
    cmp(`stages[${i}].resolution`, RES[s.resolution]!, RES[c.resolution] ?? String(c.resolution));
    cmp(`stages[${i}].gating`, String(s.gating), String(c.gating));
    cmp(`stages[${i}].input`, INP[s.input]!, INP[c.input] ?? String(c.input));
    cmp(`stages[${i}].verifier.address`, s.verifier.toLowerCase(), c.verifier.toLowerCase());
    cmp(`stages[${i}].verifier.gasLimit`, String(s.verifierGasLimit), String(c.verifierGasLimit));
  });
  cmp("minFinalStage", String(doc.minFinalStage), String(chain.minFinalStage));
  cmp("sanitisation.pipeline (pipelineHash)", doc.pipelineHash.toLowerCase(), chain.pipelineHash.toLowerCase());
  cmp("agents.auth", AUTH[doc.agentAuth]!, AUTH[chain.agentAuth] ?? String(chain.agentAuth));
  cmp("agents.registry", doc.agentRegistry.toLowerCase(), chain.agentRegistry.toLowerCase());
  cmp("agents.allowlist", list(doc.agents), list(chain.agents));
  if (chain.requesters !== undefined) cmp("requesters", list(doc.requesters), list(chain.requesters));
  else if (doc.requesters.length) out.push({ path: "requesters", document: list(doc.requesters), chain: "(this handler does not restrict requesters)" });
  return out;
}

function rpcError(what: string, cause: unknown): WorkflowError {
  return new WorkflowRpcError({ details: what, cause });
}

/** Compares the document with the policy the handler registered for its hash. */
export async function checkWorkflow(
  client: PublicClient<Transport, Chain | undefined>,
  parameters: CheckWorkflowParameters,
): Promise<CheckWorkflowReturnType> {
  if (!parameters || typeof parameters !== "object") throw new WorkflowInvalidArgumentError({ details: "parameters must be an object" });
  const validated = validateWorkflow(parameters.document, parameters.options);
  if (!validated.valid) return { status: "invalid-document", findings: validated.findings };
  let derived;
  try {
    derived = deriveWorkflowPolicy(validated.document, parameters.options);
  } catch (e) {
    if (isAgentExecError(e)) return { status: "invalid-document", findings: (e as WorkflowError).findings ?? [] };
    throw e;
  }
  const { workflowHash, policy } = derived;
  let registered: boolean;
  try {
    registered = await client.readContract({ address: parameters.handler, abi: agentHandlerAbi, functionName: "isWorkflowRegistered", args: [workflowHash] });
  } catch (cause) {
    throw rpcError(`isWorkflowRegistered(${workflowHash}) on ${parameters.handler}`, cause);
  }
  if (!registered) return { status: "not-registered", workflowHash, policy };
  let chain: ChainPolicy;
  try {
    chain = (await client.readContract({ address: parameters.handler, abi: agentHandlerAbi, functionName: "workflowPolicy", args: [workflowHash] })) as ChainPolicy;
  } catch (cause) {
    throw rpcError(`workflowPolicy(${workflowHash}) on ${parameters.handler}`, cause);
  }
  const mismatches = diffWorkflowPolicy(policy, chain);
  if (parameters.checkVerifierKinds !== false) {
    const doc = validated.document;
    for (const [i, stage] of doc.stages.entries()) {
      if (stage.verifier.kind === "custom") continue;
      let label: string;
      try {
        label = await client.readContract({ address: stage.verifier.address, abi: agentVerifierAbi, functionName: "proofSystem" });
      } catch {
        mismatches.push({ path: `stages[${i}].verifier.kind`, document: stage.verifier.kind, chain: "(proofSystem() unreadable)" });
        continue;
      }
      const accepted = VERIFIER_KIND_PROOF_SYSTEMS[stage.verifier.kind];
      if (!accepted.includes(label)) mismatches.push({ path: `stages[${i}].verifier.kind`, document: `${stage.verifier.kind} (${accepted.join(" | ")})`, chain: label });
    }
  }
  return { status: mismatches.length ? "mismatch" : "match", workflowHash, policy, mismatches };
}
