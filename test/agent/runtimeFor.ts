/** Builds an agent runtime for a test deployment: HTTP clients for one agent key, the local attester. */
import { createPublicClient, createWalletClient, http, type Hex, type LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createAgentRuntime, createJsonLogger, localAttesterProofProducer, silentLogger, type CreateAgentRuntimeParameters } from "../../sdk/agent/index.js";
import type { WorkflowDocument } from "../../sdk/workflow/types.js";
import { chainFor, testExecutors } from "./setup.js";

export type RuntimeForParameters = {
  url: string;
  chainId: number;
  key: Hex;
  attester: LocalAccount;
  caller: `0x${string}`;
  handler: `0x${string}`;
  document: WorkflowDocument;
  workflowHash: Hex;
  stateDir: string;
  atHand?: boolean | undefined;
  httpTimeoutMs?: number | undefined;
  log?: boolean | undefined;
} & Partial<Omit<CreateAgentRuntimeParameters, "publicClient" | "walletClient" | "caller" | "handlers" | "workflows" | "stateDir">>;

export function runtimeFor(p: RuntimeForParameters) {
  const chain = chainFor(p.chainId, p.url);
  const transport = http(p.url, { timeout: p.httpTimeoutMs ?? 10_000, retryCount: 2, retryDelay: 50 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  const walletClient = createWalletClient({ chain, transport, account: privateKeyToAccount(p.key), pollingInterval: 50 });
  const { url: _u, chainId: _c, key: _k, attester, caller, handler, document, workflowHash, stateDir, atHand, httpTimeoutMs: _t, log, ...rest } = p;
  return createAgentRuntime({
    publicClient: publicClient as never,
    walletClient: walletClient as never,
    caller,
    handlers: [handler],
    workflows: new Map([[workflowHash, document]]),
    executors: testExecutors,
    proofProducer: localAttesterProofProducer({ attesters: [attester], atHand: atHand ?? true }),
    stateDir,
    fromBlock: 0n,
    pollingIntervalMs: 100,
    deadlineMarginSec: 5,
    receiptTimeoutMs: 5_000,
    logger: log || process.env.AGENT_TEST_LOG ? createJsonLogger({ level: (process.env.AGENT_TEST_LOG as never) ?? "info" }) : silentLogger,
    ...rest,
  });
}
