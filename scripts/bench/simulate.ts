/**
 * `simulate` timings: starting an in-process fork (Hardhat EDR) of a chain served over HTTP, simulating a clean
 * one-stage workflow (callAgent → onAgentStep → onAgentProve, attested on the fork) and a failing one (an
 * unauthorised agent), and the same clean run in "copy" mode (evm_snapshot / evm_revert on a development chain,
 * no fork). The target is the embedded Hardhat network behind a counting JSON-RPC proxy, so the table also shows
 * what the fork asked the target for: reads only, no eth_sendTransaction.
 *
 *     npx hardhat run scripts/bench/simulate.ts            # writes benchmarks/simulate.md
 *     RUNS=3 npx hardhat run scripts/bench/simulate.ts
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { network } from "hardhat";
import { stringToHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { localAttesterProofProducer } from "../../sdk/agent/index.js";
import { registerWorkflow, type WorkflowDocument } from "../../sdk/workflow/index.js";
import { createFork, simulateWorkflow, type SimulateWorkflowParameters } from "../../sdk/simulate/index.js";
import { startRpcProxy } from "../../test/agent/rpcProxy.js";
import { DEV_KEYS } from "../../test/helpers/hardhatNode.js";
import { deployCore, namedWallets } from "../lib/core.js";

const RUNS = Number(process.env.RUNS ?? 5);

const connection = await network.create();
const { viem } = connection;
const publicClient = await viem.getPublicClient();
const { operator, requester, agent, attester, stranger } = await namedWallets(viem);
const core = await deployCore(viem, { owner: operator.account.address, attesters: [attester.account.address] });
const document: WorkflowDocument = {
  kind: "erc8301-workflow",
  id: "urn:agent-exec:bench:simulate",
  version: "1.0.0",
  graph: { wf_id: "bench", nodes: [{ id: "answer", reversible: true }], edges: [] },
  stages: [{ name: "answer", nodes: ["answer"], resolution: "sync", input: "task-input", verifier: { kind: "ecdsa-attestation", address: core.ecdsa.address, gasLimit: 200_000 } }],
  agents: { auth: "allowlist", allowlist: [agent.account.address] },
};
await registerWorkflow(publicClient, operator, { handler: core.handler.address, document });
const producer = localAttesterProofProducer({ attesters: [privateKeyToAccount(DEV_KEYS[3])] });
const params = (stepper = agent.account.address): SimulateWorkflowParameters => ({
  caller: core.caller.address,
  handler: core.handler.address,
  workflow: document,
  requester: requester.account.address,
  input: stringToHex("What is ERC-8301?"),
  deadlineIn: 3600,
  blockTime: 12,
  steps: [{ agent: stepper, output: stringToHex("A standard for agent execution."), prove: { producer } }],
});

const proxy = await startRpcProxy(connection.provider as never);
const rows: { forkMs: number; cleanMs: number; failMs: number; reads: number }[] = [];
const methods = new Map<string, number>();
for (let i = 0; i < RUNS; i++) {
  proxy.counts.clear();
  const t0 = performance.now();
  const fork = await createFork({ url: proxy.url });
  const forkMs = performance.now() - t0;
  const t1 = performance.now();
  const clean = await simulateWorkflow(fork.client, params());
  const cleanMs = performance.now() - t1;
  const t2 = performance.now();
  const fail = await simulateWorkflow(fork.client, params(stranger.account.address));
  const failMs = performance.now() - t2;
  await fork.close();
  if (!clean.ok || fail.failure?.rule !== "policy") throw new Error("unexpected simulation result");
  for (const [m, n] of proxy.counts) methods.set(m, (methods.get(m) ?? 0) + n);
  rows.push({ forkMs, cleanMs, failMs, reads: [...proxy.counts.values()].reduce((a, b) => a + b, 0) });
}
await proxy.close();

const copy: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  const r = await simulateWorkflow(publicClient, params());
  copy.push(performance.now() - t);
  if (!r.ok || !r.restored) throw new Error("unexpected copy-mode result");
}

const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${Math.round(s[Math.floor(s.length / 2)]!)} ms (min ${Math.round(s[0]!)}, max ${Math.round(s[s.length - 1]!)})`;
};
const sent = methods.get("eth_sendTransaction") ?? 0;
const md = `# simulate timings

\`npx hardhat run scripts/bench/simulate.ts\` (RUNS=${RUNS}), ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}).
Target: the embedded Hardhat network behind a counting HTTP JSON-RPC proxy (\`test/agent/rpcProxy.ts\`).
Workflow: one sync stage, EcdsaAttestationVerifier (1 attester); plan: one step + one attested prove.

| what | median (min, max) |
|---|---|
| start the in-process fork (\`createFork\`: probe, Hardhat EDR fork, one local block) | ${stat(rows.map((r) => r.forkMs))} |
| simulate a clean run (callAgent, onAgentStep, onAgentProve; signed on the fork) | ${stat(rows.map((r) => r.cleanMs))} |
| simulate a failing run (unauthorised agent → rule \`policy\`) | ${stat(rows.map((r) => r.failMs))} |
| the clean run in copy mode (evm_snapshot / evm_revert on the dev chain itself, no fork) | ${stat(copy)} |

First fork: ${Math.round(rows[0]!.forkMs)} ms (under \`hardhat run\` Hardhat's modules are already loaded; a fresh \`agent-exec simulate\`
process also loads them, its stderr line \`forked chain … in N ms\` gives that total). JSON-RPC requests the fork made to the target per run
(probe + state reads for both simulations): median ${[...rows.map((r) => r.reads)].sort((a, b) => a - b)[Math.floor(rows.length / 2)]}.
By method over all runs: ${[...methods].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(", ")}.
eth_sendTransaction requests to the target: ${sent}.
`;
writeFileSync("benchmarks/simulate.md", md);
console.log(md);
await connection.close();
