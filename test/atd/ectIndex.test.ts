/**
 * The ECT index behind replay and rollback walks (draft-atd-agent-task-dag-01
 * §Partial Rollback "walk forward", §Hierarchical Checkpoints; ECT 10,000-node
 * traversal bound).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ATD_DEFAULT_TRAVERSAL_LIMIT, AtdEctIndex, assertAtdEct } from "../../sdk/atd/index.js";
import { E } from "./helpers.js";

function build(ects: unknown[], limit?: number) {
  const i = new AtdEctIndex({ traversalLimit: limit });
  for (const e of ects) i.add(assertAtdEct(e));
  return i;
}

describe("AtdEctIndex", () => {
  it("indexes by jti, refuses a second ECT with the same jti", () => {
    const i = build([E.task("a")]);
    assert.equal(i.add(assertAtdEct(E.task("a", ["x"]))), false);
    assert.equal(i.size, 1);
    assert.deepEqual(i.get("a")!.par, []);
    assert.equal(i.has("zz"), false);
  });
  it("children, parents, ancestors and descendants (breadth first, starts excluded)", () => {
    const i = build([E.task("a"), E.task("b", ["a"]), E.task("c", ["a"]), E.task("d", ["b", "c"]), E.ckpt("k", ["d"])]);
    assert.deepEqual(i.children("a"), ["b", "c"]);
    assert.deepEqual(i.parents("d").map((e) => e.jti), ["b", "c"]);
    assert.deepEqual(i.descendants("a"), { jtis: ["b", "c", "d", "k"], truncated: false });
    assert.deepEqual(i.ancestors("k"), { jtis: ["d", "b", "c", "a"], truncated: false });
    assert.deepEqual(i.checkpointsOf("d"), ["k"]);
    assert.deepEqual([...i.values()].map((e) => e.jti), ["a", "b", "c", "d", "k"]);
  });
  it("children are recorded for parents that are not indexed yet", () => {
    const i = build([E.task("b", ["a"])]);
    assert.deepEqual(i.children("a"), ["b"]);
    assert.deepEqual(i.descendants("a").jtis, ["b"]); // the start need not be known
    assert.deepEqual(i.parents("b"), []); // but only known ECTs are returned as parents
    i.add(assertAtdEct(E.task("a")));
    assert.deepEqual(i.parents("b").map((e) => e.jti), ["a"]);
  });
  it("checkpoint trees and the tasks they cover", () => {
    const i = build([E.task("a"), E.task("b", ["a"]), E.ckpt("c1", ["a"]), E.ckpt("c2", ["b"]), E.ckpt("p", ["c1", "c2"]), E.ckpt("pp", ["p"])]);
    assert.deepEqual(i.checkpointTree("pp").jtis, ["pp", "p", "c1", "c2"]);
    assert.deepEqual(i.tasksOfCheckpoint("pp"), ["a", "b"]);
    assert.deepEqual(i.checkpointTree("a").jtis, []);
  });
  it("walks are iterative and bounded (default 10,000)", () => {
    assert.equal(ATD_DEFAULT_TRAVERSAL_LIMIT, 10_000);
    const ects: unknown[] = [E.task("t0")];
    for (let k = 1; k < 20_001; k++) ects.push(E.task(`t${k}`, [`t${k - 1}`]));
    const i = build(ects);
    const d = i.descendants("t0");
    assert.equal(d.truncated, true);
    assert.equal(d.jtis.length, 10_000);
    const a = i.ancestors("t20000", 30_000);
    assert.equal(a.truncated, false);
    assert.equal(a.jtis.length, 20_000);
  });
});
