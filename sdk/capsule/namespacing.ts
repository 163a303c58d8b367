/**
 * Namespacing convention (draft-mih-scitt-agent-action-capsule-01 §9.1).
 *
 * Three vocabularies are producer-local and not registry-governed: Constraint
 * `id` / `check_type`, `compliance.framework_tags`, and `assurance.sources[].kind`.
 * Bare names (no namespace separator) are reserved for values seeded by the profile
 * — and -01 seeds none — so a new value MUST carry a URI or reverse-DNS prefix
 * (e.g. `com.example.margin_floor`, `urn:example:check`). A bare unseeded name is
 * non-conforming for a producer (the builder refuses it) and informational for a
 * verifier (Class 1 check 8 reports it, never rejects).
 *
 * §8.1 adds that Constraint `id`, `check_type` and `method` values are lowercase
 * snake_case categories (`method` is not namespaced).
 */
import type { CapsuleIssue } from "./errors.js";
import { issue, isRecord, notObjectIssue } from "./issues.js";
import { jsonPointer } from "./jsonPointer.js";

/** Bare names seeded by this profile version for the §9.1 vocabularies (none in -01). */
export const CAPSULE_SEEDED_BARE_NAMES: readonly string[] = [];

const URI_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const REVERSE_DNS_FORM = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9_-]+)+$/;
const SNAKE_CASE = /^[a-z][a-z0-9_]*$/;

/** True when `name` carries a URI or reverse-DNS namespace prefix. */
export function isNamespacedName(name: string): boolean {
  if (typeof name !== "string") return false;
  return URI_FORM.test(name) || REVERSE_DNS_FORM.test(name);
}

/** True when `name` is a bare name the profile has not seeded (non-conforming for producers). */
export function isBareUnseededName(name: string): boolean {
  if (typeof name !== "string") return false;
  return !isNamespacedName(name) && !CAPSULE_SEEDED_BARE_NAMES.includes(name);
}

/** True when `name` is a lowercase snake_case category, optionally namespaced (`com.example.margin_floor`). */
export function isCapsuleSnakeCaseCategory(name: string): boolean {
  if (typeof name !== "string") return false;
  if (SNAKE_CASE.test(name)) return true;
  if (!isNamespacedName(name)) return false;
  const last = name.split(/[.:/]/).pop() ?? "";
  return SNAKE_CASE.test(last) && name === name.toLowerCase();
}

/** Paths and values of every §9.1 name in a capsule (raw member reads; non-strings skipped). */
export function collectNamespacedNames(capsule: Record<string, unknown>): { path: string; name: string }[] {
  const out: { path: string; name: string }[] = [];
  const constraints = capsule.constraints;
  if (Array.isArray(constraints)) {
    constraints.forEach((c, i) => {
      if (!isRecord(c)) return;
      if (typeof c.id === "string") out.push({ path: jsonPointer("constraints", i, "id"), name: c.id });
      if (typeof c.check_type === "string") out.push({ path: jsonPointer("constraints", i, "check_type"), name: c.check_type });
    });
  }
  const compliance = capsule.compliance;
  if (isRecord(compliance) && Array.isArray(compliance.framework_tags)) {
    compliance.framework_tags.forEach((t, i) => {
      if (typeof t === "string") out.push({ path: jsonPointer("compliance", "framework_tags", i), name: t });
    });
  }
  const assurance = capsule.assurance;
  if (isRecord(assurance) && Array.isArray(assurance.sources)) {
    assurance.sources.forEach((s, i) => {
      if (isRecord(s) && typeof s.kind === "string") out.push({ path: jsonPointer("assurance", "sources", i, "kind"), name: s.kind });
    });
  }
  return out;
}

/** §9.1 findings: each bare unseeded name, at `severity` (info for verifiers, error for the builder). */
export function checkCapsuleNamespacing(capsule: unknown, severity: "info" | "error" = "info"): CapsuleIssue[] {
  const out: CapsuleIssue[] = [];
  if (!isRecord(capsule)) return [notObjectIssue(capsule)];
  for (const { path, name } of collectNamespacedNames(capsule)) {
    if (isBareUnseededName(name)) {
      out.push(issue("CAPSULE_BARE_NAME", severity, path, `${JSON.stringify(name)} is a bare, unseeded name; new values carry a URI or reverse-DNS prefix (e.g. "com.example.${name}")`));
    }
  }
  return out;
}
