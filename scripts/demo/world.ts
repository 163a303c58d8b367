/**
 * The demo's world: one network connection (the embedded Hardhat network by default, `--network localhost` for a
 * running `npx hardhat node`), the deployed contracts, named accounts, and the helpers every scenario shares —
 * workflow documents built from the deployment, dispatching tasks, running the agent runtime until its tasks are
 * done, verifying and graphing them, and a gas ledger per call.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { publicActions, stringToHex, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { callAgent } from "../../sdk/chain/actions/index.js";
import { findStepCall } from "../../sdk/chain/actions/getTaskResult.js";
import { decodeStepPayload } from "../../sdk/bridge/index.js";
import { createAgentRuntime, silentLogger, type ProofProducer, type StageExecutors, type AgentRuntimeEvent } from "../../sdk/agent/index.js";
import { registerWorkflow, workflowTaskCheck, type WorkflowDocument, type WorkflowStage } from "../../sdk/workflow/index.js";
import { renderTaskReport, verifyTask, type TaskReport } from "../../sdk/verify/index.js";
import { ectGraph, renderGraphSvg, toMermaid, workflowGraph } from "../../sdk/graph/index.js";

export type GasRow = { scenario: string; call: string; gas: bigint };

export async function createWorld(outDir: string) {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const publicClient = await viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  const [operator, requester, agent, stranger, arbiter, challenger] = await viem.getWalletClients();
  if (!operator || !requester || !agent || !stranger || !arbiter || !challenger) throw new Error("the network needs 6 accounts");
  // Attesters and committee voters sign off-chain with local keys; voters also send their own commits and reveals.
  const attesters = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()));
  const voters = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()));
  for (const v of voters) await networkHelpers.setBalance(v.address, 10n ** 20n);

  const caller = await viem.deployContract("AgentCaller");
  const handler = await viem.deployContract("AgentHandler", [caller.address, operator.account.address]);
  const attesterAddresses = attesters.map((a) => a.address);
  const ecdsa = await viem.deployContract("EcdsaAttestationVerifier", [attesterAddresses, 2n]);
  const wyriwe = await viem.deployContract("WyriweAttestationVerifier", [attesterAddresses, 2n]);
  const commitReveal = await viem.deployContract("CommitRevealVerifier", [voters.map((v) => v.address), 2n, 600n, 600n]);
  const optimistic = await viem.deployContract("OptimisticVerifier", [arbiter.account.address, 900n, 900n, 10n ** 17n, 10n ** 17n]);
  const anchor = await viem.deployContract("DigestAnchor");
  const registry = await viem.deployContract("MockIdentityRegistry");

  const gas: GasRow[] = [];
  const record = async (scenario: string, call: string, hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    gas.push({ scenario, call, gas: receipt.gasUsed });
    return receipt;
  };

  const verifierOf = (kind: WorkflowStage["verifier"]["kind"]): Address =>
    kind === "wyriwe" ? wyriwe.address : kind === "commit-reveal" ? commitReveal.address : kind === "optimistic" ? optimistic.address : ecdsa.address;

  /** A workflow document over the deployed verifiers; `stages` give kind instead of address. */
  function document(p: {
    id: string;
    name: string;
    nodes: { id: string; reversible?: boolean }[];
    edges?: { from: string; to: string }[];
    stages: (Omit<WorkflowStage, "verifier"> & { verifier: WorkflowStage["verifier"]["kind"] })[];
    agents?: WorkflowDocument["agents"];
    sanitisation?: WorkflowDocument["sanitisation"];
    requesters?: Address[];
  }): WorkflowDocument {
    return {
      kind: "erc8301-workflow",
      id: `urn:agent-exec:demo:${p.id}`,
      version: "1.0.0",
      name: p.name,
      graph: { wf_id: p.id, nodes: p.nodes.map((n) => ({ id: n.id, reversible: n.reversible ?? true })), edges: p.edges ?? [] },
      stages: p.stages.map((s) => ({ ...s, verifier: { kind: s.verifier, address: verifierOf(s.verifier), gasLimit: 200_000 } })),
      agents: p.agents ?? { auth: "allowlist", allowlist: [agent!.account.address] },
      ...(p.sanitisation !== undefined ? { sanitisation: p.sanitisation } : {}),
      ...(p.requesters ? { requesters: p.requesters } : {}),
    };
  }

  async function register(scenario: string, doc: WorkflowDocument) {
    const r = await registerWorkflow(publicClient, operator!, { handler: handler.address, document: doc });
    await record(scenario, `registerWorkflow (${doc.name})`, r.transactionHash);
    return r;
  }

  let salt = 0n;
  async function dispatch(scenario: string, doc: { workflowHash: Hex; agentWorkflow: Hex }, input: string) {
    const now = BigInt(await networkHelpers.time.latest());
    const r = await callAgent(requester!.extend(publicActions), {
      caller: caller.address,
      handler: handler.address,
      agentWorkflowHash: doc.workflowHash,
      agentWorkflow: doc.agentWorkflow,
      salt: toHex(++salt, { size: 32 }),
      deadline: now + 7200n,
      input: stringToHex(input),
    });
    await record(scenario, "callAgent", r.transactionHash);
    return r;
  }

  /** Runs the agent runtime until every task in `taskIds` is done; records the gas of every transaction it sent. */
  async function runAgent(p: {
    scenario: string;
    workflows: { workflowHash: Hex; document: WorkflowDocument }[];
    taskIds: Hex[];
    executors: StageExecutors;
    proofProducer: ProofProducer;
    agentId?: bigint;
  }) {
    const stateDir = mkdtempSync(join(tmpdir(), "agent-exec-demo-"));
    const pending = new Set(p.taskIds.map((t) => t.toLowerCase()));
    const outcomes = new Map<string, string>();
    const mined: { stage: number; kind: string; hash: Hex }[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const runtime = createAgentRuntime({
      publicClient,
      walletClient: agent!,
      caller: caller.address,
      handlers: [handler.address],
      workflows: new Map(p.workflows.map((w) => [w.workflowHash, w.document])),
      executors: p.executors,
      proofProducer: p.proofProducer,
      stateDir,
      agentId: p.agentId,
      fromBlock: 0n,
      pollingIntervalMs: 100,
      logger: silentLogger,
      onEvent: (e: AgentRuntimeEvent) => {
        if (e.type === "tx-mined" && pending.has(e.taskId.toLowerCase())) mined.push({ stage: e.stage, kind: e.kind, hash: e.hash });
        if (e.type === "task-done" && pending.delete(e.taskId.toLowerCase())) {
          outcomes.set(e.taskId.toLowerCase(), `${e.outcome}${e.reason ? ` (${e.reason})` : ""}`);
          if (pending.size === 0) done();
        }
      },
    });
    await runtime.start();
    const timeout = setTimeout(() => done(), 120_000);
    await finished;
    clearTimeout(timeout);
    await runtime.stop();
    for (const m of mined) await record(p.scenario, `${m.kind} (stage ${m.stage}, by the agent runtime)`, m.hash);
    if (pending.size) throw new Error(`the agent runtime did not finish tasks ${[...pending].join(", ")}`);
    return outcomes;
  }

  /**
   * verifyTask, with the workflow check and the DigestAnchor check (every digest's proof rebuilt and checked
   * off-chain and by the anchor on-chain); `requireAnchor`: unanchored digests fail.
   */
  async function verify(taskId: Hex, options: { requireAnchor?: boolean } = {}): Promise<TaskReport> {
    return verifyTask(publicClient, {
      handler: handler.address,
      taskId,
      workflowCheck: workflowTaskCheck(),
      anchor: { address: anchor.address, onChain: true },
      requireAnchor: options.requireAnchor,
    });
  }

  /** The ECTs a task's steps carry, read back from the step transactions' calldata. */
  async function ectsOf(report: TaskReport): Promise<string[]> {
    const out: string[] = [];
    for (const s of report.stages) {
      if (!s.step) continue;
      const tx = await publicClient.getTransaction({ hash: s.step.transactionHash });
      const call = findStepCall(tx.input, report.taskId, s.stage, s.step.outputHash);
      if (!call) continue;
      for (const offset of [0, 52]) {
        const payload = decodeStepPayload(`0x${call.data.slice(2 + offset * 2)}` as Hex);
        if (payload) {
          out.push(...payload.ects);
          break;
        }
      }
    }
    return out;
  }

  mkdirSync(outDir, { recursive: true });
  /** Writes `<name>.mmd` and `<name>.svg` for a workflow or a task; returns the SVG path. */
  async function graph(name: string, what: { document: WorkflowDocument } | { ects: string[]; taskId: Hex }): Promise<string> {
    const g = "document" in what ? workflowGraph(what.document) : ectGraph({ ects: what.ects, taskId: what.taskId, title: name });
    writeFileSync(join(outDir, `${name}.mmd`), toMermaid(g));
    const file = join(outDir, `${name}.svg`);
    writeFileSync(file, await renderGraphSvg(g));
    return file;
  }

  return {
    connection, viem, networkHelpers, publicClient, chainId,
    operator, requester, agent, stranger, arbiter, challenger, attesters, voters,
    caller, handler, ecdsa, wyriwe, commitReveal, optimistic, anchor, registry,
    gas, record, document, register, dispatch, runAgent, verify, ectsOf, graph, renderTaskReport,
  };
}

export type World = Awaited<ReturnType<typeof createWorld>>;
