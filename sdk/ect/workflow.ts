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
 *
 * Keys change (revocation is step 6): workers verify against a SNAPSHOT of the key store, so
 * every token a worker accepts is re-checked on the calling thread against the live store's
 * `getKey(kid)` (steps 4, 6, 7, 8: a map lookup). If the live key differs in any way from the
 * snapshot the worker used (revoked, removed, replaced, another alg or subject), the token is
 * verified again on the calling thread, which gives exactly `verifyEct`'s answer. A store with
 * a `revision` counter also makes the pool re-send its keys to the workers before a call when
 * the counter moved, so the workers themselves stay current.
 */
import { KeyObject } from "node:crypto";
import { availableParallelism } from "node:os";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import type { AgentKey, AgentKeyRecord, AgentKeyStore } from "./agent-key.js";
import type { EctClaims } from "./claims.js";
import { ectDagViolationToError, type EctDagViolation } from "./dag.js";
import { isThenable } from "./dag-options.js";
import { resolveEctDagTraversal, validateSetCompiled, type EctDagTraversal } from "./dag-store.js";
import { EctInvalidOptionError, EctTraversalLimitError, EctWorkerError } from "./errors.js";
import { MemoryAgentKeyStore } from "./key-store-memory.js";
import { compileVerifyEct, verifyCompiled, type CompiledVerifyEct, type VerifyEctFailure, type VerifyEctParameters, type VerifyEctReturnType } from "./verify.js";
import { ectVerificationErrorFromData, type WorkerJob, type WorkerMessage, type WorkerOptions, type WorkerResult } from "./workflow-protocol.js";

/** Steps 1-12 options a pool can apply (keys come from the pool; no DAG options). */
export type EctPoolVerifyOptions = Pick<
  VerifyEctParameters,
  "audience" | "algorithms" | "clock" | "maxFutureSkewSec" | "maxAgeSec" | "expLeewaySec"
> & {
  /**
   * The live key store the accepted tokens are re-checked against (default: the pool's own).
   * A token whose key here differs from the pool's snapshot is verified on the calling thread.
   */
  keyStore?: AgentKeyStore | undefined;
  /** Tokens per chunk handed to a thread (default 200; a positive integer). */
  chunkSize?: number | undefined;
  /** Whether the calling thread verifies chunks too (default true). */
  useMainThread?: boolean | undefined;
};

export type EctVerifierPoolParameters = {
  /**
   * Source of the keys; its `exportRecords()` is sent to every worker (again whenever its
   * `revision` moves), and its `getKey` re-checks every token a worker accepts.
   */
  keyStore: AgentKeyStore;
  /** Worker threads; `"auto"` (default) = available cores − 1, at least 1. */
  workers?: number | "auto" | undefined;
};

/**
 * The worker to start. From the built package: `workflow-worker.js` next to this file. From
 * source (tests, tsx): a tiny eval'd bootstrap that registers tsx's ESM hooks inside the worker
 * (`tsx/esm/api`) and then imports `workflow-worker.ts`. Passing `--import tsx` in the worker's
 * execArgv is not enough on Node 20 (the worker then refuses the `.ts` extension); registering
 * in the worker works on every Node the package declares, and also when tsx was registered
 * in-process (as Hardhat does).
 */
function createWorker(workerData: unknown): Worker {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new Worker(new URL("./workflow-worker.js", here), { workerData });
  const entry = new URL("./workflow-worker.ts", here).href;
  const api = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData });
}

class Slot {
  readonly worker: Worker;
  alive = true;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (r: WorkerResult[]) => void; reject: (e: unknown) => void }>();

  constructor(records: readonly AgentKeyRecord[]) {
    this.worker = createWorker({ records });
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

/** The keys as the workers hold them (imported once on the calling thread too, for the re-check). */
type KeySnapshot = { store: MemoryAgentKeyStore; records: AgentKeyRecord[]; revision: unknown };

async function takeSnapshot(keyStore: AgentKeyStore): Promise<KeySnapshot> {
  const revision = readRevision(keyStore);
  const records = [...(await keyStore.exportRecords())];
  return { store: MemoryAgentKeyStore.fromRecords(records), records, revision };
}

function readRevision(keyStore: AgentKeyStore): unknown {
  try {
    return (keyStore as { revision?: unknown }).revision;
  } catch {
    return undefined;
  }
}

/** Whether the live key is the snapshot key in every fact steps 4-8 use. */
function sameKey(live: unknown, snap: AgentKey | undefined, equalKeys: WeakMap<KeyObject, KeyObject>): boolean {
  if (!snap || typeof live !== "object" || live === null) return false;
  const k = live as Partial<AgentKey>;
  if (k.revoked !== snap.revoked || k.alg !== snap.alg || k.subject !== snap.subject) return false;
  const pk = k.publicKey;
  if (!(pk instanceof KeyObject)) return false;
  if (pk === snap.publicKey || equalKeys.get(pk) === snap.publicKey) return true;
  let eq = false;
  try {
    eq = pk.type === "public" && pk.equals(snap.publicKey);
  } catch {
    eq = false;
  }
  if (eq) equalKeys.set(pk, snap.publicKey);
  return eq;
}

/** A reusable set of verification worker threads. Close it when done. */
export class EctVerifierPool {
  readonly #keyStore: AgentKeyStore;
  readonly #slots: Slot[];
  #snapshot: KeySnapshot;
  readonly #equalKeys = new WeakMap<KeyObject, KeyObject>();
  #closed = false;

  private constructor(keyStore: AgentKeyStore, slots: Slot[], snapshot: KeySnapshot) {
    this.#keyStore = keyStore;
    this.#slots = slots;
    this.#snapshot = snapshot;
  }

  /** Starts the workers. Throws `EctWorkerError` if the keys cannot be exported or no worker can start. */
  static async create(parameters: EctVerifierPoolParameters): Promise<EctVerifierPool> {
    if (typeof parameters !== "object" || parameters === null) throw new EctWorkerError({ details: "EctVerifierPool.create needs a parameters object" });
    const n = resolveWorkers(parameters.workers);
    const keyStore = parameters.keyStore;
    if (typeof keyStore !== "object" || keyStore === null || typeof keyStore.getKey !== "function" || typeof keyStore.exportRecords !== "function") {
      throw new EctWorkerError({ details: '"keyStore" must be an agent key store (getKey, exportRecords)' });
    }
    let snapshot: KeySnapshot;
    try {
      snapshot = await takeSnapshot(keyStore);
    } catch (cause) {
      throw new EctWorkerError({ details: `the key store cannot export records for workers: ${(cause as Error)?.message}`, cause });
    }
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < n; i++) slots.push(new Slot(snapshot.records));
    } catch (cause) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw new EctWorkerError({ details: `cannot start a worker: ${(cause as Error)?.message}`, cause });
    }
    return new EctVerifierPool(keyStore, slots, snapshot);
  }

  /** Number of live worker threads. */
  get size(): number {
    return this.#slots.filter((s) => s.alive).length;
  }

  /**
   * Re-exports the key store to the workers. `verify` does this by itself when the store's
   * `revision` moved; call it for stores without one (accepted tokens are re-checked against
   * the live store either way). Throws `EctWorkerError` if the store cannot export.
   */
  async refreshKeys(): Promise<void> {
    let snapshot: KeySnapshot;
    try {
      snapshot = await takeSnapshot(this.#keyStore);
    } catch (cause) {
      throw new EctWorkerError({ details: `the key store cannot export records for workers: ${(cause as Error)?.message}`, cause });
    }
    // Workers handle messages in order: every job posted after this uses the new keys.
    this.#snapshot = snapshot;
    for (const s of this.#slots) s.send({ type: "keys", records: snapshot.records });
  }

  /**
   * Steps 1-12 for every token (step 13 is the caller's: see `verifyEctWorkflow`). Results are
   * in input order and say `stepsCompleted: 12`. Never throws for bad tokens; invalid options
   * fail every token at step 0 (`EctInvalidOptionError`); chunks lost to a crashed worker are
   * redone on the calling thread. Tokens a worker accepts are re-checked against the live key
   * store (see the file comment).
   */
  async verify(tokens: readonly unknown[], options: EctPoolVerifyOptions): Promise<VerifyEctReturnType[]> {
    if (this.#closed) throw new EctWorkerError({ details: "the pool is closed" });
    const list: readonly unknown[] = Array.isArray(tokens) ? tokens : [];
    const o = (typeof options === "object" && options !== null ? options : {}) as EctPoolVerifyOptions;
    const keyStore = o.keyStore ?? this.#keyStore;
    const main = compileVerifyEct({
      keyStore,
      audience: o.audience,
      algorithms: o.algorithms,
      clock: o.clock,
      maxFutureSkewSec: o.maxFutureSkewSec,
      maxAgeSec: o.maxAgeSec,
      expLeewaySec: o.expLeewaySec,
      dagTraversal: "skip",
    });
    if (options !== o) main.problems.push("pool.verify needs an options object");
    const chunkSize = o.chunkSize ?? 200;
    if (!(typeof chunkSize === "number" && Number.isSafeInteger(chunkSize) && chunkSize >= 1)) main.problems.push(`"chunkSize" must be a positive integer, got ${String(chunkSize)}`);
    let now = 0;
    if (main.problems.length === 0) {
      try {
        now = main.clock();
      } catch (cause) {
        main.problems.push(`"clock" threw: ${(cause as Error)?.message ?? String(cause)}`);
      }
      if (main.problems.length === 0 && (typeof now !== "number" || !Number.isFinite(now))) main.problems.push('"clock" must return finite milliseconds');
    }
    if (main.problems.length > 0) {
      const error = new EctInvalidOptionError({ details: main.problems.join("; ") });
      return list.map(() => ({ ok: false, step: 0, error, httpStatus: 500 }) satisfies VerifyEctFailure);
    }
    main.clock = () => now;

    // Keep the workers' keys current when the store says they changed.
    if (keyStore === this.#keyStore) {
      const rev = readRevision(keyStore);
      if (rev !== undefined && rev !== this.#snapshot.revision) {
        try {
          await this.refreshKeys();
        } catch {
          // Workers keep the old snapshot; the re-check below still honours the live store.
        }
      }
    }

    const wopts: WorkerOptions = {
      audience: o.audience,
      algorithms: o.algorithms,
      now,
      maxFutureSkewSec: o.maxFutureSkewSec,
      maxAgeSec: o.maxAgeSec,
      expLeewaySec: o.expLeewaySec,
    };
    const results: VerifyEctReturnType[] = new Array(list.length);

    // Only strings can cross to workers; anything else fails step 1 right here.
    const idx: number[] = [];
    for (let i = 0; i < list.length; i++) {
      if (typeof list[i] === "string") idx.push(i);
      else results[i] = await verifyCompiled(list[i], main);
    }
    const chunks: number[][] = [];
    for (let s = 0; s < idx.length; s += chunkSize) chunks.push(idx.slice(s, s + chunkSize));
    let next = 0;
    const retry: number[][] = [];
    const take = (): number[] | undefined => (next < chunks.length ? chunks[next++] : undefined);

    const workerLoop = async (slot: Slot): Promise<void> => {
      for (let c = take(); c; c = take()) {
        // The snapshot the worker will use for this job (jobs and key updates are ordered).
        const snapshot = this.#snapshot;
        let rs: WorkerResult[];
        try {
          rs = await slot.run(
            c.map((i) => list[i] as string),
            wopts,
          );
        } catch {
          retry.push(c);
          return;
        }
        for (let k = 0; k < c.length; k++) {
          const i = c[k]!;
          results[i] = await this.#confirm(list[i], hydrate(rs[k]!), snapshot, keyStore, main);
        }
      }
    };
    const mainLoop = async (): Promise<void> => {
      for (let c = take() ?? retry.pop(); c; c = take() ?? retry.pop()) {
        for (const i of c) results[i] = await verifyCompiled(list[i], main);
        await yieldToLoop(); // let worker results in
      }
    };
    const loops: Promise<void>[] = [];
    for (const s of this.#slots) if (s.alive) loops.push(workerLoop(s), workerLoop(s)); // two chunks in flight per worker
    if (o.useMainThread !== false || loops.length === 0) loops.push(mainLoop());
    await Promise.all(loops);
    // chunks lost to a failed worker, and chunks no loop took (every worker failed and the
    // calling thread was not in use): verified here, so every token has a result
    for (let c = retry.pop() ?? take(); c; c = retry.pop() ?? take()) for (const i of c) results[i] = await verifyCompiled(list[i], main);
    return results;
  }

  /**
   * Steps 4, 6, 7, 8 of a worker-accepted token against the live store: when the live key
   * is not the snapshot key the worker used, the token is verified again here.
   */
  async #confirm(token: unknown, r: VerifyEctReturnType, snapshot: KeySnapshot, keyStore: AgentKeyStore, main: CompiledVerifyEct): Promise<VerifyEctReturnType> {
    if (!r.ok) return r;
    const kid = r.header.kid;
    let live: unknown;
    try {
      const got = keyStore.getKey(kid);
      live = isThenable(got) ? await got : got;
    } catch {
      return verifyCompiled(token, main); // reports the store failure at step 4
    }
    if (sameKey(live, snapshot.store.getKey(kid), this.#equalKeys)) return r;
    return verifyCompiled(token, main);
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
  Omit<EctPoolVerifyOptions, "audience" | "algorithms" | "clock" | "maxFutureSkewSec" | "maxAgeSec" | "expLeewaySec" | "keyStore"> & {
    /** Worker threads for steps 1-12: `"auto"` (default, cores − 1), or a count; 0 = calling thread only. */
    workers?: number | "auto" | undefined;
    /** An existing pool to use instead of starting (and stopping) workers for this call. */
    pool?: EctVerifierPool | undefined;
    /** Step 13's walk through `store` for parents outside the set: `"auto"` (default), `"full"` or `"parents"` (see dag-store.ts). */
    dagTraversal?: EctDagTraversal | undefined;
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
 * looked up in `store`. Never throws for bad tokens; invalid options fail every token at
 * step 0 (`EctInvalidOptionError`).
 */
export async function verifyEctWorkflow(tokens: readonly unknown[], parameters: VerifyEctWorkflowParameters): Promise<VerifyEctWorkflowReturnType> {
  const list: readonly unknown[] = Array.isArray(tokens) ? tokens : [];
  const c = compileVerifyEct(parameters);
  if (c.traversal === "skip") c.problems.push('"dagTraversal" must be "auto", "full" or "parents" here');
  const p = (typeof parameters === "object" && parameters !== null ? parameters : {}) as VerifyEctWorkflowParameters;
  let now = 0;
  if (c.problems.length === 0) {
    try {
      now = c.clock();
    } catch (cause) {
      c.problems.push(`"clock" threw: ${(cause as Error)?.message ?? String(cause)}`);
    }
    if (c.problems.length === 0 && (typeof now !== "number" || !Number.isFinite(now))) c.problems.push('"clock" must return finite milliseconds');
  }
  if (c.problems.length > 0) {
    const error = new EctInvalidOptionError({ details: c.problems.join("; ") });
    return {
      ok: false,
      results: list.map(() => ({ ok: false, step: 0, error, httpStatus: 500 }) satisfies VerifyEctFailure),
      violations: [],
      order: undefined,
      threads: { workers: 0, mainThread: true, workerError: undefined },
    };
  }
  const perToken: CompiledVerifyEct = { ...c, clock: () => now, traversal: "skip" };
  const poolOptions: EctPoolVerifyOptions = {
    keyStore: c.keyStore,
    audience: p.audience,
    algorithms: p.algorithms,
    clock: () => now,
    maxFutureSkewSec: p.maxFutureSkewSec,
    maxAgeSec: p.maxAgeSec,
    expLeewaySec: p.expLeewaySec,
    chunkSize: p.chunkSize,
    useMainThread: p.useMainThread,
  };
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
        pool = ownPool = await EctVerifierPool.create({ keyStore: c.keyStore, workers: n });
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
      results = [];
      for (const t of list) results.push(await verifyCompiled(t, perToken));
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
  const traversal = resolveEctDagTraversal(c.traversal, c.store) as "full" | "parents";
  const dag = await validateSetCompiled(claims, c.dag!, c.store, traversal);
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
      results[i] = { ok: false, step: error.step, error, httpStatus: error.httpStatus, violations: mine } satisfies VerifyEctFailure;
    } else if (setWide) {
      const error = setWide.code === "ECT_DAG_TRAVERSAL_LIMIT" ? new EctTraversalLimitError({ details: setWide.details }) : ectDagViolationToError(setWide);
      results[i] = { ok: false, step: error.step, error, httpStatus: error.httpStatus, violations: [setWide] };
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
