/**
 * Workflow descriptor `application/atd-workflow+json`
 * (draft-atd-agent-task-dag-01 §Optional Declarative Workflow Format):
 * golden figure, every typed error, round trips, graph helpers, properties.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ATD_WORKFLOW_MEDIA_TYPE,
  AtdError,
  AtdWorkflowCycleError,
  AtdWorkflowDuplicateEdgeError,
  AtdWorkflowDuplicateNodeError,
  AtdWorkflowInvalidJsonError,
  AtdWorkflowMissingFieldError,
  AtdWorkflowNoNodesError,
  AtdWorkflowTooLargeError,
  AtdWorkflowTypeError,
  AtdWorkflowUnknownFieldError,
  AtdWorkflowUnknownNodeRefError,
  AtdWorkflowValueError,
  AtdForbiddenMemberError,
  AtdInvalidOptionError,
  AtdWorkflowTracker,
  atdWorkflowAdjacency,
  atdWorkflowHitlGates,
  atdWorkflowStages,
  atdWorkflowTopologicalOrder,
  parseAtdWorkflow,
  serializeAtdWorkflow,
  validateAtdWorkflow,
  type AtdWorkflow,
} from "../../sdk/atd/index.js";
import { FIG_WORKFLOW_TEXT, deepNest, prng, randomValue, type Prng } from "./helpers.js";

const base = (): Record<string, unknown> & { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] } =>
  JSON.parse(FIG_WORKFLOW_TEXT);

function expectFirst(input: unknown, code: string, path: string, Cls: new (...a: never[]) => AtdError, options = {}) {
  const r = validateAtdWorkflow(input, options);
  assert.equal(r.valid, false);
  assert.ok(
    r.findings.some((f) => f.code === code && f.path === path),
    `expected ${code} at ${path}, got ${JSON.stringify(r.findings)}`,
  );
  assert.throws(
    () => parseAtdWorkflow(input, options),
    (e: unknown) => e instanceof AtdError && e.code === r.findings[0]!.code && e.path === r.findings[0]!.path,
  );
  if (r.findings[0]!.code === code) assert.throws(() => parseAtdWorkflow(input, options), Cls);
}

/** A random DAG: edges only from lower to higher index. */
function randomWorkflow(r: Prng, n: number, p: number): AtdWorkflow {
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    reversible: r.bool(0.8),
    ...(r.bool() ? { hitl_required: r.bool(0.2) } : {}),
    ...(r.bool(0.3) ? { label: `step ${i}` } : {}),
    ...(r.bool(0.3) ? { resource_hints: { priority: r.pick(["critical", "high", "normal", "low"] as const), timeout_s: 1 + r.int(300) } } : {}),
  }));
  const edges: { from: string; to: string }[] = [];
  for (let j = 1; j < n; j++) for (let i = Math.max(0, j - 6); i < j; i++) if (r.next() < p) edges.push({ from: `n${i}`, to: `n${j}` });
  // shuffle declaration order so topological order is not trivially declaration order
  for (let i = nodes.length - 1; i > 0; i--) {
    const k = r.int(i + 1);
    [nodes[i], nodes[k]] = [nodes[k]!, nodes[i]!];
  }
  return { wf_id: `wf-${n}`, nodes, edges };
}

describe("workflow descriptor: the draft's figure (golden)", () => {
  it("parses fig-workflow", () => {
    const wf = parseAtdWorkflow(FIG_WORKFLOW_TEXT);
    assert.equal(wf.wf_id, "bgp-failover-v2");
    assert.equal(wf.description, "BGP peer failover with validation");
    assert.deepEqual(wf.nodes.map((n) => [n.id, n.reversible, n.hitl_required, n.resource_hints?.priority, n.resource_hints?.timeout_s]), [
      ["n1", true, false, "normal", 30],
      ["n2", true, true, "critical", 120],
      ["n3", false, false, "high", 60],
    ]);
    assert.deepEqual(atdWorkflowTopologicalOrder(wf), ["n1", "n2", "n3"]);
    assert.deepEqual(atdWorkflowStages(wf), [["n1"], ["n2"], ["n3"]]);
    assert.deepEqual(atdWorkflowHitlGates(wf), ["n2"]);
  });
  it("names the media type", () => {
    assert.equal(ATD_WORKFLOW_MEDIA_TYPE, "application/atd-workflow+json");
  });
  it("accepts the parsed object as well as the text", () => {
    assert.deepEqual(parseAtdWorkflow(JSON.parse(FIG_WORKFLOW_TEXT)), parseAtdWorkflow(FIG_WORKFLOW_TEXT));
  });
  it("accepts every resource hint of §Resource Claim Format", () => {
    const w = base();
    w.nodes[0]!.resource_hints = { cpu: "2", memory_mb: 4096, timeout_s: 300, priority: "high", gpu: "0", network_mbps: 100 };
    w.nodes[1]!.resource_hints = { cpu: "500m", gpu: 1, memory_mb: 0 };
    assert.ok(validateAtdWorkflow(w).valid);
  });
  it("makes description, label, hitl_required and resource_hints optional", () => {
    assert.ok(validateAtdWorkflow({ wf_id: "w", nodes: [{ id: "a", reversible: false }], edges: [] }).valid);
  });
});

describe("workflow descriptor: round trips", () => {
  it("serialize(parse(fig)) is the figure re-serialised, and parse(serialize(w)) equals w", () => {
    const wf = parseAtdWorkflow(FIG_WORKFLOW_TEXT);
    const text = serializeAtdWorkflow(wf);
    assert.equal(text, JSON.stringify(JSON.parse(FIG_WORKFLOW_TEXT)));
    assert.deepEqual(parseAtdWorkflow(text), wf);
    assert.equal(serializeAtdWorkflow(wf, { space: 2 }), JSON.stringify(JSON.parse(FIG_WORKFLOW_TEXT), null, 2));
  });
  it("random descriptors round-trip (seeded)", () => {
    const r = prng(0x0f10);
    for (let i = 0; i < 200; i++) {
      const wf = randomWorkflow(r, 1 + r.int(40), 0.3);
      const parsed = parseAtdWorkflow(wf);
      assert.deepEqual(parsed, wf);
      assert.deepEqual(parseAtdWorkflow(serializeAtdWorkflow(parsed)), wf);
    }
  });
  it('keeps unknown members through a round trip with unknownFields: "preserve"', () => {
    const w = base();
    w["x-owner"] = "netops";
    w.nodes[0]!["x-team"] = { a: 1 };
    w.edges[0]!.weight = 2;
    (w.nodes[1]!.resource_hints as Record<string, unknown>).zone = "eu";
    const parsed = parseAtdWorkflow(w, { unknownFields: "preserve" });
    assert.deepEqual(parsed, w);
    assert.deepEqual(JSON.parse(serializeAtdWorkflow(parsed, { unknownFields: "preserve" })), w);
  });
  it("serialize validates: an invalid typed object throws", () => {
    const wf = parseAtdWorkflow(FIG_WORKFLOW_TEXT);
    const broken = { ...wf, edges: [...wf.edges, { from: "n3", to: "n1" }] };
    assert.throws(() => serializeAtdWorkflow(broken), AtdWorkflowCycleError);
  });
});

describe("workflow descriptor: every typed error", () => {
  it("not JSON -> ATD_WF_INVALID_JSON", () => expectFirst("{nope", "ATD_WF_INVALID_JSON", "", AtdWorkflowInvalidJsonError));
  it("absurdly deep JSON text is reported, not thrown", () => {
    const r = validateAtdWorkflow("[".repeat(200_000) + "]".repeat(200_000));
    assert.equal(r.valid, false);
  });
  it("not an object -> ATD_WF_BAD_TYPE", () => {
    for (const v of [null, 1, [], "[]", "true"]) expectFirst(v, "ATD_WF_BAD_TYPE", "", AtdWorkflowTypeError);
  });
  it("wf_id missing / empty / not a string", () => {
    const w = base();
    delete w.wf_id;
    expectFirst(w, "ATD_WF_MISSING_FIELD", "wf_id", AtdWorkflowMissingFieldError);
    expectFirst({ ...base(), wf_id: "" }, "ATD_WF_BAD_VALUE", "wf_id", AtdWorkflowValueError);
    expectFirst({ ...base(), wf_id: 7 }, "ATD_WF_BAD_TYPE", "wf_id", AtdWorkflowTypeError);
  });
  it("description not a string", () => expectFirst({ ...base(), description: ["x"] }, "ATD_WF_BAD_TYPE", "description", AtdWorkflowTypeError));
  it("nodes missing / not an array / empty / too many", () => {
    const w = base();
    delete (w as Record<string, unknown>).nodes;
    expectFirst(w, "ATD_WF_MISSING_FIELD", "nodes", AtdWorkflowMissingFieldError);
    expectFirst({ ...base(), nodes: {} }, "ATD_WF_BAD_TYPE", "nodes", AtdWorkflowTypeError);
    expectFirst({ ...base(), nodes: [], edges: [] }, "ATD_WF_NO_NODES", "nodes", AtdWorkflowNoNodesError);
    expectFirst(base(), "ATD_WF_TOO_LARGE", "nodes", AtdWorkflowTooLargeError, { maxNodes: 2 });
  });
  it("a node that is not an object", () => {
    const w = base();
    w.nodes[1] = "n2" as never;
    expectFirst(w, "ATD_WF_BAD_TYPE", "nodes[1]", AtdWorkflowTypeError);
  });
  it("node id missing / empty / not a string / duplicated", () => {
    let w = base();
    delete w.nodes[2]!.id;
    expectFirst(w, "ATD_WF_MISSING_FIELD", "nodes[2].id", AtdWorkflowMissingFieldError);
    w = base();
    w.nodes[0]!.id = "";
    expectFirst(w, "ATD_WF_BAD_VALUE", "nodes[0].id", AtdWorkflowValueError);
    w = base();
    w.nodes[0]!.id = 1;
    expectFirst(w, "ATD_WF_BAD_TYPE", "nodes[0].id", AtdWorkflowTypeError);
    w = base();
    w.nodes[2]!.id = "n1";
    expectFirst(w, "ATD_WF_DUPLICATE_NODE", "nodes[2].id", AtdWorkflowDuplicateNodeError);
    assert.match(validateAtdWorkflow(w).findings.find((f) => f.code === "ATD_WF_DUPLICATE_NODE")!.message, /nodes\[0\]/);
  });
  it("label not a string", () => {
    const w = base();
    w.nodes[0]!.label = 5;
    expectFirst(w, "ATD_WF_BAD_TYPE", "nodes[0].label", AtdWorkflowTypeError);
  });
  it("reversible missing (principle 1: declared upfront) / not a boolean", () => {
    let w = base();
    delete w.nodes[1]!.reversible;
    expectFirst(w, "ATD_WF_MISSING_FIELD", "nodes[1].reversible", AtdWorkflowMissingFieldError);
    w = base();
    w.nodes[1]!.reversible = "true";
    expectFirst(w, "ATD_WF_BAD_TYPE", "nodes[1].reversible", AtdWorkflowTypeError);
  });
  it("hitl_required not a boolean", () => {
    const w = base();
    w.nodes[1]!.hitl_required = 1;
    expectFirst(w, "ATD_WF_BAD_TYPE", "nodes[1].hitl_required", AtdWorkflowTypeError);
  });
  it("resource_hints: not an object, bad priority, bad numbers, bad quantities, unknown hint", () => {
    const cases: [unknown, string, string, new (...a: never[]) => AtdError][] = [
      [[], "ATD_WF_BAD_TYPE", "nodes[0].resource_hints", AtdWorkflowTypeError],
      [{ priority: "urgent" }, "ATD_WF_BAD_VALUE", "nodes[0].resource_hints.priority", AtdWorkflowValueError],
      [{ priority: 1 }, "ATD_WF_BAD_TYPE", "nodes[0].resource_hints.priority", AtdWorkflowTypeError],
      [{ timeout_s: 0 }, "ATD_WF_BAD_VALUE", "nodes[0].resource_hints.timeout_s", AtdWorkflowValueError],
      [{ timeout_s: "30" }, "ATD_WF_BAD_TYPE", "nodes[0].resource_hints.timeout_s", AtdWorkflowTypeError],
      [{ memory_mb: -1 }, "ATD_WF_BAD_VALUE", "nodes[0].resource_hints.memory_mb", AtdWorkflowValueError],
      [{ network_mbps: Infinity }, "ATD_WF_BAD_VALUE", "nodes[0].resource_hints.network_mbps", AtdWorkflowValueError],
      [{ cpu: "two" }, "ATD_WF_BAD_VALUE", "nodes[0].resource_hints.cpu", AtdWorkflowValueError],
      [{ cpu: true }, "ATD_WF_BAD_TYPE", "nodes[0].resource_hints.cpu", AtdWorkflowTypeError],
      [{ gpu: "1.5" }, "ATD_WF_BAD_VALUE", "nodes[0].resource_hints.gpu", AtdWorkflowValueError],
      [{ disk_gb: 5 }, "ATD_WF_UNKNOWN_FIELD", "nodes[0].resource_hints.disk_gb", AtdWorkflowUnknownFieldError],
    ];
    for (const [hints, code, path, Cls] of cases) {
      const w = base();
      w.nodes[0]!.resource_hints = hints;
      expectFirst(w, code, path, Cls);
    }
  });
  it("unknown members at each level -> ATD_WF_UNKNOWN_FIELD", () => {
    expectFirst({ ...base(), version: 2 }, "ATD_WF_UNKNOWN_FIELD", "version", AtdWorkflowUnknownFieldError);
    let w = base();
    w.nodes[1]!.hitl_requried = true;
    expectFirst(w, "ATD_WF_UNKNOWN_FIELD", "nodes[1].hitl_requried", AtdWorkflowUnknownFieldError);
    w = base();
    w.edges[0]!.kind = "data";
    expectFirst(w, "ATD_WF_UNKNOWN_FIELD", "edges[0].kind", AtdWorkflowUnknownFieldError);
  });
  it("edges missing / not an array / entry not an object", () => {
    const w = base();
    delete (w as Record<string, unknown>).edges;
    expectFirst(w, "ATD_WF_MISSING_FIELD", "edges", AtdWorkflowMissingFieldError);
    expectFirst({ ...base(), edges: "n1->n2" }, "ATD_WF_BAD_TYPE", "edges", AtdWorkflowTypeError);
    expectFirst({ ...base(), edges: [["n1", "n2"]] }, "ATD_WF_BAD_TYPE", "edges[0]", AtdWorkflowTypeError);
  });
  it("edge from/to missing or empty", () => {
    let w = base();
    delete w.edges[1]!.to;
    expectFirst(w, "ATD_WF_MISSING_FIELD", "edges[1].to", AtdWorkflowMissingFieldError);
    w = base();
    w.edges[0]!.from = "";
    expectFirst(w, "ATD_WF_BAD_VALUE", "edges[0].from", AtdWorkflowValueError);
  });
  it("edges referencing undeclared nodes -> ATD_WF_UNKNOWN_NODE_REF naming the path", () => {
    let w = base();
    w.edges[1]!.to = "n9";
    expectFirst(w, "ATD_WF_UNKNOWN_NODE_REF", "edges[1].to", AtdWorkflowUnknownNodeRefError);
    w = base();
    w.edges[0]!.from = "n0";
    expectFirst(w, "ATD_WF_UNKNOWN_NODE_REF", "edges[0].from", AtdWorkflowUnknownNodeRefError);
  });
  it("a repeated edge -> ATD_WF_DUPLICATE_EDGE", () => {
    const w = base();
    w.edges.push({ from: "n1", to: "n2" });
    expectFirst(w, "ATD_WF_DUPLICATE_EDGE", "edges[2]", AtdWorkflowDuplicateEdgeError);
  });
  it("a self-loop -> ATD_WF_CYCLE", () => {
    const w = base();
    w.edges.push({ from: "n2", to: "n2" });
    expectFirst(w, "ATD_WF_CYCLE", "edges[2]", AtdWorkflowCycleError);
  });
  it("a cycle -> ATD_WF_CYCLE listing the cycle", () => {
    const w = base();
    w.edges.push({ from: "n3", to: "n1" });
    expectFirst(w, "ATD_WF_CYCLE", "edges[0]", AtdWorkflowCycleError);
    const f = validateAtdWorkflow(w).findings[0]!;
    assert.equal(f.message, "cycle: n1 -> n2 -> n3 -> n1");
  });
  it("collects every finding, and parse lists the others in the error", () => {
    const w = base();
    w.wf_id = "";
    w.nodes[0]!.reversible = "no";
    w.edges[1]!.to = "zz";
    const r = validateAtdWorkflow(w);
    assert.deepEqual(r.findings.map((f) => f.path), ["wf_id", "nodes[0].reversible", "edges[1].to"]);
    try {
      parseAtdWorkflow(w);
      assert.fail("no throw");
    } catch (e) {
      assert.ok(e instanceof AtdWorkflowValueError);
      assert.ok(e.metaMessages?.some((m) => m.includes("edges[1].to")));
    }
  });
});

describe("workflow descriptor: member names that rewrite prototypes (M4)", () => {
  const PROTO_NODE = '{"wf_id":"w","nodes":[{"id":"a","reversible":true,"__proto__":{"hitl_required":true,"label":42,"resource_hints":{"priority":"bogus"}}}],"edges":[]}';
  it('preserve mode: a node "__proto__" member is AtdForbiddenMemberError naming the path, and never swaps the prototype', () => {
    expectFirst(PROTO_NODE, "ATD_FORBIDDEN_MEMBER", "nodes[0].__proto__", AtdForbiddenMemberError, { unknownFields: "preserve" });
    // reject mode refuses it with the same code
    expectFirst(PROTO_NODE, "ATD_FORBIDDEN_MEMBER", "nodes[0].__proto__", AtdForbiddenMemberError);
  });
  it("constructor and prototype are refused at every level, in both modes", () => {
    const cases: [(w: ReturnType<typeof base>) => void, string][] = [
      [(w) => (w.constructor = { x: 1 } as never), "constructor"],
      [(w) => ((w as Record<string, unknown>).prototype = 1), "prototype"],
      [(w) => (w.nodes[0]!.constructor = "x" as never), "nodes[0].constructor"],
      [(w) => (w.edges[0]!.prototype = 1), "edges[0].prototype"],
      [(w) => ((w.nodes[1]!.resource_hints as Record<string, unknown>)["constructor"] = 1), "nodes[1].resource_hints.constructor"],
    ];
    for (const [mutate, path] of cases) {
      const w = base();
      mutate(w);
      for (const unknownFields of ["reject", "preserve"] as const) expectFirst(w, "ATD_FORBIDDEN_MEMBER", path, AtdForbiddenMemberError, { unknownFields });
    }
  });
  it("preserved unknown members are scanned deeply; the path names the forbidden member", () => {
    const w = base();
    w["x-meta"] = JSON.parse('{"a":[{"b":{"__proto__":{"polluted":true}}}]}');
    expectFirst(w, "ATD_FORBIDDEN_MEMBER", "x-meta.a[0].b.__proto__", AtdForbiddenMemberError, { unknownFields: "preserve" });
    const hints = base();
    (hints.nodes[1]!.resource_hints as Record<string, unknown>)["x-zone"] = JSON.parse('{"__proto__":{}}');
    expectFirst(hints, "ATD_FORBIDDEN_MEMBER", "nodes[1].resource_hints.x-zone.__proto__", AtdForbiddenMemberError, { unknownFields: "preserve" });
  });
  it("preserved members are own data properties; node prototypes stay Object.prototype", () => {
    const w = base();
    w.nodes[0]!["x-team"] = { a: 1 };
    const parsed = parseAtdWorkflow(w, { unknownFields: "preserve" });
    for (const n of parsed.nodes) assert.equal(Object.getPrototypeOf(n), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(parsed.nodes[0], "x-team"), { value: { a: 1 }, enumerable: true, writable: true, configurable: true });
    assert.deepEqual(atdWorkflowHitlGates(parsed), atdWorkflowHitlGates(parseAtdWorkflow(FIG_WORKFLOW_TEXT)));
  });
  it("node ids may be any string (ids are values, not member names)", () => {
    const wf = parseAtdWorkflow({ wf_id: "w", nodes: [{ id: "__proto__", reversible: true }, { id: "constructor", reversible: true }], edges: [{ from: "__proto__", to: "constructor" }] });
    assert.deepEqual(atdWorkflowTopologicalOrder(wf), ["__proto__", "constructor"]);
  });
  it("the tracker (which preserves unknown members) refuses a __proto__ node member too", () => {
    assert.throws(() => new AtdWorkflowTracker(JSON.parse(PROTO_NODE)), AtdForbiddenMemberError);
  });
});

describe("workflow descriptor: options", () => {
  it("invalid options are ATD_INVALID_OPTION (validate) / AtdInvalidOptionError (parse, serialize), never a TypeError", () => {
    const cases: unknown[] = [null, 5, "x", [], { unknownFields: "keep" }, { maxNodes: Number.NaN }, { maxNodes: 0 }, { maxNodes: "10" }, { maxNodes: 2.5 }];
    for (const o of cases) {
      const r = validateAtdWorkflow(base(), o as never);
      assert.equal(r.valid, false, JSON.stringify(o));
      assert.deepEqual(r.findings.map((f) => [f.code, f.path]), [["ATD_INVALID_OPTION", "options"]], JSON.stringify(o));
      assert.throws(() => parseAtdWorkflow(base(), o as never), (e: unknown) => e instanceof AtdInvalidOptionError && e.code === "ATD_INVALID_OPTION");
      if (o !== null && typeof o === "object") assert.throws(() => serializeAtdWorkflow(parseAtdWorkflow(base()), o as never), AtdInvalidOptionError);
    }
    // maxNodes NaN no longer disables the limit; a valid limit applies.
    expectFirst(base(), "ATD_WF_TOO_LARGE", "nodes", AtdWorkflowTooLargeError, { maxNodes: 1 });
  });
  it("tracker options that are not an object, or a clock that is not a function -> AtdInvalidOptionError", () => {
    for (const o of [null, 5, { now: 7 }]) assert.throws(() => new AtdWorkflowTracker(base(), o as never), AtdInvalidOptionError);
  });
});

describe("workflow descriptor: graph helpers", () => {
  const diamond: AtdWorkflow = {
    wf_id: "d",
    nodes: ["e", "d", "c", "b", "a"].map((id) => ({ id, reversible: true })),
    edges: [
      { from: "a", to: "b" },
      { from: "a", to: "c" },
      { from: "b", to: "d" },
      { from: "c", to: "d" },
      { from: "d", to: "e" },
      { from: "a", to: "e" },
    ],
  };
  it("orders a fan-out/fan-in DAG topologically and in stages", () => {
    assert.deepEqual(atdWorkflowTopologicalOrder(diamond), ["a", "c", "b", "d", "e"]);
    assert.deepEqual(atdWorkflowStages(diamond), [["a"], ["c", "b"], ["d"], ["e"]]);
  });
  it("lists predecessors and successors", () => {
    const { predecessors, successors } = atdWorkflowAdjacency(diamond);
    assert.deepEqual(predecessors.get("d"), ["b", "c"]);
    assert.deepEqual(successors.get("a"), ["b", "c", "e"]);
    assert.deepEqual(predecessors.get("a"), []);
  });
  it("topological order of a cyclic (unvalidated) object throws AtdWorkflowCycleError", () => {
    const cyclic = { nodes: diamond.nodes, edges: [...diamond.edges, { from: "e", to: "a" }] };
    assert.throws(() => atdWorkflowTopologicalOrder(cyclic), AtdWorkflowCycleError);
    assert.throws(() => atdWorkflowStages(cyclic), AtdWorkflowCycleError);
  });
  it("handles a 10,000-node chain iteratively (no recursion limit)", () => {
    const n = 10_000;
    const wf: AtdWorkflow = {
      wf_id: "chain",
      nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, reversible: true })).reverse(),
      edges: Array.from({ length: n - 1 }, (_, i) => ({ from: `n${i}`, to: `n${i + 1}` })),
    };
    const parsed = parseAtdWorkflow(JSON.stringify(wf));
    const order = atdWorkflowTopologicalOrder(parsed);
    assert.equal(order[0], "n0");
    assert.equal(order[n - 1], `n${n - 1}`);
    assert.equal(atdWorkflowStages(parsed).length, n);
    const cyclic = { ...wf, edges: [...wf.edges, { from: `n${n - 1}`, to: "n0" }] };
    const f = validateAtdWorkflow(cyclic).findings;
    assert.equal(f[0]!.code, "ATD_WF_CYCLE");
    assert.equal(f[0]!.message.split(" -> ").length, n + 1);
  });
});

describe("workflow descriptor: property tests (seeded)", () => {
  it("random DAGs validate; order and stages respect every edge", () => {
    const r = prng(0xdac);
    for (let i = 0; i < 300; i++) {
      const wf = randomWorkflow(r, 1 + r.int(60), r.next());
      const v = validateAtdWorkflow(wf);
      assert.ok(v.valid, JSON.stringify(v.findings));
      const order = atdWorkflowTopologicalOrder(wf);
      assert.equal(order.length, wf.nodes.length);
      const pos = new Map(order.map((id, k) => [id, k]));
      const stages = atdWorkflowStages(wf);
      const stageOf = new Map(stages.flatMap((s, k) => s.map((id) => [id, k] as const)));
      for (const e of wf.edges) {
        assert.ok(pos.get(e.from)! < pos.get(e.to)!, `${e.from} before ${e.to}`);
        assert.ok(stageOf.get(e.from)! < stageOf.get(e.to)!);
      }
    }
  });

  it("one added back edge (a cycle) is always caught", () => {
    const r = prng(0xc1c1e);
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const wf = randomWorkflow(r, 2 + r.int(40), 0.5);
      const order = atdWorkflowTopologicalOrder(wf);
      // pick a path a -> ... -> b along edges, then add b -> a
      const succ = atdWorkflowAdjacency(wf).successors;
      const a = r.pick(order);
      let b = a;
      for (let s = 0; s < 5 && succ.get(b)!.length; s++) b = r.pick(succ.get(b)!);
      const back = { from: b, to: a };
      if (wf.edges.some((e) => e.from === b && e.to === a)) continue;
      const mutated = { ...wf, edges: [...wf.edges, back] };
      const f = validateAtdWorkflow(mutated).findings;
      assert.ok(f.some((x) => x.code === "ATD_WF_CYCLE"), JSON.stringify(f));
      assert.throws(() => parseAtdWorkflow(mutated), AtdWorkflowCycleError);
      checked++;
    }
    assert.ok(checked > 250);
  });

  it("one dangling edge or duplicated id is always caught", () => {
    const r = prng(0xd0d0);
    for (let i = 0; i < 200; i++) {
      const wf = randomWorkflow(r, 2 + r.int(30), 0.3);
      const dangling = { ...wf, edges: [...wf.edges, { from: r.pick(wf.nodes).id, to: "ghost" }] };
      assert.ok(validateAtdWorkflow(dangling).findings.some((f) => f.code === "ATD_WF_UNKNOWN_NODE_REF" && f.path === `edges[${wf.edges.length}].to`));
      const dupAt = 1 + r.int(wf.nodes.length - 1);
      const dup = { ...wf, nodes: wf.nodes.map((n, k) => (k === dupAt ? { ...n, id: wf.nodes[0]!.id } : n)) };
      assert.ok(validateAtdWorkflow(dup).findings.some((f) => f.code === "ATD_WF_DUPLICATE_NODE" && f.path === `nodes[${dupAt}].id`));
    }
  });

  it("never throws on random values or random mutations of the figure", () => {
    const r = prng(0xf022);
    for (let i = 0; i < 3000; i++) {
      const v = r.bool(0.3) ? randomValue(r, 4) : mutate(r, base());
      const res = validateAtdWorkflow(v);
      assert.equal(res.valid, res.findings.length === 0);
    }
    assert.equal(validateAtdWorkflow({ ...base(), description: deepNest(10_000) }).valid, false);
  });
});

function mutate(r: Prng, w: Record<string, unknown> & { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] }): unknown {
  const where = r.int(3);
  if (where === 0) w[r.pick(["wf_id", "description", "nodes", "edges", "extra"])] = randomValue(r, 2);
  else if (where === 1) r.pick(w.nodes)[r.pick(["id", "label", "reversible", "hitl_required", "resource_hints"])] = randomValue(r, 2);
  else r.pick(w.edges)[r.pick(["from", "to"])] = randomValue(r, 1);
  return w;
}
