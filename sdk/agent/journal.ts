/**
 * The runtime's durable state: an append-only JSON-lines journal (node:fs, `fsync` after every record).
 *
 * Every record is written and synced *before* the action it announces (a stage result before its step is sent,
 * a `sending` record before a transaction is signed) and after it (`sent` with the hash, `mined` with the block),
 * so after a crash the journal says exactly what may have reached the chain; the runtime then reads the task's
 * on-chain state to settle the rest. A torn last line (a crash mid-write) is ignored; a bad line anywhere else
 * is refused. `openJournal` compacts the file on start: one snapshot per task, written to a temporary file,
 * synced and renamed over the journal (an atomic replace on POSIX file systems).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { Address, Hex } from "viem";
import { AgentRuntimeError } from "./errors.js";

/** A dispatched task as the journal keeps it (bigints as decimal strings). */
export type JournalTask = {
  taskId: Hex;
  handler: Address;
  requester: Address;
  agentWorkflowHash: Hex;
  inputHash: Hex;
  input: Hex;
  deadline: string;
  blockNumber: string;
};

/**
 * A stage's Agent Action Capsule (stages with `capsule: true`), journalled in its stage record — before the step
 * that carries it is sent — so a resumed task sends this very Capsule and never builds a second one.
 */
export type JournalCapsule = {
  /** `capsule_id` (64 lowercase hex). */
  capsuleId: string;
  /** The Capsule as RFC 8785 canonical JSON: what the step payload carries and the statement signs. */
  json: string;
  /** The COSE_Sign1 Signed Statement (hex). */
  statement: Hex;
  /** The verdict a gating stage proves (1 Approved, 2 Denied); absent on other stages. */
  verdict?: 1 | 2 | undefined;
  /** Why (sdk/bridge `capsuleVerdict`). */
  verdictReason: string;
};

/** A stage's result, recorded before its step is sent: re-sending after a crash sends exactly this. */
export type JournalStage = {
  stage: number;
  inputHash: Hex;
  outputHash: Hex;
  /** The step's full `data` (witness ‖ AEX1 payload). */
  data: Hex;
  /** Node outputs (hex), in node order: the next stage's input when it chains. */
  outputs: { node: string; output: Hex }[];
  isFinal: boolean;
  /** The stage's Capsule, when the workflow asks for one. */
  capsule?: JournalCapsule | undefined;
};

export type TxKind = "step" | "prove" | "stepAndProve";
export type TxPhase = "sending" | "sent" | "mined" | "failed";

export type JournalTx = {
  stage: number;
  kind: TxKind;
  phase: TxPhase;
  nonce?: number | undefined;
  hash?: Hex | undefined;
  blockNumber?: string | undefined;
  blockHash?: Hex | undefined;
  error?: string | undefined;
};

export type TaskOutcome = "finalized" | "expired" | "halted" | "skipped" | "failed";

export type JournalRecord =
  | { t: "cursor"; block: string }
  | { t: "task"; task: JournalTask }
  | ({ t: "stage"; taskId: Hex } & JournalStage)
  | ({ t: "tx"; taskId: Hex } & JournalTx)
  | { t: "done"; taskId: Hex; status: TaskOutcome; reason?: string | undefined };

export type TaskJournalState = {
  task: JournalTask | undefined;
  stages: Map<number, JournalStage>;
  /** The latest record per `stage:kind`. */
  txs: Map<string, JournalTx>;
  done: { status: TaskOutcome; reason?: string | undefined } | undefined;
};

export type Journal = {
  readonly path: string;
  /** The block to backfill from (the highest block whose tasks were all picked up). */
  cursor(): bigint | undefined;
  tasks(): ReadonlyMap<Hex, TaskJournalState>;
  task(taskId: Hex): TaskJournalState | undefined;
  /** Appends and syncs a record (and folds it into the state). */
  append(record: JournalRecord): void;
  /** Records written since open (for tests and benchmarks). */
  appended(): number;
  close(): void;
};

export type OpenJournalParameters = {
  path: string;
  /** Skip the `fsync` after each record (benchmarks of the floor only; never in production). */
  noSync?: boolean | undefined;
};

export const txKey = (stage: number, kind: TxKind) => `${stage}:${kind}`;

function emptyTask(): TaskJournalState {
  return { task: undefined, stages: new Map(), txs: new Map(), done: undefined };
}

function fold(state: Map<Hex, TaskJournalState>, cursor: { block: bigint | undefined }, r: JournalRecord): void {
  if (r.t === "cursor") {
    const b = BigInt(r.block);
    if (cursor.block === undefined || b > cursor.block) cursor.block = b;
    return;
  }
  const id = (r.t === "task" ? r.task.taskId : r.taskId).toLowerCase() as Hex;
  let s = state.get(id);
  if (!s) state.set(id, (s = emptyTask()));
  if (r.t === "task") s.task = r.task;
  else if (r.t === "stage") {
    const { t: _t, taskId: _id, ...stage } = r;
    s.stages.set(r.stage, stage);
  } else if (r.t === "tx") {
    const { t: _t, taskId: _id, ...tx } = r;
    s.txs.set(txKey(r.stage, r.kind), tx);
  } else if (r.t === "done") s.done = { status: r.status, reason: r.reason };
}

function isRecord(x: unknown): x is JournalRecord {
  if (!x || typeof x !== "object") return false;
  const t = (x as { t?: unknown }).t;
  if (t === "cursor") return typeof (x as { block?: unknown }).block === "string";
  if (t === "task") return typeof (x as { task?: { taskId?: unknown } }).task?.taskId === "string";
  if (t === "stage" || t === "tx") return typeof (x as { taskId?: unknown }).taskId === "string" && Number.isInteger((x as { stage?: unknown }).stage);
  if (t === "done") return typeof (x as { taskId?: unknown }).taskId === "string" && typeof (x as { status?: unknown }).status === "string";
  return false;
}

function readRecords(path: string): JournalRecord[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  const records: JournalRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (cause) {
      // A torn final line: the crash happened while it was written, so its action never started.
      if (lines.slice(i + 1).every((l) => l.trim() === "")) break;
      throw new AgentRuntimeError("AGENT_JOURNAL_CORRUPT", { details: `${path}:${i + 1} is not JSON`, cause });
    }
    if (!isRecord(parsed)) throw new AgentRuntimeError("AGENT_JOURNAL_CORRUPT", { details: `${path}:${i + 1} is not a journal record` });
    records.push(parsed);
  }
  return records;
}

function snapshot(state: Map<Hex, TaskJournalState>, cursor: bigint | undefined): JournalRecord[] {
  const out: JournalRecord[] = [];
  if (cursor !== undefined) out.push({ t: "cursor", block: cursor.toString() });
  for (const [taskId, s] of state) {
    if (s.done) {
      // Finished tasks keep only their outcome: enough to ignore them when a backfill sees them again.
      out.push({ t: "done", taskId, status: s.done.status, reason: s.done.reason });
      continue;
    }
    if (s.task) out.push({ t: "task", task: s.task });
    for (const st of s.stages.values()) out.push({ t: "stage", taskId, ...st });
    for (const tx of s.txs.values()) out.push({ t: "tx", taskId, ...tx });
  }
  return out;
}

function writeAllSynced(path: string, records: readonly JournalRecord[]): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    if (records.length) writeSync(fd, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path), "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Directories cannot be opened for sync on every platform; the rename is still atomic.
  }
}

/** Opens (creating if needed) and compacts the journal at `path`. Throws `AGENT_JOURNAL_CORRUPT` / `AGENT_JOURNAL_IO`. */
export function openJournal(parameters: OpenJournalParameters): Journal {
  const { path } = parameters;
  const state = new Map<Hex, TaskJournalState>();
  const cursor = { block: undefined as bigint | undefined };
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    for (const r of readRecords(path)) fold(state, cursor, r);
    writeAllSynced(path, snapshot(state, cursor.block));
    fd = openSync(path, "a", 0o600);
  } catch (cause) {
    if (cause instanceof AgentRuntimeError) throw cause;
    throw new AgentRuntimeError("AGENT_JOURNAL_IO", { details: `opening ${path}: ${(cause as Error).message}`, cause });
  }
  let count = 0;
  let closed = false;
  return {
    path,
    cursor: () => cursor.block,
    tasks: () => state,
    task: (taskId) => state.get(taskId.toLowerCase() as Hex),
    append(record) {
      if (closed) throw new AgentRuntimeError("AGENT_JOURNAL_IO", { details: `${path} is closed` });
      try {
        writeSync(fd, JSON.stringify(record) + "\n");
        if (!parameters.noSync) fsyncSync(fd);
      } catch (cause) {
        throw new AgentRuntimeError("AGENT_JOURNAL_IO", { details: `appending to ${path}: ${(cause as Error).message}`, cause });
      }
      count++;
      fold(state, cursor, record);
    },
    appended: () => count,
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
