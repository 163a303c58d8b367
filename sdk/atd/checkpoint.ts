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
 * to the deployment.
 */
import { assertAtdEct, type AtdValidatedEct } from "./validateAtdEct.js";
import {
  AtdCheckpointExpiredError,
  AtdCheckpointLimitError,
  AtdCheckpointNotFoundError,
  AtdDuplicateJtiError,
  AtdEctMalformedError,
} from "./errors.js";
import { sameJson } from "./ect.js";

/** The checkpoint's `atd.ttl` in seconds (throws if `ckpt` is not a checkpoint). */
export function atdCheckpointTtlS(ckpt: AtdValidatedEct): number {
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
  const exp = atdCheckpointExpiresAtS(ckpt, createdAtS);
  return exp !== undefined && nowS >= exp;
}

export type AtdCheckpointStoreOptions = {
  /** Clock in milliseconds (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Checkpoints kept per workflow (`wid`; absent wid = one shared bucket). Default 10,000. */
  maxPerWorkflow?: number | undefined;
  /** How many purged jtis are remembered to answer "expired" rather than "not found". Default 10,000. */
  tombstones?: number | undefined;
};

type Entry = { ect: AtdValidatedEct; createdAtS: number; expiresAtS: number };

/** In-memory registry of checkpoint ECTs with TTL purge and a per-workflow cap. */
export class AtdCheckpointStore {
  readonly #now: () => number;
  readonly #max: number;
  readonly #maxTomb: number;
  readonly #entries = new Map<string, Entry>();
  readonly #perWorkflow = new Map<string, number>();
  readonly #tomb = new Set<string>();

  constructor(options: AtdCheckpointStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#max = options.maxPerWorkflow ?? 10_000;
    this.#maxTomb = options.tombstones ?? 10_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Stores a checkpoint ECT (validated: `AtdExt…` errors). Re-putting the
   * identical checkpoint is a no-op; the same jti with other content throws
   * `AtdDuplicateJtiError`; a full workflow throws `AtdCheckpointLimitError`
   * (after purging expired ones).
   */
  put(value: unknown): AtdValidatedEct {
    const ect = assertAtdEct(value);
    if (ect.kind !== "atd:checkpoint")
      throw new AtdEctMalformedError({ path: "exec_act", details: `expected atd:checkpoint, got ${JSON.stringify(ect.exec_act)}` });
    const prev = this.#entries.get(ect.jti);
    if (prev) {
      if (sameJson(strip(prev.ect), strip(ect))) return prev.ect;
      throw new AtdDuplicateJtiError({ path: "jti", details: `checkpoint ${JSON.stringify(ect.jti)} already stored with other content` });
    }
    const nowS = this.#now() / 1000;
    const bucket = ect.wid ?? "";
    if ((this.#perWorkflow.get(bucket) ?? 0) >= this.#max) this.purgeExpired();
    if ((this.#perWorkflow.get(bucket) ?? 0) >= this.#max)
      throw new AtdCheckpointLimitError({ path: "wid", details: `workflow ${JSON.stringify(bucket)} holds ${this.#max} checkpoints` });
    const expiresAtS = atdCheckpointExpiresAtS(ect, nowS)!;
    this.#entries.set(ect.jti, { ect, createdAtS: nowS, expiresAtS });
    this.#perWorkflow.set(bucket, (this.#perWorkflow.get(bucket) ?? 0) + 1);
    this.#tomb.delete(ect.jti);
    return ect;
  }

  /** The checkpoint if stored and not expired (an expired one is purged on the way). */
  get(jti: string): AtdValidatedEct | undefined {
    const e = this.#entries.get(jti);
    if (!e) return undefined;
    if (this.#now() / 1000 >= e.expiresAtS) {
      this.#remove(jti, e);
      return undefined;
    }
    return e.ect;
  }

  /** Like `get` but throws `AtdCheckpointExpiredError` / `AtdCheckpointNotFoundError`. */
  require(jti: string): AtdValidatedEct {
    const ect = this.get(jti);
    if (ect) return ect;
    if (this.#tomb.has(jti)) throw new AtdCheckpointExpiredError({ path: "jti", details: `checkpoint ${JSON.stringify(jti)} passed its atd.ttl and was purged` });
    throw new AtdCheckpointNotFoundError({ path: "jti", details: `checkpoint ${JSON.stringify(jti)} is not stored` });
  }

  /** Whether `jti` was purged for expiry (and is still remembered). */
  wasPurged(jti: string): boolean {
    return this.#tomb.has(jti);
  }

  /** §Checkpoint Flooding: purges every checkpoint past its `atd.ttl`; returns their jtis. */
  purgeExpired(): string[] {
    const nowS = this.#now() / 1000;
    const out: string[] = [];
    for (const [jti, e] of this.#entries) if (nowS >= e.expiresAtS) (this.#remove(jti, e), out.push(jti));
    return out;
  }

  #remove(jti: string, e: Entry): void {
    this.#entries.delete(jti);
    const bucket = e.ect.wid ?? "";
    const n = (this.#perWorkflow.get(bucket) ?? 1) - 1;
    if (n <= 0) this.#perWorkflow.delete(bucket);
    else this.#perWorkflow.set(bucket, n);
    this.#tomb.add(jti);
    if (this.#tomb.size > this.#maxTomb) this.#tomb.delete(this.#tomb.values().next().value!);
  }
}

function strip(e: AtdValidatedEct): unknown {
  const { extName: _a, parName: _b, ...rest } = e;
  return rest;
}
