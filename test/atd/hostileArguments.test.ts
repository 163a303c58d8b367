/**
 * Every public ATD function and class, fed missing, null or wrong-typed arguments: validators
 * answer with findings, everything else throws only typed errors (`AgentExecError`
 * subclasses), never a TypeError. Plus the specific answers for the options and
 * prototype-name cases (draft-atd-agent-task-dag-01; review findings M5, L1, L4).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as atd from "../../sdk/atd/index.js";
import {
  AtdEctIndex,
  AtdInvalidOptionError,
  AtdRollbackCoordinator,
  AtdUnknownExecActError,
  AtdUnknownNodeStateError,
  assertAtdEct,
  authorizeAtdRollback,
  checkAtdPartialRollback,
  computeAtdBlastRadius,
  decideAtdUnsatisfiedHints,
  detectAtdCoordinatedCircuitOpen,
  isTerminalAtdNodeState,
  requiredAtdExtFields,
  transitionAtdNode,
} from "../../sdk/atd/index.js";
import { isAgentExecError } from "../../sdk/errors.js";
import { E, prng, randomValue } from "./helpers.js";

const ARGS: unknown[][] = [[], [null], [undefined, null], [null, null], [{}, null], [[], null], ["x", null], [5], [{ jti: "a", exec_act: "x" }, null], [Symbol("s")]];

describe("hostile arguments to every public ATD export", () => {
  it("no export throws anything but a typed AgentExecError (classes constructed, functions called, promises awaited)", async () => {
    const r = prng(0xa7d);
    const untyped: string[] = [];
    for (const [name, v] of Object.entries(atd)) {
      if (typeof v !== "function" || /Error$/.test(name)) continue;
      const isClass = /^class /.test(Function.prototype.toString.call(v));
      const cases = [...ARGS, ...Array.from({ length: 20 }, () => [randomValue(r, 3), randomValue(r, 3)])];
      for (const args of cases) {
        try {
          const out = isClass ? new (v as new (...a: unknown[]) => unknown)(...args) : (v as (...a: unknown[]) => unknown)(...args);
          if (out && typeof (out as Promise<unknown>).then === "function") await (out as Promise<unknown>);
        } catch (e) {
          if (!isAgentExecError(e)) untyped.push(`${name}: ${(e as Error)?.constructor?.name} ${(e as Error)?.message}`);
        }
      }
    }
    assert.deepEqual([...new Set(untyped)], []);
  });
});

describe("options and arguments: the specific answers", () => {
  it("detectAtdCoordinatedCircuitOpen: missing or invalid parameters are ATD_INVALID_OPTION findings, not a silent no-op", () => {
    const ects = [E.open("o1", "A", "d", 1), E.open("o2", "B", "d", 2)];
    for (const [p, path] of [
      [{ ects }, "minBreakers"],
      [{ ects, minBreakers: 2 }, "windowS"],
      [{ ects, minBreakers: Number.NaN, windowS: 60 }, "minBreakers"],
      [{ ects, minBreakers: 2, windowS: -1 }, "windowS"],
      [{ ects: "x", minBreakers: 2, windowS: 60 }, "ects"],
      [null, ""],
    ] as const) {
      const r = detectAtdCoordinatedCircuitOpen(p as never);
      assert.equal(r.escalations.length, 0);
      assert.ok(r.findings.some((f) => f.code === "ATD_INVALID_OPTION" && f.path === path), `${JSON.stringify(p)}: ${JSON.stringify(r.findings)}`);
    }
    const ok = detectAtdCoordinatedCircuitOpen({ ects, minBreakers: 2, windowS: 60 });
    assert.deepEqual([ok.escalations.length, ok.findings], [1, []]);
  });
  it("authorizeAtdRollback / checkAtdPartialRollback (never throw): malformed arguments are denied with ATD_INVALID_OPTION", () => {
    const ckpt = assertAtdEct(E.ckpt("c", ["a"]));
    const req = assertAtdEct(E.req("q", "c"));
    for (const [p, path] of [[null, ""], [{ request: {}, checkpoint: ckpt }, "request"], [{ request: req, checkpoint: null }, "checkpoint"], [{ request: req, checkpoint: ckpt, index: {} }, "index"]] as const) {
      const r = authorizeAtdRollback(p as never);
      assert.deepEqual([r.authorized, r.finding?.code, r.finding?.path], [false, "ATD_INVALID_OPTION", path]);
    }
    assert.ok(authorizeAtdRollback({ request: req, checkpoint: ckpt }).authorized);
    for (const [p, path] of [[null, ""], [{ index: {}, checkpointIds: [], states: new Map() }, "index"], [{ index: new AtdEctIndex(), checkpointIds: "c", states: new Map() }, "checkpointIds"], [{ index: new AtdEctIndex(), checkpointIds: [], states: {} }, "states"]] as const) {
      const r = checkAtdPartialRollback(p as never);
      assert.deepEqual([r.eligible, r.findings.map((f) => [f.code, f.path])], [false, [["ATD_INVALID_OPTION", path]]]);
    }
    assert.throws(() => computeAtdBlastRadius({} as never, "a"), AtdInvalidOptionError);
  });
  it("prototype names are not exec_act values or node states (own-list lookups)", () => {
    for (const name of ["__proto__", "toString", "constructor"]) {
      assert.throws(() => requiredAtdExtFields(name as never), AtdUnknownExecActError);
      assert.throws(() => isTerminalAtdNodeState(name as never), AtdUnknownNodeStateError);
      assert.throws(() => transitionAtdNode({ from: name as never, to: "done" }), AtdUnknownNodeStateError);
    }
    assert.throws(() => transitionAtdNode(null as never), (e: unknown) => e instanceof AtdUnknownNodeStateError && e.path === "from");
    assert.deepEqual(requiredAtdExtFields("atd:circuit_close"), ["atd.downstream_agent", "atd.cooldown_s"]);
  });
  it("decideAtdUnsatisfiedHints: a NaN wait or an unknown priority is AtdInvalidOptionError", () => {
    for (const p of [null, { waitedS: Number.NaN }, { waitedS: -1 }, { priority: "urgent", waitedS: 1 }]) assert.throws(() => decideAtdUnsatisfiedHints(p as never), AtdInvalidOptionError);
    assert.equal(decideAtdUnsatisfiedHints({ priority: "critical", waitedS: 61 }).action, "error_and_escalate");
  });
  it("AtdRollbackCoordinator: options that are not an object, or members of the wrong kind, are AtdInvalidOptionError", () => {
    const ok = { resolveCheckpoint: () => undefined, restore: () => ({ status: "completed" as const }) };
    for (const [o, path] of [
      [null, ""],
      [{}, "resolveCheckpoint"],
      [{ ...ok, restore: 1 }, "restore"],
      [{ ...ok, now: 5 }, "now"],
      [{ ...ok, index: {} }, "index"],
      [{ ...ok, timers: { setTimeout: () => 1 } }, "timers"],
      [{ ...ok, store: { get: () => undefined } }, "store"],
    ] as const) {
      assert.throws(() => new AtdRollbackCoordinator(o as never), (e: unknown) => e instanceof AtdInvalidOptionError && e.path === path, JSON.stringify(path));
    }
    assert.ok(new AtdRollbackCoordinator(ok));
  });
});
