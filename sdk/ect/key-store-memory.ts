/**
 * In-memory agent key store: kid → (public key, WIT alg, WIT subject, revoked flag).
 *
 * Spec: seed 000, Table 5 steps 4, 6, 7, 8 (see agent-key.ts). Keys are imported and
 * validated once, on `add`; lookups are synchronous map reads.
 */
import { importAgentKey, type AgentKey, type AgentKeyInput, type AgentKeyRecord, type AgentKeyStore } from "./agent-key.js";
import { EctKeyError } from "./errors.js";

/**
 * An agent key store held in memory. Named like the SDK's other in-memory stores
 * (`MemoryLedgerStore`, `MemoryCapsuleStore`); `InMemoryAgentKeyStore` is its deprecated alias.
 */
export class MemoryAgentKeyStore implements AgentKeyStore {
  readonly #keys = new Map<string, { key: AgentKey; record: AgentKeyRecord }>();
  #revision = 0;

  /** Throws `EctKeyError` when `keys` is not an iterable of usable key inputs. */
  constructor(keys: Iterable<AgentKeyInput> = []) {
    if (typeof (keys as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== "function" || typeof keys === "string") {
      throw new EctKeyError({ details: "MemoryAgentKeyStore takes an iterable of key inputs" });
    }
    for (const k of keys) this.add(k);
  }

  /** Rebuilds a store from `exportRecords()` output (e.g. inside a worker thread). */
  static fromRecords(records: Iterable<AgentKeyRecord>): MemoryAgentKeyStore {
    if (records === null || typeof records !== "object" || typeof (records as Partial<Iterable<AgentKeyRecord>>)[Symbol.iterator] !== "function") {
      throw new EctKeyError({ details: "fromRecords takes an iterable of key records (exportRecords())" });
    }
    const store = new MemoryAgentKeyStore();
    for (const r of records) {
      if (typeof r !== "object" || r === null) throw new EctKeyError({ details: "a key record is an object { kid, subject, alg, revoked, jwk }" });
      store.add({ kid: r.kid, subject: r.subject, alg: r.alg, revoked: r.revoked, publicKey: r.jwk });
    }
    return store;
  }

  /** Adds a key. Throws `EctKeyError` for an unusable key or a `kid` already present (use `replace`). */
  add(input: AgentKeyInput, options: { replace?: boolean } = {}): AgentKey {
    const entry = importAgentKey(input);
    if (this.#keys.has(entry.key.kid) && options.replace !== true) {
      throw new EctKeyError({ details: `kid ${entry.key.kid} is already in the store` });
    }
    this.#keys.set(entry.key.kid, entry);
    this.#revision++;
    return entry.key;
  }

  /** Marks a key revoked (step 6 then rejects its tokens). Returns false for an unknown kid. */
  revoke(kid: string): boolean {
    const e = this.#keys.get(kid);
    if (!e) return false;
    e.key = { ...e.key, revoked: true };
    e.record = { ...e.record, revoked: true };
    this.#revision++;
    return true;
  }

  /** Removes a key. Returns whether it was present. */
  remove(kid: string): boolean {
    const removed = this.#keys.delete(kid);
    if (removed) this.#revision++;
    return removed;
  }

  /** Changes on every add, replace, revoke and remove (see `AgentKeyStore.revision`). */
  get revision(): number {
    return this.#revision;
  }

  getKey(kid: string): AgentKey | undefined {
    return this.#keys.get(kid)?.key;
  }

  exportRecords(): AgentKeyRecord[] {
    return [...this.#keys.values()].map((e) => e.record);
  }

  get size(): number {
    return this.#keys.size;
  }
}

/** @deprecated Renamed `MemoryAgentKeyStore` (the SDK's in-memory stores are `Memory*`); this alias stays for one minor release. */
export const InMemoryAgentKeyStore = MemoryAgentKeyStore;
/** @deprecated Renamed `MemoryAgentKeyStore`. */
export type InMemoryAgentKeyStore = MemoryAgentKeyStore;
