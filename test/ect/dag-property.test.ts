/**
 * Property tests (seeded PRNG): random valid DAGs validate, order and depth helpers agree with
 * the edges, and each single mutation (cycle, missing parent, skewed time, duplicate jti) is
 * caught with exactly the right violation. A few of them run end to end as signed tokens
 * through `verifyEctWorkflow`.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { createEct, dagDepths, topologicalOrder, validateEctDag, verifyEctWorkflow, type EctDagNode } from "../../sdk/index.js";
import { AUD, clock, ISS, makeAgent, NOW, prng, storeOf, type TestAgent } from "./helpers.js";

const ROUNDS = 200;

/** A random valid DAG, shuffled. All iat lie within 29 s of each other, so only mutations break rule 3. */
function randomDag(rnd: () => number, maxNodes = 60): EctDagNode[] {
  const n = 1 + Math.floor(rnd() * maxNodes);
  const nodes: EctDagNode[] = [];
  for (let i = 0; i < n; i++) {
    const par = new Set<string>();
    const k = i === 0 ? 0 : Math.floor(rnd() * Math.min(4, i + 1));
    for (let j = 0; j < k; j++) par.add(`t${Math.floor(rnd() * i)}`);
    nodes.push({ jti: `t${i}`, par: [...par], iat: NOW + Math.floor(rnd() * 30), iss: `spiffe://bank.example/agent/${Math.floor(rnd() * 3)}`, wid: "wf" });
  }
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
  }
  return nodes;
}

const clone = (nodes: EctDagNode[]): EctDagNode[] => nodes.map((n) => ({ ...n, par: [...n.par] }));
const pick = <T>(rnd: () => number, xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;

describe("random valid DAGs", () => {
  it(`validate, with orders and depths consistent with the edges (${ROUNDS} DAGs)`, () => {
    const rnd = prng(2024);
    for (let r = 0; r < ROUNDS; r++) {
      const nodes = randomDag(rnd);
      const res = validateEctDag(nodes);
      assert.deepEqual(res.violations, [], `round ${r}`);
      const order = topologicalOrder(nodes).map((x) => x.jti);
      assert.deepEqual(res.order!.map((i) => nodes[i]!.jti), order);
      const pos = new Map(order.map((j, i) => [j, i]));
      const depth = dagDepths(nodes);
      for (const x of nodes) {
        for (const p of x.par) assert.ok(pos.get(p)! < pos.get(x.jti)!);
        const expected = x.par.length === 0 ? 0 : 1 + Math.max(...x.par.map((p) => depth.get(p)!));
        assert.equal(depth.get(x.jti), expected);
      }
    }
  });
});

describe("single mutations are caught with the right violation", () => {
  it("cycle: a parent made to depend on its child → exactly one rule-4 violation naming both", () => {
    const rnd = prng(1);
    let tested = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const nodes = clone(randomDag(rnd));
      const children = nodes.filter((n) => n.par.length > 0);
      if (children.length === 0) continue;
      const child = pick(rnd, children);
      const parentJti = pick(rnd, child.par as string[]);
      const parent = nodes.find((n) => n.jti === parentJti)!;
      (parent.par as string[]).push(child.jti);
      const res = validateEctDag(nodes);
      assert.deepEqual(res.violations.map((v) => v.rule), [4], `round ${r}`);
      assert.ok(res.violations[0]!.cycle!.includes(child.jti) && res.violations[0]!.cycle!.includes(parent.jti));
      assert.equal(res.order, undefined);
      tested++;
    }
    assert.ok(tested > ROUNDS / 2);
  });

  it("missing parent: a reference to an unknown jti → exactly one rule-2 violation", () => {
    const rnd = prng(2);
    for (let r = 0; r < ROUNDS; r++) {
      const nodes = clone(randomDag(rnd));
      const victim = pick(rnd, nodes);
      (victim.par as string[]).push(`ghost-${r}`);
      const res = validateEctDag(nodes);
      assert.deepEqual(res.violations.map((v) => [v.rule, v.jti, v.parent]), [[2, victim.jti, `ghost-${r}`]], `round ${r}`);
    }
  });

  it("skewed time: a child issued more than 30 s before its parents → one rule-3 violation per parent", () => {
    const rnd = prng(3);
    let tested = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const nodes = clone(randomDag(rnd));
      const children = nodes.filter((n) => n.par.length > 0);
      if (children.length === 0) continue;
      const child = pick(rnd, children);
      const parents = nodes.filter((n) => child.par.includes(n.jti));
      child.iat = Math.min(...parents.map((p) => p.iat)) - 31 - Math.floor(rnd() * 1000);
      const res = validateEctDag(nodes);
      assert.deepEqual(
        res.violations.map((v) => [v.rule, v.jti]),
        child.par.map(() => [3, child.jti]),
        `round ${r}`,
      );
      tested++;
    }
    assert.ok(tested > ROUNDS / 2);
  });

  it("duplicate jti: a second ECT reusing a jti in the workflow → exactly one rule-1 violation", () => {
    const rnd = prng(4);
    for (let r = 0; r < ROUNDS; r++) {
      const nodes = clone(randomDag(rnd));
      const original = pick(rnd, nodes);
      const at = Math.floor(rnd() * (nodes.length + 1));
      nodes.splice(at, 0, { ...original, par: [] });
      const res = validateEctDag(nodes);
      assert.deepEqual(res.violations.map((v) => [v.rule, v.jti]), [[1, original.jti]], `round ${r}`);
    }
  });
});

describe("end to end: signed random workflows through verifyEctWorkflow", () => {
  let A: TestAgent;
  before(async () => {
    A = await makeAgent("agent-a", ISS);
  });

  async function sign(nodes: EctDagNode[]): Promise<string[]> {
    return Promise.all(
      nodes.map(async (n) => (await createEct({ signer: A.signer, iss: ISS, aud: AUD, exec_act: "step", jti: n.jti, wid: n.wid, par: n.par, iat: n.iat, clock })).token),
    );
  }

  it("valid workflows verify; each mutation fails step 13 on the token at fault", async () => {
    const rnd = prng(5);
    const opts = { keyStore: storeOf(A), audience: AUD, clock, workers: 0 };
    for (let r = 0; r < 8; r++) {
      const nodes = randomDag(rnd, 25).map((n) => ({ ...n, iss: ISS }));
      const ok = await verifyEctWorkflow(await sign(nodes), opts);
      assert.ok(ok.ok, `round ${r}`);
      assert.deepEqual(ok.order!.map((i) => nodes[i]!.jti), topologicalOrder(nodes).map((n) => n.jti));

      const missing = clone(nodes);
      const victim = pick(rnd, missing);
      (victim.par as string[]).push("ghost");
      const res = await verifyEctWorkflow(await sign(missing), opts);
      const bad = res.results.map((x, i) => (x.ok ? undefined : [i, x.step, x.error.code])).filter(Boolean);
      assert.deepEqual(bad, [[missing.indexOf(victim), 13, "ECT_DAG_UNKNOWN_PARENT"]]);
    }
  });

  it("a time-skewed token outside the iat window fails step 11 before the DAG sees it", async () => {
    const t = await createEct({ signer: A.signer, iss: ISS, aud: AUD, exec_act: "x", iat: NOW - 3600, exp: NOW + 60, clock });
    const res = await verifyEctWorkflow([t.token], { keyStore: storeOf(A), audience: AUD, clock, workers: 0 });
    assert.equal(res.results[0]!.ok ? 0 : res.results[0]!.step, 11);
  });
});
