/**
 * The receiving side of the rollback protocol: handles `atd:rollback_request`
 * ECTs idempotently by jti and produces the `atd:rollback_result` claims.
 *
 * Spec: draft-atd-agent-task-dag-01
 * - §Rollback Timeout and Escalation: "receiving the same rollback request
 *   ECT jti twice MUST return the same result": the first request with a jti
 *   runs; every later one (also while the first is still running) gets the
 *   same outcome and never runs again. The same jti with different claims is
 *   refused (`AtdRollbackJtiConflictError`).
 * - §Basic Rollback: request `par` = the checkpoint; result `par` = the
 *   request, with `atd.status`, `atd.checkpoint_id`, `atd.cascaded`; with
 *   `atd.cascade: true` downstream checkpoints MUST also be rolled back (the
 *   restore callback gets them as `cascadeTargets` and reports `cascaded`).
 * - §Checkpoint ECT Format: `atd.reversible: false` → rollback MUST be
 *   escalated (status `escalated`, restore not called); `out_hash` lets the
 *   rollback verify the restored state (a restored-state hash that differs
 *   from the checkpoint's `out_hash` makes the rollback `failed`).
 * - §Hierarchical Checkpoints: rolling back a parent rolls back all children.
 * - §Rollback Timeout: not completed within `atd.ttl / 2` s → MUST emit an
 *   `atd:error` (error_type timeout) and escalate (status `escalated`).
 * - §Rollback Authorization: outside the workflow → 403
 *   (`AtdRollbackForbiddenError`); lineage per `authorizeAtdRollback`.
 * - §Checkpoint Flooding: an expired checkpoint cannot be restored
 *   (`AtdCheckpointExpiredError`).
 *
 * Status resolution (ours where the draft is silent): restore `failed` or a
 * throw → `failed`; `completed` with every cascaded entry `completed` and no
 * irreversible child → `completed`, otherwise `partial`. Request-level
 * rejections (malformed, forbidden, unknown/expired checkpoint, a failing
 * store lookup) are thrown BEFORE restore runs and are not remembered, so a
 * corrected retry can succeed.
 *
 * Once `restore` has been invoked for a jti, that jti's outcome is fixed and
 * restore never runs again for it: a malformed restore outcome (or one that
 * cannot be turned into `atd:rollback_result` claims) becomes status `failed`
 * with a description naming the problem (`AtdRollbackBadOutcomeError`'s
 * details); if the result store's `set` fails, the outcome is kept in memory
 * (`persisted: false`, `persistError`), replayed from there, and written to
 * the store again on the next repeat of the jti.
 */
import canonicalize from "canonicalize";
import { assertAtdEct, type AtdCascadedEntry, type AtdValidatedEct } from "./validateAtdEct.js";
import { buildAtdEctClaims, buildAtdRollbackTimeoutError, type AtdEctClaims } from "./buildAtdEctClaims.js";
import {
  AtdCheckpointExpiredError,
  AtdCheckpointNotFoundError,
  AtdEctMalformedError,
  AtdReferenceKindError,
  AtdRollbackBadOutcomeError,
  AtdRollbackForbiddenError,
  AtdRollbackJtiConflictError,
  AtdRollbackStoreError,
  AtdInvalidOptionError,
  describe,
} from "./errors.js";
import { AtdEctIndex } from "./ectIndex.js";
import { authorizeAtdRollback } from "./rollbackEligibility.js";
import { isAtdCheckpointExpired } from "./checkpoint.js";
import type { AtdEscalation } from "./hitl.js";
import { ATD_ROLLBACK_STATUSES, type AtdRollbackStatus } from "./vocabulary.js";
import { isJsonObject, own } from "./ect.js";

export type AtdRollbackRestoreContext = {
  request: AtdValidatedEct;
  /** The targeted checkpoint. */
  checkpoint: AtdValidatedEct;
  /** Reversible checkpoints to restore: the target's hierarchy, parent first. */
  checkpoints: readonly AtdValidatedEct[];
  /** Irreversible checkpoints of the hierarchy: not to be restored (they are escalated). */
  irreversible: readonly AtdValidatedEct[];
  /** `atd.cascade` of the request. */
  cascade: boolean;
  /** With cascade and an index: downstream checkpoints to roll back too (their `atd.rollback_uri` tells where). */
  cascadeTargets: readonly AtdValidatedEct[];
  /** Absolute deadline (clock ms): `atd.ttl / 2` after receipt. */
  deadlineMs: number;
  /** Aborted when the deadline passes. */
  signal: AbortSignal;
};

/** What the restore callback reports about its own restoration. */
export type AtdRollbackRestoreOutcome = {
  status: "completed" | "failed";
  /** base64url SHA-256 of the restored state. */
  out_hash?: string | undefined;
  /** One entry per cascaded rollback it initiated. */
  cascaded?: readonly AtdCascadedEntry[] | undefined;
  description?: string | undefined;
};

/** The coordinator's answer to a rollback request (identical for every repeat of its jti). */
export type AtdRollbackOutcome = {
  requestJti: string;
  checkpointId: string;
  status: AtdRollbackStatus;
  cascaded: readonly AtdCascadedEntry[];
  out_hash: string | undefined;
  timedOut: boolean;
  description: string | undefined;
  /** The `atd:rollback_result` claims to sign and send back (par = the request). */
  resultClaims: AtdEctClaims;
  /** The `atd:error` (timeout) claims, when the rollback timed out. */
  errorClaims: AtdEctClaims | undefined;
  /** HITL escalations the outcome requires (cause = the request jti). */
  escalations: readonly AtdEscalation[];
};

export type AtdRollbackHandleReturnType = {
  outcome: AtdRollbackOutcome;
  /** True when this jti had been handled (or was being handled) before. */
  replayed: boolean;
  /** False when the outcome could not be written to the result store (it is kept in memory instead). */
  persisted: boolean;
  /** Why the result store write failed, when `persisted` is false. */
  persistError: AtdRollbackStoreError | undefined;
};

/** Where outcomes are remembered (default: in memory). May be async (durable stores). */
export type AtdRollbackResultStore = {
  get(jti: string): { fingerprint: string; outcome: AtdRollbackOutcome } | undefined | Promise<{ fingerprint: string; outcome: AtdRollbackOutcome } | undefined>;
  set(jti: string, entry: { fingerprint: string; outcome: AtdRollbackOutcome }): void | Promise<void>;
};

export type AtdTimers = {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
};

export type AtdRollbackCoordinatorOptions = {
  /** Looks up a checkpoint ECT by jti (payload; validated here). */
  resolveCheckpoint: (jti: string) => unknown | Promise<unknown>;
  /** Performs the restoration. */
  restore: (context: AtdRollbackRestoreContext) => AtdRollbackRestoreOutcome | Promise<AtdRollbackRestoreOutcome>;
  /** The workflow's ECTs: enables the lineage check, hierarchical expansion and cascade targets. */
  index?: AtdEctIndex | undefined;
  /** Enforce the lineage rule (default: true when `index` is given). */
  requireLineage?: boolean | undefined;
  /** Clock in milliseconds (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Timer functions (default the global ones, unref'd). */
  timers?: AtdTimers | undefined;
  store?: AtdRollbackResultStore | undefined;
};

/** Default in-memory result store. */
export function createAtdMemoryRollbackStore(): AtdRollbackResultStore {
  const m = new Map<string, { fingerprint: string; outcome: AtdRollbackOutcome }>();
  return { get: (j) => m.get(j), set: (j, e) => void m.set(j, e) };
}

const defaultTimers: AtdTimers = {
  setTimeout: (fn, ms) => {
    const h = setTimeout(fn, ms);
    (h as { unref?: () => void }).unref?.();
    return h;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const TIMED_OUT = Symbol("timeout");

export class AtdRollbackCoordinator {
  readonly #o: AtdRollbackCoordinatorOptions;
  readonly #now: () => number;
  readonly #timers: AtdTimers;
  readonly #store: AtdRollbackResultStore;
  readonly #inflight = new Map<string, { fingerprint: string; promise: Promise<AtdRollbackHandleReturnType> }>();
  /** Outcomes fixed after restore ran whose store write failed: replayed from here, never re-run. */
  readonly #unpersisted = new Map<string, { fingerprint: string; outcome: AtdRollbackOutcome }>();

  /** Throws `AtdInvalidOptionError` for options that are not an object or members of the wrong kind. */
  constructor(options: AtdRollbackCoordinatorOptions) {
    const bad = (path: string, what: string): never => {
      throw new AtdInvalidOptionError({ path, details: `${path || "options"} must be ${what}` });
    };
    if (!isJsonObject(options)) bad("", "an object");
    if (typeof options.resolveCheckpoint !== "function") bad("resolveCheckpoint", "a function (jti) => checkpoint payload");
    if (typeof options.restore !== "function") bad("restore", "a function (context) => restore outcome");
    if (options.now !== undefined && typeof options.now !== "function") bad("now", "a function returning milliseconds");
    if (options.index !== undefined && !(options.index instanceof AtdEctIndex)) bad("index", "an AtdEctIndex");
    if (options.requireLineage !== undefined && typeof options.requireLineage !== "boolean") bad("requireLineage", "a boolean");
    const t = options.timers as Partial<AtdTimers> | undefined;
    if (t !== undefined && (!isJsonObject(t) || typeof t.setTimeout !== "function" || typeof t.clearTimeout !== "function")) bad("timers", "{ setTimeout, clearTimeout }");
    const st = options.store as Partial<AtdRollbackResultStore> | undefined;
    if (st !== undefined && (!isJsonObject(st) || typeof st.get !== "function" || typeof st.set !== "function")) bad("store", "{ get, set }");
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? defaultTimers;
    this.#store = options.store ?? createAtdMemoryRollbackStore();
  }

  /**
   * Handles one rollback request ECT payload (already signature-verified by
   * the ECT layer). Throws typed errors for requests it must refuse.
   */
  async handle(requestPayload: unknown): Promise<AtdRollbackHandleReturnType> {
    const request = assertAtdEct(requestPayload);
    if (request.fields?.act !== "atd:rollback_request")
      throw new AtdEctMalformedError({ path: "exec_act", details: `expected atd:rollback_request, got ${describe(request.exec_act)}` });
    const fingerprint = fingerprintOf(requestPayload, request);
    const running = this.#inflight.get(request.jti);
    if (running) {
      if (running.fingerprint !== fingerprint) throw new AtdRollbackJtiConflictError(request.jti);
      const r = await running.promise;
      return { ...r, replayed: true };
    }
    const promise = this.#run(request, fingerprint);
    this.#inflight.set(request.jti, { fingerprint, promise });
    try {
      return await promise;
    } finally {
      this.#inflight.delete(request.jti);
    }
  }

  async #run(request: AtdValidatedEct, fingerprint: string): Promise<AtdRollbackHandleReturnType> {
    const kept = this.#unpersisted.get(request.jti);
    if (kept) {
      if (kept.fingerprint !== fingerprint) throw new AtdRollbackJtiConflictError(request.jti);
      const persistError = await this.#persist(request.jti, kept);
      if (!persistError) this.#unpersisted.delete(request.jti);
      return { outcome: kept.outcome, replayed: true, persisted: !persistError, persistError };
    }
    let stored: { fingerprint: string; outcome: AtdRollbackOutcome } | undefined;
    try {
      stored = await this.#store.get(request.jti);
    } catch (cause) {
      throw new AtdRollbackStoreError({ path: "jti", details: `result store get(${JSON.stringify(request.jti)}) failed: ${errorText(cause)}`, cause });
    }
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw new AtdRollbackJtiConflictError(request.jti);
      return { outcome: stored.outcome, replayed: true, persisted: true, persistError: undefined };
    }
    const receivedAt = this.#now();
    const checkpointId = request.par[0]!;
    let raw: unknown;
    try {
      raw = await this.#o.resolveCheckpoint(checkpointId);
    } catch (cause) {
      throw new AtdRollbackStoreError({ path: `${request.parName}[0]`, details: `resolveCheckpoint(${JSON.stringify(checkpointId)}) failed: ${errorText(cause)}`, cause });
    }
    if (raw === undefined || raw === null)
      throw new AtdCheckpointNotFoundError({ path: `${request.parName}[0]`, details: `checkpoint ${JSON.stringify(checkpointId)} is not known` });
    const checkpoint = assertAtdEct(raw);
    if (checkpoint.fields?.act !== "atd:checkpoint" || checkpoint.jti !== checkpointId)
      throw new AtdReferenceKindError({ path: `${request.parName}[0]`, details: `${JSON.stringify(checkpointId)} does not resolve to that atd:checkpoint` });
    if (isAtdCheckpointExpired(checkpoint, receivedAt / 1000))
      throw new AtdCheckpointExpiredError({ path: `${request.parName}[0]`, details: `checkpoint ${JSON.stringify(checkpointId)} is past its atd.ttl` });
    const auth = authorizeAtdRollback({ request, checkpoint, index: this.#o.index, requireLineage: this.#o.requireLineage });
    if (!auth.authorized) throw new AtdRollbackForbiddenError({ path: auth.finding.path, details: auth.finding.message });

    // From here on restore may run: the outcome is fixed for this jti whatever happens.
    const outcome = await this.#execute(request, checkpoint, receivedAt);
    const entry = { fingerprint, outcome };
    const persistError = await this.#persist(request.jti, entry);
    if (persistError) this.#unpersisted.set(request.jti, entry);
    return { outcome, replayed: false, persisted: !persistError, persistError };
  }

  /** Writes an outcome to the result store; the error (never thrown) when that fails. */
  async #persist(jti: string, entry: { fingerprint: string; outcome: AtdRollbackOutcome }): Promise<AtdRollbackStoreError | undefined> {
    try {
      await this.#store.set(jti, entry);
      return undefined;
    } catch (cause) {
      return new AtdRollbackStoreError({ path: "jti", details: `result store set(${JSON.stringify(jti)}) failed: ${errorText(cause)}; the outcome is kept in memory`, cause });
    }
  }

  async #execute(request: AtdValidatedEct, checkpoint: AtdValidatedEct, receivedAt: number): Promise<AtdRollbackOutcome> {
    const index = this.#o.index;
    const rf = request.fields as { cascade: boolean };
    const cf = checkpoint.fields as { reversible: boolean; ttl: number };
    const tree = index?.has(checkpoint.jti) ? index.checkpointTree(checkpoint.jti).jtis.map((j) => index.get(j)!) : [checkpoint];
    const reversible = tree.filter((c) => c.fields?.act === "atd:checkpoint" && c.fields.reversible);
    const irreversible = tree.filter((c) => c.fields?.act === "atd:checkpoint" && !c.fields.reversible);
    const nodes = index?.has(checkpoint.jti) ? index.tasksOfCheckpoint(checkpoint.jti) : [...checkpoint.par];
    const escalation = (e: Omit<AtdEscalation, "cause" | "nodes" | "wid">): AtdEscalation => ({ ...e, cause: request.jti, nodes, wid: request.wid });
    const finish = (o: Omit<AtdRollbackOutcome, "resultClaims" | "requestJti" | "checkpointId" | "errorClaims"> & { errorClaims?: AtdEctClaims }): AtdRollbackOutcome =>
      deepFreeze({
        requestJti: request.jti,
        checkpointId: checkpoint.jti,
        ...o,
        errorClaims: o.errorClaims,
        resultClaims: buildAtdEctClaims({
          act: "atd:rollback_result",
          par: [request.jti],
          status: o.status,
          checkpoint_id: checkpoint.jti,
          cascaded: o.cascaded,
          out_hash: o.out_hash,
        }),
      });

    if (!cf.reversible)
      return finish({
        status: "escalated",
        cascaded: [],
        out_hash: undefined,
        timedOut: false,
        description: "checkpoint is irreversible: escalated per the unreachable_human policy",
        escalations: [escalation({ trigger: "rollback_escalated", requirement: "MUST", level: undefined, scope: "node" })],
      });

    const cascadeTargets =
      rf.cascade && index?.has(checkpoint.jti)
        ? index
            .descendants(index.tasksOfCheckpoint(checkpoint.jti))
            .jtis.filter((j) => index.get(j)?.kind === "atd:checkpoint" && !tree.some((t) => t.jti === j))
            .map((j) => index.get(j)!)
        : [];
    const timeoutMs = (cf.ttl / 2) * 1000;
    const controller = new AbortController();
    let handle: unknown;
    const timer = new Promise<typeof TIMED_OUT>((resolve) => {
      handle = this.#timers.setTimeout(() => {
        controller.abort();
        resolve(TIMED_OUT);
      }, timeoutMs);
    });
    let result: AtdRollbackRestoreOutcome | typeof TIMED_OUT;
    try {
      const work = Promise.resolve().then(() =>
        this.#o.restore({
          request,
          checkpoint,
          checkpoints: reversible,
          irreversible,
          cascade: rf.cascade,
          cascadeTargets,
          deadlineMs: receivedAt + timeoutMs,
          signal: controller.signal,
        }),
      );
      work.catch(() => undefined); // a late rejection after a timeout is not unhandled
      result = await Promise.race([work, timer]);
    } catch (err) {
      result = { status: "failed", description: `restore threw: ${String((err as Error)?.message ?? err)}` };
    } finally {
      this.#timers.clearTimeout(handle);
    }

    if (result === TIMED_OUT)
      return finish({
        status: "escalated",
        cascaded: [],
        out_hash: undefined,
        timedOut: true,
        description: `rollback not completed within atd.ttl / 2 = ${cf.ttl / 2} s`,
        errorClaims: buildAtdRollbackTimeoutError({ rollbackRequestJti: request.jti, checkpointId: checkpoint.jti, timeoutS: cf.ttl / 2 }),
        escalations: [escalation({ trigger: "rollback_timeout", requirement: "MUST", level: undefined, scope: "node" })],
      });

    // Restore has run: any problem with what it returned makes the rollback `failed`.
    try {
      return this.#decide(result, checkpoint, irreversible, escalation, finish);
    } catch (err) {
      const why = err instanceof AtdRollbackBadOutcomeError ? `${err.details ?? err.shortMessage}${err.path ? ` (at ${err.path})` : ""}` : errorText(err);
      return finish({
        status: "failed",
        cascaded: [],
        out_hash: undefined,
        timedOut: false,
        description: `restore returned an unusable outcome: ${why}`,
        escalations: [escalation({ trigger: "rollback_failed", requirement: "MUST", level: 3, scope: "workflow" })],
      });
    }
  }

  /** Turns restore's outcome into the rollback outcome (throws for an unusable one). */
  #decide(
    result: unknown,
    checkpoint: AtdValidatedEct,
    irreversible: readonly AtdValidatedEct[],
    escalation: (e: Omit<AtdEscalation, "cause" | "nodes" | "wid">) => AtdEscalation,
    finish: (o: Omit<AtdRollbackOutcome, "resultClaims" | "requestJti" | "checkpointId" | "errorClaims"> & { errorClaims?: AtdEctClaims }) => AtdRollbackOutcome,
  ): AtdRollbackOutcome {
    const r = checkRestoreOutcome(result);
    let status: AtdRollbackStatus;
    let description = r.description;
    if (r.status === "failed") status = "failed";
    else if (checkpoint.out_hash !== undefined && r.out_hash !== undefined && r.out_hash !== checkpoint.out_hash) {
      status = "failed";
      description = `restored state hash ${r.out_hash} differs from the checkpoint's out_hash ${checkpoint.out_hash}`;
    } else if (irreversible.length > 0 || r.cascaded.some((c) => c.status !== "completed")) status = "partial";
    else status = "completed";
    const escalations: AtdEscalation[] = [];
    if (status === "failed") escalations.push(escalation({ trigger: "rollback_failed", requirement: "MUST", level: 3, scope: "workflow" }));
    if (irreversible.length > 0) escalations.push(escalation({ trigger: "rollback_escalated", requirement: "MUST", level: undefined, scope: "node" }));
    return finish({ status, cascaded: r.cascaded, out_hash: status === "failed" ? undefined : r.out_hash, timedOut: false, description, escalations });
  }
}

function errorText(err: unknown): string {
  try {
    return describe(String((err as Error)?.message ?? err));
  } catch {
    return "(unprintable error)";
  }
}

function checkRestoreOutcome(value: unknown): { status: "completed" | "failed"; out_hash: string | undefined; cascaded: AtdCascadedEntry[]; description: string | undefined } {
  const badOutcome = (path: string, msg: string) => new AtdRollbackBadOutcomeError({ path, details: msg });
  if (!isJsonObject(value)) throw badOutcome("", `restore must return an object, got ${describe(value)}`);
  const status = own(value, "status");
  if (status !== "completed" && status !== "failed") throw badOutcome("status", `status must be "completed" or "failed", got ${describe(status)}`);
  const outHash = own(value, "out_hash");
  if (outHash !== undefined && typeof outHash !== "string") throw badOutcome("out_hash", `out_hash must be a string, got ${describe(outHash)}`);
  const description = own(value, "description");
  if (description !== undefined && typeof description !== "string") throw badOutcome("description", `description must be a string, got ${describe(description)}`);
  const cascadedRaw = own(value, "cascaded") ?? [];
  if (!Array.isArray(cascadedRaw)) throw badOutcome("cascaded", `cascaded must be an array, got ${describe(cascadedRaw)}`);
  const cascaded = cascadedRaw.map((e: unknown, i) => {
    if (!isJsonObject(e) || typeof own(e, "agent") !== "string" || !(ATD_ROLLBACK_STATUSES as readonly unknown[]).includes(own(e, "status")))
      throw badOutcome(`cascaded[${i}]`, `cascaded[${i}] must be {agent: string, status: ${ATD_ROLLBACK_STATUSES.join("|")}}`);
    return { agent: own(e, "agent") as string, status: own(e, "status") as AtdRollbackStatus };
  });
  return { status, out_hash: outHash, cascaded, description };
}

/** Content identity of a request: every claim, with `pred`/`ect_ext` folded into `par`/`ext`. */
function fingerprintOf(payload: unknown, request: AtdValidatedEct): string {
  const rest: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
  delete rest.pred;
  delete rest.ect_ext;
  rest.par = request.par;
  rest.ext = request.ext;
  try {
    const s = canonicalize(rest);
    if (typeof s !== "string") throw new Error("not serialisable");
    return s;
  } catch (cause) {
    throw new AtdEctMalformedError({ path: "", details: "rollback request claims are not JSON-serialisable", cause });
  }
}

function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v && typeof v === "object" && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
    }
  }
  return value;
}
