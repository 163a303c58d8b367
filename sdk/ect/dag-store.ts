/**
 * DAG validation of ONE new ECT against the recorded ones (a ledger or any `EctDagStore`):
 * what verification step 13 runs.
 *
 * Spec: seed 000, Table 5 step 13 ("Perform DAG validation (Section 4.3)") and 4.3: rule 1
 * (the new `jti` is not recorded yet in its scope), rule 2 (every `par` entry is recorded),
 * rule 3 (parent `iat` ≤ child `iat` + 30 s), rule 4 (walking the parent chains never reaches
 * the new `jti`), rule 5 (parents in the same or a federated trust domain), with the ancestor
 * walk bounded by the 10,000-node traversal limit.
 *
 * `traversal: "parents"` checks rules 1-3 and 5 on the immediate parents only and skips the
 * ancestor walk: the paper's "lazy verification" (7.2), for stores that are closed under
 * parents by construction (an `EctLedger` with `requireParents`, whose sequence order is a
 * topological order, cannot hold a cycle). The default is the full walk.
 */
import { ECT_DAG_CLOCK_SKEW_SEC, ECT_DAG_MAX_NODES } from "./constants.js";
import type { EctDagNode } from "./claims.js";
import {
  _checkPair,
  _storeFailure,
  validateEctDag,
  type EctDagOptions,
  type EctDagStore,
  type EctDagSyncStore,
  type EctDagViolation,
  type ValidateEctDagReturnType,
} from "./dag.js";
import { indexJtis, resolveInIndex } from "./dag-graph.js";
import { compileTrustDomainRule, visibleFrom } from "./dag-scope.js";

export type ValidateEctInStoreParameters = EctDagOptions & {
  /** The recorded ECTs. Without a store, only roots (empty `par`) pass rule 2. */
  store?: EctDagStore | undefined;
  /** `"full"` (default): walk all ancestors for rule 4; `"parents"`: immediate parents only. */
  traversal?: "full" | "parents" | undefined;
};

function isThenable<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown })?.then === "function";
}

const key = (n: { jti: string; wid?: string | undefined }): string => (n.wid === undefined ? n.jti : `${n.wid}\u0000${n.jti}`);

/** Checks one ECT (already verified through step 12) against a store. Never throws. */
export async function validateEctInStore(node: EctDagNode, parameters: ValidateEctInStoreParameters = {}): Promise<EctDagViolation[]> {
  const out: EctDagViolation[] = [];
  const { store } = parameters;
  const skew = parameters.clockSkewSec ?? ECT_DAG_CLOCK_SKEW_SEC;
  const maxNodes = parameters.maxNodes ?? ECT_DAG_MAX_NODES;
  const td = compileTrustDomainRule(parameters);
  const childDomain = td.domainOf(node.iss);

  const lookup = async (jti: string, wid: string | undefined): Promise<EctDagNode | undefined> => {
    const r = store!.lookupEct(jti, wid);
    return isThenable(r) ? await r : r;
  };

  // Rule 1. (When the jti is already recorded, references to it name that record, so the
  // rule-4 back-reference check below would be meaningless and is skipped.)
  let duplicate = false;
  if (store) {
    try {
      let recorded: boolean;
      if (store.hasJti) {
        const r = store.hasJti(node.jti, node.wid);
        recorded = isThenable(r) ? await r : r;
      } else recorded = (await lookup(node.jti, node.wid)) !== undefined;
      duplicate = recorded;
      if (recorded) out.push({ rule: 1, code: "ECT_DAG_DUPLICATE_JTI", jti: node.jti, wid: node.wid, details: `jti "${node.jti}" is already recorded` });
    } catch (err) {
      out.push(_storeFailure(node, undefined, err));
      return out;
    }
  }

  // Rules 2, 3, 5 on the immediate parents (a self-reference is a rule-4 cycle).
  const parents: EctDagNode[] = [];
  for (const p of node.par) {
    if (p === node.jti) {
      out.push({ rule: 4, code: "ECT_DAG_CYCLE", jti: node.jti, wid: node.wid, parent: p, cycle: [node.jti], details: `ECT "${node.jti}" lists itself as a parent` });
      continue;
    }
    let parent: EctDagNode | undefined;
    if (store) {
      try {
        parent = await lookup(p, node.wid);
      } catch (err) {
        out.push(_storeFailure(node, undefined, err));
        return out;
      }
    }
    if (!parent) {
      out.push({ rule: 2, code: "ECT_DAG_UNKNOWN_PARENT", jti: node.jti, wid: node.wid, parent: p, details: store ? `parent "${p}" is not recorded` : `parent "${p}" cannot be found: no store was given` });
      continue;
    }
    _checkPair(parent, td.domainOf(parent.iss), node, childDomain, -1, p, skew, td.allowed, out);
    parents.push(parent);
  }
  for (const v of out) if (v.index === -1) v.index = undefined;

  // Rule 4 and the traversal limit: breadth-first over the ancestors, iteratively.
  if ((parameters.traversal ?? "full") === "full" && store && parents.length > 0) {
    const seen = new Set<string>();
    const queue: EctDagNode[] = [];
    for (const p of parents) {
      const k = key(p);
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(p);
      }
    }
    let cycleFound = false;
    for (let head = 0; head < queue.length; head++) {
      if (seen.size > maxNodes) {
        out.push({ rule: "limit", code: "ECT_DAG_TRAVERSAL_LIMIT", jti: node.jti, wid: node.wid, details: `the ancestors of "${node.jti}" exceed the traversal limit of ${maxNodes} nodes` });
        break;
      }
      const a = queue[head]!;
      if (!Array.isArray(a.par)) continue;
      for (const q of a.par) {
        if (!duplicate && q === node.jti && visibleFrom(node, a.wid)) {
          if (!cycleFound) {
            cycleFound = true;
            out.push({ rule: 4, code: "ECT_DAG_CYCLE", jti: node.jti, wid: node.wid, parent: a.jti, cycle: [node.jti, a.jti], details: `recorded ancestor "${a.jti}" lists "${node.jti}" as its parent: the chain cycles back` });
          }
          continue;
        }
        let anc: EctDagNode | undefined;
        try {
          anc = await lookup(q, a.wid);
        } catch (err) {
          out.push(_storeFailure(node, undefined, err));
          return out;
        }
        if (!anc) continue; // a gap deeper up is the concern of the ECT that introduced it
        const k = key(anc);
        if (!seen.has(k)) {
          seen.add(k);
          queue.push(anc);
        }
      }
    }
  }
  return out;
}

/**
 * The five rules over a SET of new ECTs whose parents may also be recorded in an (async) store:
 * `validateEctDag` on the set, with the store's answers fetched ahead of time, then (with
 * `traversal: "full"`) the bounded ancestor walk through the store for parents outside the set.
 * Never throws. Used for the tokens of one request (http.ts) and by `verifyEctWorkflow`.
 */
export async function validateEctSetInStore(
  nodes: readonly EctDagNode[],
  parameters: ValidateEctInStoreParameters = {},
): Promise<ValidateEctDagReturnType> {
  const { store } = parameters;
  if (!store || !Array.isArray(nodes)) return validateEctDag(nodes, { ...parameters, store: undefined });
  if (nodes.length > (parameters.maxNodes ?? ECT_DAG_MAX_NODES)) return validateEctDag(nodes, { ...parameters, store: undefined });
  const index = indexJtis(nodes);
  const found = new Map<string, EctDagNode | undefined>();
  const recorded = new Map<string, boolean>();
  const failures: EctDagViolation[] = [];
  const external: { node: EctDagNode; par: string[] }[] = [];
  for (const node of nodes) {
    try {
      const r = store.hasJti ? store.hasJti(node.jti, node.wid) : store.lookupEct(node.jti, node.wid);
      const v = isThenable<unknown>(r) ? await r : r;
      recorded.set(key(node), typeof v === "boolean" ? v : v !== undefined);
      const outside: string[] = [];
      for (const p of node.par) {
        if (resolveInIndex(index, nodes, p, node.wid) >= 0) continue;
        outside.push(p);
        const k = key({ jti: p, wid: node.wid });
        if (!found.has(k)) {
          const f = store.lookupEct(p, node.wid);
          found.set(k, isThenable(f) ? await f : f);
        }
      }
      if (outside.length > 0) external.push({ node, par: outside });
    } catch (err) {
      failures.push(_storeFailure(node, undefined, err));
    }
  }
  const snapshot: EctDagSyncStore = {
    lookupEct: (jti, wid) => found.get(key({ jti, wid })),
    hasJti: (jti, wid) => recorded.get(key({ jti, wid })) ?? false,
  };
  const result = validateEctDag(nodes, { ...parameters, store: snapshot });
  const violations = [...failures, ...result.violations];
  if (violations.length === 0 && (parameters.traversal ?? "full") === "full") {
    for (const { node, par } of external) {
      const more = await validateEctInStore({ ...node, par }, { ...parameters, store, traversal: "full" });
      for (const v of more) if (v.rule === 4 || v.rule === "limit" || v.rule === "store") violations.push({ ...v, index: nodes.indexOf(node) });
    }
  }
  return { ok: violations.length === 0, violations, order: result.order };
}
