/**
 * Checkpoint lifetime rules and a checkpoint registry.
 *
 * Spec: draft-atd-agent-task-dag-01
 * - §Checkpoint ECT Format: checkpoints MUST be stored for at least
 *   `atd.ttl` seconds (SHOULD durably); `out_hash` lets rollback verify it
 *   restores an authentic state.
 * - §Rollback Timeout and Escalation: the rollback timeout is implicit,
 *   `atd.ttl / 2` seconds.
 * - §Checkpoint Flooding: agents SHOULD cap the checkpoint count per
 *   workflow; expired checkpoints (past `atd.ttl`) MUST be purged.
 * - §Checkpoint Confidentiality: only `out_hash` references the state; this
 *   registry holds checkpoint ECT claims, never state contents.
 *
 * A checkpoint's age counts from its `iat` (seconds) or, without one, from
 * when it was put in the registry. The per-workflow cap is ours (default
 * 10,000); the draft gives no number. Creation-rate limiting (SHOULD) is left
 * to the deployment. Checkpoints are scoped by (`wid`, `jti`) like ECT DAG
 * rule 1 (see `AtdCheckpointStore`).
 */
import { assertAtdEct, type AtdValidatedEct } from "./validateAtdEct.js";
import {
  AtdCheckpointExpiredError,
  AtdCheckpointLimitError,
  AtdCheckpointNotFoundError,
  AtdDuplicateJtiError,
  AtdEctMalformedError,
  AtdInvalidOptionError,
  describe,
} from "./errors.js";
import { isAtdValidatedShape, sameJson } from "./ect.js";

/** The checkpoint's `atd.ttl` in seconds (throws if `ckpt` is not a checkpoint). */
export function atdCheckpointTtlS(ckpt: AtdValidatedEct): number {
  if (!isAtdValidatedShape(ckpt)) throw new AtdEctMalformedError({ path: "", details: `expected a validated atd:checkpoint ECT, got ${describe(ckpt)}` });
  if (ckpt.fields?.act !== "atd:checkpoint")
    throw new AtdEctMalformedError({ path: "exec_act", details: `${JSON.stringify(ckpt.jti)} is ${ckpt.kind}, not atd:checkpoint` });
  return ckpt.fields.ttl;
}

/** §Rollback Timeout: `atd.ttl / 2`, in seconds. */
export function atdRollbackTimeoutS(ckpt: AtdValidatedEct): number {
  return atdCheckpointTtlS(ckpt) / 2;
}

/** When the checkpoint expires, in seconds since the epoch: `(iat ?? createdAtS) + ttl`. */
export function atdCheckpointExpiresAtS(ckpt: AtdValidatedEct, createdAtS?: number): number | undefined {
  const ttl = atdCheckpointTtlS(ckpt);
  const start = ckpt.iat ?? createdAtS;
  return start === undefined ? undefined : start + ttl;
}

/** True when past `atd.ttl` (false when the start time is unknown). */
export function isAtdCheckpointExpired(ckpt: AtdValidatedEct, nowS: number, createdAtS?: number): boolean {
  if (typeof nowS !== "number" || !Number.isFinite(nowS)) throw new AtdInvalidOptionError({ path: "nowS", details: `nowS must be finite seconds, got ${describe(nowS)}` });
  const exp = atdCheckpointExpiresAtS(ckpt, createdAtS);
  return exp !== undefined && nowS >= exp;
}

export type AtdCheckpointStoreOptions = {
  /** Clock in milliseconds (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Checkpoints kept per workflow (`wid`; absent wid = one shared bucket). Default 10,000. */
  maxPerWorkflow?: number | undefined;
  /** How many purged checkpoints are remembered to answer "expired" rather than "not found". Default 10,000. */
  tombstones?: number | undefined;
};

type Entry = { ect: AtdValidatedEct; createdAtS: number; expiresAtS: number };

/** Two checkpoints with the same jti collide when they share a `wid`, or either has none (ECT rule 1). */
function collides(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** Tombstone key of (wid, jti). */
const scopeKey = (jti: string, wid: string | undefined): string => (wid === undefined ? `\u0001${jti}` : `${wid}\u0000${jti}`);

/**
 * In-memory registry of checkpoint ECTs with TTL purge and a per-workflow cap.
 *
 * Checkpoints are scoped by (`wid`, `jti`) exactly as ECT DAG rule 1 scopes
 * `jti` uniqueness (seed 000 §4.3, see the ECT area's dag-scope.ts): the same
 * jti may exist in two workflows; it collides only within one workflow, or
 * with a checkpoint that has no `wid`. Lookups take the workflow: `get(jti,
 * wid)` finds the checkpoint of that workflow, else a global one; without a
 * `wid` it finds the only checkpoint with that jti (none when several
 * workflows hold one: ambiguous).
 */
export class AtdCheckpointStore {
  readonly #now: () => number;
  readonly #max: number;
  readonly #maxTomb: number;
  /** jti → the stored checkpoints carrying it (one per non-colliding scope). */
  readonly #entries = new Map<string, Entry[]>();
  #size = 0;
  readonly #perWorkflow = new Map<string, number>();
  readonly #tomb = new Set<string>();

  /** Throws `AtdInvalidOptionError` for options that are not an object, a clock that is not a function, or limits that are not positive integers. */
  constructor(options: AtdCheckpointStoreOptions = {}) {
    if (typeof options !== "object" || options === null)
      throw new AtdInvalidOptionError({ path: "options", details: `options must be an object, got ${describe(options)}` });
    const { now, maxPerWorkflow, tombstones } = options;
    if (now !== undefined && typeof now !== "function") throw new AtdInvalidOptionError({ path: "now", details: "now must be a function returning milliseconds" });
    const count = (name: string, v: unknown, d: number): number => {
      if (v === undefined) return d;
      if (typeof v === "number" && Number.isSafeInteger(v) && v >= 1) return v;
      throw new AtdInvalidOptionError({ path: name, details: `${name} must be a positive integer, got ${describe(v)}` });
    };
    this.#now = now ?? Date.now;
    this.#max = count("maxPerWorkflow", maxPerWorkflow, 10_000);
    this.#maxTomb = count("tombstones", tombstones, 10_000);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Stores a checkpoint ECT (validated: `AtdExt…` errors). Re-putting the
   * identical checkpoint is a no-op; another checkpoint with the same jti in
   * a colliding scope (same `wid`, or either without one) throws
   * `AtdDuplicateJtiError`; a full workflow throws `AtdCheckpointLimitError`
   * (after purging expired ones).
   */
  put(value: unknown): AtdValidatedEct {
    const ect = assertAtdEct(value);
    if (ect.kind !== "atd:checkpoint")
      throw new AtdEctMalformedError({ path: "exec_act", details: `expected atd:checkpoint, got ${JSON.stringify(ect.exec_act)}` });
    const nowS = this.#now() / 1000;
    const list = this.#live(ect.jti, nowS);
    const prev = list.find((e) => collides(e.ect.wid, ect.wid));
    if (prev) {
      if (prev.ect.wid === ect.wid && sameJson(strip(prev.ect), strip(ect))) return prev.ect;
      throw new AtdDuplicateJtiError({
        path: "jti",
        details: `checkpoint ${JSON.stringify(ect.jti)} already stored ${prev.ect.wid === undefined ? "without a wid" : `in workflow ${JSON.stringify(prev.ect.wid)}`} with other content`,
      });
    }
    const bucket = ect.wid ?? "";
    if ((this.#perWorkflow.get(bucket) ?? 0) >= this.#max) this.purgeExpired();
    if ((this.#perWorkflow.get(bucket) ?? 0) >= this.#max)
      throw new AtdCheckpointLimitError({ path: "wid", details: `workflow ${JSON.stringify(bucket)} holds ${this.#max} checkpoints` });
    const expiresAtS = atdCheckpointExpiresAtS(ect, nowS)!;
    const entry: Entry = { ect, createdAtS: nowS, expiresAtS };
    const again = this.#entries.get(ect.jti);
    if (again) again.push(entry);
    else this.#entries.set(ect.jti, [entry]);
    this.#size++;
    this.#perWorkflow.set(bucket, (this.#perWorkflow.get(bucket) ?? 0) + 1);
    this.#tomb.delete(scopeKey(ect.jti, ect.wid));
    return ect;
  }

  /**
   * The checkpoint `jti` of workflow `wid` (else a global one), if stored and not
   * expired (an expired one is purged on the way). Without `wid`: the only
   * checkpoint with that jti, or undefined when several workflows hold one.
   */
  get(jti: string, wid?: string): AtdValidatedEct | undefined {
    const list = this.#live(jti, this.#now() / 1000);
    if (wid !== undefined) return (list.find((e) => e.ect.wid === wid) ?? list.find((e) => e.ect.wid === undefined))?.ect;
    return list.length === 1 ? list[0]!.ect : undefined;
  }

  /** Like `get` but throws `AtdCheckpointExpiredError` / `AtdCheckpointNotFoundError`. */
  require(jti: string, wid?: string): AtdValidatedEct {
    const ect = this.get(jti, wid);
    if (ect) return ect;
    const where = wid === undefined ? "" : ` in workflow ${JSON.stringify(wid)}`;
    if (this.wasPurged(jti, wid))
      throw new AtdCheckpointExpiredError({ path: "jti", details: `checkpoint ${JSON.stringify(jti)}${where} passed its atd.ttl and was purged` });
    throw new AtdCheckpointNotFoundError({ path: "jti", details: `checkpoint ${JSON.stringify(jti)}${where} is not stored` });
  }

  /** Whether the checkpoint `jti` of workflow `wid` (or the global one) was purged for expiry (and is still remembered). */
  wasPurged(jti: string, wid?: string): boolean {
    if (this.#tomb.has(scopeKey(jti, wid))) return true;
    if (wid !== undefined) return this.#tomb.has(scopeKey(jti, undefined));
    for (const k of this.#tomb) if (k.endsWith(`\u0000${jti}`)) return true;
    return false;
  }

  /** §Checkpoint Flooding: purges every checkpoint past its `atd.ttl`; returns their jtis. */
  purgeExpired(): string[] {
    const nowS = this.#now() / 1000;
    const out: string[] = [];
    for (const [jti, list] of this.#entries) {
      for (const e of list) if (nowS >= e.expiresAtS) out.push(jti);
      this.#live(jti, nowS);
    }
    return out;
  }

  /** The unexpired checkpoints carrying `jti`; purges the expired ones. */
  #live(jti: string, nowS: number): Entry[] {
    const list = this.#entries.get(jti);
    if (!list) return [];
    const keep = list.filter((e) => nowS < e.expiresAtS);
    if (keep.length === list.length) return list;
    for (const e of list) if (nowS >= e.expiresAtS) this.#remove(e);
    if (keep.length === 0) this.#entries.delete(jti);
    else this.#entries.set(jti, keep);
    return keep;
  }

  #remove(e: Entry): void {
    this.#size--;
    const bucket = e.ect.wid ?? "";
    const n = (this.#perWorkflow.get(bucket) ?? 1) - 1;
    if (n <= 0) this.#perWorkflow.delete(bucket);
    else this.#perWorkflow.set(bucket, n);
    this.#tomb.add(scopeKey(e.ect.jti, e.ect.wid));
    if (this.#tomb.size > this.#maxTomb) this.#tomb.delete(this.#tomb.values().next().value!);
  }
}

function strip(e: AtdValidatedEct): unknown {
  const { extName: _a, parName: _b, ...rest } = e;
  return rest;
}
