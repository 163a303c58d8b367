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
 * Traversal:
 * - `"full"`: rules 1-3 and 5 on the immediate parents, then the bounded breadth-first walk
 *   over all recorded ancestors for rule 4 (and the traversal limit). O(ancestors) per token.
 * - `"parents"`: the immediate parents only, no walk: the paper's "lazy verification" (7.2).
 * - `"auto"` (the default): `"parents"` when the store declares `closedUnderParents: true`,
 *   `"full"` otherwise. A store closed under parents (an `EctLedger` with `requireParents`,
 *   whose sequence order is a topological order) cannot hold a chain that leads back to a
 *   token it has not recorded, so the walk could never find a cycle through the new token;
 *   skipping it makes verification O(parents) instead of O(depth). Such a store never
 *   traverses its ancestors, so the traversal limit (which bounds that walk) does not apply.
 *
 * Never throws: invalid options, malformed nodes and failing stores are violations. A store
 * answering `null` means "absent".
 */
import type { EctDagNode } from "./claims.js";
import { quote } from "./claims.js";
import { validateEctDagCompiled, type EctDagStore, type EctDagSyncStore, type ValidateEctDagReturnType } from "./dag.js";
import {
  checkPair,
  compileEctDagOptions,
  errorText,
  isThenable,
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
import { indexJtis, resolveInIndex } from "./dag-graph.js";
import { visibleFrom } from "./dag-scope.js";

/** How step 13 walks a store: see the file comment. */
export type EctDagTraversal = "auto" | "full" | "parents";

export type ValidateEctInStoreParameters = EctDagOptions & {
  /** The recorded ECTs. Without a store, only roots (empty `par`) pass rule 2. */
  store?: EctDagStore | undefined;
  /** `"auto"` (default), `"full"` or `"parents"`: see the file comment. */
  traversal?: EctDagTraversal | undefined;
};

const key = (n: { jti: string; wid?: string | undefined }): string => (n.wid === undefined ? n.jti : `${n.wid}\u0000${n.jti}`);

function aborted(cause: unknown, jti = ""): EctDagViolation {
  return { rule: "input", code: "ECT_INVALID_CLAIM", jti, details: `validation aborted: ${errorText(cause)}` };
}

/**
 * Resolves a traversal option against a store: `"full"` / `"parents"`, or problems.
 * `"auto"` (and `undefined`) picks `"parents"` only when the store declares `closedUnderParents: true`.
 */
export function resolveEctDagTraversal(value: unknown, store: unknown): "full" | "parents" | string[] {
  if (value === "full" || value === "parents") return value;
  if (value !== undefined && value !== "auto") return [`the DAG traversal must be "auto", "full" or "parents", got ${typeof value === "string" ? quote(value, 20) : typeof value}`];
  if (typeof store !== "object" || store === null) return "full";
  try {
    return (store as { closedUnderParents?: unknown }).closedUnderParents === true ? "parents" : "full";
  } catch {
    return "full";
  }
}

/** Checks one ECT (already verified through step 12) against a store. Never throws. */
export async function validateEctInStore(node: EctDagNode, parameters: ValidateEctInStoreParameters = {}): Promise<EctDagViolation[]> {
  try {
    const o = compileEctDagOptions(parameters);
    if (Array.isArray(o)) return [optionsViolation(o)];
    const traversal = resolveEctDagTraversal(o.traversal, o.store);
    if (Array.isArray(traversal)) return [optionsViolation(traversal)];
    const n = readEctDagNode(node);
    if (!n) return [{ rule: "input", code: "ECT_INVALID_CLAIM", jti: jtiOf(node), details: "the node is not ECT claims (needs jti, par, iat, iss)" }];
    return await checkOneInStore(n, o, o.store as EctDagStore | undefined, traversal);
  } catch (cause) {
    return [aborted(cause, jtiOf(node))];
  }
}

/**
 * Step 13 for one well-formed node with compiled options (internal: verify.ts). Never throws.
 */
export async function checkOneInStore(node: EctDagNode, o: CompiledDagOptions, store: EctDagStore | undefined, traversal: "full" | "parents"): Promise<EctDagViolation[]> {
  try {
    return await checkOne(node, o, store, traversal);
  } catch (cause) {
    return [aborted(cause, node.jti)];
  }
}

async function checkOne(node: EctDagNode, o: CompiledDagOptions, store: EctDagStore | undefined, traversal: "full" | "parents"): Promise<EctDagViolation[]> {
  const out: EctDagViolation[] = [];
  const td = o.td;
  const childDomain = td.domainOf(node.iss);

  const lookup = async (jti: string, wid: string | undefined): Promise<EctDagNode | undefined> => {
    let r: unknown = store!.lookupEct(jti, wid);
    if (isThenable(r)) r = await r;
    return readLookupAnswer(r, jti);
  };

  // Rule 1. (When the jti is already recorded, references to it name that record, so the
  // rule-4 back-reference check below would be meaningless and is skipped.)
  let duplicate = false;
  if (store) {
    try {
      let recorded: boolean;
      if (store.hasJti) {
        let r: unknown = store.hasJti(node.jti, node.wid);
        if (isThenable(r)) r = await r;
        recorded = readHasAnswer(r, node.jti);
      } else recorded = (await lookup(node.jti, node.wid)) !== undefined;
      duplicate = recorded;
      if (recorded) out.push({ rule: 1, code: "ECT_DAG_DUPLICATE_JTI", jti: node.jti, wid: node.wid, details: `jti ${quote(node.jti)} is already recorded` });
    } catch (err) {
      out.push(storeFailure(node, undefined, err));
      return out;
    }
  }

  // Rules 2, 3, 5 on the immediate parents (a self-reference is a rule-4 cycle).
  const parents: EctDagNode[] = [];
  for (const p of node.par) {
    if (p === node.jti) {
      out.push({ rule: 4, code: "ECT_DAG_CYCLE", jti: node.jti, wid: node.wid, parent: p, cycle: [node.jti], details: `ECT ${quote(node.jti)} lists itself as a parent` });
      continue;
    }
    let parent: EctDagNode | undefined;
    if (store) {
      try {
        parent = await lookup(p, node.wid);
      } catch (err) {
        out.push(storeFailure(node, undefined, err));
        return out;
      }
    }
    if (!parent) {
      out.push({
        rule: 2,
        code: "ECT_DAG_UNKNOWN_PARENT",
        jti: node.jti,
        wid: node.wid,
        parent: p,
        details: store ? `parent ${quote(p)} is not recorded` : `parent ${quote(p)} cannot be found: no store was given`,
      });
      continue;
    }
    checkPair(parent, td.domainOf(parent.iss), node, childDomain, undefined, p, o, out);
    parents.push(parent);
  }

  // Rule 4 and the traversal limit: breadth-first over the ancestors, iteratively.
  if (traversal === "full" && store && parents.length > 0) {
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
      if (seen.size > o.maxNodes) {
        out.push({ rule: "limit", code: "ECT_DAG_TRAVERSAL_LIMIT", jti: node.jti, wid: node.wid, details: `the ancestors of ${quote(node.jti)} exceed the traversal limit of ${o.maxNodes} nodes` });
        break;
      }
      const a = queue[head]!;
      for (const q of a.par) {
        if (!duplicate && q === node.jti && visibleFrom(node, a.wid)) {
          if (!cycleFound) {
            cycleFound = true;
            out.push({
              rule: 4,
              code: "ECT_DAG_CYCLE",
              jti: node.jti,
              wid: node.wid,
              parent: a.jti,
              cycle: [node.jti, a.jti],
              details: `recorded ancestor ${quote(a.jti)} lists ${quote(node.jti)} as its parent: the chain cycles back`,
            });
          }
          continue;
        }
        let anc: EctDagNode | undefined;
        try {
          anc = await lookup(q, a.wid);
        } catch (err) {
          out.push(storeFailure(node, undefined, err));
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
 * `validateEctDag` on the set, with the store's answers fetched ahead of time, then (when the
 * traversal resolves to `"full"`) the bounded ancestor walk through the store for parents
 * outside the set. Never throws. Used for the tokens of one request (http.ts) and by
 * `verifyEctWorkflow`.
 */
export async function validateEctSetInStore(
  nodes: readonly EctDagNode[],
  parameters: ValidateEctInStoreParameters = {},
): Promise<ValidateEctDagReturnType> {
  try {
    const o = compileEctDagOptions(parameters);
    if (Array.isArray(o)) return { ok: false, violations: [optionsViolation(o)], order: undefined };
    const traversal = resolveEctDagTraversal(o.traversal, o.store);
    if (Array.isArray(traversal)) return { ok: false, violations: [optionsViolation(traversal)], order: undefined };
    return await validateSetCompiled(nodes, o, o.store as EctDagStore | undefined, traversal);
  } catch (cause) {
    return { ok: false, violations: [aborted(cause)], order: undefined };
  }
}

/** `validateEctSetInStore` with compiled options (internal: workflow.ts, http.ts). Never throws. */
export async function validateSetCompiled(
  nodes: readonly unknown[],
  o: CompiledDagOptions,
  store: EctDagStore | undefined,
  traversal: "full" | "parents",
): Promise<ValidateEctDagReturnType> {
  try {
    return await validateSet(nodes, o, store, traversal);
  } catch (cause) {
    return { ok: false, violations: [aborted(cause)], order: undefined };
  }
}

async function validateSet(nodes: readonly unknown[], o: CompiledDagOptions, store: EctDagStore | undefined, traversal: "full" | "parents"): Promise<ValidateEctDagReturnType> {
  if (!store || !Array.isArray(nodes) || nodes.length > o.maxNodes) return validateEctDagCompiled(nodes, o, undefined);
  // Read every node once; malformed ones are passed on as markers validateEctDag reports.
  const view: unknown[] = new Array(nodes.length);
  let bad: Uint8Array | undefined;
  for (let i = 0; i < nodes.length; i++) {
    let raw: unknown;
    try {
      raw = nodes[i];
    } catch {
      raw = undefined;
    }
    const n = readEctDagNode(raw);
    if (n) view[i] = n;
    else {
      view[i] = { jti: jtiOf(raw) };
      (bad ??= new Uint8Array(nodes.length))[i] = 1;
    }
  }
  const index = indexJtis(view as EctDagNode[], bad);
  const found = new Map<string, EctDagNode | undefined>();
  const recorded = new Map<string, boolean>();
  const failures: EctDagViolation[] = [];
  const external: { node: EctDagNode; at: number; par: string[] }[] = [];
  for (let i = 0; i < view.length; i++) {
    if (bad && bad[i]) continue;
    const node = view[i] as EctDagNode;
    try {
      let r: unknown = store.hasJti ? store.hasJti(node.jti, node.wid) : store.lookupEct(node.jti, node.wid);
      if (isThenable(r)) r = await r;
      recorded.set(key(node), store.hasJti ? readHasAnswer(r, node.jti) : readLookupAnswer(r, node.jti) !== undefined);
      const outside: string[] = [];
      for (const p of node.par) {
        if (resolveInIndex(index, view as EctDagNode[], p, node.wid) >= 0) continue;
        outside.push(p);
        const k = key({ jti: p, wid: node.wid });
        if (!found.has(k)) {
          let f: unknown = store.lookupEct(p, node.wid);
          if (isThenable(f)) f = await f;
          found.set(k, readLookupAnswer(f, p));
        }
      }
      if (outside.length > 0) external.push({ node, at: i, par: outside });
    } catch (err) {
      failures.push(storeFailure(node, i, err));
    }
  }
  const snapshot: EctDagSyncStore = {
    lookupEct: (jti, wid) => found.get(key({ jti, wid })),
    hasJti: (jti, wid) => recorded.get(key({ jti, wid })) ?? false,
  };
  const result = validateEctDagCompiled(view, o, snapshot);
  const violations = [...failures, ...result.violations];
  if (violations.length === 0 && traversal === "full") {
    for (const { node, at, par } of external) {
      const more = await checkOneInStore({ ...node, par }, o, store, "full");
      for (const v of more) if (v.rule === 4 || v.rule === "limit" || v.rule === "store") violations.push({ ...v, index: at });
    }
  }
  return { ok: violations.length === 0, violations, order: result.order };
}
