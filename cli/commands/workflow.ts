/** `agent-exec workflow hash|validate|policy|register|check <file>`. */
import type { Command } from "commander";
import { checkWorkflow, deriveWorkflowPolicy, registerWorkflow, validateWorkflow } from "../../sdk/workflow/index.js";
import { CliError, EXIT, printJson, progress, readText, type Io } from "../io.js";
import { chainOptions, connect, requireAddress } from "../chain.js";

const POLICY_NAMES = {
  resolution: ["async", "sync"],
  input: ["task-input", "previous-output"],
  agentAuth: ["allowlist", "registry", "open"],
};

export function registerWorkflowCommands(program: Command, io: Io): void {
  const wf = program.command("workflow").description("ERC-8301 workflow documents: hash, validate, derive, register, check");

  wf.command("validate <file>")
    .description("validate a workflow document (schema and stage rules); exit 1 when invalid")
    .action((file: string) => {
      const r = validateWorkflow(readText(file, "workflow document"));
      if (io.json) printJson(io, r.valid ? { valid: true, workflowHash: r.workflowHash } : { valid: false, findings: r.findings });
      else if (r.valid) io.out(`valid · agentWorkflowHash ${r.workflowHash}`);
      else for (const f of r.findings) io.out(`${f.path || "(document)"}: ${f.code}: ${f.message}`);
      if (!r.valid) throw new CliError(`${file}: ${r.findings.length} finding(s)`, EXIT.checkFailed);
    });

  wf.command("hash <file>")
    .description("print agentWorkflowHash = keccak256(RFC 8785 canonical bytes) of a valid document")
    .option("--bytes", "also print the canonical agentWorkflow bytes (hex)")
    .action((file: string, opts: { bytes?: boolean }) => {
      const r = deriveWorkflowPolicy(readText(file, "workflow document"));
      if (io.json) printJson(io, { workflowHash: r.workflowHash, ...(opts.bytes ? { agentWorkflow: r.agentWorkflow } : {}) });
      else io.out(opts.bytes ? `${r.workflowHash}\n${r.agentWorkflow}` : r.workflowHash);
    });

  wf.command("policy <file>")
    .description("print the stage policy the document derives (what registerWorkflow sends)")
    .action((file: string) => {
      const { workflowHash, policy } = deriveWorkflowPolicy(readText(file, "workflow document"));
      if (io.json) return printJson(io, { workflowHash, policy });
      io.out(`agentWorkflowHash ${workflowHash}`);
      policy.stages.forEach((s, i) =>
        io.out(`stage ${i}: ${POLICY_NAMES.resolution[s.resolution]}${s.gating ? " gating" : ""} input=${POLICY_NAMES.input[s.input]} verifier=${s.verifier} gas=${s.verifierGasLimit}`),
      );
      io.out(`minFinalStage ${policy.minFinalStage} · pipelineHash ${policy.pipelineHash}`);
      io.out(`agents: ${POLICY_NAMES.agentAuth[policy.agentAuth]} ${policy.agentAuth === 1 ? policy.agentRegistry : policy.agents.join(", ")}`);
      io.out(`requesters: ${policy.requesters.length ? policy.requesters.join(", ") : "anyone"}`);
    });

  chainOptions(
    wf.command("register <file>").description("register the document's policy with a handler (handler owner only)").option("--handler <address>", "the AgentHandler"),
  ).action(async (file: string, opts: Record<string, string | undefined>) => {
    const doc = readText(file, "workflow document");
    deriveWorkflowPolicy(doc); // input errors before connecting
    const c = await connect(opts, { needsWallet: true });
    const handler = requireAddress(opts.handler ?? c.deployment?.handler, "--handler");
    progress(io, `registering on ${handler} (chain ${c.chainId})`);
    const r = await registerWorkflow(c.publicClient, c.walletClient!, { handler, document: doc });
    if (io.json) printJson(io, { workflowHash: r.workflowHash, policyId: r.policyId, transactionHash: r.transactionHash, blockNumber: r.blockNumber });
    else io.out(`registered ${r.workflowHash} as policy ${r.policyId} in ${r.transactionHash}`);
  });

  chainOptions(
    wf.command("check <file>").description("compare the document with the policy registered for its hash; exit 1 on mismatch").option("--handler <address>", "the AgentHandler"),
  ).action(async (file: string, opts: Record<string, string | undefined>) => {
    const doc = readText(file, "workflow document");
    const c = await connect(opts, { needsWallet: false });
    const handler = requireAddress(opts.handler ?? c.deployment?.handler, "--handler");
    const r = await checkWorkflow(c.publicClient, { handler, document: doc });
    if (io.json) printJson(io, r);
    else if (r.status === "invalid-document") r.findings.forEach((f) => io.out(`${f.path || "(document)"}: ${f.code}: ${f.message}`));
    else if (r.status === "not-registered") io.out(`${r.workflowHash} is not registered on ${handler}`);
    else if (r.status === "match") io.out(`match · ${r.workflowHash} on ${handler}: the registered policy is the one the document declares`);
    else {
      io.out(`MISMATCH · ${r.workflowHash} on ${handler}:`);
      for (const m of r.mismatches) io.out(`  ${m.path}: document ${m.document} · chain ${m.chain}`);
    }
    if (r.status === "invalid-document") throw new CliError(`${file} is not a valid workflow document`, EXIT.usage);
    if (r.status !== "match") throw new CliError(`workflow check: ${r.status}`, EXIT.checkFailed);
  });
}
