/**
 * `validateEctDag`: the five DAG rules over a set of (already verified) ECTs.
 *
 * Spec: seed 000, 4.3 "DAG Construction and Validation":
 *   1. Uniqueness: each `jti` unique within the workflow scope (or globally without `wid`).
 *   2. Parent existence: all `par` entries reference existing ECTs (in the set, or in `store`).
 *   3. Temporal ordering: parent `iat` ≤ child `iat` + clock-skew tolerance (30 s).
 *   4. Acyclicity: parent chains must not cycle back.
 *   5. Trust-domain consistency: parents in the same or a federated trust domain.
 * and "A maximum ancestor traversal limit of 10,000 nodes prevents denial-of-service via deep
 * DAGs": a set larger than `maxNodes` is refused without being traversed.
 *
 * Iterative throughout; returns every violation (never throws, whatever the input). Scoping
 * and trust-domain reading: see dag-scope.ts. The per-token variant used by verification
 * step 13 (against a ledger) is dag-store.ts.
 */
import { ECT_DAG_CLOCK_SKEW_SEC, ECT_DAG_MAX_NODES } from "./constants.js";
import type { EctDagNode } from "./claims.js";
import {
  EctCycleError,
  EctDagStoreError,
  EctDuplicateJtiError,
  EctInvalidClaimError,
  EctTemporalOrderError,
  EctTraversalLimitError,
  EctTrustDomainError,
  EctUnknownParentError,
  type EctVerificationError,
} from "./errors.js";
import { AMBIGUOUS, compileTrustDomainRule, type EctTrustDomainOptions } from "./dag-scope.js";
import { cyclicComponents, EdgeList, indexJtis, kahn, resolveInIndex, toCsr } from "./dag-graph.js";

/** Rule numbers of seed 000 4.3, plus the traversal limit, store failures and malformed input. */
export type EctDagRule = 1 | 2 | 3 | 4 | 5 | "limit" | "store" | "input";

export type EctDagViolationCode =
  | "ECT_DAG_DUPLICATE_JTI"
  | "ECT_DAG_UNKNOWN_PARENT"
  | "ECT_DAG_TEMPORAL_ORDER"
  | "ECT_DAG_CYCLE"
  | "ECT_DAG_TRUST_DOMAIN"
  | "ECT_DAG_TRAVERSAL_LIMIT"
  | "ECT_DAG_STORE_FAILED"
  | "ECT_INVALID_CLAIM";

/** One broken rule. */
export type EctDagViolation = {
  rule: EctDagRule;
  code: EctDagViolationCode;
  /** The ECT at fault (for a cycle: its member with the smallest index). */
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

/** A synchronous view of recorded ECTs (the ledger is one). */
export interface EctDagSyncStore {
  /** The recorded ECT with this jti visible from scope `wid` (dag-scope.ts), if any. */
  lookupEct(jti: string, wid: string | undefined): EctDagNode | undefined;
  /** Whether an ECT with this jti that collides with scope `wid` is recorded (rule 1). Defaults to `lookupEct`. */
  hasJti?(jti: string, wid: string | undefined): boolean;
}

/** A possibly asynchronous view of recorded ECTs, used by verification step 13. */
export interface EctDagStore {
  lookupEct(jti: string, wid: string | undefined): EctDagNode | undefined | Promise<EctDagNode | undefined>;
  hasJti?(jti: string, wid: string | undefined): boolean | Promise<boolean>;
}

/** Tunables of the DAG rules. */
export type EctDagOptions = EctTrustDomainOptions & {
  /** Rule 3 tolerance in seconds (default 30). */
  clockSkewSec?: number | undefined;
  /** Traversal limit (default 10,000 nodes). */
  maxNodes?: number | undefined;
};

export type ValidateEctDagParameters = EctDagOptions & {
  /** Recorded ECTs: parents outside the set are looked up here, and set members must not already be recorded. */
  store?: EctDagSyncStore | undefined;
};

export type ValidateEctDagReturnType = {
  ok: boolean;
  violations: EctDagViolation[];
  /**
   * Set indices in topological order (parents first, ties in input order), when the set is
   * acyclic and was traversed; `undefined` otherwise. Nodes with malformed shape are left out.
   */
  order: number[] | undefined;
};

/** Converts a violation to the typed error of its rule. */
export function ectDagViolationToError(v: EctDagViolation): EctVerificationError {
  const p = { details: v.details, claim: v.rule === 1 ? "jti" : v.rule === 3 ? "iat" : v.rule === 5 ? "iss" : v.rule === "input" ? undefined : "par" };
  switch (v.code) {
    case "ECT_DAG_DUPLICATE_JTI":
      return new EctDuplicateJtiError(p);
    case "ECT_DAG_UNKNOWN_PARENT":
      return new EctUnknownParentError(p);
    case "ECT_DAG_TEMPORAL_ORDER":
      return new EctTemporalOrderError(p);
    case "ECT_DAG_CYCLE":
      return new EctCycleError(p);
    case "ECT_DAG_TRUST_DOMAIN":
      return new EctTrustDomainError(p);
    case "ECT_DAG_TRAVERSAL_LIMIT":
      return new EctTraversalLimitError(p);
    case "ECT_DAG_STORE_FAILED":
      return new EctDagStoreError(p);
    default:
      return new EctInvalidClaimError(13, p);
  }
}

function isNode(v: unknown): v is EctDagNode {
  if (typeof v !== "object" || v === null) return false;
  const n = v as Record<string, unknown>;
  return (
    typeof n.jti === "string" &&
    n.jti.length > 0 &&
    Array.isArray(n.par) &&
    typeof n.iat === "number" &&
    Number.isFinite(n.iat) &&
    typeof n.iss === "string" &&
    (n.wid === undefined || typeof n.wid === "string")
  );
}

/** Validates the five DAG rules over a set of ECT claims. Never throws. */
export function validateEctDag(nodes: readonly EctDagNode[], parameters: ValidateEctDagParameters = {}): ValidateEctDagReturnType {
  const violations: EctDagViolation[] = [];
  if (!Array.isArray(nodes)) {
    violations.push({ rule: "input", code: "ECT_INVALID_CLAIM", jti: "", details: "the ECT set must be an array" });
    return { ok: false, violations, order: undefined };
  }
  const maxNodes = parameters.maxNodes ?? ECT_DAG_MAX_NODES;
  const n = nodes.length;
  if (n > maxNodes) {
    violations.push({
      rule: "limit",
      code: "ECT_DAG_TRAVERSAL_LIMIT",
      jti: isNode(nodes[0]) ? nodes[0].jti : "",
      details: `the set has ${n} ECTs, more than the traversal limit of ${maxNodes}; not traversed`,
    });
    return { ok: false, violations, order: undefined };
  }
  const skew = parameters.clockSkewSec ?? ECT_DAG_CLOCK_SKEW_SEC;
  const store = parameters.store;
  const td = compileTrustDomainRule(parameters);

  // Shape guard: verified claims always pass; anything else is reported and left out.
  let bad: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const node: unknown = nodes[i];
    if (!isNode(node) || !node.par.every((p: unknown) => typeof p === "string")) {
      (bad ??= new Uint8Array(n))[i] = 1;
      violations.push({ rule: "input", code: "ECT_INVALID_CLAIM", jti: typeof (node as { jti?: unknown })?.jti === "string" ? (node as { jti: string }).jti : "", index: i, details: `set[${i}] is not ECT claims (needs jti, par, iat, iss)` });
    }
  }

  // Rule 1 within the set.
  const index = indexJtis(nodes, bad);
  if (index.dups) {
    for (const [jti, list] of index.dups) {
      let seenGlobal = false;
      let anyScoped = false;
      const seenWids = new Set<string>();
      for (const i of list) {
        const w = nodes[i]!.wid;
        const clash = seenGlobal || (w === undefined ? anyScoped : seenWids.has(w));
        if (clash) {
          violations.push({ rule: 1, code: "ECT_DAG_DUPLICATE_JTI", jti, wid: w, index: i, details: `jti "${jti}" occurs more than once in ${w === undefined ? "the global scope" : `workflow "${w}"`}` });
        }
        if (w === undefined) seenGlobal = true;
        else {
          anyScoped = true;
          seenWids.add(w);
        }
      }
    }
  }

  const domains: (string | undefined)[] = new Array(n);
  const domainAt = (i: number): string => (domains[i] ??= td.domainOf(nodes[i]!.iss));

  const edges = new EdgeList(n * 2);
  const selfLoop = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (bad && bad[i]) continue;
    const child = nodes[i]!;
    // Rule 1 against the store.
    if (store) {
      try {
        const recorded = store.hasJti ? store.hasJti(child.jti, child.wid) : store.lookupEct(child.jti, child.wid) !== undefined;
        if (recorded) violations.push({ rule: 1, code: "ECT_DAG_DUPLICATE_JTI", jti: child.jti, wid: child.wid, index: i, details: `jti "${child.jti}" is already recorded in the store` });
      } catch (err) {
        violations.push(storeFailure(child, i, err));
      }
    }
    for (const p of child.par) {
      let j = resolveInIndex(index, nodes, p, child.wid);
      if (j >= 0) {
        if (bad && bad[j]) j = -1;
        else {
          edges.push(j, i);
          if (j === i) selfLoop[i] = 1;
          checkPair(nodes[j]!, domainAt(j), child, domainAt(i), i, p, skew, td.allowed, violations);
          continue;
        }
      }
      // Not in the set: the store.
      let recorded: EctDagNode | undefined;
      if (store && j !== AMBIGUOUS) {
        try {
          recorded = store.lookupEct(p, child.wid);
        } catch (err) {
          violations.push(storeFailure(child, i, err));
          continue;
        }
      }
      if (recorded) {
        checkPair(recorded, td.domainOf(recorded.iss), child, domainAt(i), i, p, skew, td.allowed, violations);
      } else {
        violations.push({
          rule: 2,
          code: "ECT_DAG_UNKNOWN_PARENT",
          jti: child.jti,
          wid: child.wid,
          index: i,
          parent: p,
          details: j === AMBIGUOUS ? `parent "${p}" is ambiguous: several workflows hold that jti and the child has no wid` : `parent "${p}" does not exist${store ? " in the set or the store" : " in the set"}`,
        });
      }
    }
  }

  // Rule 4.
  const g = toCsr(n, edges);
  let include: Uint8Array | undefined;
  if (bad) {
    include = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) if (bad[i]) include[i] = 0;
  }
  const order = kahn(g, include);
  const expected = bad ? n - bad.reduce((a, b) => a + b, 0) : n;
  let acyclic = true;
  if (order.length < expected) {
    acyclic = false;
    const remaining = new Uint8Array(n).fill(1);
    for (const v of order) remaining[v] = 0;
    if (bad) for (let i = 0; i < n; i++) if (bad[i]) remaining[i] = 0;
    for (const comp of cyclicComponents(g, remaining, selfLoop)) {
      const head = nodes[comp[0]!]!;
      const cycle = comp.map((k) => nodes[k]!.jti);
      violations.push({
        rule: 4,
        code: "ECT_DAG_CYCLE",
        jti: head.jti,
        wid: head.wid,
        index: comp[0],
        cycle,
        details: cycle.length === 1 ? `ECT "${head.jti}" lists itself as a parent` : `parent chains cycle through ${cycle.map((c) => `"${c}"`).join(" → ")}`,
      });
    }
  }
  return { ok: violations.length === 0, violations, order: acyclic ? order : undefined };
}

function checkPair(
  parent: EctDagNode,
  parentDomain: string,
  child: EctDagNode,
  childDomain: string,
  index: number,
  ref: string,
  skew: number,
  allowed: (p: string, c: string) => boolean,
  out: EctDagViolation[],
): void {
  if (parent.iat > child.iat + skew) {
    out.push({
      rule: 3,
      code: "ECT_DAG_TEMPORAL_ORDER",
      jti: child.jti,
      wid: child.wid,
      index,
      parent: ref,
      details: `parent "${ref}" iat ${parent.iat} exceeds child iat ${child.iat} + ${skew} s`,
    });
  }
  if (!allowed(parentDomain, childDomain)) {
    out.push({
      rule: 5,
      code: "ECT_DAG_TRUST_DOMAIN",
      jti: child.jti,
      wid: child.wid,
      index,
      parent: ref,
      details: `parent "${ref}" is in trust domain "${parentDomain}", not "${childDomain}" nor federated with it`,
    });
  }
}

function storeFailure(child: EctDagNode, index: number | undefined, err: unknown): EctDagViolation {
  return {
    rule: "store",
    code: "ECT_DAG_STORE_FAILED",
    jti: child.jti,
    wid: child.wid,
    index,
    details: `store lookup failed: ${(err as Error)?.message ?? String(err)}`,
  };
}

export { checkPair as _checkPair, storeFailure as _storeFailure };
