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
import { type CapsuleError, CapsuleIdMismatchError, CapsuleIdUncomputableError, CapsuleNotObjectError, capsuleErrorFromIssue } from "./errors.js";
import { type JsonSnapshot, canonicalFormOf, isJsonDigest, sha256Hex, snapshotJson } from "./jsonDigest.js";

/** Top-level members excluded from the canonical capsule form (§5.1). */
export const CAPSULE_ID_EXCLUDED_MEMBERS: ReadonlySet<string> = new Set(["capsule_id", "chain"]);

function assertObject(capsule: unknown): asserts capsule is Record<string, unknown> {
  let kind: string;
  try {
    kind = capsule === null ? "null" : Array.isArray(capsule) ? "an array" : typeof capsule;
  } catch (cause) {
    throw new CapsuleNotObjectError({ cause, details: "the capsule could not be inspected" });
  }
  if (kind !== "object") throw new CapsuleNotObjectError({ details: `a capsule is a JSON object, got ${kind}` });
}

/**
 * A Capsule read exactly once (see `snapshotJson`): the normalized, null-prototype
 * copy every verifier check runs on, and the capsule_id recomputed from that same copy.
 */
export type CapsuleSnapshot = {
  /** The normalized copy when the input is a plain object; undefined otherwise. */
  capsule: Record<string, unknown> | undefined;
  /** capsule_id recomputed over the copy; undefined when its canonical form is outside the JSON-DIGEST domain. */
  capsuleId: string | undefined;
  /** The underlying snapshot (domain problems, root description). */
  json: JsonSnapshot;
};

/** True when a JSON Pointer lies inside a top-level member excluded from capsule_id. */
export function isUnderExcludedMember(path: string): boolean {
  for (const m of CAPSULE_ID_EXCLUDED_MEMBERS) if (path === `/${m}` || path.startsWith(`/${m}/`)) return true;
  return false;
}

/** Reads an untrusted Capsule once and recomputes its id from what was read. Never throws. */
export function snapshotCapsule(input: unknown, limit?: number): CapsuleSnapshot {
  const json = snapshotJson(input, { exclude: CAPSULE_ID_EXCLUDED_MEMBERS, limit });
  if (json.rootType !== "object") return { capsule: undefined, capsuleId: undefined, json };
  return { capsule: json.value as Record<string, unknown>, capsuleId: json.canonical === undefined ? undefined : sha256Hex(json.canonical), json };
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
  | { ok: true; capsuleId: string; error?: undefined }
  /** The id recomputes to `capsuleId`, not to the `claimed` one. */
  | { ok: false; capsuleId: string; claimed: unknown; error?: undefined }
  /** The id cannot be recomputed: not an object, or outside the JSON-DIGEST domain (`error` says where). */
  | { ok: false; capsuleId: undefined; claimed: unknown; error: CapsuleError };

/**
 * Recomputes `capsule_id` and compares it with the one the capsule carries, both from
 * one reading of the capsule. Never throws (the `check*` convention): input that is not
 * a digestible object is `{ ok: false, capsuleId: undefined, error }`, `error` being
 * `CapsuleNotObjectError` or the typed error of the first domain problem.
 */
export function checkCapsuleId(capsule: unknown): CheckCapsuleIdReturnType {
  const snap = snapshotCapsule(capsule);
  if (snap.capsule === undefined) {
    const first = snap.json.problems[0];
    const error = first !== undefined && first.code === "CAPSULE_JSON_NOT_JSON" ? capsuleErrorFromIssue({ ...first, severity: "error" }) : new CapsuleNotObjectError({ details: `a capsule is a JSON object, got ${snap.json.rootDescription}` });
    return { ok: false, capsuleId: undefined, claimed: undefined, error };
  }
  if (snap.capsuleId === undefined) {
    const first = snap.json.problems.find((p) => !isUnderExcludedMember(p.path));
    const error = first === undefined ? new CapsuleIdUncomputableError({ details: "the canonical capsule form cannot be digested" }) : capsuleErrorFromIssue({ ...first, severity: "error" });
    return { ok: false, capsuleId: undefined, claimed: snap.capsule.capsule_id, error };
  }
  const claimed = snap.capsule.capsule_id;
  return claimed === snap.capsuleId ? { ok: true, capsuleId: snap.capsuleId } : { ok: false, capsuleId: snap.capsuleId, claimed };
}

/** Like `checkCapsuleId`, but throws: `CapsuleIdMismatchError` on mismatch, the typed error when the id cannot be recomputed; returns the id. */
export function assertCapsuleId(capsule: unknown): string {
  const r = checkCapsuleId(capsule);
  if (r.error !== undefined) throw r.error;
  if (!r.ok) {
    throw new CapsuleIdMismatchError({
      path: "/capsule_id",
      details: `carries ${isJsonDigest(r.claimed) ? r.claimed : JSON.stringify(r.claimed) ?? String(r.claimed)}, recomputes to ${r.capsuleId}`,
    });
  }
  return r.capsuleId;
}
