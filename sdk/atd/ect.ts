/**
 * The structural view of an ECT payload that ATD reads, and its normalisation.
 *
 * Spec: draft-atd-agent-task-dag-01 §Introduction ("The ECT DAG IS the
 * execution graph"): ATD nodes are ECTs whose `exec_act` and `ext` carry ATD
 * meaning. Claim names follow the ECT paper (seed 000 §4.2): `jti`,
 * `exec_act`, `par`, `wid`, `iat`, `ext`. The later ECT draft renamed `par`
 * to `pred` and `ext` to `ect_ext`; both spellings are accepted on input
 * (identical values when both are present) and ATD always emits `par`/`ext`.
 *
 * This module deliberately does not import the ECT area: any object with
 * these member names (e.g. a verified ECT's claims) is accepted.
 */
import canonicalize from "canonicalize";
import type { AtdFinding } from "./errors.js";
import { describe } from "./errors.js";

/** The members of an ECT payload ATD looks at. Other claims may be present and are ignored. */
export type AtdEct = {
  jti: string;
  exec_act: string;
  /** Parent task ids (ECT paper). */
  par?: readonly string[] | undefined;
  /** Later ECT draft's name for `par`. */
  pred?: readonly string[] | undefined;
  /** Extension object (ECT paper). */
  ext?: Readonly<Record<string, unknown>> | undefined;
  /** Later ECT draft's name for `ext`. */
  ect_ext?: Readonly<Record<string, unknown>> | undefined;
  wid?: string | undefined;
  iat?: number | undefined;
  iss?: string | undefined;
  out_hash?: string | undefined;
};

/** ATD's normalised ECT: one spelling (`par`, `ext`), both always present. */
export type AtdNormalizedEct = {
  readonly jti: string;
  readonly exec_act: string;
  readonly par: readonly string[];
  readonly ext: Readonly<Record<string, unknown>>;
  readonly wid?: string | undefined;
  readonly iat?: number | undefined;
  readonly iss?: string | undefined;
  readonly out_hash?: string | undefined;
  /** Which member held the extension object on input (`ext` or `ect_ext`); used to name paths. */
  readonly extName: "ext" | "ect_ext";
  /** Which member held the parents on input (`par` or `pred`). */
  readonly parName: "par" | "pred";
};

export type NormalizeAtdEctReturnType =
  | { ok: true; ect: AtdNormalizedEct; findings: readonly [] }
  | { ok: false; ect: undefined; findings: readonly AtdFinding[] };

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own-property read that never walks the prototype chain. */
export function own(obj: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function hasOwn(obj: Readonly<Record<string, unknown>>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * Path of the first member, anywhere inside `value` (iteratively, cycle-safe), whose name
 * `isForbidden` refuses; `undefined` when there is none. Paths extend `path` like
 * `a.b[2]["x y"]`.
 */
export function findForbiddenMember(value: unknown, path: string, isForbidden: (name: string) => boolean): string | undefined {
  const seen = new Set<object>();
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length > 0) {
    const [v, p] = stack.pop()!;
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (typeof c === "object" && c !== null) stack.push([c, `${p}[${i}]`]);
      }
      continue;
    }
    for (const k of Object.keys(v)) {
      if (isForbidden(k)) return memberPath(p, k);
      const c = (v as Record<string, unknown>)[k];
      if (typeof c === "object" && c !== null) stack.push([c, memberPath(p, k)]);
    }
  }
  return undefined;
}

/** `path.name`, or `path["odd name"]` when the name is not an identifier. */
export function memberPath(path: string, name: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(name)) return path ? `${path}.${name}` : name;
  return `${path}[${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)}]`;
}

/** Whether a value has the shape of a validated ATD ECT (`validateAtdEct` output). Never throws. */
export function isAtdValidatedShape(value: unknown): value is { jti: string; kind: string; par: readonly string[]; ext: Readonly<Record<string, unknown>>; fields: unknown } {
  try {
    if (!isJsonObject(value)) return false;
    const v = value as Record<string, unknown>;
    return typeof v.jti === "string" && typeof v.kind === "string" && Array.isArray(v.par) && isJsonObject(v.ext);
  } catch {
    return false;
  }
}

/** `__proto__`: the one member name that rewrites a prototype when assigned. */
export function isProtoMember(name: string): boolean {
  return name === "__proto__";
}

/** Copies a member onto `target` as an own data property (never through a setter such as `__proto__`). */
export function defineMember(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** JCS-style comparison of two JSON values; false when either cannot be serialised. */
export function sameJson(a: unknown, b: unknown): boolean {
  try {
    return canonicalize(a) === canonicalize(b);
  } catch {
    return false;
  }
}

function readParents(value: unknown, name: string, findings: AtdFinding[], jti: string | undefined): string[] | undefined {
  if (!Array.isArray(value)) {
    findings.push({ code: "ATD_ECT_MALFORMED", path: name, jti, message: `${name} must be an array of jti strings, got ${describe(value)}` });
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== "string" || v.length === 0) {
      findings.push({ code: "ATD_ECT_MALFORMED", path: `${name}[${i}]`, jti, message: `${name}[${i}] must be a non-empty jti string, got ${describe(v)}` });
      ok = false;
    } else out.push(v);
  }
  return ok ? out : undefined;
}

/**
 * Reads an ECT payload into ATD's normalised form. Never throws: problems
 * come back as findings (`ATD_ECT_MALFORMED`, `ATD_CLAIM_CONFLICT`, and
 * `ATD_FORBIDDEN_MEMBER` for an own `__proto__` member in the payload or
 * anywhere in `ext`, which a verified ECT never carries).
 * Does not check the exec_act vocabulary (see `validateAtdEct`).
 */
export function normalizeAtdEct(value: unknown): NormalizeAtdEctReturnType {
  const findings: AtdFinding[] = [];
  try {
    if (!isJsonObject(value)) {
      findings.push({ code: "ATD_ECT_MALFORMED", path: "", message: `ECT payload must be a JSON object, got ${describe(value)}` });
      return { ok: false, ect: undefined, findings };
    }
    if (hasOwn(value, "__proto__"))
      findings.push({ code: "ATD_FORBIDDEN_MEMBER", path: '["__proto__"]', message: 'the payload has a member named "__proto__"' });
    const jtiRaw = own(value, "jti");
    const jti = typeof jtiRaw === "string" && jtiRaw.length > 0 ? jtiRaw : undefined;
    if (jti === undefined)
      findings.push({ code: "ATD_ECT_MALFORMED", path: "jti", message: `jti must be a non-empty string, got ${describe(jtiRaw)}` });
    const act = own(value, "exec_act");
    if (typeof act !== "string" || act.length === 0)
      findings.push({ code: "ATD_ECT_MALFORMED", path: "exec_act", jti, message: `exec_act must be a non-empty string, got ${describe(act)}` });

    // par / pred
    let par: string[] | undefined = [];
    let parName: "par" | "pred" = "par";
    const hasPar = hasOwn(value, "par") && own(value, "par") !== undefined;
    const hasPred = hasOwn(value, "pred") && own(value, "pred") !== undefined;
    if (hasPar && hasPred) {
      const a = readParents(own(value, "par"), "par", findings, jti);
      const b = readParents(own(value, "pred"), "pred", findings, jti);
      if (a && b && !sameJson(a, b))
        findings.push({ code: "ATD_CLAIM_CONFLICT", path: "pred", jti, message: "par and pred are both present with different values" });
      par = a;
    } else if (hasPar) par = readParents(own(value, "par"), "par", findings, jti);
    else if (hasPred) {
      parName = "pred";
      par = readParents(own(value, "pred"), "pred", findings, jti);
    }

    // ext / ect_ext
    let ext: Record<string, unknown> | undefined = {};
    let extName: "ext" | "ect_ext" = "ext";
    const hasExt = hasOwn(value, "ext") && own(value, "ext") !== undefined;
    const hasEctExt = hasOwn(value, "ect_ext") && own(value, "ect_ext") !== undefined;
    const readExt = (name: "ext" | "ect_ext"): Record<string, unknown> | undefined => {
      const v = own(value, name);
      if (isJsonObject(v)) return v;
      findings.push({ code: "ATD_ECT_MALFORMED", path: name, jti, message: `${name} must be a JSON object, got ${describe(v)}` });
      return undefined;
    };
    if (hasExt && hasEctExt) {
      const a = readExt("ext");
      const b = readExt("ect_ext");
      if (a && b && !sameJson(a, b))
        findings.push({ code: "ATD_CLAIM_CONFLICT", path: "ect_ext", jti, message: "ext and ect_ext are both present with different values" });
      ext = a;
    } else if (hasExt) ext = readExt("ext");
    else if (hasEctExt) {
      extName = "ect_ext";
      ext = readExt("ect_ext");
    }

    for (const name of ["ext", "ect_ext"] as const) {
      const bad = findForbiddenMember(own(value, name), name, isProtoMember);
      if (bad !== undefined) findings.push({ code: "ATD_FORBIDDEN_MEMBER", path: bad, jti, message: `${bad} is a member named "__proto__"` });
    }

    const optString = (name: string): string | undefined => {
      const v = own(value, name);
      if (v === undefined) return undefined;
      if (typeof v === "string") return v;
      findings.push({ code: "ATD_ECT_MALFORMED", path: name, jti, message: `${name} must be a string, got ${describe(v)}` });
      return undefined;
    };
    const wid = optString("wid");
    const iss = optString("iss");
    const outHash = optString("out_hash");
    const iatRaw = own(value, "iat");
    let iat: number | undefined;
    if (iatRaw !== undefined) {
      if (typeof iatRaw === "number" && Number.isFinite(iatRaw)) iat = iatRaw;
      else findings.push({ code: "ATD_ECT_MALFORMED", path: "iat", jti, message: `iat must be a finite number, got ${describe(iatRaw)}` });
    }

    if (findings.length > 0 || jti === undefined || typeof act !== "string" || !par || !ext)
      return { ok: false, ect: undefined, findings };
    const ect: AtdNormalizedEct = {
      jti,
      exec_act: act,
      par,
      ext,
      ...(wid !== undefined ? { wid } : {}),
      ...(iat !== undefined ? { iat } : {}),
      ...(iss !== undefined ? { iss } : {}),
      ...(outHash !== undefined ? { out_hash: outHash } : {}),
      extName,
      parName,
    };
    return { ok: true, ect, findings: [] };
  } catch (cause) {
    // Exotic inputs (throwing getters, proxies) are not JSON; report, never throw.
    findings.push({ code: "ATD_ECT_MALFORMED", path: "", message: `ECT payload could not be read: ${String((cause as Error)?.message ?? cause)}` });
    return { ok: false, ect: undefined, findings };
  }
}

/** Path of an ext member in the spelling the input used, e.g. `ext["atd.ttl"]`. */
export function extPath(ect: Pick<AtdNormalizedEct, "extName">, field: string, suffix = ""): string {
  return `${ect.extName}[${JSON.stringify(field)}]${suffix}`;
}
