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
 *   references them. Check 6 is normative: a parent that cannot be resolved is not a
 *   pass, so a store that fails (throws, rejects, returns malformed answers) is an
 *   error finding too — CAPSULE_CHAIN_STORE_ERROR, distinct from
 *   CAPSULE_CHAIN_PARENT_MISSING ("the store answered: no such Capsule").
 *
 * Store records are untrusted: each is read once (`snapshotCapsule`) and its id,
 * chain block and verdict class are all taken from that one reading.
 */
import type { CapsuleChainLinkageStatus } from "./assurance.js";
import { computeCapsuleId, snapshotCapsule } from "./capsuleId.js";
import { CapsuleChainStoreError, type CapsuleIssue, describeError } from "./errors.js";
import { issue, isAbsent, isRecord, notObjectIssue } from "./issues.js";
import type { CapsuleStore } from "./store.js";
import { readChain } from "./structure.js";
import type { Capsule, CapsuleChain } from "./types.js";
import { CAPSULE_OPEN_ITEM_VERDICT_CLASSES, isCapsuleEnumValue } from "./vocabulary.js";

/** The seeded terminal relation. */
export const CAPSULE_RELATION_SUPERSEDES = "supersedes";

/** Default bound of the ancestry walk. */
export const CAPSULE_DEFAULT_MAX_CHAIN_DEPTH = 1000;

/** The store argument, checked: an object with get() and children(). Throws `CapsuleChainStoreError`. */
function requireStore(store: unknown, fn: string): CapsuleStore {
  if (typeof store !== "object" || store === null || typeof (store as CapsuleStore).get !== "function" || typeof (store as CapsuleStore).children !== "function") {
    throw new CapsuleChainStoreError({ details: `${fn} needs a Capsule store (get, children)` });
  }
  return store as CapsuleStore;
}

/** An optional parameters object, read as {} when it is not an object. */
function paramsOf<T extends object>(p: T | undefined): Partial<T> {
  return typeof p === "object" && p !== null ? p : {};
}

function safeCapsuleId(capsule: unknown): string | undefined {
  return snapshotCapsule(capsule, 0).capsuleId;
}

/** One reading of a store record: its recomputed id and chain block. */
function readRecord(capsule: unknown): { capsuleId: string | undefined; chain: CapsuleChain | undefined; verdictClass: unknown } {
  const snap = snapshotCapsule(capsule, 0);
  const c = snap.capsule;
  return {
    capsuleId: snap.capsuleId,
    chain: c === undefined ? undefined : readChain(c),
    verdictClass: c !== undefined && isRecord(c.disposition) ? c.disposition.verdict_class : undefined,
  };
}

/** The chain block of `capsule` when present and well formed, else undefined. */
export function capsuleChainOf(capsule: unknown): CapsuleChain | undefined {
  return readRecord(capsule).chain;
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
  requireStore(store, "resolveCapsuleParent");
  const chain = readRecord(capsule).chain;
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
  requireStore(store, "resolveCapsuleChain");
  const p = paramsOf(parameters);
  const start = readRecord(capsule);
  return walkChain(start.chain, p.selfCapsuleId ?? start.capsuleId, store, p.maxDepth);
}

/** The ancestry walk from a chain block already read (`selfId`: the id of the Capsule carrying it). */
async function walkChain(first: CapsuleChain | undefined, selfId: string | undefined, store: CapsuleStore, maxDepthParameter: number | undefined): Promise<ResolveCapsuleChainReturnType> {
  const maxDepth = maxDepthParameter ?? CAPSULE_DEFAULT_MAX_CHAIN_DEPTH;
  const ancestors: Capsule[] = [];
  const visited = new Set<string>();
  if (selfId !== undefined) visited.add(selfId);
  let chain = first;
  for (let depth = 0; ; depth++) {
    if (chain === undefined) return { status: "complete", ancestors };
    const id = chain.parent_capsule_id;
    if (depth >= maxDepth) return { status: "depth_limit", ancestors, at: { depth, capsuleId: id } };
    if (visited.has(id)) return { status: "cycle", ancestors, at: { depth, capsuleId: id } };
    const parent = await store.get(id);
    if (parent === undefined || parent === null) return { status: "missing", ancestors, at: { depth, capsuleId: id } };
    const record = readRecord(parent);
    if (record.capsuleId !== id) return { status: "mismatch", ancestors, at: { depth, capsuleId: id } };
    visited.add(id);
    ancestors.push(parent);
    chain = record.chain;
  }
}

export type FindSupersedingCapsulesReturnType = {
  /** The earliest superseding Capsule in ledger order (authoritative), if any. */
  authoritative: Capsule | undefined;
  /** Later superseding Capsules over the same parent (each a concurrent-supersedes finding). */
  concurrent: Capsule[];
};

/** Superseding children of `capsuleId`, each read once (recomputed id included), in ledger order. */
async function supersedingChildren(capsuleId: string, store: CapsuleStore): Promise<{ capsule: Capsule; capsuleId: string | undefined }[]> {
  const children = await store.children(capsuleId);
  if (!Array.isArray(children)) throw new CapsuleChainStoreError({ details: "store.children() did not return an array" });
  const out: { capsule: Capsule; capsuleId: string | undefined }[] = [];
  for (const c of children as readonly Capsule[]) {
    const r = readRecord(c);
    if (r.chain?.relation === CAPSULE_RELATION_SUPERSEDES && r.chain.parent_capsule_id === capsuleId) out.push({ capsule: c, capsuleId: r.capsuleId });
  }
  return out;
}

/** The Capsules in the store that supersede `capsuleId`, split per the concurrent-supersedes rule. */
export async function findSupersedingCapsules(capsuleId: string, store: CapsuleStore): Promise<FindSupersedingCapsulesReturnType> {
  requireStore(store, "findSupersedingCapsules");
  if (typeof capsuleId !== "string") return { authoritative: undefined, concurrent: [] };
  const sup = (await supersedingChildren(capsuleId, store)).map((x) => x.capsule);
  return { authoritative: sup[0], concurrent: sup.slice(1) };
}

/** True when the verdict class makes a Capsule an open item (before looking for superseders). */
export function isOpenItemVerdictClass(verdictClass: unknown): boolean {
  return isCapsuleEnumValue(CAPSULE_OPEN_ITEM_VERDICT_CLASSES, verdictClass);
}

/** The open-items predicate (§5.4.4) for one Capsule. */
export async function isCapsuleOpenItem(capsule: unknown, store: CapsuleStore): Promise<boolean> {
  requireStore(store, "isCapsuleOpenItem");
  const record = readRecord(capsule);
  if (!isOpenItemVerdictClass(record.verdictClass)) return false;
  const id = record.capsuleId;
  if (id === undefined) return false;
  const { authoritative } = await findSupersedingCapsules(id, store);
  return authoritative === undefined;
}

/** Every open item in the store, in ledger order. Needs `store.all`. */
export async function listCapsuleOpenItems(store: CapsuleStore): Promise<Capsule[]> {
  requireStore(store, "listCapsuleOpenItems");
  if (typeof store.all !== "function") throw new CapsuleChainStoreError({ details: "listCapsuleOpenItems needs a store with all()" });
  const all: { capsule: Capsule; record: ReturnType<typeof readRecord> }[] = [];
  for await (const c of store.all()) all.push({ capsule: c, record: readRecord(c) });
  // one pass: the set of ids superseded by some Capsule in the store
  const superseded = new Set<string>();
  for (const { record } of all) {
    if (record.chain?.relation === CAPSULE_RELATION_SUPERSEDES) superseded.add(record.chain.parent_capsule_id);
  }
  return all
    .filter(({ record }) => isOpenItemVerdictClass(record.verdictClass) && record.capsuleId !== undefined && !superseded.has(record.capsuleId))
    .map(({ capsule }) => capsule);
}

export type CheckCapsuleChainReturnType = { issues: CapsuleIssue[]; linkage: CapsuleChainLinkageStatus };

/**
 * The part of check 6 that needs no store: no chain block (linkage absent), a
 * malformed one (broken; check 1 reports why), or — with `store` undefined — a chain
 * the verifier cannot follow (CAPSULE_CHAIN_NOT_CHECKED, info; linkage unchecked).
 * Returns undefined when the chain block is well formed and a store is available.
 */
export function checkCapsuleChainWithoutStore(capsule: Record<string, unknown>, store: CapsuleStore | undefined): CheckCapsuleChainReturnType | undefined {
  if (!isRecord(capsule)) return { issues: [notObjectIssue(capsule)], linkage: "broken" };
  if (readChain(capsule) === undefined) return { issues: [], linkage: isAbsent(capsule.chain) ? "absent" : "broken" };
  if (store !== undefined) return undefined;
  return {
    issues: [issue("CAPSULE_CHAIN_NOT_CHECKED", "info", "/chain", "chain parent existence and concurrent supersedes are store-level checks; no store was supplied")],
    linkage: "unchecked",
  };
}

/**
 * Class 1 check 6 for one Capsule against a store: missing parent (error), parent
 * id mismatch (error), linkage cycle (error), store failure (error, linkage
 * unchecked), concurrent supersedes (warning), ancestry longer than `maxDepth`
 * (warning). `capsule` should be a snapshot (`snapshotCapsule`): it is read freely.
 */
export async function checkCapsuleChain(
  capsule: unknown,
  selfId: string | undefined,
  store: CapsuleStore | undefined,
  parameters: ResolveCapsuleChainParameters = {},
): Promise<CheckCapsuleChainReturnType> {
  if (store !== undefined && (typeof store !== "object" || store === null || typeof store.get !== "function" || typeof store.children !== "function")) {
    return { issues: [issue("CAPSULE_CHAIN_STORE_ERROR", "error", "/chain", "the store is not a Capsule store (get, children)")], linkage: "unchecked" };
  }
  parameters = paramsOf(parameters);
  if (!isRecord(capsule)) return { issues: [notObjectIssue(capsule)], linkage: "broken" };
  const early = checkCapsuleChainWithoutStore(capsule, store);
  if (early !== undefined || store === undefined) return early ?? { issues: [], linkage: "unchecked" };
  const chain = readChain(capsule) as CapsuleChain;
  const issues: CapsuleIssue[] = [];
  let linkage: CapsuleChainLinkageStatus = "intact";
  try {
    const walk = await walkChain(chain, selfId, store, parameters.maxDepth);
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
      const sup = await supersedingChildren(chain.parent_capsule_id, store);
      const authoritative = sup[0];
      if (authoritative !== undefined && (selfId === undefined || authoritative.capsuleId !== selfId)) {
        const inStore = selfId !== undefined && sup.some((c) => c.capsuleId === selfId);
        issues.push(
          issue(
            "CAPSULE_CHAIN_CONCURRENT_SUPERSEDES",
            "warning",
            "/chain/relation",
            `${authoritative.capsuleId ?? "a Capsule that does not recompute"} superseded parent ${chain.parent_capsule_id} earlier in ledger order and is authoritative; this ${inStore ? "later" : "additional"} supersedes is structurally valid but not authoritative`,
          ),
        );
      }
    }
  } catch (cause) {
    return {
      issues: [...issues, issue("CAPSULE_CHAIN_STORE_ERROR", "error", "/chain", `the store failed while resolving the chain, so check 6 could not establish the linkage: ${describeError(cause)}`)],
      linkage: "unchecked",
    };
  }
  return { issues, linkage };
}
