/**
 * A deployed agent-exec core and a registered 3-stage workflow document, reached over HTTP only (the embedded
 * network behind an RPC proxy, or a `hardhat node`): the runtime under test sees an ordinary endpoint.
 * Contracts are deployed from the Hardhat build artifacts with plain viem.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createPublicClient,
  createWalletClient,
  http,
  parseEther,
  stringToHex,
  type Abi,
  type Address,
  type Chain,
  type Hex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { getBlock, getChainId } from "viem/actions";
import type { StageExecutors } from "../../sdk/agent/index.js";
import { callAgent } from "../../sdk/chain/actions/callAgent.js";
import { registerWorkflow } from "../../sdk/workflow/registerWorkflow.js";
import type { WorkflowDocument } from "../../sdk/workflow/types.js";

function artifact(name: string): { abi: Abi; bytecode: Hex } {
  const dirs = ["", "verifiers"].map((d) => join(process.cwd(), "artifacts", "contracts", d, `${name}.sol`, `${name}.json`));
  const path = dirs.find((d) => existsSync(d));
  if (!path) throw new Error(`no artifact for ${name}: run npx hardhat build`);
  const a = JSON.parse(readFileSync(path, "utf8")) as { abi: Abi; bytecode: Hex };
  return { abi: a.abi, bytecode: a.bytecode };
}

export function chainFor(id: number, url: string): Chain {
  return { id, name: `test-${id}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [url] } } };
}

/** The 3-stage document: a sync gating WYRIWE input gate, a fan-out of two analysts (async), a chained judge. */
export function threeStageDocument(verifiers: { wyriwe: Address; ecdsa: Address }, agents: readonly Address[], version = "1.0.0"): WorkflowDocument {
  return {
    kind: "erc8301-workflow",
    id: "urn:agent-exec:test:agent-runtime",
    version,
    name: "agent runtime test",
    graph: {
      wf_id: "review",
      nodes: [
        { id: "gate", reversible: true },
        { id: "a", reversible: true },
        { id: "b", reversible: true },
        { id: "judge", reversible: false },
      ],
      edges: [
        { from: "gate", to: "a" },
        { from: "gate", to: "b" },
        { from: "a", to: "judge" },
        { from: "b", to: "judge" },
      ],
    },
    stages: [
      { name: "input-gate", nodes: ["gate"], resolution: "sync", gating: true, input: "task-input", verifier: { kind: "wyriwe", address: verifiers.wyriwe, gasLimit: 200_000 } },
      { name: "analyse", nodes: ["a", "b"], resolution: "async", input: "task-input", verifier: { kind: "ecdsa-attestation", address: verifiers.ecdsa, gasLimit: 200_000 } },
      { name: "judge", nodes: ["judge"], resolution: "async", input: "previous-output", verifier: { kind: "ecdsa-attestation", address: verifiers.ecdsa, gasLimit: 200_000 } },
    ],
    agents: { auth: "allowlist", allowlist: [...agents] },
  };
}

export type Deployment = Awaited<ReturnType<typeof setupAgentExec>>;

/** Deploys the core over `url`, funds `agentCount` fresh agent keys, registers the 3-stage workflow. */
export async function setupAgentExec(url: string, options: { agentCount?: number } = {}) {
  const transport = http(url, { timeout: 10_000, retryCount: 2 });
  const chainId = await getChainId(createPublicClient({ transport }));
  const chain = chainFor(chainId, url);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  const accounts = await createWalletClient({ chain, transport }).getAddresses();
  const operator = createWalletClient({ chain, transport, account: accounts[0]! });
  const requester = createWalletClient({ chain, transport, account: accounts[1]! });
  const attesterKey = generatePrivateKey();
  const attester = privateKeyToAccount(attesterKey);
  const agentKeys: Hex[] = Array.from({ length: options.agentCount ?? 2 }, () => generatePrivateKey());
  const agents: PrivateKeyAccount[] = agentKeys.map((k) => privateKeyToAccount(k));

  const deploy = async (name: string, args: readonly unknown[]): Promise<Address> => {
    const { abi, bytecode } = artifact(name);
    const hash = await operator.deployContract({ abi, bytecode, args: args as never, account: accounts[0]!, chain });
    const r = await publicClient.waitForTransactionReceipt({ hash });
    if (!r.contractAddress) throw new Error(`${name} not deployed`);
    return r.contractAddress;
  };
  const caller = await deploy("AgentCaller", []);
  const handler = await deploy("AgentHandler", [caller, accounts[0]!]);
  const ecdsa = await deploy("EcdsaAttestationVerifier", [[attester.address], 1n]);
  const wyriwe = await deploy("WyriweAttestationVerifier", [[attester.address], 1n]);
  for (const a of agents) {
    await publicClient.waitForTransactionReceipt({ hash: await operator.sendTransaction({ to: a.address, value: parseEther("100"), account: accounts[0]!, chain }) });
  }
  const document = threeStageDocument({ wyriwe, ecdsa }, agents.map((a) => a.address));
  const { workflowHash } = await registerWorkflow(publicClient as never, operator as never, { handler, document });

  let salt = 0n;
  /** Dispatches `count` tasks as the requester; returns their ids. */
  async function dispatch(count: number, opts: { deadlineIn?: bigint; input?: string; workflowHash?: Hex } = {}): Promise<Hex[]> {
    const ids: Hex[] = [];
    for (let i = 0; i < count; i++) {
      const now = (await getBlock(publicClient, { blockTag: "latest" })).timestamp;
      const r = await callAgent(requester as never, {
        caller,
        handler,
        agentWorkflowHash: opts.workflowHash ?? workflowHash,
        salt: `0x${(++salt + BigInt(Date.now()) * 1000n).toString(16).padStart(64, "0")}`,
        deadline: now + (opts.deadlineIn ?? 3600n),
        input: stringToHex(opts.input ?? `task input ${salt}`),
      });
      ids.push(r.taskId);
    }
    return ids;
  }

  /** Registers the 3-stage document with Agent Action Capsules on the input gate and the judge (another hash). */
  async function registerCapsuleWorkflow(): Promise<{ document: WorkflowDocument; workflowHash: Hex }> {
    const doc = capsuleDocument(document);
    const r = await registerWorkflow(publicClient as never, operator as never, { handler, document: doc });
    return { document: doc, workflowHash: r.workflowHash };
  }

  return { url, chain, chainId, publicClient, operator, requester, attester, attesterKey, agentKeys, agents, caller, handler, ecdsa, wyriwe, document, workflowHash, dispatch, registerCapsuleWorkflow };
}

/** The 3-stage document with `capsule: true` on the gating input gate (stage 0) and on the judge (stage 2). */
export function capsuleDocument(document: WorkflowDocument): WorkflowDocument {
  return {
    ...document,
    version: `${document.version}-capsules`,
    stages: document.stages.map((s, i) => (i === 0 || i === 2 ? { ...s, capsule: true } : { ...s })),
  };
}

export function tempStateDir(prefix = "agent-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deterministic executors for the 3-stage document. */
export const testExecutors: StageExecutors = {
  "input-gate": async ({ input }) => `gate-ok:${input}`,
  analyse: async ({ input }) => ({ outputs: { a: `a:${input}`, b: `b:${input}` } }),
  judge: async ({ input }) => `verdict:${input.length}`,
};

export type RuntimeOptions = {
  url: string;
  key: Hex;
  stateDir: string;
  attesterKey?: Hex | undefined;
  atHand?: boolean | undefined;
  concurrency?: number | undefined;
  deadlineMarginSec?: number | undefined;
  timeoutMs?: number | undefined;
  logLevel?: "debug" | "info" | "warn" | "error" | undefined;
};
