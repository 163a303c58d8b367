/**
 * The agent runtime: picks up `CallAgent` tasks for its handlers, runs each workflow stage through a pluggable
 * executor, and records steps and proves with the SDK's chain actions — surviving crashes, restarts, flaky RPC
 * endpoints, concurrent tasks on one key, dropped transactions and reorgs.
 *
 * Design: every task is driven by a *reconcile loop*. Each turn reads the task's on-chain state (`getTask`),
 * settles what the journal says may be in flight (a sent transaction's receipt, a dropped transaction, a step a
 * reorg removed), picks the one next action the policy allows, journals it, sends it and waits for its receipt.
 * Any failure ends the turn; the next turn starts again from the chain. So a retry can never double a step (the
 * chain is asked first, and the handler refuses an out-of-order step anyway), and a crash at any point resumes
 * from the journal plus the chain. Stage results are journalled before their step is sent, so a resumed task
 * re-sends the same step instead of re-running a (possibly non-deterministic) executor.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { join } from "node:path";
import {
  hexToBigInt,
  keccak256,
  parseEventLogs,
  toEventSelector,
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hex,
  type Log,
  type Transport,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
} from "viem";
import { estimateFeesPerGas, getBlock, getBlockNumber, getTransaction, getTransactionReceipt } from "viem/actions";
import { agentCallerAbi, agentHandlerAbi } from "../chain/abis.js";
import { getTask, type GetTaskReturnType } from "../chain/actions/getTask.js";
import { stepAndProve } from "../chain/actions/stepAndProve.js";
import { submitProve } from "../chain/actions/submitProve.js";
import { submitStep } from "../chain/actions/submitStep.js";
import { TaskNotFoundError } from "../chain/actions/errors.js";
import type { SendControl } from "../chain/actions/internal.js";
import type { DispatchedTask } from "../chain/actions/watchTasks.js";
import { getLogsPaged } from "../chain/logs.js";
import { ContractRevertError } from "../chain/revert.js";
import { attestedInputHash } from "../chain/wyriwe.js";
import { normalizePolicy } from "../chain/policy.js";
import type { CapsuleCoseSigner } from "../capsule/es256.js";
import { createEctSigner } from "../ect/create.js";
import { deriveWorkflowPolicy, type DerivedWorkflowPolicy } from "../workflow/deriveWorkflowPolicy.js";
import type { WorkflowDocument } from "../workflow/types.js";
import { validateWorkflow } from "../workflow/validateWorkflow.js";
import { AgentRuntimeError } from "./errors.js";
import { openJournal, txKey, type Journal, type JournalCapsule, type JournalStage, type JournalTask, type TaskJournalState, type TaskOutcome, type TxKind } from "./journal.js";
import { acquireLock, type AgentLock } from "./lock.js";
import { silentLogger, type AgentLogger } from "./logger.js";
import { createNonceManager, type NonceManager } from "./nonce.js";
import type { ProofProducer, ProofRequest } from "./proof.js";
import { backoffDelay, errorMessage, isNonceError, isTransientAgentError, sleep } from "./retry.js";
import { buildStage, chainedInput, stepWitness, type AgentEctIdentity, type StageExecutor, type StageOutput } from "./stage.js";

type AnyClient = Client<Transport, Chain | undefined, Account | undefined>;

/** Where workflow documents come from: a map by `agentWorkflowHash`, or a fetcher (e.g. from IPFS or HTTPS). */
export type WorkflowSource = ReadonlyMap<Hex, unknown> | ((agentWorkflowHash: Hex, task: DispatchedTask) => Promise<unknown>);

/** Stage executors by stage name; `"*"` serves every stage without its own. */
export type StageExecutors = Readonly<Record<string, StageExecutor>>;

/** What the runtime reports to `onEvent` (progress, and the points a crash test interrupts). */
export type AgentRuntimeEvent =
  | { type: "task-discovered"; taskId: Hex }
  | { type: "stage-recorded"; taskId: Hex; stage: number }
  /** A Capsule stage's Capsule was built, signed and journalled (with its stage result, before the step is sent). */
  | { type: "capsule-recorded"; taskId: Hex; stage: number; capsuleId: string; statement: Hex }
  | { type: "tx-sending"; taskId: Hex; stage: number; kind: TxKind }
  | { type: "tx-sent"; taskId: Hex; stage: number; kind: TxKind; hash: Hex }
  | { type: "tx-mined"; taskId: Hex; stage: number; kind: TxKind; hash: Hex; blockNumber: bigint }
  | { type: "task-done"; taskId: Hex; outcome: TaskOutcome; reason: string | undefined };

export type CreateAgentRuntimeParameters = {
  /** Reads (and receipts). */
  publicClient: AnyClient;
  /** Signs and sends; its account is the agent. */
  walletClient: AnyClient;
  /** The AgentCaller whose `CallAgent` events announce tasks. */
  caller: Address;
  /** The handlers served (tasks for other handlers are ignored). */
  handlers: readonly Address[];
  workflows: WorkflowSource;
  executors: StageExecutors;
  proofProducer: ProofProducer;
  /** Directory of the journal and lock files. */
  stateDir: string;
  /** The ECT issuer; default: an ephemeral P-256 key with `iss` = `agent:<address>` (development). */
  ect?: AgentEctIdentity | undefined;
  /**
   * Signs the Agent Action Capsules of stages that declare `capsule: true` (COSE_Sign1, ES256: e.g.
   * `createCapsuleSigner(privateKey, { kid })` of sdk/capsule, or an HSM / KMS-backed signer). Without it, tasks of a
   * workflow with a Capsule stage are refused at admission (skipped, reason `AGENT_CAPSULE_KEY_MISSING`).
   */
  capsuleSigner?: CapsuleCoseSigner | undefined;
  /** The agent's ERC-8004 id (needed for workflows with registry authorisation). */
  agentId?: bigint | undefined;
  /** Tasks run at once (default 8). */
  concurrency?: number | undefined;
  logger?: AgentLogger | undefined;
  /** Milliseconds clock (default Date.now). */
  clock?: (() => number) | undefined;
  /** Block to backfill from when the journal has none (default: the latest block at start). */
  fromBlock?: bigint | undefined;
  /** How often to look for new tasks (default 1,000 ms). */
  pollingIntervalMs?: number | undefined;
  /** No action is sent unless it is expected to be mined this many seconds before the deadline (default 30). */
  deadlineMarginSec?: number | undefined;
  /** Confirmations each receipt waits for (default 1). */
  confirmations?: number | undefined;
  /** How long a receipt is awaited before the transaction is checked for being dropped (default 60,000 ms). */
  receiptTimeoutMs?: number | undefined;
  /** Non-transient failures a task survives before it is reported failed (default 5). */
  maxAttempts?: number | undefined;
  /** Record a stage with one `stepAndProve` when the proof producer has proofs at hand (default true). */
  combineStepAndProve?: boolean | undefined;
  /** Stop gracefully on SIGINT / SIGTERM (default false; the CLI turns it on). */
  handleSignals?: boolean | undefined;
  /** Journal without fsync (benchmarks of the floor only). */
  unsafeNoFsync?: boolean | undefined;
  /**
   * Called at each event. For `tx-mined` the runtime awaits the returned promise before its next action (tests use
   * this to rewrite the chain under the runtime, e.g. a reorg).
   */
  onEvent?: ((event: AgentRuntimeEvent) => void | Promise<void>) | undefined;
};

export type TaskProgress = {
  taskId: Hex;
  handler: Address;
  stageCount: number | undefined;
  steppedStages: number;
  provenStages: number;
  outcome: TaskOutcome | undefined;
  reason: string | undefined;
};

export type AgentRuntimeStats = {
  /** Transactions handed to the node. */
  transactionsSent: number;
  /** Journal records written since start. */
  journalRecords: number;
  tasksDone: number;
  tasksActive: number;
  tasksQueued: number;
};

export type AgentRuntime = {
  readonly agent: Address;
  /** Takes the locks, compacts the journal, resumes unfinished tasks, backfills and follows `CallAgent`. */
  start(): Promise<void>;
  /**
   * Stops: no new tasks; running tasks finish their in-flight transaction and stop at the next action (their
   * state is in the journal); executors are aborted (they re-run on restart, nothing was recorded for them).
   */
  stop(): Promise<void>;
  /** Resolves with the outcomes once every given task is done. */
  settled(taskIds: readonly Hex[], options?: { timeoutMs?: number | undefined }): Promise<Map<Hex, TaskOutcome>>;
  progress(taskId: Hex): TaskProgress | undefined;
  /** The Capsules this runtime built for a task's stages (while the task is in the journal), by stage. */
  capsules(taskId: Hex): Map<number, JournalCapsule>;
  stats(): AgentRuntimeStats;
};

type LoadedWorkflow = { document: WorkflowDocument; policy: DerivedWorkflowPolicy };

const CALL_AGENT_TOPIC = toEventSelector(
  agentCallerAbi.find((x) => x.type === "event" && x.name === "CallAgent") as Extract<(typeof agentCallerAbi)[number], { type: "event" }>,
);
const STEP_ACCEPTED_TOPIC = toEventSelector(
  agentHandlerAbi.find((x) => x.type === "event" && x.name === "AgentStepAccepted") as Extract<(typeof agentHandlerAbi)[number], { type: "event" }>,
);

/** Reverts that mean "the chain moved on since the state was read": re-read and decide again. */
const STATE_RACE_REVERTS = new Set([
  "AgentHandlerStageOutOfOrder",
  "AgentHandlerStageAlreadyProven",
  "AgentHandlerStepNotRecorded",
  "AgentHandlerSyncStageUnproven",
  "AgentHandlerSteppingClosed",
  "AgentHandlerEarlierStagesUnproven",
  "AgentHandlerTaskNotActive",
  "AgentHandlerDeadlinePassed",
  "AgentHandlerTaskNotFound",
  // Someone (another runtime on this key) recorded this very result first: re-read, it is on-chain.
  "AgentHandlerReplacementUnchanged",
  "AgentHandlerLaterStageProven",
  // A recorded gate step awaits its verdict (core m2): the next turn proves it instead.
  "AgentHandlerGateLocked",
]);

class TransientStateError extends Error {}

/** A task's failure reason: `CODE: details` for the runtime's own errors (their first line is only the class text). */
function failureReason(error: unknown): string {
  if (error instanceof AgentRuntimeError && error.details) return `${error.code}: ${error.details}`.slice(0, 300);
  return errorMessage(error);
}

const lower = (h: string) => h.toLowerCase() as Hex;

/** Creates an agent runtime (nothing happens until `start()`). */
export function createAgentRuntime(parameters: CreateAgentRuntimeParameters): AgentRuntime {
  const p = parameters;
  const account = p.walletClient.account;
  if (!account) throw new AgentRuntimeError("AGENT_INVALID_OPTION", { details: "walletClient has no account" });
  if (!Array.isArray(p.handlers) || p.handlers.length === 0) throw new AgentRuntimeError("AGENT_INVALID_OPTION", { details: "handlers must name at least one handler" });
  if (!p.proofProducer || typeof p.proofProducer.produce !== "function") throw new AgentRuntimeError("AGENT_INVALID_OPTION", { details: "proofProducer is required" });
  if (!p.executors || typeof p.executors !== "object") throw new AgentRuntimeError("AGENT_INVALID_OPTION", { details: "executors is required" });
  if (p.capsuleSigner !== undefined && (typeof p.capsuleSigner !== "object" || p.capsuleSigner === null || p.capsuleSigner.alg !== "ES256" || typeof p.capsuleSigner.sign !== "function")) {
    throw new AgentRuntimeError("AGENT_INVALID_OPTION", { details: "capsuleSigner must be an ES256 CapsuleCoseSigner ({ alg: \"ES256\", sign })" });
  }
  const concurrency = p.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new AgentRuntimeError("AGENT_INVALID_OPTION", { details: `concurrency must be a positive integer, got ${String(p.concurrency)}` });
  const agent = account.address;
  const handlers = new Set(p.handlers.map(lower));
  const log: AgentLogger = p.logger ?? silentLogger;
  const clock = p.clock ?? Date.now;
  const margin = p.deadlineMarginSec ?? 30;
  const maxAttempts = p.maxAttempts ?? 5;
  const pollMs = p.pollingIntervalMs ?? 1_000;
  const combine = (p.combineStepAndProve ?? true) && p.proofProducer.atHand;
  const emit = (e: AgentRuntimeEvent): void | Promise<void> => p.onEvent?.(e);

  let journal: Journal | undefined;
  let locks: AgentLock[] = [];
  let nonces: NonceManager | undefined;
  let identity: AgentEctIdentity | undefined;
  let chainId = 0;
  let running = false;
  let stopping = false;
  let stopController = new AbortController();
  let followerDone: Promise<void> = Promise.resolve();
  const queue: Hex[] = [];
  const queued = new Set<Hex>();
  const active = new Map<Hex, Promise<void>>();
  const progress = new Map<Hex, TaskProgress>();
  const waiters: { ids: Set<Hex>; resolve: () => void }[] = [];
  const workflowCache = new Map<Hex, Promise<LoadedWorkflow>>();
  const lagging = new Map<string, number>();
  let sent = 0;
  let signalHandler: (() => void) | undefined;

  // The chain's clock: block timestamps, extrapolated with the local clock between reads.
  let clockOffsetSec: number | undefined;
  let clockReadAt = 0;
  async function chainNow(): Promise<number> {
    if (clockOffsetSec === undefined || clock() - clockReadAt > 5_000) {
      const block = await getBlock(p.publicClient, { blockTag: "latest" });
      clockReadAt = clock();
      clockOffsetSec = Number(block.timestamp) - clockReadAt / 1000;
    }
    return clock() / 1000 + clockOffsetSec;
  }

  function j(): Journal {
    if (!journal) throw new AgentRuntimeError("AGENT_STOPPED", { details: "the runtime is not started" });
    return journal;
  }

  function setProgress(taskId: Hex, patch: Partial<TaskProgress>) {
    const prev = progress.get(taskId);
    const task = j().task(taskId)?.task;
    const next: TaskProgress = {
      taskId,
      handler: task?.handler ?? prev?.handler ?? ("0x" as Address),
      stageCount: prev?.stageCount,
      steppedStages: prev?.steppedStages ?? 0,
      provenStages: prev?.provenStages ?? 0,
      outcome: prev?.outcome,
      reason: prev?.reason,
      ...patch,
    };
    progress.set(taskId, next);
    return next;
  }

  function finish(taskId: Hex, outcome: TaskOutcome, reason?: string) {
    j().append({ t: "done", taskId, status: outcome, reason });
    const pr = setProgress(taskId, { outcome, reason });
    log.log(outcome === "finalized" ? "info" : outcome === "failed" ? "error" : "warn", "task done", {
      taskId,
      outcome,
      reason,
      progress: `${pr.steppedStages}/${pr.stageCount ?? "?"} stepped, ${pr.provenStages}/${pr.stageCount ?? "?"} proven`,
    });
    void emit({ type: "task-done", taskId, outcome, reason });
    notify();
  }

  function notify() {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if ([...w.ids].every((id) => j().task(id)?.done)) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  // ---------------------------------------------------------------- discovery

  function toJournalTask(t: DispatchedTask): JournalTask {
    return {
      taskId: lower(t.taskId),
      handler: t.handler,
      requester: t.requester,
      agentWorkflowHash: lower(t.agentWorkflowHash),
      inputHash: t.inputHash,
      input: t.input,
      deadline: t.deadline.toString(),
      blockNumber: t.blockNumber.toString(),
    };
  }

  const inlineDocuments = new Map<Hex, Hex>();

  function discover(t: DispatchedTask) {
    if (!handlers.has(lower(t.handler))) return;
    const id = lower(t.taskId);
    if (t.agentWorkflow && t.agentWorkflow !== "0x") inlineDocuments.set(id, t.agentWorkflow);
    const known = j().task(id);
    if (known?.done || queued.has(id) || active.has(id)) return;
    if (!known?.task) j().append({ t: "task", task: toJournalTask(t) });
    void emit({ type: "task-discovered", taskId: id });
    log.log("info", "task discovered", { taskId: id, handler: t.handler, requester: t.requester, deadline: t.deadline.toString() });
    enqueue(id);
  }

  function enqueue(id: Hex) {
    if (queued.has(id) || active.has(id)) return;
    queued.add(id);
    queue.push(id);
    pump();
  }

  function pump() {
    while (!stopping && active.size < concurrency && queue.length) {
      const id = queue.shift()!;
      queued.delete(id);
      const run = runTask(id)
        .catch((error: unknown) => {
          log.log("error", "task crashed", { taskId: id, error: errorMessage(error) });
          if (!stopping && !j().task(id)?.done) finish(id, "failed", errorMessage(error));
        })
        .finally(() => {
          active.delete(id);
          pump();
        });
      active.set(id, run);
    }
  }

  async function scan(from: bigint, to: bigint) {
    const { logs } = await getLogsPaged(p.publicClient as Client, {
      address: p.caller,
      topics: [CALL_AGENT_TOPIC],
      fromBlock: from,
      toBlock: to,
      pageSize: 5_000n,
      retry: { retries: 6, delayMs: 100 },
    });
    const decoded = parseEventLogs({
      abi: agentCallerAbi,
      eventName: "CallAgent",
      strict: true,
      logs: logs.map((l) => ({
        ...l,
        topics: [...l.topics],
        blockNumber: l.blockNumber === null ? null : hexToBigInt(l.blockNumber),
        transactionIndex: l.transactionIndex === null ? null : Number(hexToBigInt(l.transactionIndex)),
        logIndex: l.logIndex === null ? null : Number(hexToBigInt(l.logIndex)),
      })) as unknown as Log[],
    });
    for (const e of decoded) {
      if (e.blockNumber === null || e.transactionHash === null) continue;
      discover({ ...(e.args as Omit<DispatchedTask, "blockNumber" | "transactionHash">), blockNumber: e.blockNumber, transactionHash: e.transactionHash });
    }
  }

  /** Backfills from the journal's cursor, then follows new blocks (eth_blockNumber + paged eth_getLogs). */
  async function follow(signal: AbortSignal) {
    let cursor = j().cursor();
    let failures = 0;
    while (!signal.aborted) {
      try {
        const latest = await getBlockNumber(p.publicClient, { cacheTime: 0 });
        if (cursor === undefined) cursor = (p.fromBlock ?? latest + 1n) - 1n;
        if (latest > cursor) {
          await scan(cursor + 1n, latest);
          cursor = latest;
          j().append({ t: "cursor", block: cursor.toString() });
        }
        failures = 0;
        await sleep(pollMs, signal);
      } catch (error) {
        failures++;
        log.log(isTransientAgentError(error) ? "warn" : "error", "task watch failed; retrying", { error: errorMessage(error), failures });
        await sleep(backoffDelay(failures, { baseMs: 200, maxMs: 10_000 }), signal);
      }
    }
  }

  // ---------------------------------------------------------------- workflows

  async function loadWorkflow(task: JournalTask): Promise<LoadedWorkflow> {
    const hash = task.agentWorkflowHash;
    let cached = workflowCache.get(hash);
    if (!cached) {
      cached = (async () => {
        let raw: unknown = inlineDocuments.get(task.taskId);
        if (raw !== undefined) raw = Buffer.from((raw as Hex).slice(2), "hex");
        else if (typeof p.workflows === "function") {
          try {
            raw = await p.workflows(hash, { ...task, deadline: BigInt(task.deadline), blockNumber: BigInt(task.blockNumber), agentWorkflow: "0x", transactionHash: "0x" });
          } catch (cause) {
            throw new AgentRuntimeError("AGENT_WORKFLOW_UNAVAILABLE", { details: `fetching ${hash}: ${errorMessage(cause)}`, cause });
          }
        } else {
          for (const [k, v] of p.workflows) if (lower(k) === hash) raw = v;
        }
        if (raw === undefined) throw new AgentRuntimeError("AGENT_WORKFLOW_UNAVAILABLE", { details: `no document for workflow ${hash}` });
        const v = validateWorkflow(raw);
        if (!v.valid) {
          throw new AgentRuntimeError("AGENT_WORKFLOW_INVALID", { details: v.findings.slice(0, 3).map((f) => `${f.path || "(document)"}: ${f.message}`).join("; ") });
        }
        if (lower(v.workflowHash) !== hash) {
          throw new AgentRuntimeError("AGENT_WORKFLOW_MISMATCH", { details: `the document hashes to ${v.workflowHash}, the task names ${hash}` });
        }
        return { document: v.document, policy: deriveWorkflowPolicy(v.document).policy };
      })();
      workflowCache.set(hash, cached);
      cached.catch(() => workflowCache.delete(hash)); // a fetch may succeed later
    }
    return cached;
  }

  /** Why this runtime must not serve the task (undefined: it may). */
  function notAuthorised(wf: LoadedWorkflow, task: JournalTask): string | undefined {
    const { document: d, policy } = wf;
    if (d.agents.auth === "allowlist" && !d.agents.allowlist.some((a) => lower(a) === lower(agent))) return `agent ${agent} is not on the workflow's allowlist`;
    if (d.agents.auth === "registry" && p.agentId === undefined) return "the workflow authorises agents by registry and no agentId is configured";
    if (policy.requesters.length && !policy.requesters.some((r) => lower(r) === lower(task.requester))) return `requester ${task.requester} is not allowed by the workflow`;
    for (const s of d.stages) if (!p.executors[s.name] && !p.executors["*"]) return `no executor for stage "${s.name}"`;
    const capsuleStage = d.stages.find((s) => s.capsule === true);
    if (capsuleStage && !p.capsuleSigner) {
      return `AGENT_CAPSULE_KEY_MISSING: stage "${capsuleStage.name}" declares capsule: true and the runtime has no capsuleSigner`;
    }
    return undefined;
  }

  /** Differences between the derived policy and the registered one (as getTask reports it). */
  function policyMismatch(wf: LoadedWorkflow, view: GetTaskReturnType): string | undefined {
    const derived = normalizePolicy(wf.policy);
    if (view.stageCount !== derived.stages.length) return `${view.stageCount} registered stages, the document declares ${derived.stages.length}`;
    if (view.minFinalStage !== derived.minFinalStage) return `minFinalStage ${view.minFinalStage} registered, ${derived.minFinalStage} declared`;
    if (lower(view.pipelineHash) !== lower(derived.pipelineHash)) return `pipelineHash ${view.pipelineHash} registered, ${derived.pipelineHash} declared`;
    for (const [i, s] of derived.stages.entries()) {
      const c = view.stages[i]!;
      if (lower(c.verifier) !== lower(s.verifier)) return `stage ${i} verifier ${c.verifier} registered, ${s.verifier} declared`;
      if ((c.resolution === "sync" ? 1 : 0) !== s.resolution) return `stage ${i} resolution ${c.resolution} registered`;
      if (c.gating !== s.gating) return `stage ${i} gating ${c.gating} registered`;
      if ((c.input === "previousOutput" ? 1 : 0) !== s.input) return `stage ${i} input ${c.input} registered`;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- sending

  /** Refuses (before anything is signed) an action that cannot be mined before the deadline. */
  async function assertTime(task: JournalTask, what: string) {
    const now = await chainNow();
    const deadline = Number(task.deadline);
    if (now + margin >= deadline) {
      throw new AgentRuntimeError("AGENT_DEADLINE_UNMEETABLE", {
        details: `${what}: chain time ${Math.floor(now)} + margin ${margin}s ≥ deadline ${deadline}`,
      });
    }
  }

  // EIP-1559 fees, shared by concurrent sends for a few seconds (one fee read per burst, not per transaction).
  let fees: { value: Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }>; at: number } | undefined;
  function currentFees() {
    if (!fees || clock() - fees.at > 3_000) {
      const value = estimateFeesPerGas(p.publicClient).then((f) => ({ maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas }));
      fees = { value, at: clock() };
      value.catch(() => (fees = undefined));
    }
    return fees.value;
  }

  /** SendControl hooks that journal the transaction before and after it is sent and drive the nonce manager. */
  function sendControl(task: JournalTask, stage: number, kind: TxKind) {
    let holding = false;
    let hash: Hex | undefined;
    const control: SendControl = {
      onBeforeSend: async () => {
        await assertTime(task, `${kind} of stage ${stage}`);
        j().append({ t: "tx", taskId: task.taskId, stage, kind, phase: "sending" });
        void emit({ type: "tx-sending", taskId: task.taskId, stage, kind });
      },
      nonce: async () => {
        const n = await nonces!.acquire();
        holding = true;
        return n;
      },
      onSent: (h) => {
        hash = h;
        holding = false;
        nonces!.commit();
        sent++;
        j().append({ t: "tx", taskId: task.taskId, stage, kind, phase: "sent", hash: h });
        void emit({ type: "tx-sent", taskId: task.taskId, stage, kind, hash: h });
        log.log("debug", "transaction sent", { taskId: task.taskId, stage, kind, hash: h });
      },
      fees: currentFees,
      receiptTimeoutMs: p.receiptTimeoutMs ?? 60_000,
    };
    return {
      control,
      /** After the action returned or threw. */
      settle(error: unknown) {
        if (holding) {
          holding = false;
          // The send failed with the nonce taken: the transaction may or may not have reached the node.
          nonces!.release(true);
        } else if (error !== undefined && hash === undefined && isNonceError(error)) nonces!.reset();
        if (error !== undefined && /underpriced|fee cap|max fee/i.test(errorMessage(error))) fees = undefined;
      },
      async mined(receipt: { transactionHash: Hex; blockNumber: bigint; blockHash: Hex }) {
        j().append({
          t: "tx",
          taskId: task.taskId,
          stage,
          kind,
          phase: "mined",
          hash: receipt.transactionHash,
          blockNumber: receipt.blockNumber.toString(),
          blockHash: receipt.blockHash,
        });
        await emit({ type: "tx-mined", taskId: task.taskId, stage, kind, hash: receipt.transactionHash, blockNumber: receipt.blockNumber });
      },
    };
  }

  // ---------------------------------------------------------------- the reconcile loop

  type StepContext = { task: JournalTask; wf: LoadedWorkflow; view: GetTaskReturnType; rec: TaskJournalState };

  /** Settles journalled transactions against the chain. Returns true when the turn should re-read the state. */
  async function settleInFlight({ task, view, rec }: StepContext): Promise<boolean> {
    for (const [key, tx] of rec.txs) {
      if (tx.phase === "failed") continue;
      const stepLanded = tx.stage < view.steppedStages;
      const proveLanded = view.stages[tx.stage]?.status === "proven";
      const landed = tx.kind === "prove" ? proveLanded : tx.kind === "stepAndProve" ? stepLanded && proveLanded : stepLanded;
      if (landed) continue;
      if (tx.phase === "sending") continue; // never reached the node, or did with an unknown hash: the chain decides
      if (tx.phase === "sent" && tx.hash) {
        // "Not found" answers are facts; any other failure is an RPC failure (retried), never taken as a drop.
        const receipt = await getTransactionReceipt(p.publicClient, { hash: tx.hash }).catch((e: unknown) => {
          if (e instanceof TransactionReceiptNotFoundError) return undefined;
          throw e;
        });
        if (receipt) {
          j().append({ t: "tx", taskId: task.taskId, stage: tx.stage, kind: tx.kind, phase: "mined", hash: tx.hash, blockNumber: receipt.blockNumber.toString(), blockHash: receipt.blockHash });
          if (receipt.status !== "success") {
            j().append({ t: "tx", taskId: task.taskId, stage: tx.stage, kind: tx.kind, phase: "failed", hash: tx.hash, error: "reverted" });
            continue;
          }
          return true; // mined after all: re-read the task (the node may lag)
        }
        const pending = await getTransaction(p.publicClient, { hash: tx.hash }).catch((e: unknown) => {
          if (e instanceof TransactionNotFoundError) return undefined;
          throw e;
        });
        if (pending) throw new TransientStateError(`transaction ${tx.hash} (${key}) is still pending`);
        log.log("warn", "transaction dropped; re-sending", { taskId: task.taskId, stage: tx.stage, kind: tx.kind, hash: tx.hash });
        j().append({ t: "tx", taskId: task.taskId, stage: tx.stage, kind: tx.kind, phase: "failed", hash: tx.hash, error: "dropped" });
        nonces!.reset();
        continue;
      }
      if (tx.phase === "mined" && tx.blockNumber && tx.blockHash) {
        // Mined, yet the state does not show it: a reorg removed the block, or the node we read lags behind.
        const block = await getBlock(p.publicClient, { blockNumber: BigInt(tx.blockNumber) }).catch(() => undefined);
        if (!block || lower(block.hash ?? "0x") === lower(tx.blockHash)) {
          // Canonical, yet without effect: after a few reads this is not lag but a transaction that changed nothing
          // (a prove the verifier rejected emits AgentProveRejected and does not revert). Stop waiting for it.
          const lagKey = `${task.taskId}:${key}:${tx.hash}`;
          const seen = (lagging.get(lagKey) ?? 0) + 1;
          lagging.set(lagKey, seen);
          if (block && seen >= 3) {
            lagging.delete(lagKey);
            j().append({ t: "tx", taskId: task.taskId, stage: tx.stage, kind: tx.kind, phase: "failed", hash: tx.hash, error: "no effect" });
            continue;
          }
          throw new TransientStateError(`the state read lags behind block ${tx.blockNumber} (${key})`);
        }
        log.log("warn", "reorg removed a transaction; re-sending", {
          taskId: task.taskId,
          stage: tx.stage,
          kind: tx.kind,
          hash: tx.hash,
          blockNumber: tx.blockNumber,
          minedIn: tx.blockHash,
          canonical: block.hash,
        });
        j().append({ t: "tx", taskId: task.taskId, stage: tx.stage, kind: tx.kind, phase: "failed", hash: tx.hash, error: "reorged" });
        nonces!.reset();
      }
    }
    return false;
  }

  /** A recorded step's hashes, from the journal or (for a step this runtime did not journal) from its event. */
  async function recordedStep(ctx: StepContext, stage: number): Promise<JournalStage> {
    const mine = ctx.rec.stages.get(stage);
    if (mine) return mine;
    const { logs } = await getLogsPaged(p.publicClient as Client, {
      address: ctx.task.handler,
      topics: [STEP_ACCEPTED_TOPIC, ctx.task.taskId, `0x${stage.toString(16).padStart(64, "0")}`],
      fromBlock: BigInt(ctx.task.blockNumber),
    });
    const events = parseEventLogs({ abi: agentHandlerAbi, eventName: "AgentStepAccepted", logs: logs.map((l) => ({ ...l, topics: [...l.topics] })) as unknown as Log[] });
    const last = events.at(-1);
    if (!last) throw new TransientStateError(`no AgentStepAccepted found for stage ${stage}`);
    if (lower(last.args.agent) !== lower(agent)) {
      throw new AgentRuntimeError("AGENT_STEP_CONFLICT", { details: `stage ${stage} was stepped by ${last.args.agent}` });
    }
    // This key, but not this journal: another runtime on the key (another state directory) is running the task and
    // holds its outputs. Leave it to that runtime and keep watching: the task ends finalised, halted or expired.
    throw new TransientStateError(`stage ${stage} was stepped by this key from another state directory; waiting for it`);
  }

  async function runExecutor(ctx: StepContext, stage: number): Promise<JournalStage> {
    const { task, wf, view, rec } = ctx;
    const st = wf.document.stages[stage]!;
    const executor = p.executors[st.name] ?? p.executors["*"];
    if (!executor) throw new AgentRuntimeError("AGENT_NO_EXECUTOR", { details: `stage "${st.name}"` });
    const chained = st.input === "previous-output";
    const previous: StageOutput[] = [];
    for (let i = 0; i < stage; i++) {
      const r = await recordedStep(ctx, i);
      previous.push({ stage: i, outputHash: r.outputHash, outputs: r.outputs });
    }
    const inputHash = chained
      ? previous[stage - 1]!.outputHash
      : attestedInputHash({ declaredInputHash: task.inputHash, pipelineHash: view.pipelineHash });
    // Every earlier step of the task is this agent's (recordedStep refuses anything else).
    const witness = stepWitness({
      stage,
      chained,
      stage0OutputHash: previous[0]?.outputHash,
      stage0Agent: stage > 0 ? agent : undefined,
      previousInputHash: stage > 0 ? (await recordedStep(ctx, stage - 1)).inputHash : undefined,
      previousAgent: stage > 0 ? agent : undefined,
    });
    // The executor's abort signal: the deadline (less the margin, on the chain's clock) or a stop.
    const controller = new AbortController();
    const remainingMs = (Number(task.deadline) - margin - (await chainNow())) * 1000;
    if (remainingMs <= 0) throw new AgentRuntimeError("AGENT_DEADLINE_UNMEETABLE", { details: `no time left to run stage ${stage}` });
    const timer = setTimeout(() => controller.abort(new AgentRuntimeError("AGENT_DEADLINE_UNMEETABLE", { details: `stage ${stage} ran out of time` })), remainingMs);
    const onStop = () => controller.abort(new AgentRuntimeError("AGENT_STOPPED"));
    stopController.signal.addEventListener("abort", onStop, { once: true });
    try {
      const result = await Promise.race([
        executor({
          taskId: task.taskId,
          handler: task.handler,
          stage,
          stageName: st.name,
          nodes: st.nodes,
          input: chained ? chainedInput(previous[stage - 1]!) : task.input,
          taskInput: task.input,
          previousOutputs: previous,
          document: wf.document,
          signal: controller.signal,
        }),
        new Promise<never>((_, reject) => controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true })),
      ]);
      const built = await buildStage({
        taskId: task.taskId,
        stage,
        document: wf.document,
        result,
        inputHash,
        witness,
        identity: identity!,
        clock,
        isFinal: (executorFinal) => stage === view.stageCount - 1 || (executorFinal && stage >= view.minFinalStage),
        capsule: p.capsuleSigner
          ? { signer: p.capsuleSigner, chainId, handler: task.handler, requester: task.requester, agentWorkflowHash: task.agentWorkflowHash }
          : undefined,
      });
      void rec;
      return built;
    } catch (error) {
      if (error instanceof AgentRuntimeError) throw error;
      throw new AgentRuntimeError("AGENT_EXECUTOR_FAILED", { details: `stage "${st.name}": ${errorMessage(error)}`, cause: error });
    } finally {
      clearTimeout(timer);
      stopController.signal.removeEventListener("abort", onStop);
    }
  }

  function proofRequest(ctx: StepContext, s: JournalStage): ProofRequest {
    const st = ctx.wf.document.stages[s.stage]!;
    const stage0 = ctx.rec.stages.get(0);
    return {
      chainId,
      handler: ctx.task.handler,
      taskId: ctx.task.taskId,
      stage: s.stage,
      verifier: ctx.view.stages[s.stage]!.verifier,
      verifierKind: st.verifier.kind,
      inputHash: s.inputHash,
      outputHash: s.outputHash,
      declaredInputHash: ctx.task.inputHash,
      pipelineHash: ctx.view.pipelineHash,
      agent,
      isFinal: s.isFinal,
      capsule: s.capsule ? (JSON.parse(s.capsule.json) as ProofRequest["capsule"]) : undefined,
      verdict: s.capsule?.verdict,
      // Every earlier step of the task is this agent's (recordedStep refuses anything else).
      stage0: s.stage > 0 && stage0 ? { outputHash0: stage0.outputHash, agent0: agent } : undefined,
    };
  }

  async function produceProof(ctx: StepContext, s: JournalStage): Promise<Hex> {
    try {
      return await p.proofProducer.produce(proofRequest(ctx, s), stopController.signal);
    } catch (error) {
      if (error instanceof AgentRuntimeError) throw error;
      throw new AgentRuntimeError("AGENT_PROOF_FAILED", { details: `${p.proofProducer.name}, stage ${s.stage}: ${errorMessage(error)}`, cause: error });
    }
  }

  async function doStep(ctx: StepContext, stage: number) {
    const { task } = ctx;
    let s = ctx.rec.stages.get(stage);
    if (!s) {
      await assertTime(task, `stage ${stage}`);
      s = await runExecutor(ctx, stage);
      // The stage result — its Capsule included — is durable before anything is sent: a resumed task sends it as is.
      j().append({ t: "stage", taskId: task.taskId, ...s });
      if (s.capsule) {
        log.log("info", "capsule recorded", { taskId: task.taskId, stage, capsuleId: s.capsule.capsuleId, verdict: s.capsule.verdictReason });
        void emit({ type: "capsule-recorded", taskId: task.taskId, stage, capsuleId: s.capsule.capsuleId, statement: s.capsule.statement });
      }
      void emit({ type: "stage-recorded", taskId: task.taskId, stage });
    }
    const args = {
      handler: task.handler,
      taskId: task.taskId,
      stage,
      inputHash: s.inputHash,
      outputHash: s.outputHash,
      isFinal: s.isFinal,
      data: s.data,
      agentId: p.agentId,
      account: p.walletClient.account!,
      chain: p.walletClient.chain,
      confirmations: p.confirmations,
    };
    if (combine) {
      const proof = await produceProof(ctx, s);
      const send = sendControl(task, stage, "stepAndProve");
      let error: unknown;
      try {
        const r = await stepAndProve(p.walletClient, { ...args, proof, ...send.control });
        if (r.transactionHash === undefined) {
          throw new AgentRuntimeError("AGENT_PROOF_FAILED", { details: `stepAndProve of stage ${stage} would be rejected: ${r.outcome.reason}` });
        }
        await send.mined(r.receipt);
      } catch (e) {
        error = e;
        throw e;
      } finally {
        send.settle(error);
      }
    } else {
      const send = sendControl(task, stage, "step");
      let error: unknown;
      try {
        const r = await submitStep(p.walletClient, { ...args, ...send.control });
        await send.mined(r.receipt);
      } catch (e) {
        error = e;
        throw e;
      } finally {
        send.settle(error);
      }
    }
  }

  async function doProve(ctx: StepContext, stage: number) {
    const s = await recordedStep(ctx, stage);
    // onAgentProve's proof starts with the prove header (the agent the step is recorded under): submitProve adds it.
    const proof = await produceProof(ctx, s);
    const send = sendControl(ctx.task, stage, "prove");
    let error: unknown;
    try {
      const r = await submitProve(p.walletClient, {
        handler: ctx.task.handler,
        taskId: ctx.task.taskId,
        stage,
        inputHash: s.inputHash,
        outputHash: s.outputHash,
        proof,
        agent,
        verifier: ctx.view.stages[stage]!.verifier,
        account: p.walletClient.account!,
        chain: p.walletClient.chain,
        confirmations: p.confirmations,
        ...send.control,
      });
      await send.mined(r.receipt);
      if (r.outcome.status === "rejected") {
        j().append({ t: "tx", taskId: ctx.task.taskId, stage, kind: "prove", phase: "failed", hash: r.transactionHash, error: `rejected: ${r.outcome.reason}` });
        throw new AgentRuntimeError("AGENT_PROOF_FAILED", { details: `the prove of stage ${stage} was rejected: ${r.outcome.reason}` });
      }
    } catch (e) {
      error = e;
      throw e;
    } finally {
      send.settle(error);
    }
  }

  /** The next action the policy allows, given the on-chain state. */
  function nextAction(view: GetTaskReturnType): { kind: "step" | "prove"; stage: number } | undefined {
    for (let i = 0; i < view.steppedStages; i++) {
      const s = view.stages[i]!;
      if (s.status === "proven") continue;
      // A sync stage blocks the next step until proven; once the final step is in, prove in stage order.
      if (s.resolution === "sync" || view.finalStepped) return { kind: "prove", stage: i };
    }
    if (!view.finalStepped && view.steppedStages < view.stageCount) return { kind: "step", stage: view.steppedStages };
    return undefined;
  }

  async function runTask(taskId: Hex): Promise<void> {
    const rec = j().task(taskId);
    const task = rec?.task;
    if (!rec || !task || rec.done) return;
    let wf: LoadedWorkflow;
    try {
      wf = await loadWorkflow(task);
    } catch (error) {
      return finish(taskId, "skipped", failureReason(error));
    }
    const refusal = notAuthorised(wf, task);
    if (refusal) return finish(taskId, "skipped", refusal);

    let failures = 0;
    let transient = 0;
    let notFound = 0;
    let checkedPolicy = false;
    while (!stopping) {
      try {
        const view = await getTask(p.publicClient, { handler: task.handler, taskId, retry: { retries: 2, delayMs: 50 } });
        notFound = 0;
        if (!checkedPolicy) {
          const mismatch = policyMismatch(wf, view);
          if (mismatch) return finish(taskId, "skipped", `the registered policy differs from the document: ${mismatch}`);
          checkedPolicy = true;
        }
        const proven = view.stages.filter((s) => s.status === "proven").length;
        const before = progress.get(taskId);
        if (!before || before.steppedStages !== view.steppedStages || before.provenStages !== proven) {
          setProgress(taskId, { stageCount: view.stageCount, steppedStages: view.steppedStages, provenStages: proven });
          log.log("info", "task progress", {
            taskId,
            status: view.status,
            stepped: `${view.steppedStages}/${view.stageCount}`,
            proven: `${proven}/${view.stageCount}`,
          });
        }
        if (view.status === "Finalized") return finish(taskId, "finalized");
        if (view.status === "Halted") return finish(taskId, "halted", "a gating stage denied the task");
        if (view.status === "Expired" || view.pastDeadline) return finish(taskId, "expired", "the deadline passed");
        const ctx: StepContext = { task, wf, view, rec };
        if (await settleInFlight(ctx)) continue;
        const action = nextAction(view);
        if (!action) throw new TransientStateError("nothing to do yet the task is not finalised");
        if (action.kind === "step") await doStep(ctx, action.stage);
        else await doProve(ctx, action.stage);
        transient = 0;
      } catch (error) {
        if (stopping && error instanceof AgentRuntimeError && error.code === "AGENT_STOPPED") return;
        if (error instanceof AgentRuntimeError && error.code === "AGENT_DEADLINE_UNMEETABLE") {
          return finish(taskId, "expired", error.details);
        }
        if (error instanceof AgentRuntimeError && error.code === "AGENT_STEP_CONFLICT") return finish(taskId, "failed", error.details);
        if (error instanceof TaskNotFoundError) {
          // A node behind the one that served CallAgent, or a reorg that removed the dispatch.
          if (++notFound > 8) return finish(taskId, "skipped", "the handler does not know the task");
          await sleep(backoffDelay(notFound, { baseMs: 250 }), stopController.signal);
          continue;
        }
        const race = error instanceof ContractRevertError && STATE_RACE_REVERTS.has(error.errorName);
        if (race || error instanceof TransientStateError || isTransientAgentError(error)) {
          transient++;
          log.log(transient > 3 ? "warn" : "debug", "retrying after a transient failure", { taskId, error: errorMessage(error), attempt: transient });
          await sleep(backoffDelay(transient, { baseMs: 100, maxMs: 2_000 }), stopController.signal);
          continue;
        }
        failures++;
        log.log("warn", "task action failed", { taskId, error: failureReason(error), code: (error as { code?: string }).code, attempt: failures });
        if (failures >= maxAttempts) return finish(taskId, "failed", failureReason(error));
        await sleep(backoffDelay(failures, { baseMs: 500 }), stopController.signal);
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  function journalPath() {
    const key = keccak256(`0x${[...handlers].sort().map((h) => h.slice(2)).join("")}`).slice(2, 12);
    return join(p.stateDir, `agent-${lower(agent)}-${key}.journal.jsonl`);
  }

  return {
    agent,
    async start() {
      if (running) throw new AgentRuntimeError("AGENT_INVALID_OPTION", { details: "the runtime is already started" });
      const { mkdirSync } = await import("node:fs");
      mkdirSync(p.stateDir, { recursive: true });
      const taken: AgentLock[] = [];
      try {
        for (const h of [...handlers].sort()) taken.push(acquireLock(join(p.stateDir, `agent-${lower(agent)}-${h}.lock`)));
        journal = openJournal({ path: journalPath(), noSync: p.unsafeNoFsync });
      } catch (error) {
        for (const l of taken) l.release();
        throw error;
      }
      locks = taken;
      running = true;
      stopping = false;
      stopController = new AbortController();
      chainId = p.publicClient.chain?.id ?? (await (await import("viem/actions")).getChainId(p.publicClient));
      nonces = createNonceManager({ client: p.walletClient as Client, address: agent });
      identity = p.ect ?? (await ephemeralIdentity(agent));
      if (p.handleSignals) {
        signalHandler = () => {
          log.log("warn", "signal received; stopping", {});
          void this.stop();
        };
        process.once("SIGINT", signalHandler);
        process.once("SIGTERM", signalHandler);
      }
      const resumable = [...j().tasks().entries()].filter(([, s]) => s.task && !s.done).map(([id]) => id);
      log.log("info", "agent runtime started", { agent, handlers: [...handlers], journal: j().path, resuming: resumable.length, cursor: j().cursor()?.toString() });
      for (const id of resumable) enqueue(id);
      followerDone = follow(stopController.signal);
    },
    async stop() {
      if (!running || stopping) return;
      stopping = true;
      stopController.abort();
      await followerDone;
      await Promise.allSettled([...active.values()]);
      if (signalHandler) {
        process.removeListener("SIGINT", signalHandler);
        process.removeListener("SIGTERM", signalHandler);
      }
      log.log("info", "agent runtime stopped", { unfinished: [...j().tasks().values()].filter((s) => s.task && !s.done).length });
      journal?.close();
      for (const l of locks) l.release();
      locks = [];
      running = false;
      for (const w of waiters.splice(0)) w.resolve();
    },
    settled(taskIds, options = {}) {
      const ids = new Set(taskIds.map(lower));
      const outcome = () => new Map([...ids].map((id) => [id, j().task(id)?.done?.status ?? ("failed" as TaskOutcome)]));
      if ([...ids].every((id) => j().task(id)?.done)) return Promise.resolve(outcome());
      return new Promise((resolve, reject) => {
        const timer =
          options.timeoutMs === undefined
            ? undefined
            : setTimeout(() => reject(new AgentRuntimeError("AGENT_STOPPED", { details: `tasks not settled after ${options.timeoutMs} ms` })), options.timeoutMs);
        waiters.push({
          ids,
          resolve: () => {
            if (timer) clearTimeout(timer);
            if (!journal) return reject(new AgentRuntimeError("AGENT_STOPPED"));
            resolve(outcome());
          },
        });
      });
    },
    progress: (taskId) => progress.get(lower(taskId)),
    capsules: (taskId) => {
      const out = new Map<number, JournalCapsule>();
      for (const [stage, s] of journal?.task(taskId)?.stages ?? []) if (s.capsule) out.set(stage, s.capsule);
      return out;
    },
    stats: () => ({
      transactionsSent: sent,
      journalRecords: journal?.appended() ?? 0,
      tasksDone: journal ? [...journal.tasks().values()].filter((s) => s.done).length : 0,
      tasksActive: active.size,
      tasksQueued: queue.length,
    }),
  };
}

/** A development ECT identity: a fresh P-256 key (its ECTs verify only against this run's public key). */
async function ephemeralIdentity(agent: Address): Promise<AgentEctIdentity> {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signer = await createEctSigner({ kid: `agent-${agent.toLowerCase()}-${randomUUID()}`, privateKey });
  return { signer, iss: `agent:${agent.toLowerCase()}`, aud: "erc8301:handler" };
}
