/**
 * DAG validation (seed 000 4.3): each of the five rules, the traversal limit, scoping by `wid`,
 * trust-domain federation, the order/depth helpers, and step 13 against a store.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  dagDepths,
  dagLevels,
  ectTrustDomain,
  EctCycleError,
  EctDagStoreError,
  EctDuplicateJtiError,
  EctInvalidClaimError,
  EctTemporalOrderError,
  EctTraversalLimitError,
  EctTrustDomainError,
  EctUnknownParentError,
  topologicalOrder,
  validateEctDag,
  validateEctInStore,
  validateEctSetInStore,
  type EctDagNode,
  type EctDagSyncStore,
} from "../../sdk/index.js";
import { ectDagViolationToError } from "../../sdk/ect/dag.js";

const T0 = 1_740_600_000;
const ISS = "spiffe://bank.example/agent/x";

function node(jti: string, par: string[] = [], o: Partial<EctDagNode> = {}): EctDagNode {
  return { jti, par, iat: T0, iss: ISS, wid: "w", ...o };
}

/** The paper's Figure 1: A → B, A → C, {B, C} → D, D → E. */
function figure1(): EctDagNode[] {
  return [
    node("A", [], { iat: T0 }),
    node("B", ["A"], { iat: T0 + 1 }),
    node("C", ["A"], { iat: T0 + 1 }),
    node("D", ["B", "C"], { iat: T0 + 2 }),
    node("E", ["D"], { iat: T0 + 3 }),
  ];
}

function storeOf(nodes: EctDagNode[]): EctDagSyncStore {
  return { lookupEct: (jti, wid) => nodes.find((n) => n.jti === jti && (wid === undefined || n.wid === undefined || n.wid === wid)) };
}

describe("validateEctDag: the paper's five-task workflow (Figure 1)", () => {
  it("is valid, with a topological order", () => {
    const r = validateEctDag(figure1());
    assert.deepEqual(r, { ok: true, violations: [], order: [0, 1, 2, 3, 4] });
  });
  it("has depths A 0, B 1, C 1, D 2, E 3 and stages [[A], [B, C], [D], [E]]", () => {
    assert.deepEqual([...dagDepths(figure1())], [["A", 0], ["B", 1], ["C", 1], ["D", 2], ["E", 3]]);
    assert.deepEqual(dagLevels(figure1()).map((l) => l.map((n) => n.jti)), [["A"], ["B", "C"], ["D"], ["E"]]);
  });
  it("orders any permutation parents-first", () => {
    const shuffled = [4, 2, 0, 3, 1].map((i) => figure1()[i]!);
    const order = topologicalOrder(shuffled).map((n) => n.jti);
    const pos = new Map(order.map((j, i) => [j, i]));
    for (const n of figure1()) for (const p of n.par) assert.ok(pos.get(p)! < pos.get(n.jti)!);
    assert.deepEqual(order, ["A", "C", "B", "D", "E"]); // ties keep input order (C came before B)
  });
});

describe("rule 1: jti uniqueness", () => {
  it("reports a duplicate within a workflow", () => {
    const r = validateEctDag([node("A"), node("A")]);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.violations.map((v) => [v.rule, v.code, v.index]),
      [[1, "ECT_DAG_DUPLICATE_JTI", 1]],
    );
  });
  it("allows one jti in two different workflows, not in the global scope", () => {
    assert.ok(validateEctDag([node("A", [], { wid: "w1" }), node("A", [], { wid: "w2" })]).ok);
    const g = validateEctDag([node("A", [], { wid: "w1" }), node("A", [], { wid: undefined })]);
    assert.deepEqual(g.violations.map((v) => v.rule), [1]);
  });
  it("reports a set member already recorded in the store", () => {
    const r = validateEctDag([node("A")], { store: storeOf([node("A")]) });
    assert.deepEqual(r.violations.map((v) => [v.rule, v.details.includes("store")]), [[1, true]]);
  });
});

describe("rule 2: parent existence", () => {
  it("reports every missing parent", () => {
    const r = validateEctDag([node("B", ["A", "Z"]), node("C", ["Y"])]);
    assert.deepEqual(r.violations.map((v) => [v.rule, v.jti, v.parent]), [[2, "B", "A"], [2, "B", "Z"], [2, "C", "Y"]]);
    assert.ok(ectDagViolationToError(r.violations[0]!) instanceof EctUnknownParentError);
  });
  it("finds parents in the store", () => {
    assert.ok(validateEctDag([node("B", ["A"])], { store: storeOf([node("A")]) }).ok);
  });
  it("does not resolve a parent in another workflow", () => {
    const r = validateEctDag([node("A", [], { wid: "w1" }), node("B", ["A"], { wid: "w2" })]);
    assert.deepEqual(r.violations.map((v) => v.rule), [2]);
  });
  it("resolves a global parent from any workflow, and reports an ambiguous reference from a global child", () => {
    assert.ok(validateEctDag([node("A", [], { wid: undefined }), node("B", ["A"], { wid: "w2" })]).ok);
    const r = validateEctDag([node("A", [], { wid: "w1" }), node("A", [], { wid: "w2" }), node("B", ["A"], { wid: undefined })]);
    assert.deepEqual(r.violations.map((v) => [v.rule, v.details.includes("ambiguous")]), [[2, true]]);
  });
});

describe("rule 3: temporal ordering with 30 s skew", () => {
  it("accepts a parent up to 30 s after its child and rejects 31 s", () => {
    assert.ok(validateEctDag([node("A", [], { iat: T0 + 30 }), node("B", ["A"], { iat: T0 })]).ok);
    const r = validateEctDag([node("A", [], { iat: T0 + 31 }), node("B", ["A"], { iat: T0 })]);
    assert.deepEqual(r.violations.map((v) => [v.rule, v.jti, v.parent]), [[3, "B", "A"]]);
    assert.ok(ectDagViolationToError(r.violations[0]!) instanceof EctTemporalOrderError);
  });
  it("has an injectable tolerance and checks store parents too", () => {
    assert.equal(validateEctDag([node("A", [], { iat: T0 + 10 }), node("B", ["A"], { iat: T0 })], { clockSkewSec: 5 }).ok, false);
    assert.equal(validateEctDag([node("B", ["A"], { iat: T0 })], { store: storeOf([node("A", [], { iat: T0 + 100 })]) }).violations[0]?.rule, 3);
  });
});

describe("rule 4: acyclicity", () => {
  it("reports a self-reference", () => {
    const r = validateEctDag([node("A", ["A"])]);
    assert.deepEqual(r.violations.map((v) => [v.rule, v.cycle]), [[4, ["A"]]]);
    assert.equal(r.order, undefined);
    assert.ok(ectDagViolationToError(r.violations[0]!) instanceof EctCycleError);
  });
  it("reports each cycle once, with all its members, and leaves the rest alone", () => {
    const r = validateEctDag([node("R"), node("A", ["R", "C"]), node("B", ["A"]), node("C", ["B"]), node("D", ["C"]), node("X", ["Y"]), node("Y", ["X"])]);
    assert.deepEqual(r.violations.map((v) => [v.rule, v.cycle]), [
      [4, ["A", "B", "C"]],
      [4, ["X", "Y"]],
    ]);
  });
  it("topologicalOrder and dagDepths throw EctCycleError; duplicates throw EctDuplicateJtiError", () => {
    assert.throws(() => topologicalOrder([node("A", ["B"]), node("B", ["A"])]), EctCycleError);
    assert.throws(() => dagDepths([node("A", ["A"])]), EctCycleError);
    assert.throws(() => dagLevels([node("A"), node("A")]), EctDuplicateJtiError);
  });
});

describe("rule 5: trust-domain consistency", () => {
  it("derives trust domains from SPIFFE IDs and URLs", () => {
    assert.equal(ectTrustDomain("spiffe://Bank.Example/agent/a"), "bank.example");
    assert.equal(ectTrustDomain("https://user@agents.example:8443/a"), "agents.example");
    assert.equal(ectTrustDomain("agent-7"), "agent-7");
  });
  it("reports a parent from a foreign trust domain", () => {
    const r = validateEctDag([node("A", [], { iss: "spiffe://other.example/agent/y" }), node("B", ["A"])]);
    assert.deepEqual(r.violations.map((v) => [v.rule, v.jti, v.parent]), [[5, "B", "A"]]);
    assert.ok(ectDagViolationToError(r.violations[0]!) instanceof EctTrustDomainError);
  });
  it("accepts federated trust domains (groups or a predicate) and a custom domain mapping", () => {
    const nodes = [node("A", [], { iss: "spiffe://other.example/agent/y" }), node("B", ["A"])];
    assert.ok(validateEctDag(nodes, { federatedTrustDomains: [["bank.example", "other.example"]] }).ok);
    assert.equal(validateEctDag(nodes, { federatedTrustDomains: [["bank.example", "third.example"], ["other.example"]] }).ok, false);
    assert.ok(validateEctDag(nodes, { isFederated: (p, c) => p.endsWith(".example") && c.endsWith(".example") }).ok);
    assert.ok(validateEctDag(nodes, { trustDomainOf: () => "one" }).ok);
  });
});

describe("traversal limit and robustness", () => {
  it("refuses a set larger than the limit without traversing it", () => {
    const nodes = Array.from({ length: 10_001 }, (_, i) => node(`n${i}`, i ? [`n${i - 1}`] : []));
    const r = validateEctDag(nodes);
    assert.deepEqual(r.violations.map((v) => v.code), ["ECT_DAG_TRAVERSAL_LIMIT"]);
    assert.ok(ectDagViolationToError(r.violations[0]!) instanceof EctTraversalLimitError);
    assert.ok(validateEctDag(nodes.slice(0, 10_000)).ok);
    assert.equal(validateEctDag(nodes.slice(0, 50), { maxNodes: 49 }).ok, false);
  });
  it("handles a 10,000-deep chain iteratively (no stack overflow)", () => {
    const nodes = Array.from({ length: 10_000 }, (_, i) => node(`n${i}`, i ? [`n${i - 1}`] : [], { iat: T0 + i }));
    assert.ok(validateEctDag([...nodes].reverse()).ok);
    assert.equal(dagDepths(nodes).get("n9999"), 9999);
    const cyc = nodes.map((n) => ({ ...n, iat: T0 }));
    cyc[0] = node("n0", ["n9999"]);
    const v = validateEctDag(cyc).violations;
    assert.deepEqual(v.map((x) => x.rule), [4]);
    assert.equal(v[0]?.cycle?.length, 10_000);
  });
  it("never throws on malformed input and reports it", () => {
    for (const bad of [null, 5, "x", { length: 2 }]) assert.equal(validateEctDag(bad as never).ok, false);
    const r = validateEctDag([node("A"), { jti: 5 } as never, null as never, node("B", ["A"]), { ...node("C"), par: [1] } as never]);
    assert.deepEqual(r.violations.map((v) => [v.rule, v.index]), [["input", 1], ["input", 2], ["input", 4]]);
  });
  it("reports a failing store as a violation", () => {
    const store = { lookupEct: () => { throw new Error("db down"); } };
    const r = validateEctDag([node("B", ["A"])], { store });
    assert.equal(r.violations[0]?.code, "ECT_DAG_STORE_FAILED");
    assert.ok(ectDagViolationToError(r.violations[0]!) instanceof EctDagStoreError);
  });
});

describe("validateEctInStore (verification step 13 for one token)", () => {
  const chain = Array.from({ length: 20 }, (_, i) => node(`c${i}`, i ? [`c${i - 1}`] : [], { iat: T0 + i }));
  const asyncStore = (nodes: EctDagNode[]) => ({ lookupEct: async (jti: string, wid: string | undefined) => storeOf(nodes).lookupEct(jti, wid) });

  it("passes a child of recorded parents (sync and async store)", async () => {
    assert.deepEqual(await validateEctInStore(node("x", ["c19"], { iat: T0 + 20 }), { store: storeOf(chain) }), []);
    assert.deepEqual(await validateEctInStore(node("x", ["c19"], { iat: T0 + 20 }), { store: asyncStore(chain) }), []);
  });
  it("reports rules 1, 2, 3, 5 against the store", async () => {
    const v = await validateEctInStore(node("c3", ["nope", "c19"], { iat: T0 - 100, iss: "spiffe://else/a" }), { store: storeOf(chain) });
    assert.deepEqual(v.map((x) => x.rule), [1, 2, 3, 5]);
  });
  it("reports a self-reference and a recorded ancestor pointing back (rule 4)", async () => {
    assert.deepEqual((await validateEctInStore(node("x", ["x"]), { store: storeOf([]) })).map((v) => v.rule), [4]);
    // The store holds y whose parent is the new token x (recorded without its parent).
    const v = await validateEctInStore(node("x", ["c1"]), { store: storeOf([...chain.slice(0, 2).map((n) => (n.jti === "c0" ? { ...n, par: ["x"] } : n))]) });
    assert.deepEqual(v.map((x) => [x.rule, x.cycle]), [[4, ["x", "c0"]]]);
  });
  it("bounds the ancestor walk by the traversal limit; 'parents' skips the walk", async () => {
    const v = await validateEctInStore(node("x", ["c19"], { iat: T0 + 20 }), { store: storeOf(chain), maxNodes: 10 });
    assert.deepEqual(v.map((x) => x.code), ["ECT_DAG_TRAVERSAL_LIMIT"]);
    assert.deepEqual(await validateEctInStore(node("x", ["c19"], { iat: T0 + 20 }), { store: storeOf(chain), maxNodes: 10, traversal: "parents" }), []);
  });
  it("without a store, only roots pass", async () => {
    assert.deepEqual(await validateEctInStore(node("r")), []);
    assert.deepEqual((await validateEctInStore(node("x", ["r"]))).map((v) => v.rule), [2]);
  });
  it("reports a failing store", async () => {
    const v = await validateEctInStore(node("x", ["a"]), { store: { lookupEct: () => Promise.reject(new Error("x")) } });
    assert.equal(v[0]?.code, "ECT_DAG_STORE_FAILED");
  });
});

describe("validateEctSetInStore (a request's tokens against a store)", () => {
  it("resolves parents inside the set and in the (async) store", async () => {
    const store = { lookupEct: async (jti: string) => (jti === "A" ? node("A") : undefined) };
    assert.ok((await validateEctSetInStore([node("C", ["B"]), node("B", ["A"])], { store })).ok);
    const r = await validateEctSetInStore([node("C", ["B"]), node("B", ["Q"])], { store });
    assert.deepEqual(r.violations.map((v) => [v.rule, v.jti]), [[2, "B"]]);
  });
  it("catches a set member already recorded", async () => {
    const r = await validateEctSetInStore([node("A")], { store: { lookupEct: async (jti: string) => (jti === "A" ? node("A") : undefined) } });
    assert.deepEqual(r.violations.map((v) => v.rule), [1]);
  });
});

describe("options, hostile nodes and stores: never a throw, every problem named (M5, L1, L2)", () => {
  const codes = (r: { violations: { code: string }[] }) => r.violations.map((v) => v.code);
  it("invalid options are one ECT_INVALID_OPTION violation and nothing is traversed", async () => {
    const bad: unknown[] = [
      null,
      "x",
      5,
      { maxNodes: NaN },
      { maxNodes: "100" },
      { maxNodes: -1 },
      { clockSkewSec: "30" },
      { clockSkewSec: -1 },
      { clockSkewSec: Infinity },
      { federatedTrustDomains: [null] },
      { federatedTrustDomains: [["a", 1]] },
      { trustDomainOf: 1 },
      { isFederated: "yes" },
      { store: 5 },
      { store: { hasJti: () => true } },
      Object.defineProperty({}, "maxNodes", { get() { throw new Error("getter"); }, enumerable: true }),
    ];
    for (const [k, o] of bad.entries()) {
      const r = validateEctDag(figure1(), o as never);
      assert.deepEqual([r.ok, codes(r), r.violations[0]!.rule, r.order], [false, ["ECT_INVALID_OPTION"], "options", undefined], `case ${k}`);
      assert.deepEqual(codes(await validateEctSetInStore(figure1(), o as never)), ["ECT_INVALID_OPTION"]);
      assert.deepEqual(codes({ violations: await validateEctInStore(node("Z"), o as never) }), ["ECT_INVALID_OPTION"]);
    }
    assert.deepEqual(codes(await validateEctSetInStore(figure1(), { traversal: "zz" as never })), ["ECT_INVALID_OPTION"]);
    // The converted error is the step-0 option error.
    const e = ectDagViolationToError(validateEctDag([], { maxNodes: NaN }).violations[0]!);
    assert.equal(e.code, "ECT_INVALID_OPTION");
    assert.equal(e.step, 0);
  });
  it("maxNodes NaN no longer disables the 10,000-node limit; the default applies without options", () => {
    const big = Array.from({ length: 10_001 }, (_, i) => node(`n${i}`));
    assert.deepEqual(codes(validateEctDag(big)), ["ECT_DAG_TRAVERSAL_LIMIT"]);
    assert.deepEqual(codes(validateEctDag(big, { maxNodes: NaN })), ["ECT_INVALID_OPTION"]);
  });
  it("throwing or non-string trust-domain callbacks are rule-5 violations (fail closed), not throws", () => {
    const set = [node("a"), node("b", ["a"], { iss: "spiffe://other.example/x" })];
    const td = validateEctDag(set, { trustDomainOf: () => { throw new TypeError("td"); } });
    assert.deepEqual(codes(td), ["ECT_DAG_TRUST_DOMAIN"]);
    assert.match(td.violations[0]!.details, /trustDomainOf threw: "td"/);
    assert.deepEqual(codes(validateEctDag(set, { trustDomainOf: () => 5 as never })), ["ECT_DAG_TRUST_DOMAIN"]);
    const fed = validateEctDag(set, { isFederated: () => { throw new TypeError("fed"); } });
    assert.deepEqual(codes(fed), ["ECT_DAG_TRUST_DOMAIN"]);
    assert.match(fed.violations[0]!.details, /isFederated threw: "fed"/);
    assert.ok(validateEctDag(set, { isFederated: () => true }).ok);
  });
  it("hostile nodes (proxies, throwing getters, holes) are reported as input violations", () => {
    const proxy = new Proxy({}, { get() { throw new Error("trap"); } });
    const getter = Object.defineProperty({ par: [], iat: 1, iss: "x" }, "jti", { get() { throw new Error("g"); }, enumerable: true });
    const r = validateEctDag([proxy, getter, ...new Array(2), node("ok")] as never);
    assert.deepEqual(codes(r), ["ECT_INVALID_CLAIM", "ECT_INVALID_CLAIM", "ECT_INVALID_CLAIM", "ECT_INVALID_CLAIM"]);
    assert.deepEqual(r.order, [4]);
  });
  it("nodes are read once: a getter that changes its answer cannot slip a cycle past the check", () => {
    let reads = 0;
    const flip = Object.defineProperty({ jti: "b", iat: T0, iss: ISS, wid: "w" }, "par", { get: () => (reads++ === 0 ? ["a"] : []), enumerable: true });
    const r = validateEctDag([node("a", ["b"]), flip as EctDagNode]);
    assert.deepEqual(codes(r), ["ECT_DAG_CYCLE"]);
    assert.equal(reads, 1);
  });
  it("validateEctSetInStore skips malformed set members (reported), never a TypeError", async () => {
    const store = { lookupEct: () => undefined };
    const r = await validateEctSetInStore([null, node("a"), { jti: "b", par: "x", iat: 1, iss: "i" }] as never, { store });
    assert.deepEqual(codes(r), ["ECT_INVALID_CLAIM", "ECT_INVALID_CLAIM"]);
    assert.deepEqual(r.violations.map((v) => v.index), [0, 2]);
    assert.equal(r.violations[1]!.jti, "b");
  });
  it("a store answering null means absent (L2): no false replay, parents looked up normally", async () => {
    const store: EctDagSyncStore = { lookupEct: (jti) => (jti === "p" ? node("p") : null) };
    assert.ok(validateEctDag([node("c", ["p"])], { store }).ok);
    assert.ok((await validateEctSetInStore([node("c", ["p"])], { store })).ok);
    assert.deepEqual(await validateEctInStore(node("c", ["p"]), { store }), []);
    const hasNull = { lookupEct: () => null, hasJti: () => null as never };
    assert.ok(validateEctDag([node("x")], { store: hasNull }).ok);
  });
  it("garbage store answers (non-node records, non-boolean hasJti, async answers to the sync check) are store failures", async () => {
    for (const store of [{ lookupEct: () => ({}) }, { lookupEct: () => ({ jti: "p", par: [], iat: 1, iss: 7 }) }, { lookupEct: async () => node("p") }]) {
      const r = validateEctDag([node("c", ["p"])], { store: store as never });
      assert.ok(codes(r).includes("ECT_DAG_STORE_FAILED"), JSON.stringify(codes(r)));
    }
    assert.deepEqual(codes(validateEctDag([node("c")], { store: { lookupEct: () => undefined, hasJti: () => "yes" as never } })), ["ECT_DAG_STORE_FAILED"]);
    // The async variant awaits a promise and applies the same checks.
    assert.deepEqual(codes(await validateEctSetInStore([node("c", ["p"])], { store: { lookupEct: async () => ({ jti: "p" }) as never } })), ["ECT_DAG_STORE_FAILED", "ECT_DAG_UNKNOWN_PARENT"]);
  });
  it("untrusted jti text in details is quoted and bounded", () => {
    const jti = `a\n${"x".repeat(5000)}`;
    const r = validateEctDag([node(jti, ["ghost\r\n"])]);
    for (const v of r.violations) {
      assert.ok(!/[\r\n]/.test(v.details));
      assert.ok(v.details.length < 300);
    }
  });
});

describe("order helpers on hostile input: typed errors only (M5)", () => {
  it("topologicalOrder / dagDepths / dagLevels throw EctInvalidClaimError naming the position", () => {
    const cases: [unknown, RegExp][] = [
      [[null], /nodes\[0\]\.jti/],
      [[{ jti: "a", par: 5 }], /nodes\[0\]\.par/],
      [[{ jti: "a" }], /nodes\[0\]\.par/],
      [[node("a"), { jti: "", par: [] }], /nodes\[1\]\.jti/],
      [[{ jti: "a", par: ["b", 3] }], /nodes\[0\]\.par/],
      [[new Proxy({}, { get() { throw new Error("trap"); } })], /nodes\[0\] cannot be read/],
      ["abc", /array/],
    ];
    for (const [input, re] of cases) {
      for (const f of [topologicalOrder, dagDepths, dagLevels] as ((n: never) => unknown)[]) {
        assert.throws(() => f(input as never), (e: unknown) => e instanceof EctInvalidClaimError && e.code === "ECT_INVALID_CLAIM" && re.test(e.details ?? ""), `${f.name} ${String(re)}`);
      }
    }
  });
  it("still returns the caller's own node objects, in order", () => {
    const nodes = figure1();
    const order = topologicalOrder([...nodes].reverse());
    assert.ok(order.every((n) => nodes.includes(n)));
    assert.deepEqual(dagLevels(nodes).map((l) => l.map((n) => n.jti)), [["A"], ["B", "C"], ["D"], ["E"]]);
  });
});
