/**
 * Shared plumbing of the DAG checks (dag.ts, dag-store.ts): option validation, defensive
 * reading of nodes and store answers, and the per-edge rules 3 and 5.
 *
 * Spec: seed 000, 4.3 (rule 3 temporal ordering with the 30 s clock-skew tolerance, rule 5
 * trust-domain consistency, the 10,000-node traversal limit). Internal module.
 *
 * What it guarantees to the checks built on it:
 * - Options are validated once (`compileEctDagOptions`): a non-numeric or negative skew, a
 *   `maxNodes` that is not a positive integer (NaN would silently disable the traversal limit),
 *   callbacks that are not functions, malformed federation groups or a store without
 *   `lookupEct` are reported as `ECT_INVALID_OPTION` and nothing is traversed.
 * - Nodes are read once into plain snapshots (`readEctDagNode`), so throwing getters, proxies
 *   or values that change between reads cannot break or fool a check.
 * - A store answering `null` means "absent", like `undefined`; an answer that is not a
 *   well-formed node, or an asynchronous answer to a synchronous check, is a store failure.
 */
import { ECT_DAG_CLOCK_SKEW_SEC, ECT_DAG_MAX_NODES } from "./constants.js";
import { quote, type EctDagNode } from "./claims.js";
import { compileTrustDomainRule, isTrustDomainFailure, type EctTrustDomainOptions, type TrustDomainFailure } from "./dag-scope.js";

/** Rule numbers of seed 000 4.3, plus the traversal limit, store failures, malformed input and invalid options. */
export type EctDagRule = 1 | 2 | 3 | 4 | 5 | "limit" | "store" | "input" | "options";

export type EctDagViolationCode =
  | "ECT_DAG_DUPLICATE_JTI"
  | "ECT_DAG_UNKNOWN_PARENT"
  | "ECT_DAG_TEMPORAL_ORDER"
  | "ECT_DAG_CYCLE"
  | "ECT_DAG_TRUST_DOMAIN"
  | "ECT_DAG_TRAVERSAL_LIMIT"
  | "ECT_DAG_STORE_FAILED"
  | "ECT_INVALID_CLAIM"
  | "ECT_INVALID_OPTION";

/** One broken rule. */
export type EctDagViolation = {
  rule: EctDagRule;
  code: EctDagViolationCode;
  /** The ECT at fault (for a cycle: its member with the smallest index; "" when there is none). */
  jti: string;
  wid?: string | undefined;
  /** Position of that ECT in the validated set (absent for single-token checks). */
  index?: number | undefined;
  /** The parent reference involved (rules 2, 3, 5). */
  parent?: string | undefined;
  /** Every member of the cycle, in set order (rule 4). */
  cycle?: string[] | undefined;
  details: string;
};

/** Tunables of the DAG rules. */
export type EctDagOptions = EctTrustDomainOptions & {
  /** Rule 3 tolerance in seconds (default 30; a finite number ≥ 0). */
  clockSkewSec?: number | undefined;
  /** Traversal limit (default 10,000 nodes; a positive integer). */
  maxNodes?: number | undefined;
};

/** Options read once and checked. */
export type CompiledDagOptions = {
  skew: number;
  maxNodes: number;
  td: ReturnType<typeof compileTrustDomainRule>;
  /** The `store` member, if any (checked to have `lookupEct`). */
  store: unknown;
  /** The `traversal` / `dagTraversal` member, if any (validated by the caller). */
  traversal: unknown;
};

/**
 * Reads and validates DAG options. Returns the compiled options, or the list of problems.
 * Never throws (a throwing getter is a problem too).
 */
export function compileEctDagOptions(parameters: unknown, traversalKey: "traversal" | "dagTraversal" = "traversal"): CompiledDagOptions | string[] {
  if (parameters === undefined) parameters = {};
  if (typeof parameters !== "object" || parameters === null) return [`the options must be an object, got ${parameters === null ? "null" : typeof parameters}`];
  const problems: string[] = [];
  try {
    const p = parameters as EctDagOptions & { store?: unknown; traversal?: unknown; dagTraversal?: unknown };
    const clockSkewSec: unknown = p.clockSkewSec;
    const maxNodes: unknown = p.maxNodes;
    const trustDomainOf: unknown = p.trustDomainOf;
    const isFederated: unknown = p.isFederated;
    const federated: unknown = p.federatedTrustDomains;
    const store: unknown = p.store;
    const traversal: unknown = p[traversalKey];
    let skew = ECT_DAG_CLOCK_SKEW_SEC;
    if (clockSkewSec !== undefined) {
      if (typeof clockSkewSec === "number" && Number.isFinite(clockSkewSec) && clockSkewSec >= 0) skew = clockSkewSec;
      else problems.push(`"clockSkewSec" must be a finite number of seconds >= 0, got ${show(clockSkewSec)}`);
    }
    let max = ECT_DAG_MAX_NODES;
    if (maxNodes !== undefined) {
      if (typeof maxNodes === "number" && Number.isSafeInteger(maxNodes) && maxNodes >= 1) max = maxNodes;
      else problems.push(`"maxNodes" must be a positive integer, got ${show(maxNodes)}`);
    }
    if (trustDomainOf !== undefined && typeof trustDomainOf !== "function") problems.push(`"trustDomainOf" must be a function, got ${show(trustDomainOf)}`);
    if (isFederated !== undefined && typeof isFederated !== "function") problems.push(`"isFederated" must be a function, got ${show(isFederated)}`);
    let groups: string[][] | undefined;
    if (federated !== undefined) {
      if (!Array.isArray(federated)) problems.push(`"federatedTrustDomains" must be an array of arrays of strings, got ${show(federated)}`);
      else {
        groups = [];
        for (let i = 0; i < federated.length; i++) {
          const g: unknown = federated[i];
          if (!Array.isArray(g) || !g.every((d: unknown) => typeof d === "string")) {
            problems.push(`"federatedTrustDomains[${i}]" must be an array of strings, got ${show(g)}`);
            break;
          }
          groups.push([...(g as string[])]);
        }
      }
    }
    if (store !== undefined) {
      const s = store as { lookupEct?: unknown; hasJti?: unknown };
      if (typeof store !== "object" || store === null || typeof s.lookupEct !== "function") problems.push(`"store" must have a lookupEct(jti, wid) method, got ${show(store)}`);
      else if (s.hasJti !== undefined && typeof s.hasJti !== "function") problems.push(`"store.hasJti" must be a function when present, got ${show(s.hasJti)}`);
    }
    if (problems.length > 0) return problems;
    const td = compileTrustDomainRule({
      trustDomainOf: trustDomainOf as EctTrustDomainOptions["trustDomainOf"],
      isFederated: isFederated as EctTrustDomainOptions["isFederated"],
      federatedTrustDomains: groups,
    });
    return { skew, maxNodes: max, td, store, traversal };
  } catch (cause) {
    return [`the options could not be read: ${errorText(cause)}`];
  }
}

/** The single violation reported for invalid options. */
export function optionsViolation(problems: readonly string[]): EctDagViolation {
  return { rule: "options", code: "ECT_INVALID_OPTION", jti: "", details: problems.join("; ") };
}

/** A short description of an option value. */
function show(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `string ${quote(v, 40)}`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `${typeof v} ${String(v)}`;
  return typeof v;
}

/** A store answer this module refuses (its message is ours, already safe to print). */
class StoreAnswerError extends Error {}

export function errorText(err: unknown): string {
  if (err instanceof StoreAnswerError) return err.message;
  let m: string;
  try {
    m = err instanceof Error ? err.message : String(err);
  } catch {
    m = "(unprintable)";
  }
  return quote(m);
}

/**
 * Reads a value as DAG node claims into a fresh plain object (each member read once).
 * Returns `undefined` when it is not one: needs a non-empty string `jti`, an array `par` of
 * strings, a finite number `iat`, a string `iss`, and `wid` absent or a string. Never throws.
 */
export function readEctDagNode(value: unknown): EctDagNode | undefined {
  try {
    if (typeof value !== "object" || value === null) return undefined;
    const v = value as Record<string, unknown>;
    const jti = v.jti;
    const par = v.par;
    const iat = v.iat;
    const iss = v.iss;
    const wid = v.wid;
    if (typeof jti !== "string" || jti.length === 0 || !Array.isArray(par) || typeof iat !== "number" || !Number.isFinite(iat) || typeof iss !== "string") return undefined;
    if (wid !== undefined && typeof wid !== "string") return undefined;
    const n = par.length;
    const copy: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const p: unknown = par[i];
      if (typeof p !== "string") return undefined;
      copy[i] = p;
    }
    return wid === undefined ? { jti, par: copy, iat, iss } : { jti, par: copy, iat, iss, wid };
  } catch {
    return undefined;
  }
}

/** The jti of a value for a report, if it has a readable string one ("" otherwise). */
export function jtiOf(value: unknown): string {
  try {
    const j = (value as { jti?: unknown } | null)?.jti;
    return typeof j === "string" ? j : "";
  } catch {
    return "";
  }
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  try {
    return typeof (v as { then?: unknown } | null)?.then === "function";
  } catch {
    return false;
  }
}

/**
 * A store's answer to `lookupEct`: `null`/`undefined` = absent; a well-formed node (copied);
 * anything else throws (the caller reports a store failure).
 */
export function readLookupAnswer(answer: unknown, jti: string): EctDagNode | undefined {
  if (answer === undefined || answer === null) return undefined;
  if (isThenable(answer)) throw new StoreAnswerError("lookupEct answered asynchronously; use validateEctSetInStore or verifyEct for asynchronous stores");
  const node = readEctDagNode(answer);
  if (!node) throw new StoreAnswerError(`lookupEct(${quote(jti)}) answered something that is not ECT claims (needs jti, par, iat, iss)`);
  return node;
}

/** A store's answer to `hasJti`: a boolean; `null`/`undefined` = false; anything else throws. */
export function readHasAnswer(answer: unknown, jti: string): boolean {
  if (answer === undefined || answer === null) return false;
  if (typeof answer === "boolean") return answer;
  if (isThenable(answer)) throw new StoreAnswerError("hasJti answered asynchronously; use validateEctSetInStore or verifyEct for asynchronous stores");
  throw new StoreAnswerError(`hasJti(${quote(jti)}) answered ${typeof answer}, not a boolean`);
}

/** Rules 3 and 5 for one (parent, child) edge. */
export function checkPair(
  parent: EctDagNode,
  parentDomain: string | TrustDomainFailure,
  child: EctDagNode,
  childDomain: string | TrustDomainFailure,
  index: number | undefined,
  ref: string,
  o: CompiledDagOptions,
  out: EctDagViolation[],
): void {
  if (parent.iat > child.iat + o.skew) {
    out.push({
      rule: 3,
      code: "ECT_DAG_TEMPORAL_ORDER",
      jti: child.jti,
      wid: child.wid,
      index,
      parent: ref,
      details: `parent ${quote(ref)} iat ${parent.iat} exceeds child iat ${child.iat} + ${o.skew} s`,
    });
  }
  const domainFailure = isTrustDomainFailure(parentDomain) ? parentDomain : isTrustDomainFailure(childDomain) ? childDomain : undefined;
  const ok = domainFailure ?? o.td.allowed(parentDomain as string, childDomain as string);
  if (ok === true) return;
  out.push({
    rule: 5,
    code: "ECT_DAG_TRUST_DOMAIN",
    jti: child.jti,
    wid: child.wid,
    index,
    parent: ref,
    details: isTrustDomainFailure(ok)
      ? `the trust domains of parent ${quote(ref)} and its child cannot be compared: ${ok.failed}`
      : `parent ${quote(ref)} is in trust domain ${quote(parentDomain as string)}, not ${quote(childDomain as string)} nor federated with it`,
  });
}

export function storeFailure(child: { jti: string; wid?: string | undefined }, index: number | undefined, err: unknown): EctDagViolation {
  return {
    rule: "store",
    code: "ECT_DAG_STORE_FAILED",
    jti: child.jti,
    wid: child.wid,
    index,
    details: `store lookup failed: ${errorText(err)}`,
  };
}
