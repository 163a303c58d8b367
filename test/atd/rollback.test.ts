/**
 * Rollback (draft-atd-agent-task-dag-01 §Rollback Protocol, §Checkpoint ECT
 * Format, §Hierarchical Checkpoints, §Checkpoint Flooding): the coordinator's
 * idempotency by jti, outcomes and escalations, timeouts (fake timers),
 * authorization, eligibility, blast radius, and the checkpoint store.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AtdCheckpointExpiredError,
  AtdCheckpointLimitError,
  AtdCheckpointNotFoundError,
  AtdCheckpointStore,
  AtdDuplicateJtiError,
  AtdEctIndex,
  AtdEctMalformedError,
  AtdExtMissingFieldError,
  AtdReferenceKindError,
  AtdRollbackCoordinator,
  AtdRollbackStoreError,
  AtdInvalidOptionError,
  AtdRollbackForbiddenError,
  AtdRollbackJtiConflictError,
  AtdRollbackNotEligibleError,
  assertAtdEct,
  assertAtdPartialRollback,
  atdCascadeTargets,
  atdCheckpointExpiresAtS,
  atdRollbackTimeoutS,
  authorizeAtdRollback,
  checkAtdPartialRollback,
  computeAtdBlastRadius,
  isAtdCheckpointExpired,
  replayAtdEcts,
  validateAtdEct,
  type AtdRollbackCoordinatorOptions,
  type AtdRollbackRestoreContext,
  type AtdRollbackRestoreOutcome,
  type AtdTimers,
} from "../../sdk/atd/index.js";
import { E, prng } from "./helpers.js";

const T0 = 1_700_000_000; // seconds

/** A small workflow: a -> b -> d, a -> c; checkpoints for a, b (irreversible sibling), c; iat set. */
function world() {
  const ects = [
    E.task("a", [], { iss: "agent-a", iat: T0 }),
    E.ckpt("ca", ["a"], true, { iss: "agent-a", iat: T0, out_hash: "H-a" }),
    E.task("b", ["a"], { iss: "agent-b", iat: T0 + 1 }),
    E.ckpt("cb", ["b"], true, { iss: "agent-b", iat: T0 + 1 }),
    E.task("c", ["a"], { iss: "agent-c", iat: T0 + 1 }),
    E.ckpt("cc", ["c"], false, { iss: "agent-c", iat: T0 + 1 }),
    E.task("d", ["b"], { iss: "agent-d", iat: T0 + 2 }),
  ];
  const index = new AtdEctIndex();
  for (const e of ects) index.add(assertAtdEct(e));
  const byJti = new Map(ects.map((e) => [e.jti, e]));
  return { ects, index, byJti };
}

class FakeTimers implements AtdTimers {
  pending = new Map<number, { fn: () => void; ms: number }>();
  next = 1;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  };
  clearTimeout = (h: unknown) => void this.pending.delete(h as number);
  fireAll() {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const t of all) t.fn();
  }
}

function coordinator(
  restore: (ctx: AtdRollbackRestoreContext) => AtdRollbackRestoreOutcome | Promise<AtdRollbackRestoreOutcome>,
  extra: Partial<AtdRollbackCoordinatorOptions> = {},
) {
  const w = world();
  const timers = new FakeTimers();
  const calls: AtdRollbackRestoreContext[] = [];
  const c = new AtdRollbackCoordinator({
    resolveCheckpoint: (j) => w.byJti.get(j),
    restore: (ctx) => {
      calls.push(ctx);
      return restore(ctx);
    },
    index: w.index,
    now: () => (T0 + 10) * 1000,
    timers,
    ...extra,
  });
  return { c, calls, timers, ...w };
}

const req = (jti: string, ckpt: string, cascade = false, extra: Record<string, unknown> = {}) => E.req(jti, ckpt, cascade, { iss: "agent-a", iat: T0 + 5, ...extra });

describe("rollback coordinator: outcomes", () => {
  it("restores a reversible checkpoint and answers with valid atd:rollback_result claims", async () => {
    const { c, calls } = coordinator(() => ({ status: "completed", out_hash: "H-a" }));
    const { outcome, replayed } = await c.handle(req("q1", "ca"));
    assert.equal(replayed, false);
    assert.equal(calls.length, 1);
    assert.equal(outcome.status, "completed");
    assert.equal(outcome.checkpointId, "ca");
    assert.equal(outcome.out_hash, "H-a");
    assert.deepEqual(outcome.resultClaims, {
      exec_act: "atd:rollback_result",
      par: ["q1"],
      out_hash: "H-a",
      ext: { "atd.status": "completed", "atd.checkpoint_id": "ca", "atd.cascaded": [] },
    });
    assert.ok(validateAtdEct({ jti: "res", ...outcome.resultClaims }).valid);
    assert.deepEqual(outcome.escalations, []);
    assert.ok(Object.isFrozen(outcome) && Object.isFrozen(outcome.resultClaims.ext));
  });

  it("the outcome replays through replayAtdEcts as a rolled-back node", async () => {
    const { c, ects } = coordinator(() => ({ status: "completed" }));
    const { outcome } = await c.handle(req("q1", "cb"));
    const r = replayAtdEcts([...ects, req("q1", "cb"), { jti: "res", wid: "W", ...outcome.resultClaims }]);
    assert.ok(r.valid, JSON.stringify(r.findings));
    assert.equal(r.nodes.get("b")!.state, "rolled_back");
  });

  it("an irreversible checkpoint is escalated without calling restore (MUST)", async () => {
    const { c, calls } = coordinator(() => ({ status: "completed" }));
    const { outcome } = await c.handle(req("q1", "cc"));
    assert.equal(calls.length, 0);
    assert.equal(outcome.status, "escalated");
    assert.deepEqual(outcome.escalations.map((e) => [e.trigger, e.requirement, e.cause, e.nodes]), [["rollback_escalated", "MUST", "q1", ["c"]]]);
  });

  it("restore failed -> failed, with the MUST Level 3 STOP on the workflow", async () => {
    const { c } = coordinator(() => ({ status: "failed", description: "device unreachable" }));
    const { outcome } = await c.handle(req("q1", "cb"));
    assert.equal(outcome.status, "failed");
    assert.equal(outcome.description, "device unreachable");
    assert.deepEqual(outcome.escalations.map((e) => [e.trigger, e.level, e.scope]), [["rollback_failed", 3, "workflow"]]);
  });

  it("a throwing restore counts as failed (and is remembered)", async () => {
    let n = 0;
    const { c } = coordinator(() => {
      n++;
      throw new Error("boom");
    });
    const first = await c.handle(req("q1", "cb"));
    assert.equal(first.outcome.status, "failed");
    assert.match(first.outcome.description!, /boom/);
    const again = await c.handle(req("q1", "cb"));
    assert.equal(again.outcome, first.outcome);
    assert.equal(n, 1);
  });

  it("a restored-state hash that differs from the checkpoint's out_hash -> failed", async () => {
    const { c } = coordinator(() => ({ status: "completed", out_hash: "H-other" }));
    const { outcome } = await c.handle(req("q1", "ca"));
    assert.equal(outcome.status, "failed");
    assert.match(outcome.description!, /differs/);
    assert.equal(outcome.out_hash, undefined);
  });

  it("cascade: restore gets the downstream checkpoints; non-completed cascaded entries -> partial", async () => {
    const { c, calls } = coordinator((ctx) => ({
      status: "completed",
      cascaded: ctx.cascadeTargets.map((t) => ({ agent: t.iss!, status: t.jti === "cc" ? ("escalated" as const) : ("completed" as const) })),
    }));
    const { outcome } = await c.handle(req("q1", "ca", true));
    assert.deepEqual(calls[0]!.cascadeTargets.map((t) => t.jti).sort(), ["cb", "cc"]);
    assert.equal(calls[0]!.cascade, true);
    assert.equal(outcome.status, "partial");
    assert.deepEqual(outcome.cascaded, [
      { agent: "agent-b", status: "completed" },
      { agent: "agent-c", status: "escalated" },
    ]);
    assert.ok(validateAtdEct({ jti: "r", ...outcome.resultClaims }).valid);
  });

  it("without cascade no downstream targets are offered", async () => {
    const { c, calls } = coordinator(() => ({ status: "completed" }));
    await c.handle(req("q1", "ca", false));
    assert.deepEqual(calls[0]!.cascadeTargets, []);
  });

  it("§Hierarchical Checkpoints: a parent restores its children; an irreversible child makes it partial", async () => {
    const w = world();
    const parent = E.ckpt("p", ["cb", "cc"], true, { iss: "agent-a", iat: T0 + 3 });
    w.index.add(assertAtdEct(parent));
    const calls: AtdRollbackRestoreContext[] = [];
    const c = new AtdRollbackCoordinator({
      resolveCheckpoint: (j) => (j === "p" ? parent : w.byJti.get(j)),
      restore: (ctx) => (calls.push(ctx), { status: "completed" }),
      index: w.index,
      now: () => (T0 + 10) * 1000,
      timers: new FakeTimers(),
    });
    const { outcome } = await c.handle(req("q1", "p"));
    assert.deepEqual(calls[0]!.checkpoints.map((x) => x.jti), ["p", "cb"]);
    assert.deepEqual(calls[0]!.irreversible.map((x) => x.jti), ["cc"]);
    assert.equal(outcome.status, "partial");
    assert.deepEqual(outcome.escalations.map((e) => e.trigger), ["rollback_escalated"]);
  });

  it("§Rollback Timeout: not done within ttl/2 -> escalated, atd:error timeout, signal aborted; late result ignored", async () => {
    let resolveLate: (v: AtdRollbackRestoreOutcome) => void = () => undefined;
    const { c, calls, timers } = coordinator(() => new Promise((res) => (resolveLate = res)));
    const pending = c.handle(req("q1", "cb"));
    await new Promise((r) => setImmediate(r));
    assert.equal(timers.pending.size, 1);
    assert.equal([...timers.pending.values()][0]!.ms, (3600 / 2) * 1000);
    assert.equal(calls[0]!.deadlineMs, (T0 + 10) * 1000 + 1_800_000);
    timers.fireAll();
    const { outcome } = await pending;
    assert.equal(calls[0]!.signal.aborted, true);
    assert.equal(outcome.status, "escalated");
    assert.equal(outcome.timedOut, true);
    assert.ok(outcome.errorClaims);
    assert.equal(outcome.errorClaims.ext["atd.error_type"], "timeout");
    assert.deepEqual(outcome.errorClaims.par, ["q1"]);
    assert.ok(validateAtdEct({ jti: "err", ...outcome.errorClaims }).valid);
    assert.deepEqual(outcome.escalations.map((e) => [e.trigger, e.requirement]), [["rollback_timeout", "MUST"]]);
    resolveLate({ status: "completed" });
    const again = await c.handle(req("q1", "cb"));
    assert.equal(again.outcome, outcome);
  });

  it("the timer is cleared when restore finishes in time", async () => {
    const { c, timers } = coordinator(() => ({ status: "completed" }));
    await c.handle(req("q1", "cb"));
    assert.equal(timers.pending.size, 0);
  });
});

describe("rollback coordinator: idempotency by jti (§Rollback Timeout and Escalation)", () => {
  it("the same request jti twice returns the original outcome and never runs twice", async () => {
    const { c, calls } = coordinator(() => ({ status: "completed" }));
    const a = await c.handle(req("q1", "cb"));
    const b = await c.handle(req("q1", "cb"));
    assert.equal(b.outcome, a.outcome);
    assert.equal(b.replayed, true);
    assert.equal(calls.length, 1);
  });

  it("concurrent duplicates share one run", async () => {
    const { c, calls } = coordinator(async () => {
      await new Promise((r) => setImmediate(r));
      return { status: "completed" };
    });
    const results = await Promise.all([c.handle(req("q1", "cb")), c.handle(req("q1", "cb")), c.handle(req("q1", "cb"))]);
    assert.equal(calls.length, 1);
    assert.deepEqual(results.map((r) => r.replayed), [false, true, true]);
    assert.ok(results.every((r) => r.outcome === results[0]!.outcome));
  });

  it("the later draft's spellings (pred / ect_ext) are the same request", async () => {
    const { c, calls } = coordinator(() => ({ status: "completed" }));
    const q = req("q1", "cb");
    await c.handle(q);
    const { par, ext, ...rest } = q;
    const b = await c.handle({ ...rest, pred: par, ect_ext: ext });
    assert.equal(b.replayed, true);
    assert.equal(calls.length, 1);
  });

  it("the same jti with different content -> AtdRollbackJtiConflictError (sequential and concurrent)", async () => {
    const { c, calls } = coordinator(async () => {
      await new Promise((r) => setImmediate(r));
      return { status: "completed" };
    });
    await c.handle(req("q1", "cb"));
    await assert.rejects(c.handle(req("q1", "ca")), (e: unknown) => e instanceof AtdRollbackJtiConflictError && e.code === "ATD_ROLLBACK_JTI_CONFLICT" && e.jti === "q1");
    await assert.rejects(c.handle(req("q1", "cb", true)), AtdRollbackJtiConflictError);
    await assert.rejects(c.handle(req("q1", "cb", false, { iat: T0 + 6 })), AtdRollbackJtiConflictError);
    const p1 = c.handle(req("q2", "cb"));
    const p2 = c.handle(req("q2", "ca"));
    await assert.rejects(p2, AtdRollbackJtiConflictError);
    await p1;
    assert.equal(calls.length, 2);
  });

  it("a durable store is consulted: a restart does not run a handled request again", async () => {
    const saved = new Map<string, { fingerprint: string; outcome: never }>();
    const store = { get: async (j: string) => saved.get(j), set: async (j: string, e: never) => void saved.set(j, e) };
    const one = coordinator(() => ({ status: "completed" }), { store: store as never });
    const first = await one.c.handle(req("q1", "cb"));
    const two = coordinator(() => ({ status: "failed" }), { store: store as never });
    const again = await two.c.handle(req("q1", "cb"));
    assert.equal(two.calls.length, 0);
    assert.equal(again.replayed, true);
    assert.deepEqual(again.outcome, first.outcome);
    await assert.rejects(two.c.handle(req("q1", "ca")), AtdRollbackJtiConflictError);
  });
});

describe("rollback coordinator: refusals (thrown, not remembered)", () => {
  it("not a rollback request -> AtdEctMalformedError", async () => {
    const { c } = coordinator(() => ({ status: "completed" }));
    await assert.rejects(c.handle(E.task("z")), (e: unknown) => e instanceof AtdEctMalformedError && e.path === "exec_act");
  });
  it("a request missing atd.cascade -> AtdExtMissingFieldError", async () => {
    const { c } = coordinator(() => ({ status: "completed" }));
    const bad = req("q1", "cb");
    delete (bad.ext as Record<string, unknown>)["atd.cascade"];
    await assert.rejects(c.handle(bad), (e: unknown) => e instanceof AtdExtMissingFieldError && e.path === 'ext["atd.cascade"]');
  });
  it("an unknown checkpoint -> AtdCheckpointNotFoundError; a later retry can succeed", async () => {
    const w = world();
    let known = false;
    const c = new AtdRollbackCoordinator({
      resolveCheckpoint: (j) => (known ? w.byJti.get(j) : undefined),
      restore: () => ({ status: "completed" }),
      now: () => (T0 + 10) * 1000,
      timers: new FakeTimers(),
    });
    await assert.rejects(c.handle(req("q1", "cb")), (e: unknown) => e instanceof AtdCheckpointNotFoundError && e.code === "ATD_CHECKPOINT_NOT_FOUND");
    known = true;
    assert.equal((await c.handle(req("q1", "cb"))).outcome.status, "completed");
  });
  it("par pointing at a task, not a checkpoint -> AtdReferenceKindError", async () => {
    const { c } = coordinator(() => ({ status: "completed" }));
    await assert.rejects(c.handle(req("q1", "b")), AtdReferenceKindError);
  });
  it("an expired checkpoint -> AtdCheckpointExpiredError", async () => {
    const { c } = coordinator(() => ({ status: "completed" }), { now: () => (T0 + 1 + 3600) * 1000 });
    await assert.rejects(c.handle(req("q1", "cb")), (e: unknown) => e instanceof AtdCheckpointExpiredError && e.code === "ATD_CHECKPOINT_EXPIRED");
  });
  it("a request from another workflow -> AtdRollbackForbiddenError (HTTP 403)", async () => {
    const { c } = coordinator(() => ({ status: "completed" }));
    await assert.rejects(
      c.handle(req("q1", "cb", false, { wid: "OTHER" })),
      (e: unknown) => e instanceof AtdRollbackForbiddenError && e.httpStatus === 403 && e.code === "ATD_ROLLBACK_FORBIDDEN" && e.path === "wid",
    );
  });
  it("a requester with no lineage to the checkpoint -> AtdRollbackForbiddenError", async () => {
    const { c } = coordinator(() => ({ status: "completed" }));
    await assert.rejects(c.handle(req("q1", "cb", false, { iss: "agent-d" })), (e: unknown) => e instanceof AtdRollbackForbiddenError && e.path === "iss");
    // the checkpoint's own agent and ancestors' agents may
    assert.equal((await c.handle(req("q2", "cb", false, { iss: "agent-b" }))).outcome.status, "completed");
    assert.equal((await c.handle(req("q3", "cb", false, { iss: "agent-a" }))).outcome.status, "completed");
  });
  it("a store or checkpoint lookup that fails before restore -> AtdRollbackStoreError (typed, not remembered)", async () => {
    let down = true;
    const store = { get: () => (down ? Promise.reject(new Error("db down")) : undefined), set: () => undefined };
    const { c, calls } = coordinator(() => ({ status: "completed" }), { store: store as never });
    await assert.rejects(c.handle(req("q1", "cb")), (e: unknown) => e instanceof AtdRollbackStoreError && e.code === "ATD_ROLLBACK_STORE_FAILED" && /db down/.test(e.details ?? ""));
    assert.equal(calls.length, 0);
    down = false;
    assert.equal((await c.handle(req("q1", "cb"))).outcome.status, "completed");
    const { c: c2, calls: calls2 } = coordinator(() => ({ status: "completed" }), { resolveCheckpoint: () => { throw new TypeError("resolver broke"); } });
    await assert.rejects(c2.handle(req("q1", "cb")), (e: unknown) => e instanceof AtdRollbackStoreError && e.path === "par[0]" && /resolver broke/.test(e.details ?? ""));
    assert.equal(calls2.length, 0);
  });
});

describe("rollback coordinator: once restore ran, the jti's outcome is fixed (M1)", () => {
  it("a malformed restore outcome -> status failed naming the problem; restore never runs again for that jti", async () => {
    let n = 0;
    const { c, calls } = coordinator(() => (n++ === 0 ? ({ status: "done" } as never) : { status: "completed" }));
    const first = await c.handle(req("q1", "cb"));
    assert.equal(first.replayed, false);
    assert.equal(first.outcome.status, "failed");
    assert.match(first.outcome.description ?? "", /status must be "completed" or "failed".*\(at status\)/);
    assert.deepEqual(first.outcome.escalations.map((e) => [e.trigger, e.requirement, e.level]), [["rollback_failed", "MUST", 3]]);
    assert.ok(validateAtdEct({ jti: "res", ...first.outcome.resultClaims }).valid);
    for (let i = 0; i < 3; i++) {
      const again = await c.handle(req("q1", "cb"));
      assert.equal(again.replayed, true);
      assert.equal(again.outcome, first.outcome);
    }
    assert.equal(calls.length, 1);
  });

  it("malformed cascaded entries, a non-object outcome, or an out_hash the result claims refuse -> failed, naming it", async () => {
    const cases: [unknown, RegExp][] = [
      [{ status: "completed", cascaded: [{ agent: "x", status: "nope" }] }, /at cascaded\[0\]/],
      [42, /must return an object/],
      [{ status: "completed", cascaded: [{ agent: "", status: "completed" }] }, /unusable outcome/],
    ];
    for (const [value, re] of cases) {
      const { c, calls } = coordinator(() => value as never);
      const { outcome } = await c.handle(req("q1", "cb"));
      assert.equal(outcome.status, "failed", JSON.stringify(value));
      assert.match(outcome.description ?? "", re);
      await c.handle(req("q1", "cb"));
      assert.equal(calls.length, 1);
    }
  });

  it("a failing store.set keeps the outcome in memory: replayed, never re-run, written once the store works", async () => {
    let broken = true;
    const saved = new Map<string, unknown>();
    const store = {
      get: (j: string) => saved.get(j) as never,
      set: (j: string, e: unknown) => {
        if (broken) throw new Error("disk full");
        saved.set(j, e);
      },
    };
    const { c, calls } = coordinator(() => ({ status: "completed" }), { store });
    const first = await c.handle(req("q1", "cb"));
    assert.equal(first.outcome.status, "completed");
    assert.equal(first.persisted, false);
    assert.ok(first.persistError instanceof AtdRollbackStoreError && /disk full/.test(first.persistError.details ?? ""));
    const second = await c.handle(req("q1", "cb"));
    assert.deepEqual([second.replayed, second.persisted, second.outcome === first.outcome], [true, false, true]);
    broken = false;
    const third = await c.handle(req("q1", "cb"));
    assert.deepEqual([third.replayed, third.persisted, third.persistError], [true, true, undefined]);
    assert.ok(saved.has("q1"));
    const fourth = await c.handle(req("q1", "cb"));
    assert.deepEqual([fourth.replayed, fourth.persisted], [true, true]);
    assert.equal(calls.length, 1);
    // A conflicting reuse of the jti is still refused while the outcome is only in memory.
    broken = true;
    const { c: c2 } = coordinator(() => ({ status: "completed" }), { store: { get: () => undefined, set: () => { throw new Error("x"); } } });
    await c2.handle(req("q9", "cb"));
    await assert.rejects(c2.handle(req("q9", "cb", true)), AtdRollbackJtiConflictError);
  });
});

describe("rollback authorization, blast radius, partial rollback", () => {
  it("authorizeAtdRollback: same wid required; lineage optional without an index", () => {
    const { index } = world();
    const ckpt = index.get("cb")!;
    assert.ok(authorizeAtdRollback({ request: assertAtdEct(req("q", "cb", false, { iss: "agent-z" })), checkpoint: ckpt }).authorized);
    const denied = authorizeAtdRollback({ request: assertAtdEct(req("q", "cb", false, { iss: "agent-z" })), checkpoint: ckpt, index });
    assert.equal(denied.authorized, false);
    assert.equal(denied.finding?.code, "ATD_ROLLBACK_FORBIDDEN");
    const noIss = authorizeAtdRollback({ request: assertAtdEct(req("q", "cb", false, { iss: undefined })), checkpoint: ckpt, index });
    assert.equal(noIss.finding?.path, "iss");
    assert.ok(authorizeAtdRollback({ request: assertAtdEct(req("q", "cb", false, { iss: "agent-z" })), checkpoint: ckpt, index, requireLineage: false }).authorized);
  });

  it("blast radius: agents holding checkpoints descending from the failed node", () => {
    const { index } = world();
    assert.deepEqual(computeAtdBlastRadius(index, "a"), { checkpoints: ["ca", "cb", "cc"], agents: ["agent-a", "agent-b", "agent-c"], truncated: false });
    assert.deepEqual(computeAtdBlastRadius(index, "b"), { checkpoints: ["cb"], agents: ["agent-b"], truncated: false });
    assert.deepEqual(computeAtdBlastRadius(index, "d").checkpoints, []);
  });

  it("blast radius walks are bounded by the traversal limit", () => {
    const index = new AtdEctIndex({ traversalLimit: 50 });
    index.add(assertAtdEct(E.task("t0")));
    for (let i = 1; i < 200; i++) index.add(assertAtdEct(E.task(`t${i}`, [`t${i - 1}`])));
    const r = computeAtdBlastRadius(index, "t0");
    assert.equal(r.truncated, true);
  });

  it("cascade targets: downstream checkpoints, excluding the checkpoint's own hierarchy", () => {
    const { index } = world();
    assert.deepEqual(atdCascadeTargets(index, "ca").sort(), ["cb", "cc"]);
    assert.deepEqual(atdCascadeTargets(index, "cb"), []);
  });

  it("partial rollback: allowed when no completed dependant is left behind", () => {
    const { ects } = world();
    const r = replayAtdEcts(ects); // a, b done (children exist); c, d running
    const ok = checkAtdPartialRollback({ index: r.index, states: r.nodes, checkpointIds: ["cc"] });
    assert.ok(ok.eligible, JSON.stringify(ok.findings));
    assert.deepEqual(ok.covered, ["c"]);
  });

  it("partial rollback: refused when a completed task depends on a rolled-back one", () => {
    const { ects } = world();
    const r = replayAtdEcts([...ects, E.task("e", ["d"])]); // d is now done and depends on b
    const res = checkAtdPartialRollback({ index: r.index, states: r.nodes, checkpointIds: ["cb"] });
    assert.equal(res.eligible, false);
    assert.deepEqual(res.findings.map((f) => [f.code, f.jti]), [["ATD_ROLLBACK_NOT_ELIGIBLE", "d"]]);
    assert.throws(() => assertAtdPartialRollback({ index: r.index, states: r.nodes, checkpointIds: ["cb"] }), AtdRollbackNotEligibleError);
    // rolling back d's checkpoint too makes it eligible
    const withD = replayAtdEcts([...ects, E.ckpt("cd", ["d"], true, { iat: T0 + 2 }), E.task("e", ["d"])]);
    assert.ok(checkAtdPartialRollback({ index: withD.index, states: withD.nodes, checkpointIds: ["cb", "cd"] }).eligible);
  });

  it("partial rollback: checkpoints must share one workflow; unknown or non-checkpoint ids are findings", () => {
    const { index } = world();
    index.add(assertAtdEct(E.ckpt("cx", ["d"], true, { wid: "X" })));
    index.add(assertAtdEct(E.ckpt("cn", ["d"], true, { wid: undefined })));
    const states = new Map();
    assert.deepEqual(checkAtdPartialRollback({ index, states, checkpointIds: ["cb", "cx"] }).findings.map((f) => f.code), ["ATD_WID_MISMATCH"]);
    assert.deepEqual(checkAtdPartialRollback({ index, states, checkpointIds: ["cn"] }).findings.map((f) => f.code), ["ATD_WID_MISMATCH"]);
    assert.deepEqual(checkAtdPartialRollback({ index, states, checkpointIds: ["zz", "a"] }).findings.map((f) => [f.code, f.path]), [
      ["ATD_REF_UNKNOWN", "checkpointIds[0]"],
      ["ATD_REF_KIND", "checkpointIds[1]"],
    ]);
  });
});

describe("checkpoint lifetime and store (§Checkpoint ECT Format, §Checkpoint Flooding)", () => {
  const ck = (jti: string, iat: number | undefined, ttl = 100, wid: string | undefined = "W") => ({
    ...E.ckpt(jti, ["a"], true, { wid, ...(iat !== undefined ? { iat } : {}) }),
    ext: { "atd.reversible": true, "atd.rollback_uri": "https://x/.well-known/atd/rollback", "atd.ttl": ttl },
  });

  it("rollback timeout is ttl / 2; expiry is iat + ttl", () => {
    const c = assertAtdEct(ck("c", T0, 86400));
    assert.equal(atdRollbackTimeoutS(c), 43200);
    assert.equal(atdCheckpointExpiresAtS(c), T0 + 86400);
    assert.equal(isAtdCheckpointExpired(c, T0 + 86399), false);
    assert.equal(isAtdCheckpointExpired(c, T0 + 86400), true);
    assert.equal(atdCheckpointExpiresAtS(assertAtdEct(ck("n", undefined))), undefined);
    assert.equal(atdCheckpointExpiresAtS(assertAtdEct(ck("n", undefined)), T0), T0 + 100);
    assert.throws(() => atdRollbackTimeoutS(assertAtdEct(E.task("t"))), AtdEctMalformedError);
  });

  it("stores, returns, and purges expired checkpoints (fake clock)", () => {
    let now = T0 * 1000;
    const s = new AtdCheckpointStore({ now: () => now });
    s.put(ck("c1", T0, 100));
    s.put(ck("c2", undefined, 200)); // counted from when it was stored
    assert.equal(s.get("c1")?.jti, "c1");
    now = (T0 + 100) * 1000;
    assert.equal(s.get("c1"), undefined);
    assert.throws(() => s.require("c1"), (e: unknown) => e instanceof AtdCheckpointExpiredError && e.code === "ATD_CHECKPOINT_EXPIRED");
    assert.throws(() => s.require("nope"), (e: unknown) => e instanceof AtdCheckpointNotFoundError);
    assert.equal(s.require("c2").jti, "c2");
    now = (T0 + 200) * 1000;
    assert.deepEqual(s.purgeExpired(), ["c2"]);
    assert.equal(s.size, 0);
    assert.ok(s.wasPurged("c2"));
  });

  it("re-putting the identical checkpoint is a no-op; other content under the jti is refused", () => {
    const s = new AtdCheckpointStore({ now: () => T0 * 1000 });
    s.put(ck("c1", T0));
    assert.doesNotThrow(() => s.put(ck("c1", T0)));
    assert.throws(() => s.put(ck("c1", T0, 999)), (e: unknown) => e instanceof AtdDuplicateJtiError && e.code === "ATD_DUPLICATE_JTI");
    assert.equal(s.size, 1);
  });

  it("caps checkpoints per workflow, after purging expired ones", () => {
    let now = T0 * 1000;
    const s = new AtdCheckpointStore({ now: () => now, maxPerWorkflow: 2 });
    s.put(ck("c1", T0, 10));
    s.put(ck("c2", T0, 1000));
    s.put(ck("x1", T0, 1000, "OTHER"));
    assert.throws(() => s.put(ck("c3", T0, 1000)), (e: unknown) => e instanceof AtdCheckpointLimitError && e.code === "ATD_CHECKPOINT_LIMIT");
    now = (T0 + 10) * 1000; // c1 expires and makes room
    assert.doesNotThrow(() => s.put(ck("c3", T0, 1000)));
  });

  it("scopes checkpoints by (wid, jti) like ECT rule 1: the same jti in two workflows coexists (L5)", () => {
    const s = new AtdCheckpointStore({ now: () => T0 * 1000 });
    const w1 = s.put(ck("c1", T0, 100, "w1"));
    const w2 = s.put(ck("c1", T0, 200, "w2"));
    assert.equal(s.size, 2);
    assert.equal(s.get("c1", "w1"), w1);
    assert.equal(s.get("c1", "w2"), w2);
    assert.equal(s.get("c1", "w3"), undefined);
    // Without a wid the reference is ambiguous when several workflows hold the jti.
    assert.equal(s.get("c1"), undefined);
    assert.equal(s.require("c1", "w2").ext["atd.ttl"], 200);
    assert.throws(() => s.require("c1", "w3"), AtdCheckpointNotFoundError);
    // Same workflow, other content: still a duplicate, naming the workflow.
    assert.throws(() => s.put(ck("c1", T0, 999, "w1")), (e: unknown) => e instanceof AtdDuplicateJtiError && /workflow "w1"/.test(e.details ?? ""));
    // A checkpoint without wid collides with every scope (and vice versa).
    const global = (jti: string) => {
      const c: Record<string, unknown> = ck(jti, T0, 100);
      delete c.wid;
      return c;
    };
    assert.throws(() => s.put(global("c1")), AtdDuplicateJtiError);
    const g = new AtdCheckpointStore({ now: () => T0 * 1000 });
    g.put(global("c7"));
    assert.throws(() => g.put(ck("c7", T0, 100, "w1")), AtdDuplicateJtiError);
    // A scoped lookup falls back to the global checkpoint; expiry is per scope.
    assert.equal(g.get("c7", "w1")?.jti, "c7");
  });

  it("expiry and tombstones are per (wid, jti)", () => {
    let now = T0 * 1000;
    const s = new AtdCheckpointStore({ now: () => now });
    s.put(ck("c1", T0, 100, "w1"));
    s.put(ck("c1", T0, 200, "w2"));
    now = (T0 + 150) * 1000;
    assert.equal(s.get("c1", "w1"), undefined);
    assert.equal(s.get("c1", "w2")?.ext["atd.ttl"], 200);
    assert.equal(s.get("c1")?.ext["atd.ttl"], 200); // the only live one
    assert.ok(s.wasPurged("c1", "w1"));
    assert.equal(s.wasPurged("c1", "w2"), false);
    assert.throws(() => s.require("c1", "w1"), AtdCheckpointExpiredError);
    assert.equal(s.size, 1);
  });

  it("invalid store options -> AtdInvalidOptionError", () => {
    for (const o of [null, 5, { now: 1 }, { maxPerWorkflow: 0 }, { maxPerWorkflow: Number.NaN }, { tombstones: -1 }]) {
      assert.throws(() => new AtdCheckpointStore(o as never), (e: unknown) => e instanceof AtdInvalidOptionError && e.code === "ATD_INVALID_OPTION", JSON.stringify(o));
    }
  });

  it("accepts only checkpoint ECTs", () => {
    const s = new AtdCheckpointStore();
    assert.throws(() => s.put(E.task("t")), AtdEctMalformedError);
    assert.throws(() => s.put({ ...ck("c", T0), ext: {} }), AtdExtMissingFieldError);
  });
});

describe("rollback: property test (seeded)", () => {
  it("for any interleaving of repeated requests, each jti runs once and always gets one outcome", async () => {
    const r = prng(0x1de4);
    for (let run = 0; run < 40; run++) {
      const runs = new Map<string, number>();
      const { c } = coordinator(async (ctx) => {
        runs.set(ctx.request.jti, (runs.get(ctx.request.jti) ?? 0) + 1);
        for (let k = r.int(3); k > 0; k--) await new Promise((res) => setImmediate(res));
        return { status: r.bool(0.8) ? "completed" : "failed" };
      });
      const ids = Array.from({ length: 1 + r.int(4) }, (_, i) => `q${i}`);
      const targets = new Map(ids.map((id) => [id, r.pick(["ca", "cb"])]));
      const calls = Array.from({ length: 3 + r.int(10) }, () => r.pick(ids));
      const results = await Promise.all(calls.map((id) => c.handle(req(id, targets.get(id)!))));
      for (const id of ids) {
        const mine = results.filter((x, k) => calls[k] === id);
        if (!mine.length) continue;
        assert.equal(runs.get(id), 1);
        assert.ok(mine.every((m) => m.outcome === mine[0]!.outcome));
        assert.equal(mine.filter((m) => !m.replayed).length, 1);
      }
    }
  });
});
