/**
 * ECT header and claims: types, aliases, and the well-formedness rules of each claim.
 *
 * Spec: seed 000, 4.2.1 (JOSE header), 4.2.2 (claims: `iss`, `aud`, `iat`, `exp`, `jti`,
 * `wid`, `exec_act`, `par`, `inp_hash`, `out_hash`, `ext` with at most 4,096 bytes and 5
 * nesting levels), Table 5 steps 8-12 (each claim is checked at the step that uses it:
 * `iss` 8, `aud` 9, `exp` 10, `iat`/`nbf` 11, everything execution-specific 12).
 *
 * Naming: later drafts of the ECT specification rename `par` to `pred` and `ext` to
 * `ect_ext`. Both names are ACCEPTED on input (tokens and `createEct` parameters); this SDK
 * always EMITS and exposes the paper's names, `par` and `ext`. If a payload carries both a
 * name and its alias with different values, step 12 fails with `EctConflictingClaimsError`.
 *
 * Member names: a payload (or any object inside `ext`) with an own `__proto__` member fails
 * step 12 with `EctForbiddenMemberError`. JSON allows the name, but a consumer that copies
 * claims into its own objects by assignment would have that object's prototype replaced.
 *
 * Untrusted text in error details (claim values, `kid`, `iss`, `jti`) is always quoted with
 * `JSON.stringify` and cut to 80 characters (`quote`), so it cannot forge log lines.
 */
import { ECT_EXT_MAX_BYTES, ECT_EXT_MAX_DEPTH, type EctVerificationStep } from "./constants.js";
import {
  EctConflictingClaimsError,
  EctExtTooDeepError,
  EctForbiddenMemberError,
  EctExtTooLargeError,
  EctInvalidClaimError,
  EctMalformedHashError,
  EctMissingClaimError,
  type EctVerificationError,
} from "./errors.js";
import { isEctHash } from "./hash.js";

/** The protected JOSE header of an ECT. */
export type EctHeader = {
  alg: string;
  /** `wimse-exec+jwt` (verification also accepts it case-insensitively and with an `application/` prefix). */
  typ: string;
  kid: string;
  /** Any further header parameters, as received. */
  [parameter: string]: unknown;
};

/**
 * The decoded payload of an ECT, with aliases resolved (`pred` → `par`, `ect_ext` → `ext`).
 * Times are JWT NumericDates (seconds since the epoch).
 */
export type EctClaims = {
  /** Issuer: the agent's workload identity (e.g. a SPIFFE ID); must equal the key's subject. */
  iss: string;
  /** Audience: the receiving agent(s). */
  aud: string | string[];
  /** Issued at (seconds). */
  iat: number;
  /** Expiry (seconds). */
  exp: number;
  /** Unique task identifier; other ECTs reference it in `par`. */
  jti: string;
  /** The action performed, e.g. `"process_payment"`. */
  exec_act: string;
  /** Parent task `jti`s (DAG edges); empty for a root task. Accepted on input as `pred` too. */
  par: string[];
  /** Workflow identifier grouping related ECTs; the scope of `jti` uniqueness. */
  wid?: string;
  /** `base64url(SHA-256(input))`. */
  inp_hash?: string;
  /** `base64url(SHA-256(output))`. */
  out_hash?: string;
  /** Extension object (≤ 4,096 bytes serialised, ≤ 5 levels). Accepted on input as `ect_ext` too. */
  ext?: Record<string, unknown>;
  /** Not before (seconds), optional. */
  nbf?: number;
  /** Subject, optional and not interpreted. */
  sub?: string;
};

/** What `validateEctDag` needs of an ECT: a structural subset of `EctClaims`. */
export type EctDagNode = {
  jti: string;
  par: readonly string[];
  iat: number;
  iss: string;
  wid?: string | undefined;
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Member names that rewrite a prototype when assigned (`obj[name] = v`). */
export const FORBIDDEN_MEMBER = "__proto__";

export function hasOwnMember(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function has(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === "string" && v.length > 0;
}

function isNumericDate(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}

// ── Claims of steps 8-11 ──────────────────────────────────────────────────

/** Step 8 precondition: `iss` is a non-empty string. */
export function checkIss(payload: Record<string, unknown>): string | EctVerificationError {
  if (!has(payload, "iss")) return new EctMissingClaimError(8, { claim: "iss", details: 'claim "iss" is absent' });
  const v = payload.iss;
  if (!isNonEmptyString(v)) return new EctInvalidClaimError(8, { claim: "iss", details: '"iss" must be a non-empty string' });
  return v;
}

/** Step 9 precondition: `aud` is a non-empty string or a non-empty array of non-empty strings. */
export function checkAud(payload: Record<string, unknown>): string | string[] | EctVerificationError {
  if (!has(payload, "aud")) return new EctMissingClaimError(9, { claim: "aud", details: 'claim "aud" is absent' });
  const v = payload.aud;
  if (isNonEmptyString(v)) return v;
  if (Array.isArray(v) && v.length > 0 && v.every(isNonEmptyString)) return v as string[];
  return new EctInvalidClaimError(9, { claim: "aud", details: '"aud" must be a non-empty string or array of non-empty strings' });
}

/** Step 10/11 precondition: a NumericDate claim. */
export function checkNumericDate(
  payload: Record<string, unknown>,
  claim: "exp" | "iat" | "nbf",
  step: EctVerificationStep,
  required: boolean,
): number | undefined | EctVerificationError {
  if (!has(payload, claim)) {
    return required ? new EctMissingClaimError(step, { claim, details: `claim "${claim}" is absent` }) : undefined;
  }
  const v = payload[claim];
  if (!isNumericDate(v)) {
    return new EctInvalidClaimError(step, { claim, details: `"${claim}" must be a non-negative finite number (seconds), got ${describe(v)}` });
  }
  return v;
}

// ── Step 12: execution-specific claims ────────────────────────────────────

/** The execution-specific claims, well-formed and with aliases resolved. */
export type EctStructuralClaims = Pick<EctClaims, "jti" | "exec_act" | "par" | "wid" | "inp_hash" | "out_hash" | "ext">;

/**
 * Step 12: `jti`, `exec_act`, `par` (or `pred`) present and well-formed; optional `wid`,
 * `inp_hash`, `out_hash`, `ext` (or `ect_ext`) well-formed when present. Returns the
 * normalised claims or the first error, checked in the order listed here.
 *
 * `strictJson` additionally rejects values that JSON cannot carry (used by `createEct`, whose
 * input is not parsed JSON).
 */
export function checkStructuralClaims(payload: Record<string, unknown>, strictJson = false): EctStructuralClaims | EctVerificationError {
  if (hasOwnMember(payload, FORBIDDEN_MEMBER)) {
    return new EctForbiddenMemberError(12, { claim: FORBIDDEN_MEMBER, details: 'the payload has a member named "__proto__"' });
  }
  // jti
  if (!has(payload, "jti")) return new EctMissingClaimError(12, { claim: "jti", details: 'claim "jti" is absent' });
  const jti = payload.jti;
  if (!isNonEmptyString(jti)) return new EctInvalidClaimError(12, { claim: "jti", details: '"jti" must be a non-empty string' });

  // exec_act
  if (!has(payload, "exec_act")) return new EctMissingClaimError(12, { claim: "exec_act", details: 'claim "exec_act" is absent' });
  const execAct = payload.exec_act;
  if (!isNonEmptyString(execAct)) return new EctInvalidClaimError(12, { claim: "exec_act", details: '"exec_act" must be a non-empty string' });

  // par / pred
  const hasPar = has(payload, "par");
  const hasPred = has(payload, "pred");
  if (!hasPar && !hasPred) return new EctMissingClaimError(12, { claim: "par", details: 'claim "par" (or "pred") is absent; roots carry an empty array' });
  const par = checkParents(hasPar ? payload.par : payload.pred, hasPar ? "par" : "pred");
  if (!Array.isArray(par)) return par;
  if (hasPar && hasPred) {
    const pred = checkParents(payload.pred, "pred");
    if (!Array.isArray(pred)) return pred;
    if (pred.length !== par.length || pred.some((p, i) => p !== par[i])) {
      return new EctConflictingClaimsError({ claim: "pred", details: '"par" and "pred" are both present and differ' });
    }
  }

  const out: EctStructuralClaims = { jti, exec_act: execAct, par };

  // wid
  if (has(payload, "wid")) {
    if (!isNonEmptyString(payload.wid)) return new EctInvalidClaimError(12, { claim: "wid", details: '"wid" must be a non-empty string' });
    out.wid = payload.wid;
  }

  // inp_hash / out_hash
  for (const claim of ["inp_hash", "out_hash"] as const) {
    if (!has(payload, claim)) continue;
    const v = payload[claim];
    if (!isEctHash(v)) {
      return new EctMalformedHashError({ claim, details: `"${claim}" must be base64url(SHA-256(data)) (43 characters), got ${describe(v)}` });
    }
    out[claim] = v;
  }

  // ext / ect_ext
  const hasExt = has(payload, "ext");
  const hasEctExt = has(payload, "ect_ext");
  if (hasExt || hasEctExt) {
    const name = hasExt ? "ext" : "ect_ext";
    const ext = checkExt(hasExt ? payload.ext : payload.ect_ext, name, strictJson);
    if (!isPlainObject(ext)) return ext;
    if (hasExt && hasEctExt) {
      const other = checkExt(payload.ect_ext, "ect_ext", strictJson);
      if (!isPlainObject(other)) return other;
      if (JSON.stringify(other) !== JSON.stringify(ext)) {
        return new EctConflictingClaimsError({ claim: "ect_ext", details: '"ext" and "ect_ext" are both present and differ' });
      }
    }
    out.ext = ext;
  }
  return out;
}

function checkParents(value: unknown, claim: "par" | "pred"): string[] | EctVerificationError {
  if (!Array.isArray(value)) return new EctInvalidClaimError(12, { claim, details: `"${claim}" must be an array of jti strings, got ${describe(value)}` });
  const seen = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    const p: unknown = value[i];
    if (!isNonEmptyString(p)) return new EctInvalidClaimError(12, { claim, details: `"${claim}[${i}]" must be a non-empty string, got ${describe(p)}` });
    if (seen.has(p)) return new EctInvalidClaimError(12, { claim, details: `"${claim}" lists parent ${quote(p)} twice` });
    seen.add(p);
  }
  return value as string[];
}

/**
 * `ext`: a JSON object at most `ECT_EXT_MAX_DEPTH` levels deep (the object itself is level 1)
 * and at most `ECT_EXT_MAX_BYTES` bytes as UTF-8 JSON. Depth is measured first, iteratively
 * and with an early exit, so hostile nesting (or a cyclic object handed to `createEct`)
 * cannot exhaust the stack.
 */
export function checkExt(value: unknown, claim = "ext", strictJson = false): Record<string, unknown> | EctVerificationError {
  if (!isPlainObject(value)) return new EctInvalidClaimError(12, { claim, details: `"${claim}" must be a JSON object, got ${describe(value)}` });
  const stack: [unknown, number, string][] = [[value, 1, claim]];
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop()!;
    if (Array.isArray(v)) {
      if (depth > ECT_EXT_MAX_DEPTH) return tooDeep(claim, path);
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (typeof c === "object" && c !== null) stack.push([c, depth + 1, `${path}[${i}]`]);
        else if (strictJson && !isJsonScalar(c)) return notJson(claim, `${path}[${i}]`, c);
      }
    } else if (typeof v === "object" && v !== null) {
      if (depth > ECT_EXT_MAX_DEPTH) return tooDeep(claim, path);
      if (strictJson && !isPlainObject(v)) return notJson(claim, path, v);
      for (const k of Object.keys(v)) {
        if (k === FORBIDDEN_MEMBER) {
          return new EctForbiddenMemberError(12, { claim, details: `${quote(path)} has a member named "__proto__"` });
        }
        const c = (v as Record<string, unknown>)[k];
        if (typeof c === "object" && c !== null) stack.push([c, depth + 1, `${path}.${k}`]);
        else if (strictJson && !isJsonScalar(c)) return notJson(claim, `${path}.${k}`, c);
      }
    }
  }
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    return new EctInvalidClaimError(12, { claim, details: `"${claim}" is not serialisable: ${(cause as Error).message}`, cause });
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > ECT_EXT_MAX_BYTES) {
    return new EctExtTooLargeError({ claim, details: `"${claim}" serialises to ${bytes} bytes (max ${ECT_EXT_MAX_BYTES})` });
  }
  return value;
}

function isJsonScalar(v: unknown): boolean {
  return v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

function tooDeep(claim: string, path: string): EctVerificationError {
  return new EctExtTooDeepError({ claim, details: `"${claim}" nests deeper than ${ECT_EXT_MAX_DEPTH} levels at ${quote(path)}` });
}

function notJson(claim: string, path: string, v: unknown): EctVerificationError {
  return new EctInvalidClaimError(12, { claim, details: `${quote(path)} is not a JSON value (${describe(v)})` });
}

/** Maximum characters of untrusted text quoted into an error message. */
export const QUOTE_MAX_CHARS = 80;

/**
 * Untrusted text for an error message: cut to `max` characters (marked with "…"), then
 * JSON-quoted, so control characters and line breaks are escaped and the length is bounded.
 */
export function quote(text: string, max = QUOTE_MAX_CHARS): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** Short description of an arbitrary value for error details (never throws, never huge). */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `array(${v.length})`;
  switch (typeof v) {
    case "string":
      return `string ${quote(v, 60)}`;
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof v} ${String(v)}`;
    case "object":
      return "object";
    default:
      return typeof v;
  }
}
