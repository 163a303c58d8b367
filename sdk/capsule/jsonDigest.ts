/**
 * JSON-DIGEST (draft-mih-scitt-agent-action-capsule-01 §2):
 *
 *     HEX(SHA-256(JCS(normalize(v))))
 *
 * the lowercase-hex SHA-256 of the RFC 8785 JSON Canonicalization Scheme
 * serialization of a value after absent-field normalization: object members whose
 * value is null, an empty array or an empty object are removed, bottom-up (so a
 * member whose object empties out after normalization is removed too). Array
 * elements are never removed (only members are); the top-level value is kept.
 *
 * Input domain, enforced with typed errors naming the JSON Pointer path:
 * - numbers: integers within ±(2^53−1) only (§5.1: monetary and quantity values are
 *   exact decimal strings; "digests are not reproducible across implementations
 *   otherwise"). Floats → `CapsuleJsonFloatError`, larger integers →
 *   `CapsuleJsonUnsafeIntegerError`; -0 canonicalizes as 0 (RFC 8785 §3.2.2.3).
 * - strings and member names: well-formed UTF-16 (I-JSON, RFC 8785 §3.1) →
 *   `CapsuleJsonLoneSurrogateError`; no Unicode normalization is applied (JCS does none).
 * - plain objects and arrays only; no cycles; an object member whose value is
 *   `undefined` counts as absent (like null), any other non-JSON value is an error.
 * - nesting depth is unbounded: the general path is iterative (explicit stack).
 *
 * Implementation: a fast recursive pass builds the normalized value with members in
 * JCS order and serializes it with JSON.stringify, which equals RFC 8785 for this
 * domain (safe integers, well-formed strings, members inserted in UTF-16 order).
 * When that equivalence cannot be guaranteed (member names V8 orders as array
 * indices, a `__proto__` member, nesting deeper than the fast pass allows) or the
 * value is outside the domain, the iterative path normalizes and serializes with
 * the `canonicalize` package (RFC 8785), or throws the precise error.
 */
import canonicalize from "canonicalize";
import { createHash } from "node:crypto";
import { CapsuleError, type CapsuleErrorCode, capsuleErrorClass } from "./errors.js";
import { escapeJsonPointerToken } from "./jsonPointer.js";

/** A problem with a value's JSON-DIGEST domain, with the JSON Pointer where it is. */
export type CapsuleJsonProblem = { code: CapsuleErrorCode; path: string; message: string };

// ---------------------------------------------------------------- fast path

const FAST_MAX_DEPTH = 200;
/** Thrown inside the fast pass to fall back to the general path (not an Error: no stack capture). */
const BAIL: unique symbol = Symbol("bail");
/** Normalized empty object, recognised by identity by the parent to drop the member. */
const EMPTY_OBJECT: Readonly<Record<string, never>> = Object.freeze({});
const objectProto = Object.prototype;

/** `String.prototype.isWellFormed` (ES2024; Node >= 20): false when the string holds a lone surrogate. */
function wellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

let fastNeedsLibrary = false;

function fastValue(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case "string":
      if (!wellFormed(v)) throw BAIL;
      return v;
    case "number":
      if (!Number.isSafeInteger(v)) throw BAIL;
      return v;
    case "boolean":
      return v;
    case "object": {
      if (v === null) return null;
      if (depth > FAST_MAX_DEPTH) throw BAIL;
      if (Array.isArray(v)) {
        const n = v.length;
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          const x = v[i];
          if (x === undefined) throw BAIL;
          out[i] = fastValue(x, depth + 1);
        }
        return out;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== objectProto && proto !== null) throw BAIL;
      return fastObject(v as Record<string, unknown>, depth, undefined);
    }
    default:
      throw BAIL;
  }
}

function fastObject(v: Record<string, unknown>, depth: number, exclude: ReadonlySet<string> | undefined): unknown {
  const keys = Object.keys(v);
  if (keys.length > 1) keys.sort();
  const out: Record<string, unknown> = {};
  let count = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (exclude !== undefined && exclude.has(k)) continue;
    const raw = v[k];
    if (raw === undefined || raw === null) continue;
    const x = fastValue(raw, depth + 1);
    if (x === EMPTY_OBJECT) continue;
    if (typeof x === "object" && Array.isArray(x) && x.length === 0) continue;
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57) fastNeedsLibrary = true; // V8 enumerates array-index names first
    else if (k === "__proto__") throw BAIL;
    if (!wellFormed(k)) throw BAIL;
    out[k] = x;
    count++;
  }
  return count === 0 ? EMPTY_OBJECT : out;
}

/** Fast canonical form, or undefined when the general path must decide. */
function fastCanonical(value: unknown, exclude: ReadonlySet<string> | undefined): string | undefined {
  fastNeedsLibrary = false;
  let normalized: unknown;
  try {
    if (exclude !== undefined && typeof value === "object" && value !== null && !Array.isArray(value)) {
      const proto = Object.getPrototypeOf(value);
      if (proto !== objectProto && proto !== null) return undefined;
      normalized = fastObject(value as Record<string, unknown>, 0, exclude);
    } else {
      if (value === undefined) return undefined;
      normalized = fastValue(value, 0);
    }
  } catch (e) {
    if (e === BAIL) return undefined;
    if (e instanceof RangeError) return undefined; // call stack exhausted: retry iteratively
    throw e;
  }
  if (fastNeedsLibrary) return canonicalize(normalized) as string;
  return JSON.stringify(normalized);
}

// ---------------------------------------------------------------- general (iterative) path

type Frame = {
  src: Record<string, unknown> | unknown[];
  keys: string[] | null; // null: array frame
  i: number;
  out: Record<string, unknown> | unknown[];
  count: number;
  /** Token of this frame in its parent (for error paths). */
  token: string | number;
};

function describeValue(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "bigint") return `${v}n (bigint)`;
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return "a symbol";
  if (typeof v === "object" && v !== null) {
    const ctor = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return `an instance of ${ctor ?? "a non-plain object"}`;
  }
  return typeof v;
}

/** Classifies a non-container value; returns a problem (without path) or undefined when it is in the domain. */
function primitiveProblem(v: unknown): { code: CapsuleErrorCode; message: string } | undefined {
  switch (typeof v) {
    case "string":
      return wellFormed(v) ? undefined : { code: "CAPSULE_JSON_LONE_SURROGATE", message: "string contains a lone surrogate" };
    case "number":
      if (Number.isSafeInteger(v)) return undefined;
      if (!Number.isFinite(v)) return { code: "CAPSULE_JSON_NOT_JSON", message: `${v} is not a JSON number` };
      if (!Number.isInteger(v)) return { code: "CAPSULE_JSON_FLOAT", message: `${v} is a floating-point number; use an exact decimal string` };
      return { code: "CAPSULE_JSON_UNSAFE_INTEGER", message: `${v} is outside ±(2^53−1); use a decimal string` };
    case "boolean":
      return undefined;
    case "object":
      return v === null ? undefined : { code: "CAPSULE_JSON_NOT_JSON", message: `${describeValue(v)} is not a JSON value` };
    default:
      return { code: "CAPSULE_JSON_NOT_JSON", message: `${describeValue(v)} is not a JSON value` };
  }
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  if (typeof v !== "object" || v === null) return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === objectProto || proto === null;
}

function pathOf(stack: readonly Frame[], last: string | number | undefined): string {
  let p = "";
  for (let i = 1; i < stack.length; i++) p += "/" + escapeJsonPointerToken((stack[i] as Frame).token);
  if (last !== undefined) p += "/" + escapeJsonPointerToken(last);
  return p;
}

function setMember(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

function newFrame(src: Record<string, unknown> | unknown[], token: string | number, exclude?: ReadonlySet<string>): Frame {
  if (Array.isArray(src)) return { src, keys: null, i: 0, out: [], count: 0, token };
  let keys = Object.keys(src).sort();
  if (exclude !== undefined) keys = keys.filter((k) => !exclude.has(k));
  return { src, keys, i: 0, out: {}, count: 0, token };
}

/**
 * Iterative normalization. With `problems` it collects every problem (up to `limit`)
 * and returns undefined if any; without, it throws the first as a typed error.
 */
function normalizeGeneral(
  value: unknown,
  exclude: ReadonlySet<string> | undefined,
  problems: CapsuleJsonProblem[] | undefined,
  limit: number,
): { value: unknown } | undefined {
  const report = (code: CapsuleErrorCode, path: string, message: string): void => {
    if (problems === undefined) {
      const Cls = capsuleErrorClass(code);
      throw new Cls({ path, details: `${path === "" ? "(root)" : path}: ${message}` });
    }
    if (problems.length < limit) problems.push({ code, path, message });
  };
  if (!isContainer(value)) {
    if (value === undefined) report("CAPSULE_JSON_NOT_JSON", "", "undefined is not a JSON value");
    else {
      const p = primitiveProblem(value);
      if (p) report(p.code, "", p.message);
    }
    return problems !== undefined && problems.length > 0 ? undefined : { value };
  }
  const onStack = new Set<object>([value]);
  const stack: Frame[] = [newFrame(value, "", exclude)];
  let result: unknown;
  let failed = false;
  while (stack.length > 0) {
    const f = stack[stack.length - 1] as Frame;
    let pushed = false;
    if (f.keys === null) {
      const src = f.src as unknown[];
      const out = f.out as unknown[];
      while (f.i < src.length) {
        const idx = f.i++;
        const x = src[idx];
        if (isContainer(x)) {
          if (onStack.has(x)) { report("CAPSULE_JSON_CYCLE", pathOf(stack, idx), "value contains itself"); failed = true; out.push(null); continue; }
          onStack.add(x);
          stack.push(newFrame(x, idx));
          pushed = true;
          break;
        }
        if (x === undefined) { report("CAPSULE_JSON_NOT_JSON", pathOf(stack, idx), "undefined array element is not JSON"); failed = true; out.push(null); continue; }
        const p = primitiveProblem(x);
        if (p) { report(p.code, pathOf(stack, idx), p.message); failed = true; }
        out.push(x);
      }
    } else {
      const src = f.src as Record<string, unknown>;
      const out = f.out as Record<string, unknown>;
      const keys = f.keys;
      while (f.i < keys.length) {
        const k = keys[f.i++] as string;
        const x = src[k];
        if (x === undefined || x === null) continue;
        if (isContainer(x)) {
          if (onStack.has(x)) { report("CAPSULE_JSON_CYCLE", pathOf(stack, k), "value contains itself"); failed = true; continue; }
          onStack.add(x);
          stack.push(newFrame(x, k));
          pushed = true;
          break;
        }
        const p = primitiveProblem(x);
        if (p) { report(p.code, pathOf(stack, k), p.message); failed = true; continue; }
        if (!wellFormed(k)) { report("CAPSULE_JSON_LONE_SURROGATE", pathOf(stack, k), "member name contains a lone surrogate"); failed = true; }
        setMember(out, k, x);
        f.count++;
      }
    }
    if (pushed) continue;
    // frame complete: attach to parent (members that normalized to empty are dropped)
    stack.pop();
    onStack.delete(f.src);
    const done = f.out;
    const empty = f.keys === null ? (done as unknown[]).length === 0 : f.count === 0;
    const parent = stack[stack.length - 1];
    if (parent === undefined) { result = done; break; }
    if (parent.keys === null) (parent.out as unknown[]).push(done);
    else if (!empty) {
      const k = f.token as string;
      if (!wellFormed(k)) { report("CAPSULE_JSON_LONE_SURROGATE", pathOf(stack, k), "member name contains a lone surrogate"); failed = true; }
      setMember(parent.out as Record<string, unknown>, f.token as string, done);
      parent.count++;
    }
  }
  if (failed || (problems !== undefined && problems.length > 0)) return undefined;
  return { value: result };
}

// ---------------------------------------------------------------- public API

/**
 * Absent-field normalization (§2): returns a copy of `value` with every object member
 * whose value is null, an empty array or an empty object removed, bottom-up.
 * Throws a typed `CapsuleError` (with the JSON Pointer path) for values outside the
 * JSON-DIGEST domain. Member order of the copy is JCS order.
 */
export function normalizeAbsentFields(value: unknown): unknown {
  return (normalizeGeneral(value, undefined, undefined, 0) as { value: unknown }).value;
}

/** JCS(normalize(value)) with the given top-level members excluded. */
export function canonicalFormOf(value: unknown, excludeTopLevel?: ReadonlySet<string>): string {
  const fast = fastCanonical(value, excludeTopLevel);
  if (fast !== undefined) return fast;
  const normalized = (normalizeGeneral(value, excludeTopLevel, undefined, 0) as { value: unknown }).value;
  return canonicalize(normalized) as string;
}

/**
 * The canonical JSON text a JSON-DIGEST hashes: RFC 8785 JCS of the
 * absent-field-normalized value (§2). Throws typed errors naming the path.
 */
export function canonicalJson(value: unknown): string {
  return canonicalFormOf(value, undefined);
}

/** Lowercase-hex SHA-256 of a UTF-8 string. */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * JSON-DIGEST (§2): HEX(SHA-256(JCS(normalize(value)))). Throws a typed
 * `CapsuleError` naming the JSON Pointer path for floats, integers outside
 * ±(2^53−1), lone surrogates, cycles and non-JSON values.
 */
export function jsonDigest(value: unknown): string {
  return sha256Hex(canonicalFormOf(value, undefined));
}

/**
 * Every problem keeping `value` out of the JSON-DIGEST domain (at most `limit`),
 * each with its JSON Pointer. Never throws; empty when the value is digestible.
 */
export function findJsonDigestProblems(
  value: unknown,
  options: { excludeTopLevel?: ReadonlySet<string>; limit?: number } = {},
): CapsuleJsonProblem[] {
  const problems: CapsuleJsonProblem[] = [];
  try {
    normalizeGeneral(value, options.excludeTopLevel, problems, options.limit ?? 100);
  } catch (e) {
    const message = e instanceof CapsuleError ? e.shortMessage : e instanceof Error ? e.message : String(e);
    problems.push({ code: "CAPSULE_JSON_NOT_JSON", path: "", message: `value could not be read: ${message}` });
  }
  return problems;
}

/** True when `value` is a JSON-DIGEST: 64 lowercase hex characters. */
export function isJsonDigest(value: unknown): value is string {
  return typeof value === "string" && value.length === 64 && /^[0-9a-f]{64}$/.test(value);
}
