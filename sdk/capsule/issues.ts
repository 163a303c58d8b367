/**
 * Small shared helpers for the rule modules: issue construction, the "absent"
 * reading that mirrors absent-field normalization (§2), and the field-presence and
 * field-type rules every payload structure check uses (Capsule check 1, outcomes).
 */
import type { CapsuleErrorCode, CapsuleFindingSeverity, CapsuleIssue } from "./errors.js";
import { isJsonDigest } from "./jsonDigest.js";

export function issue(code: CapsuleErrorCode, severity: CapsuleFindingSeverity, path: string, message: string): CapsuleIssue {
  return { code, severity, path, message };
}

/**
 * True when a member counts as absent: undefined, null, an empty array or an
 * empty object — the values absent-field normalization removes (§2), so a field
 * carrying one of them is digest-equivalent to a missing field.
 */
export function isAbsent(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v !== "object") return false;
  if (Array.isArray(v)) return v.length === 0;
  for (const _ in v) return false;
  return Object.keys(v).length === 0;
}

/** A plain JSON object (not an array, not null). */
/** The check-1 finding of a Capsule argument that is not a JSON object (check* return it, never throw). */
export function notObjectIssue(v: unknown): CapsuleIssue {
  const kind = v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
  return issue("CAPSULE_NOT_OBJECT", "error", "", `a Capsule is a JSON object, got ${kind}`);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Short, safe rendering of a value for messages (never throws, bounded length). */
export function show(v: unknown): string {
  let s: string;
  try {
    if (typeof v === "string") s = JSON.stringify(v);
    else if (typeof v === "number" || typeof v === "boolean" || v === null) s = String(v);
    else if (v === undefined) s = "undefined";
    else if (Array.isArray(v)) s = "an array";
    else if (typeof v === "object") s = "an object";
    else s = typeof v;
  } catch {
    s = "an unreadable value";
  }
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

/** JSON type name for messages. */
export function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/**
 * A REQUIRED member of JSON type `kind`: CAPSULE_FIELD_MISSING when absent (or, for
 * a string, empty), CAPSULE_FIELD_TYPE when of another type. Returns true when valid.
 */
export function requireField(out: CapsuleIssue[], obj: Record<string, unknown>, base: string, key: string, kind: "string" | "boolean"): boolean {
  const v = obj[key];
  const path = `${base}/${key}`;
  if (isAbsent(v) || (kind === "string" && v === "")) {
    out.push(issue("CAPSULE_FIELD_MISSING", "error", path, `${key} is required`));
    return false;
  }
  if (typeof v !== kind) {
    out.push(issue("CAPSULE_FIELD_TYPE", "error", path, `${key} must be a ${kind}, got ${jsonType(v)}`));
    return false;
  }
  return true;
}

/** An OPTIONAL string member: CAPSULE_FIELD_TYPE when present and not a string. */
export function optionalStringField(out: CapsuleIssue[], obj: Record<string, unknown>, base: string, key: string): void {
  const v = obj[key];
  if (isAbsent(v)) return;
  if (typeof v !== "string") out.push(issue("CAPSULE_FIELD_TYPE", "error", `${base}/${key}`, `${key} must be a string, got ${jsonType(v)}`));
}

/** An OPTIONAL JSON-DIGEST member: CAPSULE_DIGEST_MALFORMED when present and not 64 lowercase hex. */
export function optionalDigestField(out: CapsuleIssue[], obj: Record<string, unknown>, base: string, key: string): void {
  const v = obj[key];
  if (isAbsent(v)) return;
  if (!isJsonDigest(v)) out.push(issue("CAPSULE_DIGEST_MALFORMED", "error", `${base}/${key}`, `${key} must be 64 lowercase hex characters, got ${show(v)}`));
}
