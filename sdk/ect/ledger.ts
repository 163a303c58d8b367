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
 *   With `requireParents` (the default) it declares `closedUnderParents` (checked over the
 *   loaded entries on open), so step 13 checks a new token's immediate parents instead of
 *   walking every ancestor (dag-store.ts).
 * - `verifyIntegrityWithKeys({ keyStore })` additionally re-checks every recorded token's
 *   signature (and that its `iss` is the key's subject): the hash chain alone cannot stop
 *   someone who rewrites the whole file and re-hashes it, a signature check can.
 * - `open` wraps any failure of the store's `load` (a path that is a directory, a missing
 *   directory, permissions) in `EctLedgerIoError`, with the I/O error as `cause`.
 */
import { createHash, KeyObject } from "node:crypto";
import canonicalize from "canonicalize";
import { isAgentExecError } from "../errors.js";
import { isSupportedAlgorithm, type AgentKey, type AgentKeyStore } from "./agent-key.js";
import { checkAud, checkIss, checkNumericDate, checkStructuralClaims, isPlainObject, quote, type EctClaims } from "./claims.js";
import { errorText, isThenable } from "./dag-options.js";
import type { EctDagSyncStore } from "./dag.js";
import { collides, pickParent } from "./dag-scope.js";
import {
  EctLedgerClosedError,
  EctLedgerDuplicateError,
  EctLedgerFailedError,
  EctInvalidOptionError,
  EctLedgerIntegrityError,
  EctLedgerInvalidTokenError,
  EctLedgerIoError,
  EctLedgerMissingParentError,
  EctVerificationError,
} from "./errors.js";
import { parseCompactJws, verifyJwsSignature } from "./jws.js";
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
  | "anchor"
  // verifyIntegrityWithKeys only:
  | "unknown_kid"
  | "key_store"
  | "signature"
  | "issuer";

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

export type VerifyLedgerIntegrityWithKeysParameters = VerifyLedgerIntegrityParameters & {
  /** The agent keys the recorded tokens were signed with (revoked keys still count: they were valid when recorded). */
  keyStore: AgentKeyStore;
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
  if (typeof entry !== "object" || entry === null) throw new EctInvalidOptionError({ details: "computeLedgerEntryHash needs a ledger entry object" });
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
  if (keys.length > 0) return `unexpected fields ${keys.slice(0, 10).map((k) => quote(k)).join(", ")}`;
  return undefined;
}

/** Passed by `EctLedger.open` to the (private) constructor. */
const OPEN = Symbol("EctLedger.open");

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
  /** Every indexed entry's parents resolve to earlier entries (see `closedUnderParents`). */
  #parentsClosed = true;
  /** What the store cut off on open (a torn last line), if anything. */
  readonly recovery: EctLedgerRecovery | undefined;

  private constructor(token: symbol, params: OpenEctLedgerParameters, entries: unknown[], recovery: EctLedgerRecovery | undefined) {
    if (token !== OPEN) throw new EctInvalidOptionError({ details: "use EctLedger.open({ store }) to open a ledger" });
    this.#store = params.store;
    this.#clock = params.clock ?? Date.now;
    this.#requireParents = params.requireParents ?? true;
    this.recovery = recovery;
    for (const e of entries) {
      this.#raw.push(e);
      const claims = isPlainObject(e) && typeof e.token === "string" ? decodeClaims(e.token) : undefined;
      const c = typeof claims === "object" ? claims : undefined;
      this.#claims.push(c);
      if (c && isPlainObject(e)) {
        if (this.#parentsClosed && c.par.some((p) => this.lookupEct(p, c.wid) === undefined)) this.#parentsClosed = false;
        this.#index(Object.freeze(e) as unknown as EctLedgerEntry, c);
      }
    }
    this.#opened = this.verifyIntegrity();
    if (this.#opened.ok) this.#head = this.#opened.head;
  }

  /**
   * Loads the store and checks the chain. A broken chain opens read-only (appends throw).
   * Throws `EctInvalidOptionError` for bad parameters, `EctLedgerIoError` when the store cannot
   * be loaded (the store's own typed errors, e.g. `EctLedgerCorruptError`, pass through).
   */
  static async open(parameters: OpenEctLedgerParameters): Promise<EctLedger> {
    const p: unknown = parameters;
    if (typeof p !== "object" || p === null) throw new EctInvalidOptionError({ details: "EctLedger.open needs a parameters object" });
    const { store, clock, requireParents } = p as OpenEctLedgerParameters;
    if (typeof store !== "object" || store === null || typeof store.load !== "function" || typeof store.append !== "function" || typeof store.close !== "function") {
      throw new EctInvalidOptionError({ details: '"store" must be a ledger store (load, append, close)' });
    }
    if (clock !== undefined && typeof clock !== "function") throw new EctInvalidOptionError({ details: '"clock" must be a function returning milliseconds' });
    if (requireParents !== undefined && typeof requireParents !== "boolean") throw new EctInvalidOptionError({ details: '"requireParents" must be a boolean' });
    let loaded: unknown;
    try {
      loaded = await store.load();
    } catch (cause) {
      if (isAgentExecError(cause)) throw cause;
      const code = (cause as { code?: unknown })?.code;
      throw new EctLedgerIoError({ details: `the ledger store could not be loaded${typeof code === "string" ? ` (${code})` : ""}: ${errorText(cause)}`, cause });
    }
    const entries = (loaded as { entries?: unknown } | null)?.entries;
    if (!Array.isArray(entries)) throw new EctLedgerIoError({ details: "the ledger store's load() did not return { entries: [...] }" });
    return new EctLedger(OPEN, { store, clock, requireParents }, entries, (loaded as { recovery?: EctLedgerRecovery }).recovery);
  }

  /**
   * `EctDagSyncStore`: true when the ledger refuses ECTs with unrecorded parents
   * (`requireParents`, the default) and every entry loaded on open had its parents recorded
   * before it. Then no recorded chain can lead back to a token not yet recorded, and step 13
   * needs to check only a new token's immediate parents.
   */
  get closedUnderParents(): boolean {
    return this.#requireParents && this.#parentsClosed;
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
      throw new EctLedgerDuplicateError({ details: `jti ${quote(claims.jti)}${claims.wid ? ` in workflow ${quote(claims.wid)}` : ""} is already recorded` });
    }
    const missing = claims.par.filter((p) => this.lookupEct(p, claims.wid) === undefined);
    if (this.#requireParents && missing.length > 0) {
      throw new EctLedgerMissingParentError({ details: `jti ${quote(claims.jti)}: parents not recorded: ${missing.slice(0, 10).map((m) => quote(m)).join(", ")}` });
    }
    if (missing.length > 0) this.#parentsClosed = false;
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
      if (recomputed !== hash) return bad(i, "hash", `stored hash ${quote(hash)} does not match the content (${recomputed})`);
      if (e.prev !== prevHash) {
        return i === 0
          ? bad(0, "link", `first entry's prev is ${quote(e.prev)}, not the genesis hash`)
          : bad(i - 1, "link", `entry seq ${i + 1} links to ${quote(e.prev)}, but entry seq ${i} hashes to ${prevHash}: seq ${i} was rewritten (or seq ${i + 1}'s link)`);
      }
      const c = this.#claims[i];
      if (!c) return bad(i, "token_invalid", "the recorded token is not a well-formed ECT");
      if (c.jti !== e.jti || c.wid !== e.wid) return bad(i, "token_mismatch", `entry says jti ${quote(e.jti)}/wid ${e.wid === undefined ? "none" : quote(e.wid)}, token says ${quote(c.jti)}/${c.wid === undefined ? "none" : quote(c.wid)}`);
      prevHash = hash;
    }
    const a = (parameters as VerifyLedgerIntegrityParameters | null | undefined)?.anchor;
    if (a) {
      if (!Number.isSafeInteger(a.seq) || a.seq < 0) return bad(Math.max(0, size - 1), "anchor", `anchor seq ${a.seq} is not a sequence number`);
      if (a.seq > size) return bad(Math.max(0, size - 1), "anchor", `anchor names seq ${a.seq} but the ledger ends at ${size}: entries were removed`);
      const at = a.seq === 0 ? LEDGER_GENESIS_HASH : (this.#raw[a.seq - 1] as EctLedgerEntry).hash;
      if (at !== a.hash) return bad(Math.max(0, a.seq - 1), "anchor", `entry seq ${a.seq} hashes to ${at}, the anchor says ${a.hash}: the chain was rewritten`);
    }
    return { ok: true, size, head: prevHash };
  }

  /**
   * `verifyIntegrity`, then every recorded token's signature against `keyStore` (JWS step 5,
   * with the header `alg` bound to the key's, step 7) and its `iss` against the key's subject
   * (step 8). Names the first entry that fails. Revocation is not a failure here: a key revoked
   * later was valid when the token was recorded. Never throws.
   */
  async verifyIntegrityWithKeys(parameters: VerifyLedgerIntegrityWithKeysParameters): Promise<EctLedgerIntegrityReport> {
    const chain = this.verifyIntegrity(parameters);
    if (!chain.ok) return chain;
    const size = this.#raw.length;
    const bad = (index: number, reason: EctLedgerIntegrityFailureReason, details: string): EctLedgerIntegrityReport => ({ ok: false, size, index, seq: index + 1, reason, details });
    const keyStore = (parameters as { keyStore?: unknown } | undefined)?.keyStore as AgentKeyStore | undefined;
    if (typeof keyStore !== "object" || keyStore === null || typeof keyStore.getKey !== "function") {
      return bad(0, "key_store", '"keyStore" must be an agent key store (with getKey)');
    }
    for (let i = 0; i < size; i++) {
      const e = this.#raw[i] as EctLedgerEntry;
      const parsed = parseCompactJws(e.token);
      if (parsed instanceof EctVerificationError) return bad(i, "token_invalid", parsed.details ?? parsed.shortMessage);
      const { alg, kid } = parsed.header;
      if (typeof kid !== "string" || kid.length === 0) return bad(i, "unknown_kid", "the recorded token has no kid");
      let key: AgentKey | undefined;
      try {
        const r = keyStore.getKey(kid);
        key = (isThenable(r) ? await r : r) as AgentKey | undefined;
      } catch (cause) {
        return bad(i, "key_store", `lookup of kid ${quote(kid)} failed: ${errorText(cause)}`);
      }
      if (key === undefined || key === null) return bad(i, "unknown_kid", `no agent key with kid ${quote(kid)}`);
      const pk = (key as { publicKey?: unknown }).publicKey;
      if (!(pk instanceof KeyObject) || pk.type !== "public") return bad(i, "key_store", `the key store returned no public KeyObject for kid ${quote(kid)}`);
      if (!isSupportedAlgorithm(alg) || alg !== key.alg || !verifyJwsSignature(alg, pk, parsed.signingInput, parsed.signature)) {
        return bad(i, "signature", `the recorded token's signature does not verify with key ${quote(kid)}`);
      }
      if (parsed.payload.iss !== key.subject) return bad(i, "issuer", `the recorded token's iss is not the subject of key ${quote(kid)}`);
    }
    return chain;
  }

  /** Closes the store (pending appends finish first). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#store.close();
  }
}
