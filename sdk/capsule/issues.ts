/**
 * Small shared helpers for the rule modules: issue construction and the
 * "absent" reading that mirrors absent-field normalization (§2).
 */
import type { CapsuleErrorCode, CapsuleFindingSeverity, CapsuleIssue } from "./errors.js";

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
