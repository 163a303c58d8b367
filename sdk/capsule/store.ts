/**
 * The producer's store of Capsules (draft-mih-scitt-agent-action-capsule-01 §5.4.4,
 * §6): the only input beyond a Capsule's own bytes that Class 1 chain checks use.
 * The ledger is append-only and totally ordered; the store is a pluggable,
 * possibly asynchronous parameter (`CapsuleStore`), with an in-memory reference
 * implementation (`MemoryCapsuleStore`).
 */
import { computeCapsuleId } from "./capsuleId.js";
import { CapsuleError, CapsuleStoreDuplicateIdError, CapsuleStoreRejectedError } from "./errors.js";
import { isRecord } from "./issues.js";
import { isJsonDigest } from "./jsonDigest.js";
import type { Capsule } from "./types.js";

type MaybePromise<T> = T | Promise<T>;

/**
 * A store of Capsules in ledger order. Implementations may be synchronous or
 * asynchronous; every consumer awaits the results. Contents are treated as
 * untrusted data by the verifier (they are re-checked, never assumed well formed).
 */
export type CapsuleStore = {
  /** The Capsule whose `capsule_id` is `capsuleId`, or undefined. */
  get(capsuleId: string): MaybePromise<Capsule | undefined>;
  /** Capsules whose `chain.parent_capsule_id` is `parentCapsuleId`, in ledger order (earliest first). */
  children(parentCapsuleId: string): MaybePromise<readonly Capsule[]>;
  /** Every Capsule in ledger order (needed by `listCapsuleOpenItems`). */
  all?(): AsyncIterable<Capsule> | Iterable<Capsule>;
};

export type MemoryCapsuleStoreOptions = {
  /**
   * Recompute each appended Capsule's id and refuse mismatches (default true).
   * Set false only to model a store holding tampered records (tests, forensics).
   */
  verifyIds?: boolean | undefined;
};

/** An append-only, in-memory `CapsuleStore` in insertion (ledger) order. */
export class MemoryCapsuleStore implements CapsuleStore {
  readonly #order: Capsule[] = [];
  readonly #byId = new Map<string, Capsule>();
  readonly #byParent = new Map<string, Capsule[]>();
  readonly #verifyIds: boolean;

  constructor(capsules: Iterable<Capsule> = [], options: MemoryCapsuleStoreOptions = {}) {
    const o: MemoryCapsuleStoreOptions = typeof options === "object" && options !== null ? options : {};
    this.#verifyIds = o.verifyIds ?? true;
    if (capsules === null || typeof (capsules as Partial<Iterable<Capsule>>)[Symbol.iterator] !== "function") {
      throw new CapsuleStoreRejectedError({ details: "MemoryCapsuleStore takes an iterable of Capsules (or nothing)" });
    }
    for (const c of capsules) this.append(c);
  }

  /**
   * Appends a Capsule at the end of the ledger. Throws `CapsuleStoreRejectedError`
   * when it has no well-formed `capsule_id` or (with `verifyIds`) the id does not
   * recompute, and `CapsuleStoreDuplicateIdError` when the id is already stored.
   */
  append(capsule: Capsule): void {
    if (!isRecord(capsule) || !isJsonDigest(capsule.capsule_id)) {
      throw new CapsuleStoreRejectedError({ path: "/capsule_id", details: "a stored Capsule needs a well-formed capsule_id" });
    }
    const id = capsule.capsule_id;
    if (this.#verifyIds) {
      let recomputed: string;
      try {
        recomputed = computeCapsuleId(capsule);
      } catch (cause) {
        throw new CapsuleStoreRejectedError({ path: cause instanceof CapsuleError ? cause.path : "", cause, details: "the Capsule cannot be digested" });
      }
      if (recomputed !== id) {
        throw new CapsuleStoreRejectedError({ path: "/capsule_id", details: `capsule_id ${id} does not recompute (got ${recomputed})` });
      }
    }
    if (this.#byId.has(id)) throw new CapsuleStoreDuplicateIdError({ path: "/capsule_id", details: `capsule_id ${id} is already in the store` });
    this.#order.push(capsule);
    this.#byId.set(id, capsule);
    const chain = capsule.chain;
    if (isRecord(chain) && typeof chain.parent_capsule_id === "string") {
      const list = this.#byParent.get(chain.parent_capsule_id);
      if (list) list.push(capsule);
      else this.#byParent.set(chain.parent_capsule_id, [capsule]);
    }
  }

  get(capsuleId: string): Capsule | undefined {
    return this.#byId.get(capsuleId);
  }

  children(parentCapsuleId: string): readonly Capsule[] {
    return this.#byParent.get(parentCapsuleId) ?? [];
  }

  all(): Iterable<Capsule> {
    return this.#order;
  }

  get size(): number {
    return this.#order.length;
  }
}
