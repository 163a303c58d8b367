/**
 * `capsule_id` (draft-mih-scitt-agent-action-capsule-01 §5.1): the JSON-DIGEST of
 * the canonical capsule form — the envelope minus `capsule_id` and the chain-linkage
 * fields (the top-level `chain` block), after absent-field normalization.
 *
 * Chain linkage is excluded so a Capsule's content address is stable whatever later
 * chains to it; the chain block is still signed inside the COSE_Sign1 envelope. Only
 * the TOP-LEVEL members are excluded: a nested member that happens to be named
 * `capsule_id` or `chain` is ordinary content.
 */
import { CapsuleIdMismatchError, CapsuleNotObjectError } from "./errors.js";
import { canonicalFormOf, isJsonDigest, sha256Hex } from "./jsonDigest.js";

/** Top-level members excluded from the canonical capsule form (§5.1). */
export const CAPSULE_ID_EXCLUDED_MEMBERS: ReadonlySet<string> = new Set(["capsule_id", "chain"]);

function assertObject(capsule: unknown): asserts capsule is Record<string, unknown> {
  if (typeof capsule !== "object" || capsule === null || Array.isArray(capsule)) {
    throw new CapsuleNotObjectError({ details: `a capsule is a JSON object, got ${Array.isArray(capsule) ? "an array" : capsule === null ? "null" : typeof capsule}` });
  }
}

/** The canonical capsule form (JCS text) that `capsule_id` digests. Throws typed errors naming the path. */
export function canonicalCapsuleForm(capsule: unknown): string {
  assertObject(capsule);
  return canonicalFormOf(capsule, CAPSULE_ID_EXCLUDED_MEMBERS);
}

/**
 * Computes `capsule_id`: JSON-DIGEST of the capsule without `capsule_id` and `chain`.
 * Throws a typed `CapsuleError` (with path) when the capsule is outside the
 * JSON-DIGEST domain (floats, unsafe integers, lone surrogates, non-JSON values).
 */
export function computeCapsuleId(capsule: unknown): string {
  return sha256Hex(canonicalCapsuleForm(capsule));
}

/** Returns a shallow copy of `capsule` with `capsule_id` set to its computed value. */
export function setCapsuleId<T extends object>(capsule: T): T & { capsule_id: string } {
  const capsule_id = computeCapsuleId(capsule);
  return { ...capsule, capsule_id };
}

export type CheckCapsuleIdReturnType =
  | { ok: true; capsuleId: string }
  | { ok: false; capsuleId: string; claimed: unknown };

/** Recomputes `capsule_id` and compares it with the one the capsule carries (throws only for non-digestible input). */
export function checkCapsuleId(capsule: unknown): CheckCapsuleIdReturnType {
  const capsuleId = computeCapsuleId(capsule);
  const claimed = (capsule as Record<string, unknown>).capsule_id;
  return claimed === capsuleId ? { ok: true, capsuleId } : { ok: false, capsuleId, claimed };
}

/** Like `checkCapsuleId`, but throws `CapsuleIdMismatchError` on mismatch; returns the id. */
export function assertCapsuleId(capsule: unknown): string {
  const r = checkCapsuleId(capsule);
  if (!r.ok) {
    throw new CapsuleIdMismatchError({
      path: "/capsule_id",
      details: `carries ${isJsonDigest(r.claimed) ? r.claimed : JSON.stringify(r.claimed) ?? String(r.claimed)}, recomputes to ${r.capsuleId}`,
    });
  }
  return r.capsuleId;
}
