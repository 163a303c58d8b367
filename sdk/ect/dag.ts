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
 * Iterative throughout; returns every violation (never throws, whatever the input: malformed
 * nodes are reported and left out, invalid options are one `ECT_INVALID_OPTION` violation and
 * nothing is traversed, failing callbacks and stores are violations). Scoping and trust-domain
 * reading: see dag-scope.ts; option checks and defensive reading: dag-options.ts. The per-token
 * variant used by verification step 13 (against a ledger) is dag-store.ts.
 */
import type { EctDagNode } from "./claims.js";
import { quote } from "./claims.js";
import {
  EctCycleError,
  EctDagStoreError,
  EctDuplicateJtiError,
  EctInvalidClaimError,
  EctInvalidOptionError,
  EctTemporalOrderError,
  EctTraversalLimitError,
  EctTrustDomainError,
  EctUnknownParentError,
  type EctVerifyError,
} from "./errors.js";
import { AMBIGUOUS, type TrustDomainFailure } from "./dag-scope.js";
import { cyclicComponents, EdgeList, indexJtis, kahn, resolveInIndex, toCsr } from "./dag-graph.js";
import {
  checkPair,
  compileEctDagOptions,
  errorText,
  jtiOf,
  optionsViolation,
  readEctDagNode,
  readHasAnswer,
  readLookupAnswer,
  storeFailure,
  type CompiledDagOptions,
  type EctDagOptions,
  type EctDagViolation,
} from "./dag-options.js";

export type { EctDagOptions, EctDagRule, EctDagViolation, EctDagViolationCode } from "./dag-options.js";

/** A synchronous view of recorded ECTs (the ledger is one). */
export interface EctDagSyncStore {
  /** The recorded ECT with this jti visible from scope `wid` (dag-scope.ts), if any (`undefined` or `null` when absent). */
  lookupEct(jti: string, wid: string | undefined): EctDagNode | null | undefined;
  /** Whether an ECT with this jti that collides with scope `wid` is recorded (rule 1). Defaults to `lookupEct`. */
  hasJti?(jti: string, wid: string | undefined): boolean;
  /**
   * `true` only when the store guarantees closure under parents: every recorded ECT's parents
   * were recorded before it (an `EctLedger` with `requireParents`). A cycle then cannot pass
   * through a new ECT, so step 13 checks its immediate parents only (the `"auto"` traversal).
   */
  readonly closedUnderParents?: boolean | undefined;
}

/** A possibly asynchronous view of recorded ECTs, used by verification step 13. */
export interface EctDagStore {
  lookupEct(jti: string, wid: string | undefined): EctDagNode | null | undefined | Promise<EctDagNode | null | undefined>;
  hasJti?(jti: string, wid: string | undefined): boolean | Promise<boolean>;
  /** See `EctDagSyncStore.closedUnderParents`. */
  readonly closedUnderParents?: boolean | undefined;
}

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
export function ectDagViolationToError(v: EctDagViolation): EctVerifyError {
  if (typeof v !== "object" || v === null) return new EctInvalidClaimError(13, { details: "not a DAG violation" });
  const p = { details: v.details, claim: v.rule === 1 ? "jti" : v.rule === 3 ? "iat" : v.rule === 5 ? "iss" : v.rule === "input" || v.rule === "options" ? undefined : "par" };
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
    case "ECT_INVALID_OPTION":
      return new EctInvalidOptionError({ details: v.details });
    default:
      return new EctInvalidClaimError(13, p);
  }
}

/** Validates the five DAG rules over a set of ECT claims. Never throws. */
export function validateEctDag(nodes: readonly EctDagNode[], parameters: ValidateEctDagParameters = {}): ValidateEctDagReturnType {
  try {
    return validate(nodes, parameters);
  } catch (cause) {
    // Defensive: every input problem is handled below; this is a last resort.
    return { ok: false, violations: [{ rule: "input", code: "ECT_INVALID_CLAIM", jti: "", details: `validation aborted: ${errorText(cause)}` }], order: undefined };
  }
}

function validate(nodes: readonly EctDagNode[], parameters: ValidateEctDagParameters): ValidateEctDagReturnType {
  const o = compileEctDagOptions(parameters);
  if (Array.isArray(o)) return { ok: false, violations: [optionsViolation(o)], order: undefined };
  return validateEctDagCompiled(nodes, o, o.store as EctDagSyncStore | undefined);
}

/** `validateEctDag` with options already compiled and an explicit store (internal: dag-store.ts). Never throws. */
export function validateEctDagCompiled(nodes: readonly unknown[], o: CompiledDagOptions, store: EctDagSyncStore | undefined): ValidateEctDagReturnType {
  try {
    return validateCompiled(nodes, o, store);
  } catch (cause) {
    return { ok: false, violations: [{ rule: "input", code: "ECT_INVALID_CLAIM", jti: "", details: `validation aborted: ${errorText(cause)}` }], order: undefined };
  }
}

function validateCompiled(nodes: readonly unknown[], o: CompiledDagOptions, store: EctDagSyncStore | undefined): ValidateEctDagReturnType {
  const violations: EctDagViolation[] = [];
  if (!Array.isArray(nodes)) {
    violations.push({ rule: "input", code: "ECT_INVALID_CLAIM", jti: "", details: "the ECT set must be an array" });
    return { ok: false, violations, order: undefined };
  }
  const n = nodes.length;
  if (n > o.maxNodes) {
    violations.push({
      rule: "limit",
      code: "ECT_DAG_TRAVERSAL_LIMIT",
      jti: jtiOf(nodes[0]),
      details: `the set has ${n} ECTs, more than the traversal limit of ${o.maxNodes}; not traversed`,
    });
    return { ok: false, violations, order: undefined };
  }
  const td = o.td;

  // Shape guard: every node is read once into a plain snapshot; anything that is not ECT
  // claims is reported and left out.
  const safe: EctDagNode[] = new Array(n);
  let bad: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    let raw: unknown;
    try {
      raw = nodes[i];
    } catch {
      raw = undefined;
    }
    const node = readEctDagNode(raw);
    if (node) safe[i] = node;
    else {
      (bad ??= new Uint8Array(n))[i] = 1;
      safe[i] = { jti: "", par: [], iat: 0, iss: "" };
      violations.push({ rule: "input", code: "ECT_INVALID_CLAIM", jti: jtiOf(raw), index: i, details: `set[${i}] is not ECT claims (needs jti, par, iat, iss)` });
    }
  }

  // Rule 1 within the set.
  const index = indexJtis(safe, bad);
  if (index.dups) {
    for (const [jti, list] of index.dups) {
      let seenGlobal = false;
      let anyScoped = false;
      const seenWids = new Set<string>();
      for (const i of list) {
        const w = safe[i]!.wid;
        const clash = seenGlobal || (w === undefined ? anyScoped : seenWids.has(w));
        if (clash) {
          violations.push({ rule: 1, code: "ECT_DAG_DUPLICATE_JTI", jti, wid: w, index: i, details: `jti ${quote(jti)} occurs more than once in ${w === undefined ? "the global scope" : `workflow ${quote(w)}`}` });
        }
        if (w === undefined) seenGlobal = true;
        else {
          anyScoped = true;
          seenWids.add(w);
        }
      }
    }
  }

  const domains: (string | TrustDomainFailure | undefined)[] = new Array(n);
  const domainAt = (i: number): string | TrustDomainFailure => (domains[i] ??= td.domainOf(safe[i]!.iss));

  const edges = new EdgeList(n * 2);
  const selfLoop = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (bad && bad[i]) continue;
    const child = safe[i]!;
    // Rule 1 against the store.
    if (store) {
      try {
        const recorded = store.hasJti ? readHasAnswer(store.hasJti(child.jti, child.wid), child.jti) : readLookupAnswer(store.lookupEct(child.jti, child.wid), child.jti) !== undefined;
        if (recorded) violations.push({ rule: 1, code: "ECT_DAG_DUPLICATE_JTI", jti: child.jti, wid: child.wid, index: i, details: `jti ${quote(child.jti)} is already recorded in the store` });
      } catch (err) {
        violations.push(storeFailure(child, i, err));
      }
    }
    for (const p of child.par) {
      let j = resolveInIndex(index, safe, p, child.wid);
      if (j >= 0) {
        if (bad && bad[j]) j = -1;
        else {
          edges.push(j, i);
          if (j === i) selfLoop[i] = 1;
          checkPair(safe[j]!, domainAt(j), child, domainAt(i), i, p, o, violations);
          continue;
        }
      }
      // Not in the set: the store.
      let recorded: EctDagNode | undefined;
      if (store && j !== AMBIGUOUS) {
        try {
          recorded = readLookupAnswer(store.lookupEct(p, child.wid), p);
        } catch (err) {
          violations.push(storeFailure(child, i, err));
          continue;
        }
      }
      if (recorded) {
        checkPair(recorded, td.domainOf(recorded.iss), child, domainAt(i), i, p, o, violations);
      } else {
        violations.push({
          rule: 2,
          code: "ECT_DAG_UNKNOWN_PARENT",
          jti: child.jti,
          wid: child.wid,
          index: i,
          parent: p,
          details:
            j === AMBIGUOUS
              ? `parent ${quote(p)} is ambiguous: several workflows hold that jti and the child has no wid`
              : `parent ${quote(p)} does not exist${store ? " in the set or the store" : " in the set"}`,
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
      const head = safe[comp[0]!]!;
      const cycle = comp.map((k) => safe[k]!.jti);
      violations.push({
        rule: 4,
        code: "ECT_DAG_CYCLE",
        jti: head.jti,
        wid: head.wid,
        index: comp[0],
        cycle,
        details:
          cycle.length === 1
            ? `ECT ${quote(head.jti)} lists itself as a parent`
            : `parent chains cycle through ${cycle
                .slice(0, 10)
                .map((c) => quote(c))
                .join(" → ")}${cycle.length > 10 ? ` → … (${cycle.length} ECTs)` : ""}`,
      });
    }
  }
  return { ok: violations.length === 0, violations, order: acyclic ? order : undefined };
}
