/**
 * Verifying a whole workflow of ECTs on every core: `verifyEctWorkflow` and `EctVerifierPool`.
 *
 * Spec: seed 000, Table 5 (steps 1-12 per token) and 4.3 (step 13, the DAG rules, over the set,
 * with the 10,000-node traversal limit). Steps 1-12 are independent per token and dominated by
 * the ECDSA check, so they are spread over worker threads (and the calling thread) in chunks;
 * step 13 then runs once, on the calling thread, over every token that passed steps 1-12
 * (a token that failed earlier does not count as an existing parent).
 *
 * Worker threads cannot share functions or `KeyObject`s, so:
 * - keys cross as plain public-JWK records (`AgentKeyStore.exportRecords()`);
 * - the clock is sampled ONCE when the call starts and every token is judged at that instant;
 * - the DAG options (which may hold functions) are only used on the calling thread.
 *
 * The worker entry is `workflow-worker.ts` next to this file: `.js` when running from the
 * built `dist/`, `.ts` when running from source under tsx (the tsx loader is then passed to the
 * worker explicitly, so this also works when tsx was registered in-process, as Hardhat does).
 * If workers cannot be started, the call falls back to the calling thread and says so in
 * `threads.workerError`. Never throws for bad tokens.
 */
import { availableParallelism } from "node:os";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import type { AgentKeyRecord, AgentKeyStore } from "./agent-key.js";
import type { EctClaims } from "./claims.js";
import { ectDagViolationToError, type EctDagViolation } from "./dag.js";
import { validateEctSetInStore } from "./dag-store.js";
import { EctTraversalLimitError, EctWorkerError, ectVerificationErrorFromData } from "./errors.js";
import { verifyEct, type VerifyEctFailure, type VerifyEctParameters, type VerifyEctReturnType } from "./verify.js";
import type { WorkerJob, WorkerMessage, WorkerOptions, WorkerResult } from "./workflow-protocol.js";

/** Steps 1-12 options a pool can apply (keys come from the pool; no DAG options). */
export type EctPoolVerifyOptions = Pick<
  VerifyEctParameters,
  "audience" | "algorithms" | "clock" | "maxFutureSkewSec" | "maxAgeSec" | "expLeewaySec"
> & {
  /** Tokens per chunk handed to a thread (default 200). */
  chunkSize?: number | undefined;
  /** Whether the calling thread verifies chunks too (default true). */
  useMainThread?: boolean | undefined;
};

export type EctVerifierPoolParameters = {
  /** Source of the keys; its `exportRecords()` is sent to every worker. */
  keyStore: AgentKeyStore;
  /** Worker threads; `"auto"` (default) = available cores − 1, at least 1. */
  workers?: number | "auto" | undefined;
};

function workerEntry(): { url: URL; execArgv?: string[] } {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return { url: new URL("./workflow-worker.js", here) };
  const url = new URL("./workflow-worker.ts", here);
  // Running from source: make sure the worker can load TypeScript with `.js` specifiers.
  if (process.execArgv.some((a) => a.includes("tsx"))) return { url, execArgv: [...process.execArgv] };
  return { url, execArgv: [...process.execArgv, "--import", import.meta.resolve("tsx")] };
}

class Slot {
  readonly worker: Worker;
  alive = true;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (r: WorkerResult[]) => void; reject: (e: unknown) => void }>();

  constructor(records: readonly AgentKeyRecord[]) {
    const { url, execArgv } = workerEntry();
    this.worker = new Worker(url, { workerData: { records }, ...(execArgv ? { execArgv } : {}) });
    this.worker.on("message", (m: WorkerMessage) => {
      if (m.type === "fatal") return this.#die(new EctWorkerError({ details: m.message }));
      const p = this.#pending.get(m.id);
      if (p) {
        this.#pending.delete(m.id);
        p.resolve(m.results);
      }
    });
    this.worker.on("error", (err) => this.#die(new EctWorkerError({ details: err.message, cause: err })));
    this.worker.on("exit", (code) => this.#die(new EctWorkerError({ details: `worker exited with code ${code}` })));
  }

  #die(err: EctWorkerError): void {
    this.alive = false;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  run(tokens: string[], options: WorkerOptions): Promise<WorkerResult[]> {
    if (!this.alive) return Promise.reject(new EctWorkerError({ details: "worker is not running" }));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: "verify", id, tokens, options } satisfies WorkerJob);
    });
  }

  send(job: WorkerJob): void {
    if (this.alive) this.worker.postMessage(job);
  }
}

/** A reusable set of verification worker threads. Close it when done. */
export class EctVerifierPool {
  readonly #keyStore: AgentKeyStore;
  readonly #slots: Slot[];
  #closed = false;

  private constructor(keyStore: AgentKeyStore, slots: Slot[]) {
    this.#keyStore = keyStore;
    this.#slots = slots;
  }

  /** Starts the workers. Throws `EctWorkerError` if the keys cannot be exported or no worker can start. */
  static async create(parameters: EctVerifierPoolParameters): Promise<EctVerifierPool> {
    const n = resolveWorkers(parameters.workers);
    let records: readonly AgentKeyRecord[];
    try {
      records = await parameters.keyStore.exportRecords();
    } catch (cause) {
      throw new EctWorkerError({ details: `the key store cannot export records for workers: ${(cause as Error)?.message}`, cause });
    }
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < n; i++) slots.push(new Slot(records));
    } catch (cause) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw new EctWorkerError({ details: `cannot start a worker: ${(cause as Error)?.message}`, cause });
    }
    return new EctVerifierPool(parameters.keyStore, slots);
  }

  /** Number of live worker threads. */
  get size(): number {
    return this.#slots.filter((s) => s.alive).length;
  }

  /** Re-exports the key store to the workers (after adding or revoking keys). */
  async refreshKeys(): Promise<void> {
    const records = [...(await this.#keyStore.exportRecords())];
    for (const s of this.#slots) s.send({ type: "keys", records });
  }

  /**
   * Steps 1-12 for every token (step 13 is the caller's: see `verifyEctWorkflow`). Results are
   * in input order and say `stepsCompleted: 12`. Never throws for bad tokens; chunks lost to a
   * crashed worker are redone on the calling thread.
   */
  async verify(tokens: readonly unknown[], options: EctPoolVerifyOptions): Promise<VerifyEctReturnType[]> {
    if (this.#closed) throw new EctWorkerError({ details: "the pool is closed" });
    const now = (options.clock ?? Date.now)();
    const wopts: WorkerOptions = {
      audience: options.audience,
      algorithms: options.algorithms,
      now,
      maxFutureSkewSec: options.maxFutureSkewSec,
      maxAgeSec: options.maxAgeSec,
      expLeewaySec: options.expLeewaySec,
    };
    const mainParams: VerifyEctParameters = { ...options, keyStore: this.#keyStore, clock: () => now, dagTraversal: "skip" };
    const results: VerifyEctReturnType[] = new Array(tokens.length);
    const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 200));

    // Only strings can cross to workers; anything else fails step 1 right here.
    const idx: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (typeof tokens[i] === "string") idx.push(i);
      else results[i] = await verifyEct(tokens[i], mainParams);
    }
    const chunks: number[][] = [];
    for (let s = 0; s < idx.length; s += chunkSize) chunks.push(idx.slice(s, s + chunkSize));
    let next = 0;
    const retry: number[][] = [];
    const take = (): number[] | undefined => (next < chunks.length ? chunks[next++] : undefined);

    const workerLoop = async (slot: Slot): Promise<void> => {
      for (let c = take(); c; c = take()) {
        try {
          const rs = await slot.run(
            c.map((i) => tokens[i] as string),
            wopts,
          );
          for (let k = 0; k < c.length; k++) results[c[k]!] = hydrate(rs[k]!);
        } catch {
          retry.push(c);
          return;
        }
      }
    };
    const mainLoop = async (): Promise<void> => {
      for (let c = take() ?? retry.pop(); c; c = take() ?? retry.pop()) {
        for (const i of c) results[i] = await verifyEct(tokens[i], mainParams);
        await yieldToLoop(); // let worker results in
      }
    };
    const loops: Promise<void>[] = [];
    for (const s of this.#slots) if (s.alive) loops.push(workerLoop(s), workerLoop(s)); // two chunks in flight per worker
    if (options.useMainThread !== false || loops.length === 0) loops.push(mainLoop());
    await Promise.all(loops);
    for (let c = retry.pop(); c; c = retry.pop()) for (const i of c) results[i] = await verifyEct(tokens[i], mainParams);
    return results;
  }

  /** Terminates the workers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}

function resolveWorkers(w: number | "auto" | undefined): number {
  if (w === undefined || w === "auto") return Math.max(1, availableParallelism() - 1);
  if (!Number.isInteger(w) || w < 0) throw new EctWorkerError({ details: `"workers" must be a non-negative integer or "auto", got ${String(w)}` });
  return w;
}

function hydrate(r: WorkerResult): VerifyEctReturnType {
  if (r.ok) return { ok: true, claims: r.claims, header: r.header, payload: r.payload, stepsCompleted: 12 };
  const error = ectVerificationErrorFromData(r.error);
  return { ok: false, step: error.step, error, httpStatus: error.httpStatus };
}

export type VerifyEctWorkflowParameters = Omit<VerifyEctParameters, "dagTraversal"> &
  Omit<EctPoolVerifyOptions, "audience" | "algorithms" | "clock" | "maxFutureSkewSec" | "maxAgeSec" | "expLeewaySec"> & {
    /** Worker threads for steps 1-12: `"auto"` (default, cores − 1), or a count; 0 = calling thread only. */
    workers?: number | "auto" | undefined;
    /** An existing pool to use instead of starting (and stopping) workers for this call. */
    pool?: EctVerifierPool | undefined;
    /** Step 13's walk through `store` for parents outside the set: `"full"` (default) or `"parents"`. */
    dagTraversal?: "full" | "parents" | undefined;
  };

export type VerifyEctWorkflowReturnType = {
  /** Every token passed all 13 steps. */
  ok: boolean;
  /** Per input token, in input order. DAG failures appear as step-13 failures of the token at fault. */
  results: VerifyEctReturnType[];
  /** Every DAG violation; `index` is the input position of the token at fault. */
  violations: EctDagViolation[];
  /** Input positions of the verified tokens in topological order (when the DAG is valid). */
  order: number[] | undefined;
  /** How the work was spread. */
  threads: { workers: number; mainThread: boolean; workerError?: string | undefined };
};

/**
 * Verifies a whole workflow: steps 1-12 of every token across worker threads, then step 13
 * (the five DAG rules and the traversal limit) over the set, with parents outside the set
 * looked up in `store`. Never throws for bad tokens.
 */
export async function verifyEctWorkflow(tokens: readonly unknown[], parameters: VerifyEctWorkflowParameters): Promise<VerifyEctWorkflowReturnType> {
  const list = Array.isArray(tokens) ? tokens : [];
  const p = (typeof parameters === "object" && parameters !== null ? parameters : {}) as VerifyEctWorkflowParameters;
  const now = (typeof p.clock === "function" ? p.clock : Date.now)();
  const poolOptions: EctPoolVerifyOptions = { ...p, clock: () => now };
  let results: VerifyEctReturnType[];
  let workers = 0;
  let workerError: string | undefined;
  let mainThread = true;

  let pool = p.pool;
  let ownPool: EctVerifierPool | undefined;
  let own = false;
  if (!pool) {
    let n = 0;
    try {
      n = resolveWorkers(p.workers);
    } catch (err) {
      workerError = (err as Error).message;
    }
    if (n > 0 && list.length > 0) {
      try {
        pool = ownPool = await EctVerifierPool.create({ keyStore: p.keyStore, workers: n });
        own = true;
      } catch (err) {
        workerError = (err as EctWorkerError).details ?? (err as Error).message;
      }
    }
  }
  try {
    results = [];
    if (pool) {
      try {
        workers = pool.size;
        mainThread = p.useMainThread !== false;
        results = await pool.verify(list, poolOptions);
      } catch (err) {
        workerError = (err as EctWorkerError).details ?? (err as Error).message;
        workers = 0;
        pool = undefined;
      }
    }
    if (!pool) {
      mainThread = true;
      const params: VerifyEctParameters = { ...p, clock: () => now, dagTraversal: "skip" };
      for (const t of list) results.push(await verifyEct(t, params));
    }
  } finally {
    if (own) await ownPool?.close();
  }

  // Step 13 over the tokens that passed steps 1-12.
  const claims: EctClaims[] = [];
  const at: number[] = [];
  results.forEach((r, i) => {
    if (r.ok) {
      claims.push(r.claims);
      at.push(i);
    }
  });
  const dag = await validateEctSetInStore(claims, { ...p, traversal: p.dagTraversal ?? "full" });
  const violations = dag.violations.map((v) => ({ ...v, index: v.index === undefined ? undefined : at[v.index] }));
  const byToken = new Map<number, EctDagViolation[]>();
  for (const v of violations) {
    if (v.index === undefined) continue;
    const l = byToken.get(v.index);
    if (l) l.push(v);
    else byToken.set(v.index, [v]);
  }
  const setWide = violations.find((v) => v.index === undefined);
  for (const i of at) {
    const r = results[i]!;
    if (!r.ok) continue;
    const mine = byToken.get(i);
    if (mine) {
      const error = ectDagViolationToError(mine[0]!);
      results[i] = { ok: false, step: 13, error, httpStatus: error.httpStatus, violations: mine } satisfies VerifyEctFailure;
    } else if (setWide) {
      const error = setWide.code === "ECT_DAG_TRAVERSAL_LIMIT" ? new EctTraversalLimitError({ details: setWide.details }) : ectDagViolationToError(setWide);
      results[i] = { ok: false, step: 13, error, httpStatus: error.httpStatus, violations: [setWide] };
    } else {
      results[i] = { ...r, stepsCompleted: 13 };
    }
  }
  return {
    ok: Array.isArray(tokens) && results.every((r) => r.ok),
    results,
    violations,
    order: dag.ok ? dag.order!.map((k) => at[k]!) : undefined,
    threads: { workers, mainThread, workerError },
  };
}
