/**
 * `EctLedger`: the append-only, hash-chained audit ledger of ECTs.
 *
 * Spec: seed 000, 4.6 "Audit Ledger Interface": "1. Append-only: no modification or deletion
 * after recording. 2. Ordering: monotonically increasing sequence numbers. 3. Lookup: efficient
 * retrieval by jti. 4. Integrity: hash chains or Merkle trees for tamper detection."
 *
 * - Entries get `seq` 1, 2, 3, … and `prev` = the previous entry's `hash` (the genesis value
 *   `LEDGER_GENESIS_HASH` for seq 1); `hash` = base64url(SHA-256(JCS(entry without hash))).
 * - `verifyIntegrity()` walks the chain and names the first entry that may have been
 *   tampered with: an entry whose hash does not match its content is that entry; an entry whose
 *   `prev` does not match an intact predecessor means the predecessor was rewritten (and
 *   re-hashed), so the predecessor is named. An `anchor` (a seq and hash saved elsewhere)
 *   also catches truncation and wholesale rewrites.
 * - Lookups by `jti` follow the scoping of dag-scope.ts; the ledger refuses a second ECT with a
 *   colliding `jti` (rule 1) and, by default, an ECT whose parents are not recorded, so its
 *   sequence order is always a topological order and it cannot hold a cycle.
 * - The ledger records what it is given after checking the token is a well-formed ECT; it does
 *   not check signatures. Verify first (`verifyEct` with `store: ledger`), then `append`.
 * - It is an `EctDagSyncStore`, so it plugs into `verifyEct` (step 13) and `validateEctDag`.
 */
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { checkAud, checkIss, checkNumericDate, checkStructuralClaims, isPlainObject, type EctClaims } from "./claims.js";
import type { EctDagSyncStore } from "./dag.js";
import { collides, pickParent } from "./dag-scope.js";
import {
  EctLedgerClosedError,
  EctLedgerDuplicateError,
  EctLedgerFailedError,
  EctLedgerIntegrityError,
  EctLedgerInvalidTokenError,
  EctLedgerMissingParentError,
  EctVerificationError,
} from "./errors.js";
import { parseCompactJws } from "./jws.js";
import type { EctLedgerEntry, EctLedgerRecovery, EctLedgerStore } from "./ledger-store.js";

/** `prev` of the first entry: base64url of 32 zero bytes. */
export const LEDGER_GENESIS_HASH = "A".repeat(43);

/** An entry with its decoded claims. */
export type EctLedgerRecord = {
  readonly entry: Readonly<EctLedgerEntry>;
  readonly claims: Readonly<EctClaims>;
  readonly jti: string;
  readonly wid: string | undefined;
};

export type EctLedgerIntegrityFailureReason =
  | "malformed_entry"
  | "sequence"
  | "hash"
  | "link"
  | "token_invalid"
  | "token_mismatch"
  | "anchor";

export type EctLedgerIntegrityReport =
  | { ok: true; size: number; head: string }
  | {
      ok: false;
      size: number;
      /** 0-based position of the first entry that may have been tampered with. */
      index: number;
      /** Its sequence number (index + 1). */
      seq: number;
      reason: EctLedgerIntegrityFailureReason;
      details: string;
    };

export type VerifyLedgerIntegrityParameters = {
  /** A (seq, hash) pair saved elsewhere earlier; the entry at `seq` must still carry `hash`. */
  anchor?: { seq: number; hash: string } | undefined;
};

export type OpenEctLedgerParameters = {
  store: EctLedgerStore;
  /** Milliseconds clock for `recorded_at` (default `Date.now`). */
  clock?: (() => number) | undefined;
  /** Refuse ECTs whose parents are not recorded (default true). */
  requireParents?: boolean | undefined;
};

/** Hash of an entry: base64url(SHA-256(JCS of every field but `hash`)). */
export function computeLedgerEntryHash(entry: Omit<EctLedgerEntry, "hash">): string {
  const body: Record<string, unknown> = {
    v: entry.v,
    seq: entry.seq,
    recorded_at: entry.recorded_at,
    jti: entry.jti,
    token: entry.token,
    prev: entry.prev,
  };
  if (entry.wid !== undefined) body.wid = entry.wid;
  return createHash("sha256").update(canonicalize(body)!, "utf8").digest("base64url");
}

/** Decodes a token's claims without verifying its signature; returns an error message on failure. */
function decodeClaims(token: unknown): EctClaims | string {
  const parsed = parseCompactJws(token);
  if (parsed instanceof EctVerificationError) return parsed.details ?? parsed.shortMessage;
  const p = parsed.payload;
  const iss = checkIss(p);
  if (iss instanceof EctVerificationError) return iss.details ?? iss.shortMessage;
  const aud = checkAud(p);
  if (aud instanceof EctVerificationError) return aud.details ?? aud.shortMessage;
  const exp = checkNumericDate(p, "exp", 10, true);
  if (exp instanceof EctVerificationError) return exp.details ?? exp.shortMessage;
  const iat = checkNumericDate(p, "iat", 11, true);
  if (iat instanceof EctVerificationError) return iat.details ?? iat.shortMessage;
  const s = checkStructuralClaims(p);
  if (s instanceof EctVerificationError) return s.details ?? s.shortMessage;
  const claims: EctClaims = { iss, aud, iat: iat!, exp: exp!, ...s };
  if (typeof p.nbf === "number") claims.nbf = p.nbf;
  if (typeof p.sub === "string") claims.sub = p.sub;
  return claims;
}

function entryShapeProblem(e: unknown): string | undefined {
  if (!isPlainObject(e)) return "entry is not a JSON object";
  if (e.v !== 1) return `unsupported entry version ${JSON.stringify(e.v)}`;
  if (!Number.isSafeInteger(e.seq)) return '"seq" is not an integer';
  if (typeof e.recorded_at !== "number" || !Number.isFinite(e.recorded_at)) return '"recorded_at" is not a number';
  if (typeof e.jti !== "string" || e.jti.length === 0) return '"jti" is not a non-empty string';
  if (e.wid !== undefined && (typeof e.wid !== "string" || e.wid.length === 0)) return '"wid" is not a non-empty string';
  if (typeof e.token !== "string") return '"token" is not a string';
  if (typeof e.prev !== "string") return '"prev" is not a string';
  if (typeof e.hash !== "string") return '"hash" is not a string';
  const keys = Object.keys(e).filter((k) => !["v", "seq", "recorded_at", "jti", "wid", "token", "prev", "hash"].includes(k));
  if (keys.length > 0) return `unexpected fields ${keys.join(", ")}`;
  return undefined;
}

export class EctLedger implements EctDagSyncStore {
  readonly #store: EctLedgerStore;
  readonly #clock: () => number;
  readonly #requireParents: boolean;
  /** Raw entries as loaded/appended (tampered ones included, for integrity reporting). */
  readonly #raw: unknown[] = [];
  /** Decoded claims per raw entry (undefined where undecodable). */
  readonly #claims: (EctClaims | undefined)[] = [];
  readonly #byJti = new Map<string, EctLedgerRecord[]>();
  #head = LEDGER_GENESIS_HASH;
  #opened: EctLedgerIntegrityReport;
  #failure: unknown;
  #closed = false;
  /** What the store cut off on open (a torn last line), if anything. */
  readonly recovery: EctLedgerRecovery | undefined;

  private constructor(params: OpenEctLedgerParameters, entries: unknown[], recovery: EctLedgerRecovery | undefined) {
    this.#store = params.store;
    this.#clock = params.clock ?? Date.now;
    this.#requireParents = params.requireParents ?? true;
    this.recovery = recovery;
    for (const e of entries) {
      this.#raw.push(e);
      const claims = isPlainObject(e) && typeof e.token === "string" ? decodeClaims(e.token) : undefined;
      const c = typeof claims === "object" ? claims : undefined;
      this.#claims.push(c);
      if (c && isPlainObject(e)) this.#index(Object.freeze(e) as unknown as EctLedgerEntry, c);
    }
    this.#opened = this.verifyIntegrity();
    if (this.#opened.ok) this.#head = this.#opened.head;
  }

  /** Loads the store and checks the chain. A broken chain opens read-only (appends throw). */
  static async open(parameters: OpenEctLedgerParameters): Promise<EctLedger> {
    const { entries, recovery } = await parameters.store.load();
    return new EctLedger(parameters, entries, recovery);
  }

  /** Number of entries. */
  get size(): number {
    return this.#raw.length;
  }

  /** Hash of the last entry (the genesis value when empty): save it elsewhere as an anchor. */
  get head(): string {
    return this.#head;
  }

  /** The integrity report computed on open. */
  get openReport(): EctLedgerIntegrityReport {
    return this.#opened;
  }

  #index(entry: EctLedgerEntry, claims: EctClaims): void {
    const rec: EctLedgerRecord = Object.freeze({ entry, claims: Object.freeze(claims), jti: claims.jti, wid: claims.wid });
    const list = this.#byJti.get(claims.jti);
    if (list) list.push(rec);
    else this.#byJti.set(claims.jti, [rec]);
  }

  #usable(): void {
    if (this.#closed) throw new EctLedgerClosedError();
    if (this.#failure !== undefined) throw new EctLedgerFailedError({ details: "an earlier write failed", cause: this.#failure });
  }

  /**
   * Appends an ECT. Checks it is a well-formed ECT, that its `jti` is new in its scope, and
   * (unless `requireParents: false`) that its parents are recorded. Resolves once the store
   * has made it durable. Throws `EctLedgerInvalidTokenError`, `EctLedgerDuplicateError`,
   * `EctLedgerMissingParentError`, `EctLedgerIntegrityError`, `EctLedgerFailedError`,
   * `EctLedgerClosedError`.
   */
  async append(token: string): Promise<EctLedgerEntry> {
    this.#usable();
    if (!this.#opened.ok) {
      throw new EctLedgerIntegrityError({ details: `entry seq ${this.#opened.seq}: ${this.#opened.details}; the ledger opened read-only` });
    }
    const claims = decodeClaims(token);
    if (typeof claims === "string") throw new EctLedgerInvalidTokenError({ details: claims });
    if (this.hasJti(claims.jti, claims.wid)) {
      throw new EctLedgerDuplicateError({ details: `jti "${claims.jti}"${claims.wid ? ` in workflow "${claims.wid}"` : ""} is already recorded` });
    }
    if (this.#requireParents) {
      const missing = claims.par.filter((p) => this.lookupEct(p, claims.wid) === undefined);
      if (missing.length > 0) throw new EctLedgerMissingParentError({ details: `jti "${claims.jti}": parents not recorded: ${missing.join(", ")}` });
    }
    const body: Omit<EctLedgerEntry, "hash"> = {
      v: 1,
      seq: this.#raw.length + 1,
      recorded_at: this.#clock(),
      jti: claims.jti,
      ...(claims.wid !== undefined ? { wid: claims.wid } : {}),
      token,
      prev: this.#head,
    };
    const entry: EctLedgerEntry = Object.freeze({ ...body, hash: computeLedgerEntryHash(body) });
    // Reserve synchronously so concurrent appends chain and sequence correctly.
    this.#raw.push(entry);
    this.#claims.push(claims);
    this.#index(entry, claims);
    this.#head = entry.hash;
    this.#opened = { ok: true, size: this.#raw.length, head: this.#head };
    try {
      await this.#store.append([entry]);
    } catch (cause) {
      this.#failure ??= cause;
      throw new EctLedgerFailedError({ details: `store append of seq ${entry.seq} failed: ${(cause as Error)?.message ?? String(cause)}`, cause });
    }
    return entry;
  }

  /** The record with this `jti` visible from scope `wid` (dag-scope.ts rules). */
  get(jti: string, wid?: string): EctLedgerRecord | undefined {
    const list = this.#byJti.get(jti);
    if (!list) return undefined;
    const k = pickParent(list, wid);
    return k >= 0 ? list[k] : undefined;
  }

  /** The record with this sequence number. */
  getBySeq(seq: number): EctLedgerRecord | undefined {
    const e = this.#raw[seq - 1];
    const c = this.#claims[seq - 1];
    if (!e || !c || !isPlainObject(e)) return undefined;
    return this.#byJti.get(c.jti)?.find((r) => r.entry === e);
  }

  /** `EctDagSyncStore`: the claims of the ECT with this `jti` visible from scope `wid`. */
  lookupEct(jti: string, wid: string | undefined): EctClaims | undefined {
    return this.get(jti, wid)?.claims;
  }

  /** `EctDagSyncStore`: whether a recorded ECT's `jti` collides with (`jti`, `wid`) under rule 1. */
  hasJti(jti: string, wid: string | undefined): boolean {
    const list = this.#byJti.get(jti);
    if (!list) return false;
    const probe = { jti, wid };
    return list.some((r) => collides(r, probe));
  }

  /** Every entry, in sequence order (frozen objects as stored). */
  entries(): readonly Readonly<EctLedgerEntry>[] {
    return this.#raw as readonly EctLedgerEntry[];
  }

  /** Walks the hash chain. See the file comment for how the first tampered entry is named. */
  verifyIntegrity(parameters: VerifyLedgerIntegrityParameters = {}): EctLedgerIntegrityReport {
    const size = this.#raw.length;
    const bad = (index: number, reason: EctLedgerIntegrityFailureReason, details: string): EctLedgerIntegrityReport => ({
      ok: false,
      size,
      index,
      seq: index + 1,
      reason,
      details,
    });
    let prevHash = LEDGER_GENESIS_HASH;
    for (let i = 0; i < size; i++) {
      const raw = this.#raw[i];
      const shape = entryShapeProblem(raw);
      if (shape) return bad(i, "malformed_entry", shape);
      const e = raw as EctLedgerEntry;
      if (e.seq !== i + 1) return bad(i, "sequence", `entry ${i} carries seq ${e.seq}, expected ${i + 1}`);
      const { hash, ...body } = e;
      const recomputed = computeLedgerEntryHash(body);
      if (recomputed !== hash) return bad(i, "hash", `stored hash ${hash} does not match the content (${recomputed})`);
      if (e.prev !== prevHash) {
        return i === 0
          ? bad(0, "link", `first entry's prev is ${e.prev}, not the genesis hash`)
          : bad(i - 1, "link", `entry seq ${i + 1} links to ${e.prev}, but entry seq ${i} hashes to ${prevHash}: seq ${i} was rewritten (or seq ${i + 1}'s link)`);
      }
      const c = this.#claims[i];
      if (!c) return bad(i, "token_invalid", "the recorded token is not a well-formed ECT");
      if (c.jti !== e.jti || c.wid !== e.wid) return bad(i, "token_mismatch", `entry says jti "${e.jti}"/wid ${JSON.stringify(e.wid)}, token says "${c.jti}"/${JSON.stringify(c.wid)}`);
      prevHash = hash;
    }
    const a = parameters.anchor;
    if (a) {
      if (!Number.isSafeInteger(a.seq) || a.seq < 0) return bad(Math.max(0, size - 1), "anchor", `anchor seq ${a.seq} is not a sequence number`);
      if (a.seq > size) return bad(Math.max(0, size - 1), "anchor", `anchor names seq ${a.seq} but the ledger ends at ${size}: entries were removed`);
      const at = a.seq === 0 ? LEDGER_GENESIS_HASH : (this.#raw[a.seq - 1] as EctLedgerEntry).hash;
      if (at !== a.hash) return bad(Math.max(0, a.seq - 1), "anchor", `entry seq ${a.seq} hashes to ${at}, the anchor says ${a.hash}: the chain was rewritten`);
    }
    return { ok: true, size, head: prevHash };
  }

  /** Closes the store (pending appends finish first). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#store.close();
  }
}
