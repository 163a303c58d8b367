/**
 * Audit-ledger storage: the interface every backend implements, and the in-memory backend.
 *
 * Spec: seed 000, 4.6 "Audit Ledger Interface" (append-only, monotonically increasing sequence
 * numbers, lookup by jti, hash-chained integrity). The ledger logic (sequencing, hashing,
 * lookups, integrity) lives in ledger.ts and is the same for every backend; a store only
 * persists entries in order and hands them back on `load`.
 */
import { EctInvalidOptionError, EctLedgerClosedError } from "./errors.js";

/** One ledger entry as stored (one JSON line in a file store). */
export type EctLedgerEntry = {
  /** Entry format version. */
  v: 1;
  /** Sequence number: 1 for the first entry, then +1 per entry. */
  seq: number;
  /** When the ledger recorded it (milliseconds since the epoch). */
  recorded_at: number;
  /** The ECT's `jti` (copied out of the token for lookups; must match it). */
  jti: string;
  /** The ECT's `wid`, if any. */
  wid?: string;
  /** The ECT itself (compact JWS), so the record can be re-verified. */
  token: string;
  /** `hash` of the previous entry (the genesis value for seq 1). */
  prev: string;
  /** `base64url(SHA-256(JCS(entry without "hash")))`. */
  hash: string;
};

/** What `load` found besides the entries: a torn tail that was cut off, if any. */
export type EctLedgerRecovery = {
  /** Byte offset where the torn (unterminated) last line started. */
  offset: number;
  /** Its length in bytes. */
  length: number;
  /** The torn bytes (UTF-8, possibly cut mid-character), kept for inspection. */
  bytes: string;
  /** Whether the store cut it off so appends can resume. */
  truncated: boolean;
};

export type EctLedgerLoadResult = {
  /** Stored entries in order, as parsed (not yet checked: the ledger checks them). */
  entries: unknown[];
  recovery?: EctLedgerRecovery | undefined;
};

/** A ledger backend. */
export interface EctLedgerStore {
  /** Reads every stored entry (called once, by `EctLedger.open`). */
  load(): Promise<EctLedgerLoadResult>;
  /** Persists entries after the stored ones, in order; resolves once they are durable. */
  append(entries: readonly EctLedgerEntry[]): Promise<void>;
  /** Releases resources; pending appends complete first. */
  close(): Promise<void>;
}

/** Volatile store: entries live in an array. Seed it with entries (e.g. a copy to inspect or tamper with in tests). */
export class MemoryLedgerStore implements EctLedgerStore {
  #entries: unknown[];
  #closed = false;

  /** Throws `EctInvalidOptionError` when `entries` is not an array of cloneable values. */
  constructor(entries: readonly unknown[] = []) {
    if (!Array.isArray(entries)) throw new EctInvalidOptionError({ details: "MemoryLedgerStore entries must be an array" });
    this.#entries = entries.map((e, i) => {
      try {
        return structuredClone(e);
      } catch (cause) {
        throw new EctInvalidOptionError({ details: `entries[${i}] cannot be copied: ${(cause as Error)?.message ?? String(cause)}`, cause });
      }
    });
  }

  async load(): Promise<EctLedgerLoadResult> {
    if (this.#closed) throw new EctLedgerClosedError({ details: "memory ledger store is closed" });
    return { entries: this.#entries.map((e) => structuredClone(e)) };
  }

  async append(entries: readonly EctLedgerEntry[]): Promise<void> {
    if (this.#closed) throw new EctLedgerClosedError({ details: "memory ledger store is closed" });
    for (const e of entries) this.#entries.push({ ...e });
  }

  /** Copies of the stored entries. */
  snapshot(): unknown[] {
    return this.#entries.map((e) => structuredClone(e));
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
