/**
 * Chained Capsules (draft-mih-scitt-agent-action-capsule-01 §5.4.4; Class 1 check 6).
 *
 * - A Capsule that references a prior Capsule carries a chain block
 *   {parent_capsule_id, relation}; single parent by design.
 * - `supersedes` (the one seeded relation) is the terminal transition over the
 *   parent: human-in-the-loop resolution, expiry and escalation close or replace the
 *   parent's open state. The parent is never mutated.
 * - Concurrent-supersedes rule: the earliest Capsule in ledger order with
 *   relation supersedes over a parent is authoritative; a later one is structurally
 *   valid but MUST surface as a verification finding.
 * - Open-items predicate: a Capsule is open when its verdict_class is one of
 *   deferred, needs_decision, hitl_dispatched, escalated, blocked and no Capsule in
 *   the store supersedes it.
 * - Check 6: a missing chain parent is a failure. Because `chain` is excluded from
 *   `capsule_id`, linkage cycles are constructible (A→B, B→A); the ancestry walk
 *   detects them, and detects store records that do not recompute to the id that
 *   references them.
 */
import type { CapsuleChainLinkageStatus } from "./assurance.js";
import { computeCapsuleId } from "./capsuleId.js";
import { CapsuleChainStoreError, type CapsuleIssue } from "./errors.js";
import { issue, isAbsent, isRecord } from "./issues.js";
import { isJsonDigest } from "./jsonDigest.js";
import type { CapsuleStore } from "./store.js";
import { readChain } from "./structure.js";
import type { Capsule, CapsuleChain } from "./types.js";
import { CAPSULE_OPEN_ITEM_VERDICT_CLASSES, isCapsuleEnumValue } from "./vocabulary.js";

/** The seeded terminal relation. */
export const CAPSULE_RELATION_SUPERSEDES = "supersedes";

/** Default bound of the ancestry walk. */
export const CAPSULE_DEFAULT_MAX_CHAIN_DEPTH = 1000;

function safeCapsuleId(capsule: unknown): string | undefined {
  try {
    return computeCapsuleId(capsule);
  } catch {
    return undefined;
  }
}

/** The chain block of `capsule` when present and well formed, else undefined. */
export function capsuleChainOf(capsule: unknown): CapsuleChain | undefined {
  return isRecord(capsule) ? readChain(capsule) : undefined;
}

/** A chain block linking to `parent` (its id is recomputed, so a tampered parent cannot be linked). */
export function chainToCapsule(parent: unknown, relation: CapsuleChain["relation"] = CAPSULE_RELATION_SUPERSEDES): CapsuleChain {
  return { parent_capsule_id: computeCapsuleId(parent), relation };
}

/** True when `capsule` chains to a parent with relation `supersedes`. */
export function isSupersedingCapsule(capsule: unknown): boolean {
  return capsuleChainOf(capsule)?.relation === CAPSULE_RELATION_SUPERSEDES;
}

/** True when `child` supersedes `parent`: its chain names the parent's recomputed id with relation supersedes. */
export function capsuleSupersedes(child: unknown, parent: unknown): boolean {
  const chain = capsuleChainOf(child);
  if (chain === undefined || chain.relation !== CAPSULE_RELATION_SUPERSEDES) return false;
  return chain.parent_capsule_id === safeCapsuleId(parent);
}

export type ResolveCapsuleParentReturnType =
  | { status: "none" }
  | { status: "found"; parentCapsuleId: string; parent: Capsule }
  | { status: "missing"; parentCapsuleId: string }
  | { status: "mismatch"; parentCapsuleId: string; parent: Capsule; recomputed: string | undefined };

/** Resolves the chain parent through the store and checks it recomputes to `parent_capsule_id`. */
export async function resolveCapsuleParent(capsule: unknown, store: CapsuleStore): Promise<ResolveCapsuleParentReturnType> {
  const chain = capsuleChainOf(capsule);
  if (chain === undefined) return { status: "none" };
  const parentCapsuleId = chain.parent_capsule_id;
  const parent = await store.get(parentCapsuleId);
  if (parent === undefined || parent === null) return { status: "missing", parentCapsuleId };
  const recomputed = safeCapsuleId(parent);
  if (recomputed !== parentCapsuleId) return { status: "mismatch", parentCapsuleId, parent, recomputed };
  return { status: "found", parentCapsuleId, parent };
}

export type ResolveCapsuleChainParameters = {
  /** Bound of the walk (default 1000 links). */
  maxDepth?: number | undefined;
  /** The Capsule's own recomputed id, when the caller already has it. */
  selfCapsuleId?: string | undefined;
};

export type ResolveCapsuleChainReturnType = {
  /**
   * complete: reached a Capsule without chain; missing / mismatch / cycle: the walk
   * stopped at `at`; depth_limit: stopped after `maxDepth` links.
   */
  status: "complete" | "missing" | "mismatch" | "cycle" | "depth_limit";
  /** Resolved ancestors, nearest first. */
  ancestors: Capsule[];
  /** Where the walk stopped (depth 0 is the immediate parent). */
  at?: { depth: number; capsuleId: string } | undefined;
};

/** Walks the ancestry of `capsule` through the store, detecting missing parents, id mismatches and cycles. */
export async function resolveCapsuleChain(
  capsule: unknown,
  store: CapsuleStore,
  parameters: ResolveCapsuleChainParameters = {},
): Promise<ResolveCapsuleChainReturnType> {
  const maxDepth = parameters.maxDepth ?? CAPSULE_DEFAULT_MAX_CHAIN_DEPTH;
  const ancestors: Capsule[] = [];
  const visited = new Set<string>();
  const self = parameters.selfCapsuleId ?? safeCapsuleId(capsule);
  if (self !== undefined) visited.add(self);
  let current: unknown = capsule;
  for (let depth = 0; ; depth++) {
    const chain = capsuleChainOf(current);
    if (chain === undefined) return { status: "complete", ancestors };
    const id = chain.parent_capsule_id;
    if (depth >= maxDepth) return { status: "depth_limit", ancestors, at: { depth, capsuleId: id } };
    if (visited.has(id)) return { status: "cycle", ancestors, at: { depth, capsuleId: id } };
    const parent = await store.get(id);
    if (parent === undefined || parent === null) return { status: "missing", ancestors, at: { depth, capsuleId: id } };
    if (safeCapsuleId(parent) !== id) return { status: "mismatch", ancestors, at: { depth, capsuleId: id } };
    visited.add(id);
    ancestors.push(parent);
    current = parent;
  }
}

export type FindSupersedingCapsulesReturnType = {
  /** The earliest superseding Capsule in ledger order (authoritative), if any. */
  authoritative: Capsule | undefined;
  /** Later superseding Capsules over the same parent (each a concurrent-supersedes finding). */
  concurrent: Capsule[];
};

/** The Capsules in the store that supersede `capsuleId`, split per the concurrent-supersedes rule. */
export async function findSupersedingCapsules(capsuleId: string, store: CapsuleStore): Promise<FindSupersedingCapsulesReturnType> {
  const children = await store.children(capsuleId);
  const sup = children.filter((c) => capsuleChainOf(c)?.relation === CAPSULE_RELATION_SUPERSEDES);
  return { authoritative: sup[0], concurrent: sup.slice(1) };
}

/** True when the verdict class makes a Capsule an open item (before looking for superseders). */
export function isOpenItemVerdictClass(verdictClass: unknown): boolean {
  return isCapsuleEnumValue(CAPSULE_OPEN_ITEM_VERDICT_CLASSES, verdictClass);
}

function verdictClassOf(capsule: unknown): unknown {
  return isRecord(capsule) && isRecord(capsule.disposition) ? capsule.disposition.verdict_class : undefined;
}

/** The open-items predicate (§5.4.4) for one Capsule. */
export async function isCapsuleOpenItem(capsule: unknown, store: CapsuleStore): Promise<boolean> {
  if (!isOpenItemVerdictClass(verdictClassOf(capsule))) return false;
  const id = safeCapsuleId(capsule);
  if (id === undefined) return false;
  const { authoritative } = await findSupersedingCapsules(id, store);
  return authoritative === undefined;
}

/** Every open item in the store, in ledger order. Needs `store.all`. */
export async function listCapsuleOpenItems(store: CapsuleStore): Promise<Capsule[]> {
  if (store.all === undefined) throw new CapsuleChainStoreError({ details: "listCapsuleOpenItems needs a store with all()" });
  const all: Capsule[] = [];
  for await (const c of store.all()) all.push(c);
  // one pass: the set of ids superseded by some Capsule in the store
  const superseded = new Set<string>();
  for (const c of all) {
    const chain = capsuleChainOf(c);
    if (chain?.relation === CAPSULE_RELATION_SUPERSEDES) superseded.add(chain.parent_capsule_id);
  }
  return all.filter((c) => {
    if (!isOpenItemVerdictClass(verdictClassOf(c))) return false;
    const id = isJsonDigest(c.capsule_id) ? c.capsule_id : safeCapsuleId(c);
    return id !== undefined && !superseded.has(id);
  });
}

export type CheckCapsuleChainReturnType = { issues: CapsuleIssue[]; linkage: CapsuleChainLinkageStatus };

/**
 * Class 1 check 6 for one Capsule against a store: missing parent (error), parent
 * id mismatch (error), linkage cycle (error), concurrent supersedes (warning),
 * ancestry longer than `maxDepth` (warning), store failure (warning, linkage unchecked).
 */
export async function checkCapsuleChain(
  capsule: Record<string, unknown>,
  selfId: string | undefined,
  store: CapsuleStore | undefined,
  parameters: ResolveCapsuleChainParameters = {},
): Promise<CheckCapsuleChainReturnType> {
  const chain = readChain(capsule);
  if (chain === undefined) {
    return { issues: [], linkage: isAbsent(capsule.chain) ? "absent" : "broken" };
  }
  if (store === undefined) {
    return {
      issues: [issue("CAPSULE_CHAIN_NOT_CHECKED", "info", "/chain", "chain parent existence and concurrent supersedes are store-level checks; no store was supplied")],
      linkage: "unchecked",
    };
  }
  const issues: CapsuleIssue[] = [];
  let linkage: CapsuleChainLinkageStatus = "intact";
  try {
    const walk = await resolveCapsuleChain(capsule, store, { ...parameters, selfCapsuleId: selfId });
    const at = walk.at;
    const where = at === undefined || at.depth === 0 ? "/chain/parent_capsule_id" : "/chain";
    const which = at === undefined ? "" : at.depth === 0 ? `parent ${at.capsuleId}` : `ancestor ${at.capsuleId} (${at.depth + 1} links up)`;
    switch (walk.status) {
      case "missing":
        issues.push(issue("CAPSULE_CHAIN_PARENT_MISSING", "error", where, `${which} is not in the store`));
        linkage = "broken";
        break;
      case "mismatch":
        issues.push(issue("CAPSULE_CHAIN_PARENT_ID_MISMATCH", "error", where, `the store's record for ${which} does not recompute to that id`));
        linkage = "broken";
        break;
      case "cycle":
        issues.push(issue("CAPSULE_CHAIN_CYCLE", "error", where, `following chain parents returns to ${at?.capsuleId ?? "a visited Capsule"}: the linkage forms a cycle`));
        linkage = "broken";
        break;
      case "depth_limit":
        issues.push(issue("CAPSULE_CHAIN_DEPTH_LIMIT", "warning", "/chain", `ancestry longer than ${parameters.maxDepth ?? CAPSULE_DEFAULT_MAX_CHAIN_DEPTH} links; older links not checked`));
        break;
      case "complete":
        break;
    }
    if (chain.relation === CAPSULE_RELATION_SUPERSEDES) {
      const { authoritative, concurrent } = await findSupersedingCapsules(chain.parent_capsule_id, store);
      if (authoritative !== undefined) {
        const authId = isRecord(authoritative) ? authoritative.capsule_id : undefined;
        const isSelf = selfId !== undefined && authId === selfId;
        if (!isSelf) {
          const inStore = selfId !== undefined && concurrent.some((c) => isRecord(c) && c.capsule_id === selfId);
          issues.push(
            issue(
              "CAPSULE_CHAIN_CONCURRENT_SUPERSEDES",
              "warning",
              "/chain/relation",
              `${String(authId)} superseded parent ${chain.parent_capsule_id} earlier in ledger order and is authoritative; this ${inStore ? "later" : "additional"} supersedes is structurally valid but not authoritative`,
            ),
          );
        }
      }
    }
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    return {
      issues: [...issues, issue("CAPSULE_CHAIN_STORE_ERROR", "warning", "/chain", `the store failed while resolving the chain: ${message.split("\n")[0] ?? ""}`)],
      linkage: "unchecked",
    };
  }
  return { issues, linkage };
}
