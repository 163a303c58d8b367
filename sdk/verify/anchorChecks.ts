/**
 * verifyTask's `anchor` section: are the digests the task's steps carry (its ECTs and Capsules, sdk/anchor
 * `ectAnchorDigest` / `capsuleAnchorDigest`) under a root anchored for the task in `DigestAnchor`?
 *
 * Roots are found from the anchor's own events: `TaskDigestsAnchored(handler, taskId, …)` (the task scope, whose
 * anchorers the handler authorises) and `BatchDigestsAnchored(anchorer, batchId = taskId, …)` from the accounts the
 * caller trusts for batches (default: the task's requester and step agents), plus explicit `(anchorer, batchId)`
 * batches read with `batchAnchor`. A root commits to a set of leaves, not to a list the chain keeps, so each root is
 * matched by rebuilding trees (OpenZeppelin StandardMerkleTree, sorted leaves: order does not matter) from the task's
 * digests: all of them; the ECTs; the Capsules; each stage's (all, ECTs, Capsules). A root whose declared leaf
 * count is one less than such a set is also tried with each digest left out, which names a digest the anchorer
 * left out. Every digest is then reported as:
 * - `anchored`: under a matched root; its Merkle proof is rebuilt and checked off-chain (and, with `onChain`,
 *   by the anchor's `verifyTaskInclusion` / `verifyBatchInclusion`);
 * - `missing`: an anchored root commits to the set it belongs to except it (a failure);
 * - `mismatch`: the task has anchored roots but none rebuilds from a set containing it (a failure: the anchored
 *   tree commits to other digests than the steps carry);
 * - `not-anchored`: no anchored root covers it and no root was left unexplained (a failure only with
 *   `requireAnchor`).
 */
import { decodeEventLog, encodeEventTopics, keccak256, type Address, type Hex } from "viem";
import { digestAnchorAbi } from "../anchor/abi.js";
import { buildDigestTree } from "../anchor/buildDigestTree.js";
import { getDigestProof } from "../anchor/getDigestProof.js";
import { batchAnchorScope, digestLeafHash, taskAnchorScope } from "../anchor/scope.js";
import { verifyDigestProof } from "../anchor/verifyDigestProof.js";
import { getLogsPaged, type RetryOptions, type RpcLog } from "../chain/logs.js";
import type { AnyClient } from "../chain/actions/internal.js";
import { lower, safeRead, short, type SafeRead } from "./internal.js";
import { allPass, fail, pass, skip, type VerifyCheck } from "./types.js";

/** One digest a step carries. */
export type AnchorItem = { digest: Hex; kind: "ect" | "capsule"; stage: number; index: number };

export type AnchorRoot = {
  root: Hex;
  scope: "task" | "batch";
  /** The scope hash the leaves are bound to. */
  scopeHash: Hex;
  anchorer: Address;
  /** The batch id (batch scope only). */
  batchId: Hex | undefined;
  /** The leaf count the anchorer declared. */
  leafCount: number;
  transactionHash: Hex | undefined;
  blockNumber: bigint | undefined;
  /** Which of the task's digest sets the root rebuilds from (undefined: none). */
  covers: string | undefined;
};

export type AnchoredDigest = AnchorItem & {
  status: "anchored" | "missing" | "mismatch" | "not-anchored";
  /** The root it is under (`anchored`) or left out of (`missing`). */
  root: Hex | undefined;
  /** Its Merkle proof under `root` (`anchored`). */
  proof: Hex[] | undefined;
  /** The anchor contract's answer, when asked (`onChain`). */
  onChain: boolean | undefined;
  reason: string;
};

export type AnchorReport = {
  /** The DigestAnchor contract read. */
  address: Address;
  /** The task's scope at that contract. */
  taskScope: Hex;
  roots: AnchorRoot[];
  digests: AnchoredDigest[];
  /** No anchor check failed. */
  ok: boolean;
  checks: VerifyCheck[];
};

export type AnchorOptions = {
  /** The DigestAnchor contract. */
  address: Address;
  /** Also ask the contract for every anchored digest (`verifyTaskInclusion` / `verifyBatchInclusion`). Default false. */
  onChain?: boolean | undefined;
  /**
   * Accounts whose batch named after the task (`batchId = taskId`) counts as the task's anchoring (default: the
   * task's requester and the agents that stepped it). Task-scope roots always count (the handler authorises them).
   */
  batchAnchorers?: readonly Address[] | undefined;
  /** Further batches to read (`batchAnchor(anchorer, batchId)`), whatever their id. */
  batches?: readonly { anchorer: Address; batchId: Hex }[] | undefined;
};

export type AnchorReads = {
  logs: RpcLog[];
  requests: number;
  batches: { anchorer: Address; batchId: Hex; read: SafeRead<{ root: Hex; anchorer: Address; anchoredAt: number; leafCount: number }> }[];
};

const TOPICS = [
  encodeEventTopics({ abi: digestAnchorAbi, eventName: "TaskDigestsAnchored" })[0] as Hex,
  encodeEventTopics({ abi: digestAnchorAbi, eventName: "BatchDigestsAnchored" })[0] as Hex,
];

/** Round-1 reads: the anchor's events naming the task id (both scopes), and the explicit batches. */
export async function readAnchor(
  client: AnyClient,
  o: AnchorOptions,
  p: { taskId: Hex; fromBlock?: bigint | undefined; toBlock?: bigint | undefined; pageSize?: bigint | undefined; retry?: RetryOptions | undefined },
): Promise<AnchorReads> {
  const [paged, batches] = await Promise.all([
    getLogsPaged(client, { address: o.address, topics: [TOPICS, null, p.taskId], fromBlock: p.fromBlock, toBlock: p.toBlock, pageSize: p.pageSize, retry: p.retry }),
    Promise.all(
      (o.batches ?? []).map(async (b) => ({
        ...b,
        read: await safeRead<{ root: Hex; anchorer: Address; anchoredAt: number; leafCount: number }>(
          client,
          { address: o.address, abi: digestAnchorAbi, functionName: "batchAnchor", args: [b.anchorer, b.batchId] },
          p.retry,
        ),
      })),
    ),
  ]);
  return { logs: paged.logs, requests: paged.requests, batches };
}

type Candidate = { label: string; idx: number[] };

/** Leaves hashed into leave-one-out trees per task (a set of n digests costs n trees of n - 1 leaves). */
const LEAVE_ONE_OUT_BUDGET = 262_144;
const LIST = 8;

/** Builds the section from the reads and the task's items (never throws for hostile data; RPC failures do). */
export async function anchorSection(
  client: AnyClient,
  reads: AnchorReads,
  p: {
    options: AnchorOptions;
    chainId: number;
    handler: Address;
    taskId: Hex;
    items: readonly AnchorItem[];
    /** Digests a step carries that cannot be anchored (e.g. a capsule without a well-formed id). */
    unanchorable: readonly string[];
    trustedBatchAnchorers: readonly Address[];
    requireAnchor: boolean;
    retry: RetryOptions | undefined;
  },
): Promise<AnchorReport> {
  const { options, chainId, handler, taskId, items } = p;
  const anchor = options.address;
  const taskScope = taskAnchorScope({ chainId, anchor, handler, taskId });
  const checks: VerifyCheck[] = [];

  // Roots.
  const roots: AnchorRoot[] = [];
  const seen = new Set<string>();
  const trusted = new Set((options.batchAnchorers ?? p.trustedBatchAnchorers).map(lower));
  let ignored = 0;
  for (const log of reads.logs) {
    if (lower(log.address) !== lower(anchor)) continue;
    let d: ReturnType<typeof decodeEventLog<typeof digestAnchorAbi>>;
    try {
      d = decodeEventLog({ abi: digestAnchorAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]], strict: true });
    } catch {
      continue;
    }
    const base = { transactionHash: log.transactionHash ?? undefined, blockNumber: log.blockNumber === null ? undefined : BigInt(log.blockNumber), covers: undefined };
    if (d.eventName === "TaskDigestsAnchored") {
      const a = d.args;
      if (lower(a.handler) !== lower(handler) || lower(a.taskId) !== lower(taskId)) continue;
      const key = `task:${lower(a.root)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      roots.push({ root: a.root, scope: "task", scopeHash: taskScope, anchorer: a.anchorer, batchId: undefined, leafCount: a.leafCount, ...base });
    } else if (d.eventName === "BatchDigestsAnchored") {
      const a = d.args;
      if (lower(a.batchId) !== lower(taskId)) continue;
      if (!trusted.has(lower(a.anchorer))) {
        ignored++;
        continue;
      }
      const key = `batch:${lower(a.anchorer)}:${lower(a.batchId)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      roots.push({ root: a.root, scope: "batch", scopeHash: batchAnchorScope({ chainId, anchor, anchorer: a.anchorer, batchId: a.batchId }), anchorer: a.anchorer, batchId: a.batchId, leafCount: a.leafCount, ...base });
    }
  }
  for (const b of reads.batches) {
    if (!b.read.ok) {
      checks.push(fail("anchor.batch", `batchAnchor(${short(b.anchorer)}, ${short(b.batchId)}) cannot be read: ${b.read.reason}`));
      continue;
    }
    const r = b.read.value;
    if (!/^0x[0-9a-fA-F]{64}$/.test(r.root) || /^0x0{64}$/.test(r.root)) {
      checks.push(skip("anchor.batch", `batch ${short(b.batchId)} of ${short(b.anchorer)} is not anchored`));
      continue;
    }
    const key = `batch:${lower(b.anchorer)}:${lower(b.batchId)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    roots.push({ root: r.root, scope: "batch", scopeHash: batchAnchorScope({ chainId, anchor, anchorer: b.anchorer, batchId: b.batchId }), anchorer: r.anchorer, batchId: b.batchId, leafCount: Number(r.leafCount), transactionHash: undefined, blockNumber: undefined, covers: undefined });
  }
  const ignoredNote = ignored ? `; ${ignored} batch root(s) named after the task by untrusted accounts ignored` : "";
  if (roots.length === 0) {
    const why = `no root is anchored for the task at ${short(anchor)}${ignoredNote}`;
    checks.push(p.requireAnchor ? fail("anchor.roots", `${why} (anchoring is required)`) : skip("anchor.roots", why));
  } else {
    const t = roots.filter((r) => r.scope === "task").length;
    checks.push(pass("anchor.roots", `${roots.length} root(s) anchored for the task (${t} task scope, ${roots.length - t} batch)${ignoredNote}`));
  }

  // Candidate sets of the task's digests.
  const candidates: Candidate[] = [];
  const keys = new Set<string>();
  const add = (label: string, idx: number[]) => {
    const k = idx.join(",");
    if (idx.length === 0 || keys.has(k)) return;
    keys.add(k);
    candidates.push({ label, idx });
  };
  const all = items.map((_, i) => i);
  add("the task's digests", all);
  add("the task's ECTs", all.filter((i) => items[i]?.kind === "ect"));
  add("the task's Capsules", all.filter((i) => items[i]?.kind === "capsule"));
  for (const s of [...new Set(items.map((x) => x.stage))].sort((a, b) => a - b)) {
    const st = all.filter((i) => items[i]?.stage === s);
    add(`stage ${s}'s digests`, st);
    add(`stage ${s}'s ECTs`, st.filter((i) => items[i]?.kind === "ect"));
    add(`stage ${s}'s Capsules`, st.filter((i) => items[i]?.kind === "capsule"));
  }
  const leafCache = new Map<string, Hex>();
  const leafOf = (scopeHash: Hex, i: number): Hex => {
    const k = `${scopeHash}:${i}`;
    let h = leafCache.get(k);
    if (!h) leafCache.set(k, (h = digestLeafHash({ scope: scopeHash, digest: items[i]?.digest as Hex })));
    return h;
  };
  const rootOf = (scopeHash: Hex, idx: readonly number[]): Hex => merkleRoot(idx.map((i) => leafOf(scopeHash, i)));

  // Match every root.
  const state = items.map(() => ({ status: "not-anchored" as AnchoredDigest["status"], root: undefined as Hex | undefined, proof: undefined as Hex[] | undefined, onChain: undefined as boolean | undefined, reason: "" }));
  const provenUnder: { root: AnchorRoot; idx: number[] }[] = [];
  // Each scope's candidate roots are computed once (a root is then a lookup); leave-one-out trees only for the
  // declared leaf counts roots name, within a budget (a hostile anchorer may anchor many roots for a task).
  const exact = new Map<Hex, Map<string, Candidate>>();
  const exactOf = (scopeHash: Hex) => {
    let m = exact.get(scopeHash);
    if (!m) {
      m = new Map();
      for (const c of candidates) {
        const root = rootOf(scopeHash, c.idx);
        if (!m.has(root)) m.set(root, c);
      }
      exact.set(scopeHash, m);
    }
    return m;
  };
  const leftOut = new Map<string, Map<string, { c: Candidate; left: number }>>();
  let budget = LEAVE_ONE_OUT_BUDGET;
  const leftOutOf = (scopeHash: Hex, leafCount: number) => {
    const key = `${scopeHash}:${leafCount}`;
    let m = leftOut.get(key);
    if (!m) {
      m = new Map();
      for (const c of candidates) {
        const cost = c.idx.length * c.idx.length;
        if (c.idx.length !== leafCount + 1 || c.idx.length < 2 || cost > budget) continue;
        budget -= cost;
        for (const k of c.idx) {
          const root = rootOf(scopeHash, c.idx.filter((i) => i !== k));
          if (!m.has(root)) m.set(root, { c, left: k });
        }
      }
      leftOut.set(key, m);
    }
    return m;
  };
  for (const r of roots) {
    const want = lower(r.root) as Hex;
    const hit = exactOf(r.scopeHash).get(want);
    const matched: { c: Candidate; left: number | undefined } | undefined = hit ? { c: hit, left: undefined } : leftOutOf(r.scopeHash, r.leafCount).get(want);
    if (!matched) continue;
    const idx = matched.left === undefined ? matched.c.idx : matched.c.idx.filter((i) => i !== matched.left);
    r.covers = matched.left === undefined ? matched.c.label : `${matched.c.label} but one`;
    provenUnder.push({ root: r, idx });
    if (matched.left !== undefined) {
      const s = state[matched.left];
      const it = items[matched.left];
      if (s && it && s.status !== "anchored") {
        s.status = "missing";
        s.root = r.root;
        s.reason = `missing from ${r.scope} root ${short(r.root)}: it commits to ${matched.c.label} (${matched.c.idx.length}) except this ${it.kind}`;
      }
    }
  }
  // Proofs for the anchored digests (rebuilt, then checked as an outsider would).
  const badProofs: string[] = [];
  for (const { root: r, idx } of provenUnder) {
    const tree = buildDigestTree({ scope: r.scopeHash, digests: idx.map((i) => items[i]?.digest as Hex) });
    for (const i of idx) {
      const s = state[i];
      const it = items[i];
      if (!s || !it || s.status === "anchored") continue;
      const proof = getDigestProof({ tree, digest: it.digest });
      if (!verifyDigestProof({ root: r.root, scope: r.scopeHash, digest: it.digest, proof })) {
        badProofs.push(`${label(it)}: the rebuilt proof does not verify under ${short(r.root)}`);
        continue;
      }
      s.status = "anchored";
      s.root = r.root;
      s.proof = proof;
      s.reason = `under ${r.scope} root ${short(r.root)} (${r.covers}), proof of ${proof.length} node(s) verified off-chain`;
    }
  }
  const unexplained = roots.filter((r) => r.covers === undefined);
  for (const [i, s] of state.entries()) {
    if (s.status === "anchored" || s.status === "missing") continue;
    const it = items[i];
    if (!it) continue;
    if (unexplained.length) {
      s.status = "mismatch";
      s.reason = `not under any anchored root: ${unexplained.map((r) => `${r.scope} root ${short(r.root)} (${r.leafCount} leaves)`).join(", ")} rebuild(s) from none of the task's digest sets`;
    } else {
      s.status = "not-anchored";
      s.reason = roots.length ? "the task's anchored roots cover other digests, not this one" : "no root is anchored for the task";
    }
  }

  // On-chain inclusion.
  if (options.onChain) {
    await Promise.all(
      state.map(async (s, i) => {
        const it = items[i];
        if (s.status !== "anchored" || !s.root || !s.proof || !it) return;
        const r = roots.find((x) => x.root === s.root);
        if (!r) return;
        const call =
          r.scope === "task"
            ? { address: anchor, abi: digestAnchorAbi, functionName: "verifyTaskInclusion", args: [handler, taskId, r.root, it.digest, s.proof] }
            : { address: anchor, abi: digestAnchorAbi, functionName: "verifyBatchInclusion", args: [r.anchorer, r.batchId, it.digest, s.proof] };
        const answer = await safeRead<boolean>(client, call, p.retry);
        s.onChain = answer.ok ? answer.value === true : false;
      }),
    );
  }

  const digests: AnchoredDigest[] = items.map((it, i) => ({ ...it, ...(state[i] as (typeof state)[number]) }));
  const anchored = digests.filter((d) => d.status === "anchored");
  const broken = digests.filter((d) => d.status === "missing" || d.status === "mismatch");
  const loose = digests.filter((d) => d.status === "not-anchored");
  const list = (ds: readonly AnchoredDigest[]) => ds.slice(0, LIST).map((d) => `${label(d)} ${short(d.digest)}: ${d.reason}`).join("; ") + (ds.length > LIST ? `; … ${ds.length - LIST} more` : "");
  if (items.length === 0) {
    const why = "the task's steps carry no ECT or Capsule to anchor";
    checks.push(p.requireAnchor && p.unanchorable.length ? fail("anchor.inclusion", why) : skip("anchor.inclusion", why));
  } else if (broken.length || badProofs.length) {
    checks.push(fail("anchor.inclusion", [list(broken), ...badProofs].filter(Boolean).join("; ")));
  } else if (anchored.length) {
    checks.push(pass("anchor.inclusion", `${anchored.length} of ${items.length} digest(s) under anchored roots, every proof verified off-chain`));
  }
  if (loose.length) {
    const why = `${loose.length} of ${items.length} digest(s) not anchored: ${list(loose)}`;
    checks.push(p.requireAnchor ? fail("anchor.coverage", `${why} (anchoring is required)`) : skip("anchor.coverage", why));
  }
  if (p.unanchorable.length) checks.push((p.requireAnchor ? fail : skip)("anchor.coverage", `not anchorable: ${p.unanchorable.join("; ")}`));
  const extra = roots.filter((r) => r.covers === undefined);
  if (extra.length && broken.length === 0) {
    checks.push(skip("anchor.unmatchedRoots", `${extra.map((r) => `${r.scope} root ${short(r.root)} (${r.leafCount} leaves)`).join(", ")} rebuild(s) from none of the task's digest sets (they may commit to other data)`));
  }
  if (options.onChain) {
    const asked = anchored.filter((d) => d.onChain !== undefined);
    const no = asked.filter((d) => d.onChain !== true);
    if (asked.length) checks.push(no.length ? fail("anchor.onChain", `the anchor does not confirm ${no.length} of ${asked.length} inclusion(s): ${no.slice(0, LIST).map(label).join(", ")}`) : pass("anchor.onChain", `the anchor confirms all ${asked.length} inclusion(s)`));
  }
  return { address: anchor, taskScope, roots, digests, ok: allPass(checks), checks };
}

/**
 * The root of OpenZeppelin's StandardMerkleTree over already-hashed leaves (lower-case hex): leaves sorted
 * ascending, laid out from the end of the array, each node the keccak256 of its sorted children — the same tree as
 * `StandardMerkleTree.of` (and `buildDigestTree`), without its per-leaf ABI encoding.
 */
function merkleRoot(leaves: readonly Hex[]): Hex {
  const sorted = leaves.map(lower).sort();
  const n = sorted.length;
  const tree: string[] = new Array<string>(2 * n - 1);
  for (let i = 0; i < n; i++) tree[tree.length - 1 - i] = sorted[i] as string;
  for (let i = tree.length - 1 - n; i >= 0; i--) {
    const a = tree[2 * i + 1] as string;
    const b = tree[2 * i + 2] as string;
    tree[i] = keccak256(a < b ? `${a}${b.slice(2)}` as Hex : `${b}${a.slice(2)}` as Hex);
  }
  return tree[0] as Hex;
}

function label(d: AnchorItem): string {
  return `stage ${d.stage} ${d.kind === "ect" ? "ECT" : "Capsule"} ${d.index}`;
}
