import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderGraphSvg, toDot, toMermaid, workflowGraph, type Graph } from "../../sdk/graph/index.js";
import { AgentExecError } from "../../sdk/errors.js";
import { sampleDocument } from "../workflow/fixtures.js";

describe("graphs", () => {
  const g = workflowGraph(sampleDocument());
  it("a workflow graph clusters nodes by stage and marks the gate and irreversible nodes", () => {
    assert.equal(g.nodes.length, 4);
    assert.deepEqual(g.nodes.map((n) => [n.id, n.group, n.shape]), [["gate", "0", "diamond"], ["a", "1", "box"], ["b", "1", "box"], ["judge", "2", "double"]]);
    assert.match(g.groups![0]!.label, /stage 0 · input-gate · sync · gating/);
  });
  it("Mermaid text has every node and edge", () => {
    const m = toMermaid(g);
    assert.match(m, /^flowchart TD/);
    assert.equal((m.match(/-->/g) ?? []).length, 4);
    assert.match(m, /n0\{"gate"\}/);
    assert.match(m, /n3\[\["judge"\]\]/);
    assert.equal((m.match(/subgraph/g) ?? []).length, 3);
  });
  it("renders SVG offline through Graphviz WebAssembly", async () => {
    const svg = await renderGraphSvg(g);
    assert.match(svg, /<svg[\s\S]*<\/svg>/);
    for (const id of ["gate", "judge"]) assert.ok(svg.includes(id));
  });
  it("escapes labels and refuses edges to unknown nodes", () => {
    const evil: Graph = { title: 'x"y', nodes: [{ id: "a", label: 'say "hi"\nnow' }], edges: [] };
    assert.ok(toDot(evil).includes('say \\"hi\\" now'));
    assert.ok(toMermaid(evil).includes("say #quot;hi#quot; now"));
    assert.throws(() => toDot({ title: "t", nodes: [], edges: [{ from: "a", to: "b" }] }), (e: unknown) => e instanceof AgentExecError && e.code === "GRAPH_UNKNOWN_NODE");
  });
});
