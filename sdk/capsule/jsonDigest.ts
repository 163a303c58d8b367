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
 * - hostile objects (throwing getters, proxy traps, revoked proxies): whatever reading a
 *   member throws becomes `CapsuleJsonNotJsonError` with the member's path and the
 *   thrown value as `cause`; nothing untyped escapes.
 *
 * Implementation: a fast recursive pass builds the normalized value with members in
 * JCS order and serializes it with JSON.stringify, which equals RFC 8785 for this
 * domain (safe integers, well-formed strings, members inserted in UTF-16 order).
 * When that equivalence cannot be guaranteed (member names V8 orders as array
 * indices, a `__proto__` member, nesting deeper than the fast pass allows) or the
 * value is outside the domain, the iterative path normalizes and serializes with
 * the `canonicalize` package (RFC 8785), or throws the precise error.
 *
 * The same two passes make the verifiers' snapshot (`snapshotJson`): a null-prototype,
 * absent-field normalized copy in which each member of the input was read once, with
 * the domain problems collected (never thrown) — at most `limit` of them with paths
 * (built lazily, a path costs the depth) and the rest counted. When the fast pass
 * gives way, its partial reading is discarded and the walk reads afresh, so every
 * snapshot is ONE reading. Every check and the capsule_id then run on that copy: a
 * getter cannot answer two checks differently, and a member that normalizes away is
 * absent for the checks as for the id.
 */
import canonicalize from "canonicalize";
import { createHash } from "node:crypto";
import { type CapsuleErrorCode, capsuleErrorClass, describeError } from "./errors.js";
import { jsonPointerOfFrames } from "./jsonPointer.js";

/** A problem with a value's JSON-DIGEST domain, with the JSON Pointer where it is. */
export type CapsuleJsonProblem = { code: CapsuleErrorCode; path: string; message: string };

/** `String.prototype.isWellFormed` (ES2024; Node >= 20): false when the string holds a lone surrogate (I-JSON). */
export function isWellFormedString(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

// ---------------------------------------------------------------- fast path

const FAST_MAX_DEPTH = 200;
/** Thrown inside the fast pass to fall back to the general path (not an Error: no stack capture). */
const BAIL: unique symbol = Symbol("bail");
/** Normalized empty object, recognised by identity by the parent to drop the member. */
const EMPTY_OBJECT: Readonly<Record<string, never>> = Object.freeze({});
const objectProto = Object.prototype;

/**
 * State of one fast pass (never module-level: a getter may re-enter jsonDigest in the
 * middle of a pass). `needsLibrary`: a kept member name starts with a digit, which V8
 * would enumerate first, so the copy must be serialized by `canonicalize`.
 */
type FastPass = { needsLibrary: boolean; nullPrototype: boolean };

/**
 * One recursive pass: the normalized copy of a value in the domain, or BAIL. Objects
 * that normalize to empty come back as EMPTY_OBJECT (their member is dropped); with
 * `nullPrototype` the copy's objects get a null prototype once filled (verifier
 * snapshots; V8 keeps them in fast mode, unlike Object.create(null)).
 */
function fastValue(v: unknown, depth: number, pass: FastPass): unknown {
  switch (typeof v) {
    case "string":
      if (!isWellFormedString(v)) throw BAIL;
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
          const y = fastValue(x, depth + 1, pass);
          out[i] = y === EMPTY_OBJECT && pass.nullPrototype ? Object.setPrototypeOf({}, null) : y; // elements are kept
        }
        return out;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== objectProto && proto !== null) throw BAIL;
      return fastObject(v as Record<string, unknown>, depth, undefined, pass);
    }
    default:
      throw BAIL;
  }
}

function fastObject(v: Record<string, unknown>, depth: number, exclude: ReadonlySet<string> | undefined, pass: FastPass): unknown {
  const keys = Object.keys(v);
  if (keys.length > 1) keys.sort();
  const out: Record<string, unknown> = {};
  let count = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (exclude !== undefined && exclude.has(k)) continue;
    const raw = v[k];
    if (raw === undefined || raw === null) continue;
    const x = fastValue(raw, depth + 1, pass);
    if (x === EMPTY_OBJECT) continue;
    if (typeof x === "object" && Array.isArray(x) && x.length === 0) continue;
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57) pass.needsLibrary = true; // V8 enumerates array-index names first
    else if (k === "__proto__") throw BAIL;
    if (!isWellFormedString(k)) throw BAIL;
    out[k] = x;
    count++;
  }
  if (count === 0) return EMPTY_OBJECT;
  if (pass.nullPrototype) Object.setPrototypeOf(out, null);
  return out;
}

/** Fast canonical form, or undefined when the general path must decide. */
function fastCanonical(value: unknown, exclude: ReadonlySet<string> | undefined): string | undefined {
  const pass: FastPass = { needsLibrary: false, nullPrototype: false };
  let normalized: unknown;
  try {
    if (value === undefined) return undefined;
    if (exclude !== undefined && typeof value === "object" && value !== null && !Array.isArray(value)) {
      const proto = Object.getPrototypeOf(value);
      if (proto !== objectProto && proto !== null) return undefined;
      normalized = fastObject(value as Record<string, unknown>, 0, exclude, pass);
    } else {
      normalized = fastValue(value, 0, pass);
    }
  } catch {
    // BAIL, call stack exhausted, or a hostile value (throwing getter, proxy trap):
    // the iterative path decides, and turns anything thrown into a typed error with its path
    return undefined;
  }
  if (pass.needsLibrary) return canonicalize(normalized) as string;
  return JSON.stringify(normalized);
}

// ---------------------------------------------------------------- general (iterative) path

type Frame = {
  src: Record<string, unknown> | unknown[];
  /** Member names in JCS order; null for an array frame. */
  keys: string[] | null;
  /** Number of members / elements to read. */
  n: number;
  i: number;
  out: Record<string, unknown> | unknown[];
  /** Members kept in `out` (object frames). */
  count: number;
  /** Token of this frame in its parent (for error paths). */
  token: string | number;
  /** Inside a top-level member named in `classify` (problems counted apart). */
  excluded: boolean;
};

/** Recorded problems beyond this many are counted, not listed (default of the non-throwing walks). */
export const CAPSULE_JSON_PROBLEM_LIMIT = 100;

/** Nesting depth up to which `JSON.stringify` (recursive in V8) serializes a snapshot; deeper uses `canonicalize` (iterative). */
const STRINGIFY_MAX_DEPTH = 200;

// value kinds, computed from ONE read of the value
const K_PRIMITIVE = 0; // in the domain
const K_ARRAY = 1;
const K_OBJECT = 2;
const K_UNDEFINED = 3;
const K_NULL = 4;
const K_KEEP = 5; // a JSON value outside the domain (float, unsafe integer, lone surrogate): kept, reported
const K_DROP = 6; // not a JSON value (function, bigint, class instance, unreadable): dropped, reported

function describeValue(v: unknown): string {
  try {
    if (typeof v === "number") return String(v);
    if (typeof v === "bigint") return `${v}n (bigint)`;
    if (v === undefined) return "undefined";
    if (typeof v === "function") return "a function";
    if (typeof v === "symbol") return "a symbol";
    if (typeof v === "object" && v !== null) {
      const ctor = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
      return typeof ctor === "string" && ctor !== "" ? `an instance of ${ctor}` : "a non-plain object";
    }
    return typeof v;
  } catch {
    return "an unreadable value";
  }
}

/** Options of one walk. */
type WalkOptions = {
  /** Throw the first problem as a typed error (builders) instead of collecting (verifiers). */
  throwing: boolean;
  /** Output objects have a null prototype (verifier snapshots) or Object.prototype (normalizeAbsentFields). */
  nullPrototype: boolean;
  /** Top-level members left out entirely. */
  skip?: ReadonlySet<string> | undefined;
  /** Top-level members kept, but whose problems are counted apart (`problemCountOutside` excludes them). */
  classify?: ReadonlySet<string> | undefined;
  /** Problems recorded with their path; the rest are counted. */
  limit: number;
};

/**
 * One read-once, iterative walk of a value: normalizes (absent-field removal, members
 * in JCS order) and checks the JSON-DIGEST domain. Each member and element of the
 * input is read exactly once; whatever reading throws is a CAPSULE_JSON_NOT_JSON
 * problem at that path.
 */
class JsonWalk {
  readonly problems: CapsuleJsonProblem[] = [];
  problemCount = 0;
  problemCountOutside = 0;
  /** A kept member name starts with a digit (V8 would enumerate array-index names first). */
  digitKey = false;
  maxDepth = 0;
  private badCode: CapsuleErrorCode = "CAPSULE_JSON_NOT_JSON";
  private badMessage = "";
  private badCause: unknown = undefined;
  private readonly onStack = new Set<object>();

  constructor(private readonly o: WalkOptions) {}

  private bad(code: CapsuleErrorCode, message: string, cause?: unknown): void {
    this.badCode = code;
    this.badMessage = message;
    this.badCause = cause;
  }

  /** Classifies a value already read; sets badCode/badMessage for K_KEEP / K_DROP. */
  private kindOf(x: unknown): number {
    switch (typeof x) {
      case "string":
        if (isWellFormedString(x)) return K_PRIMITIVE;
        this.bad("CAPSULE_JSON_LONE_SURROGATE", "string contains a lone surrogate");
        return K_KEEP;
      case "number":
        if (Number.isSafeInteger(x)) return K_PRIMITIVE;
        if (!Number.isFinite(x)) { this.bad("CAPSULE_JSON_NOT_JSON", `${x} is not a JSON number`); return K_DROP; }
        if (!Number.isInteger(x)) this.bad("CAPSULE_JSON_FLOAT", `${x} is a floating-point number; use an exact decimal string`);
        else this.bad("CAPSULE_JSON_UNSAFE_INTEGER", `${x} is outside ±(2^53−1); use a decimal string`);
        return K_KEEP;
      case "boolean":
        return K_PRIMITIVE;
      case "undefined":
        return K_UNDEFINED;
      case "object": {
        if (x === null) return K_NULL;
        try {
          if (Array.isArray(x)) return K_ARRAY;
          const proto = Object.getPrototypeOf(x);
          if (proto === objectProto || proto === null) return K_OBJECT;
        } catch (cause) {
          this.bad("CAPSULE_JSON_NOT_JSON", `the value could not be read: ${describeError(cause)}`, cause);
          return K_DROP;
        }
        this.bad("CAPSULE_JSON_NOT_JSON", `${describeValue(x)} is not a JSON value`);
        return K_DROP;
      }
      default:
        this.bad("CAPSULE_JSON_NOT_JSON", `${describeValue(x)} is not a JSON value`);
        return K_DROP;
    }
  }

  private report(stack: readonly Frame[], last: string | number | undefined, excluded: boolean, code: CapsuleErrorCode, message: string, cause?: unknown): void {
    if (this.o.throwing) {
      const path = jsonPointerOfFrames(stack, last);
      const Cls = capsuleErrorClass(code);
      throw new Cls({ path, cause, details: `${path === "" ? "(root)" : path}: ${message}` });
    }
    this.problemCount++;
    if (!excluded) this.problemCountOutside++;
    if (this.problems.length < this.o.limit) this.problems.push({ code, path: jsonPointerOfFrames(stack, last), message });
  }

  private reportBad(stack: readonly Frame[], last: string | number | undefined, excluded: boolean): void {
    this.report(stack, last, excluded, this.badCode, this.badMessage, this.badCause);
  }

  private newObject(): Record<string, unknown> {
    // built as a plain object and given a null prototype when complete (`finish`):
    // V8 keeps it in fast mode, where Object.create(null) objects are dictionaries
    return {};
  }

  private finishObject(out: Record<string, unknown> | unknown[]): void {
    if (this.o.nullPrototype && !Array.isArray(out)) Object.setPrototypeOf(out, null);
  }

  private setMember(out: Record<string, unknown>, k: string, v: unknown): void {
    if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }

  /** Opens a container frame (reads its keys / length once), or reports why it cannot be read. */
  private open(stack: readonly Frame[], src: Record<string, unknown> | unknown[], isArray: boolean, token: string | number, excluded: boolean): Frame | undefined {
    try {
      if (isArray) {
        const n = (src as unknown[]).length;
        return { src, keys: null, n, i: 0, out: [], count: 0, token, excluded };
      }
      let keys = Object.keys(src).sort();
      if (stack.length === 0 && this.o.skip !== undefined) {
        const skip = this.o.skip;
        keys = keys.filter((k) => !skip.has(k));
      }
      return { src, keys, n: keys.length, i: 0, out: this.newObject(), count: 0, token, excluded };
    } catch (cause) {
      this.report(stack, stack.length === 0 ? undefined : token, excluded, "CAPSULE_JSON_NOT_JSON", `the value could not be read: ${describeError(cause)}`, cause);
      return undefined;
    }
  }

  /** Runs the walk. `root` is undefined when the root value itself is not JSON. */
  run(value: unknown): { root: unknown; rootKind: number; rootDescription: string } {
    const kind = this.kindOf(value);
    if (kind !== K_ARRAY && kind !== K_OBJECT) {
      const rootDescription = describeValue(value);
      if (kind === K_UNDEFINED) { this.bad("CAPSULE_JSON_NOT_JSON", "undefined is not a JSON value"); this.reportBad([], undefined, false); return { root: undefined, rootKind: kind, rootDescription }; }
      if (kind === K_KEEP || kind === K_DROP) this.reportBad([], undefined, false);
      return { root: kind === K_DROP ? undefined : value, rootKind: kind, rootDescription };
    }
    const first = this.open([], value as Record<string, unknown> | unknown[], kind === K_ARRAY, "", false);
    if (first === undefined) return { root: undefined, rootKind: K_DROP, rootDescription: "an unreadable value" };
    const classify = this.o.classify;
    const stack: Frame[] = [first];
    this.onStack.add(value as object);
    let result: unknown;
    while (stack.length > 0) {
      const f = stack[stack.length - 1] as Frame;
      let pushed = false;
      const isArrayFrame = f.keys === null;
      while (f.i < f.n) {
        const idx = f.i++;
        const token: string | number = isArrayFrame ? idx : ((f.keys as string[])[idx] as string);
        const excluded = f.excluded || (stack.length === 1 && classify !== undefined && classify.has(token as string));
        let x: unknown;
        try {
          x = (f.src as Record<string | number, unknown>)[token];
        } catch (cause) {
          this.report(stack, token, excluded, "CAPSULE_JSON_NOT_JSON", `the member could not be read: ${describeError(cause)}`, cause);
          if (isArrayFrame) (f.out as unknown[]).push(null);
          continue;
        }
        const k = this.kindOf(x);
        if (k === K_ARRAY || k === K_OBJECT) {
          if (this.onStack.has(x as object)) {
            this.report(stack, token, excluded, "CAPSULE_JSON_CYCLE", "value contains itself");
            if (isArrayFrame) (f.out as unknown[]).push(null);
            continue;
          }
          const child = this.open(stack, x as Record<string, unknown> | unknown[], k === K_ARRAY, token, excluded);
          if (child === undefined) {
            if (isArrayFrame) (f.out as unknown[]).push(null);
            continue;
          }
          this.onStack.add(x as object);
          stack.push(child);
          if (stack.length > this.maxDepth) this.maxDepth = stack.length;
          pushed = true;
          break;
        }
        if (isArrayFrame) {
          if (k === K_UNDEFINED) { this.report(stack, token, excluded, "CAPSULE_JSON_NOT_JSON", "undefined array element is not JSON"); (f.out as unknown[]).push(null); continue; }
          if (k === K_KEEP) this.reportBad(stack, token, excluded);
          else if (k === K_DROP) { this.reportBad(stack, token, excluded); (f.out as unknown[]).push(null); continue; }
          (f.out as unknown[]).push(x);
          continue;
        }
        if (k === K_UNDEFINED || k === K_NULL) continue; // absent member
        if (k === K_KEEP) this.reportBad(stack, token, excluded);
        else if (k === K_DROP) { this.reportBad(stack, token, excluded); continue; }
        this.keep(stack, f, token as string, x, excluded);
      }
      if (pushed) continue;
      // frame complete: attach to its parent (members that normalized to empty are dropped)
      stack.pop();
      this.onStack.delete(f.src);
      const done = f.out;
      this.finishObject(done);
      const parent = stack[stack.length - 1];
      if (parent === undefined) { result = done; break; }
      if (parent.keys === null) (parent.out as unknown[]).push(done);
      else if (f.keys === null ? (done as unknown[]).length > 0 : f.count > 0) this.keep(stack, parent, f.token as string, done, f.excluded);
    }
    return { root: result, rootKind: kind, rootDescription: kind === K_ARRAY ? "an array" : "an object" };
  }

  /** Keeps member `k` in an object frame (checking the member name). */
  private keep(stack: readonly Frame[], f: Frame, k: string, v: unknown, excluded: boolean): void {
    if (!isWellFormedString(k)) this.report(stack, k, excluded, "CAPSULE_JSON_LONE_SURROGATE", "member name contains a lone surrogate");
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57) this.digitKey = true;
    this.setMember(f.out as Record<string, unknown>, k, v);
    f.count++;
  }
}

/** RFC 8785 text of a value the walk normalized and found in the domain. */
function serializeNormalized(v: unknown, walk: JsonWalk): string {
  if (walk.digitKey || walk.maxDepth > STRINGIFY_MAX_DEPTH) return canonicalize(v) as string;
  return JSON.stringify(v);
}

/** A read-once, normalized, null-prototype copy of an untrusted value (see the file comment). */
export type JsonSnapshot = {
  /** What the root is: a plain object, an array, another JSON value, or not JSON at all. */
  rootType: "object" | "array" | "value" | "not-json";
  /** Short description of the root value, for messages ("an instance of Map", "42", …). */
  rootDescription: string;
  /**
   * The normalized copy: objects have a null prototype and members in JCS order; a
   * member or element that cannot be read or is not JSON is dropped (members) or null
   * (elements); floats, unsafe integers and lone-surrogate strings are kept as read.
   */
  value: unknown;
  /** The first `limit` problems, in JCS order, with their paths. */
  problems: CapsuleJsonProblem[];
  /** Every problem, recorded or not. */
  problemCount: number;
  /** Problems outside the top-level members named in `exclude`. */
  problemCountOutside: number;
  /**
   * JCS text of the copy without the `exclude` top-level members, when that part is
   * in the JSON-DIGEST domain (its JSON-DIGEST is `sha256Hex(canonical)`); else undefined.
   */
  canonical: string | undefined;
};

export type SnapshotJsonParameters = {
  /** Top-level members kept in the copy but left out of `canonical` (e.g. capsule_id and chain). */
  exclude?: ReadonlySet<string> | undefined;
  /** Problems recorded with paths (default 100); the rest are counted. */
  limit?: number | undefined;
};

/** The snapshot of a plain-object or array root in the domain, or undefined when the walk must decide. */
function fastSnapshot(value: unknown, exclude: ReadonlySet<string> | undefined): JsonSnapshot | undefined {
  let root: unknown;
  const pass: FastPass = { needsLibrary: false, nullPrototype: true };
  try {
    if (typeof value !== "object" || value === null) return undefined;
    root = fastValue(value, 0, pass);
  } catch {
    return undefined; // BAIL, stack exhausted, or a hostile value: the walk reads again and reports
  }
  if (root === EMPTY_OBJECT) root = Object.setPrototypeOf({}, null);
  const isArray = Array.isArray(root);
  let view = root;
  if (!isArray && exclude !== undefined) {
    const src = root as Record<string, unknown>;
    const v: Record<string, unknown> = {};
    for (const k in src) if (!exclude.has(k)) v[k] = src[k];
    view = v;
  }
  return {
    rootType: isArray ? "array" : "object",
    rootDescription: isArray ? "an array" : "an object",
    value: root,
    problems: [],
    problemCount: 0,
    problemCountOutside: 0,
    canonical: pass.needsLibrary ? (canonicalize(view) as string) : JSON.stringify(view),
  };
}

/**
 * Reads an untrusted value into a normalized, null-prototype JSON copy and reports
 * its JSON-DIGEST domain problems. Never throws. Every result comes from ONE reading
 * of the input: a fast recursive pass handles values in the domain; anything else
 * (a problem, deep nesting, a throwing getter) discards that pass and the iterative
 * walk reads the input afresh, once, reporting each problem at its path.
 */
export function snapshotJson(value: unknown, parameters: SnapshotJsonParameters = {}): JsonSnapshot {
  const exclude = parameters.exclude;
  const fast = fastSnapshot(value, exclude);
  if (fast !== undefined) return fast;
  const walk = new JsonWalk({ throwing: false, nullPrototype: true, classify: exclude, limit: parameters.limit ?? CAPSULE_JSON_PROBLEM_LIMIT });
  const { root, rootKind, rootDescription } = walk.run(value);
  const rootType = rootKind === K_OBJECT ? "object" : rootKind === K_ARRAY ? "array" : rootKind === K_DROP || rootKind === K_UNDEFINED ? "not-json" : "value";
  let canonical: string | undefined;
  if (walk.problemCountOutside === 0 && rootType !== "not-json") {
    let view = root;
    if (rootType === "object" && exclude !== undefined) {
      const src = root as Record<string, unknown>;
      const v: Record<string, unknown> = {};
      for (const k in src) {
        if (exclude.has(k)) continue;
        if (k === "__proto__") Object.defineProperty(v, k, { value: src[k], enumerable: true, writable: true, configurable: true });
        else v[k] = src[k];
      }
      view = v;
    }
    canonical = serializeNormalized(view, walk);
  }
  return { rootType, rootDescription, value: root, problems: walk.problems, problemCount: walk.problemCount, problemCountOutside: walk.problemCountOutside, canonical };
}

// ---------------------------------------------------------------- public API

/**
 * Absent-field normalization (§2): returns a copy of `value` with every object member
 * whose value is null, an empty array or an empty object removed, bottom-up.
 * Throws a typed `CapsuleError` (with the JSON Pointer path) for values outside the
 * JSON-DIGEST domain. Member order of the copy is JCS order. Each member of the input
 * is read once.
 */
export function normalizeAbsentFields(value: unknown): unknown {
  return new JsonWalk({ throwing: true, nullPrototype: false, limit: 0 }).run(value).root;
}

/** JCS(normalize(value)) with the given top-level members excluded. Throws typed errors naming the path. */
export function canonicalFormOf(value: unknown, excludeTopLevel?: ReadonlySet<string>): string {
  const fast = fastCanonical(value, excludeTopLevel);
  if (fast !== undefined) return fast;
  const walk = new JsonWalk({ throwing: true, nullPrototype: false, skip: excludeTopLevel, limit: 0 });
  return serializeNormalized(walk.run(value).root, walk);
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
 * ±(2^53−1), lone surrogates, cycles, non-JSON values and members that cannot be
 * read (a throwing getter or proxy trap: `CapsuleJsonNotJsonError` with the cause).
 */
export function jsonDigest(value: unknown): string {
  return sha256Hex(canonicalFormOf(value, undefined));
}

export type FindJsonDigestProblemsParameters = {
  /** Top-level members left out (as `capsule_id` and `chain` are left out of capsule_id). */
  excludeTopLevel?: ReadonlySet<string> | undefined;
  /** Problems returned at most (default 100). */
  limit?: number | undefined;
};

export type FindJsonDigestProblemsReturnType = CapsuleJsonProblem[];

/**
 * Every problem keeping `value` out of the JSON-DIGEST domain (at most `limit`),
 * each with its JSON Pointer. Never throws; empty when the value is digestible.
 */
export function findJsonDigestProblems(value: unknown, parameters: FindJsonDigestProblemsParameters = {}): FindJsonDigestProblemsReturnType {
  const p: FindJsonDigestProblemsParameters = typeof parameters === "object" && parameters !== null ? parameters : {};
  const walk = new JsonWalk({ throwing: false, nullPrototype: true, skip: p.excludeTopLevel, limit: p.limit ?? CAPSULE_JSON_PROBLEM_LIMIT });
  walk.run(value);
  return walk.problems;
}

/** True when `value` is a JSON-DIGEST: 64 lowercase hex characters. */
export function isJsonDigest(value: unknown): value is string {
  return typeof value === "string" && value.length === 64 && /^[0-9a-f]{64}$/.test(value);
}
