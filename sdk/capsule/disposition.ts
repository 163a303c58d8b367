/**
 * Disposition (draft-mih-scitt-agent-action-capsule-01 §5.4): how the decision was
 * disposed.
 *
 * - `decision` REQUIRED (registry-governed), `approver` REQUIRED (closed: human |
 *   policy), `human_disposed` REQUIRED boolean.
 * - The honesty invariant: `human_disposed: true` REQUIRES `approver: "human"`.
 *   `createDisposition` is the typed carrier that makes the violating combination
 *   unconstructible (and the `CapsuleDisposition` type makes it unrepresentable);
 *   `buildCapsule` refuses it too. §6 says the invariant is "structurally guaranteed,
 *   not a live check" and is NOT re-asserted in the enumeration of checks 1–8, while
 *   a verifier consuming hand-crafted bytes SHOULD assert it defensively (§6, §13).
 *   Verifiers therefore report it as a warning outside checks 1–8
 *   (`check: "defensive"`), which does not gate `ok` (the authors' reference verifier
 *   likewise reports a non-gating warning). See `checkDispositionHonesty`.
 * - `authority` is an opaque reference (a string), never the authority's structure.
 * - `reason_digest` is absent when there is no reason — never the digest of `{}`.
 * - `expiry_policy` {ttl_seconds (integer seconds), on_expiry: expired | escalated},
 *   on deferral dispositions only; ttl is evaluated against the Capsule's own
 *   `timestamp` (the named clock basis), never a receipt time or a local clock.
 */
import { type CapsuleIssue, capsuleErrorFromIssue } from "./errors.js";
import { issue, isAbsent, isRecord, jsonType, show } from "./issues.js";
import { isJsonDigest, jsonDigest } from "./jsonDigest.js";
import { capsuleTimestampToMillis } from "./timestamp.js";
import type { CapsuleDisposition, CapsuleExpiryPolicy } from "./types.js";
import { CAPSULE_APPROVERS, CAPSULE_ON_EXPIRY_VALUES, isCapsuleEnumValue } from "./vocabulary.js";

/** JSON-DIGEST of an empty object: what a `reason_digest` must never be (§5.4). */
export const CAPSULE_EMPTY_REASON_DIGEST = jsonDigest({});

/** True when the disposition is a deferral (the only kind that may carry an expiry_policy). */
export function isDeferralDisposition(disposition: unknown): boolean {
  return isRecord(disposition) && (disposition.decision === "deferred" || disposition.verdict_class === "deferred");
}

/**
 * Rules of the disposition block (part of Class 1 check 1; the honesty invariant is
 * `checkDispositionHonesty`, not part of check 1). `d` is the raw
 * `capsule.disposition` member (present). Paths are absolute ("/disposition/...").
 */
export function checkCapsuleDisposition(d: unknown, base = "/disposition"): CapsuleIssue[] {
  const out: CapsuleIssue[] = [];
  if (!isRecord(d)) {
    out.push(issue("CAPSULE_FIELD_TYPE", "error", base, `disposition must be an object, got ${jsonType(d)}`));
    return out;
  }
  // decision
  if (isAbsent(d.decision)) out.push(issue("CAPSULE_FIELD_MISSING", "error", `${base}/decision`, "disposition.decision is required"));
  else if (typeof d.decision !== "string" || d.decision === "") out.push(issue("CAPSULE_FIELD_TYPE", "error", `${base}/decision`, `disposition.decision must be a non-empty string, got ${show(d.decision)}`));
  // approver (closed)
  if (isAbsent(d.approver)) out.push(issue("CAPSULE_FIELD_MISSING", "error", `${base}/approver`, "disposition.approver is required"));
  else if (typeof d.approver !== "string") out.push(issue("CAPSULE_FIELD_TYPE", "error", `${base}/approver`, `disposition.approver must be a string, got ${jsonType(d.approver)}`));
  else if (!isCapsuleEnumValue(CAPSULE_APPROVERS, d.approver)) out.push(issue("CAPSULE_FIELD_VALUE", "error", `${base}/approver`, `approver ${show(d.approver)} is outside the closed enum {human, policy}`));
  // human_disposed
  if (d.human_disposed === undefined || d.human_disposed === null) out.push(issue("CAPSULE_FIELD_MISSING", "error", `${base}/human_disposed`, "disposition.human_disposed is required"));
  else if (typeof d.human_disposed !== "boolean") out.push(issue("CAPSULE_FIELD_TYPE", "error", `${base}/human_disposed`, `disposition.human_disposed must be a boolean, got ${show(d.human_disposed)}`));
  // authority: an opaque reference
  if (!isAbsent(d.authority) && typeof d.authority !== "string") {
    out.push(issue("CAPSULE_FIELD_TYPE", "error", `${base}/authority`, "authority is an opaque reference (a string), never the authority's internal structure"));
  }
  if (!isAbsent(d.verdict_class) && (typeof d.verdict_class !== "string" || d.verdict_class === "")) {
    out.push(issue("CAPSULE_FIELD_TYPE", "error", `${base}/verdict_class`, `verdict_class must be a non-empty string, got ${show(d.verdict_class)}`));
  }
  // reason_digest
  if (!isAbsent(d.reason_digest)) {
    if (!isJsonDigest(d.reason_digest)) out.push(issue("CAPSULE_DIGEST_MALFORMED", "error", `${base}/reason_digest`, `reason_digest must be 64 lowercase hex characters, got ${show(d.reason_digest)}`));
    else if (d.reason_digest === CAPSULE_EMPTY_REASON_DIGEST) out.push(issue("CAPSULE_REASON_DIGEST_EMPTY", "warning", `${base}/reason_digest`, "reason_digest is the digest of an empty object; a verdict without a reason omits the member"));
  }
  // expiry_policy
  if (!isAbsent(d.expiry_policy)) out.push(...checkExpiryPolicy(d.expiry_policy, d, `${base}/expiry_policy`));
  return out;
}

/**
 * The honesty invariant (§5.4): `human_disposed: true` REQUIRES `approver: "human"`.
 * `severity` is "error" for producers (builder, `createDisposition`: the combination
 * cannot be formed) and "warning" for verifiers (the §6 defensive SHOULD, outside the
 * enumerated checks). `d` is the raw disposition member (any value).
 */
export function checkDispositionHonesty(d: unknown, severity: "error" | "warning", base = "/disposition"): CapsuleIssue[] {
  if (!isRecord(d) || d.human_disposed !== true || typeof d.approver !== "string" || d.approver === "human") return [];
  return [issue("CAPSULE_DISPOSITION_DISHONEST", severity, `${base}/human_disposed`, `human_disposed is true but approver is ${show(d.approver)}: a policy disposition cannot be presented as human oversight`)];
}

function checkExpiryPolicy(p: unknown, d: Record<string, unknown>, path: string): CapsuleIssue[] {
  const out: CapsuleIssue[] = [];
  if (!isRecord(p)) return [issue("CAPSULE_EXPIRY_POLICY_INVALID", "error", path, `expiry_policy must be an object {ttl_seconds, on_expiry}, got ${jsonType(p)}`)];
  const ttl = p.ttl_seconds;
  if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < 0) {
    out.push(issue("CAPSULE_EXPIRY_POLICY_INVALID", "error", `${path}/ttl_seconds`, `ttl_seconds must be a non-negative integer count of seconds (never a duration string), got ${show(ttl)}`));
  }
  if (!isCapsuleEnumValue(CAPSULE_ON_EXPIRY_VALUES, p.on_expiry)) {
    out.push(issue("CAPSULE_EXPIRY_POLICY_INVALID", "error", `${path}/on_expiry`, `on_expiry must be "expired" or "escalated", got ${show(p.on_expiry)}`));
  }
  if (!isDeferralDisposition(d)) {
    out.push(issue("CAPSULE_EXPIRY_POLICY_INVALID", "error", path, "expiry_policy is for deferral dispositions only (decision or verdict_class \"deferred\")"));
  }
  return out;
}

// ---------------------------------------------------------------- the typed carrier

export type CreateDispositionParameters = {
  decision: CapsuleDisposition["decision"];
  approver: CapsuleDisposition["approver"];
  humanDisposed: boolean;
  authority?: string | undefined;
  verdictClass?: CapsuleDisposition["verdict_class"];
  /** A structured reason object (never prose); its JSON-DIGEST becomes reason_digest. */
  reason?: Record<string, unknown> | undefined;
  /** Or the digest itself, when the reason object is held elsewhere. */
  reasonDigest?: string | undefined;
  expiryPolicy?: { ttlSeconds: number; onExpiry: CapsuleExpiryPolicy["on_expiry"] } | undefined;
};

/**
 * The typed disposition carrier (§5.4, §6): builds a `CapsuleDisposition` and refuses
 * (throws a typed `CapsuleError` naming the path) any combination the profile forbids —
 * above all `human_disposed: true` with a non-human approver.
 */
export function createDisposition(parameters: CreateDispositionParameters): CapsuleDisposition {
  if (!isRecord(parameters)) throw capsuleErrorFromIssue(issue("CAPSULE_NOT_OBJECT", "error", "/disposition", "createDisposition takes a parameters object { decision, approver, humanDisposed, ... }"));
  const p = parameters;
  let reasonDigest = p.reasonDigest;
  if (p.reason !== undefined) {
    if (!isRecord(p.reason)) {
      throw capsuleErrorFromIssue(issue("CAPSULE_FIELD_TYPE", "error", "/disposition/reason_digest", "the reason is a structured object of machine-readable members, never free prose"));
    }
    const d = jsonDigest(p.reason);
    if (reasonDigest !== undefined && reasonDigest !== d) {
      throw capsuleErrorFromIssue(issue("CAPSULE_DIGEST_INPUT_CONFLICT", "error", "/disposition/reason_digest", `reasonDigest ${reasonDigest} is not the JSON-DIGEST of the reason (${d})`));
    }
    reasonDigest = d;
  }
  const d: Record<string, unknown> = {
    decision: p.decision,
    approver: p.approver,
    human_disposed: p.humanDisposed,
  };
  if (p.authority !== undefined) d.authority = p.authority;
  if (p.verdictClass !== undefined) d.verdict_class = p.verdictClass;
  if (reasonDigest !== undefined) d.reason_digest = reasonDigest;
  if (p.expiryPolicy !== undefined) d.expiry_policy = { ttl_seconds: p.expiryPolicy.ttlSeconds, on_expiry: p.expiryPolicy.onExpiry };
  const problems = [
    ...checkCapsuleDisposition(d).filter((i) => i.severity === "error" || i.code === "CAPSULE_REASON_DIGEST_EMPTY"),
    ...checkDispositionHonesty(d, "error"),
  ];
  const first = problems[0];
  if (first !== undefined) throw capsuleErrorFromIssue(first);
  return d as CapsuleDisposition;
}

// ---------------------------------------------------------------- expiry (§5.4)

/**
 * The instant (ms since the epoch) a deferral's TTL elapses: the Capsule's own
 * `timestamp` plus `ttl_seconds`. Returns undefined when the Capsule has no valid
 * expiry_policy or timestamp.
 */
export function capsuleExpiryDeadline(capsule: unknown): number | undefined {
  if (!isRecord(capsule) || !isRecord(capsule.disposition)) return undefined;
  const policy = capsule.disposition.expiry_policy;
  if (!isRecord(policy) || typeof policy.ttl_seconds !== "number" || !Number.isSafeInteger(policy.ttl_seconds)) return undefined;
  if (typeof capsule.timestamp !== "string") return undefined;
  const t = capsuleTimestampToMillis(capsule.timestamp);
  return Number.isNaN(t) ? undefined : t + policy.ttl_seconds * 1000;
}

/**
 * Whether a deferral's TTL has elapsed at `at` (a Date or ms since the epoch,
 * supplied by the caller: the clock is a parameter, and the basis is the record's
 * own timestamp so every verifier computes the same result for the same `at`).
 */
export function isCapsuleExpiryElapsed(capsule: unknown, at: Date | number): boolean {
  const deadline = capsuleExpiryDeadline(capsule);
  if (deadline === undefined) return false;
  const now = typeof at === "number" ? at : at.getTime();
  return now >= deadline;
}
