/**
 * Every public ECT function and class, fed missing, null or wrong-typed arguments: verifiers
 * answer with structured failures, everything else throws (or rejects with) only typed errors
 * (`AgentExecError` subclasses), never a TypeError or a raw Node error (review finding M5).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as ect from "../../sdk/ect/index.js";
import { isAgentExecError } from "../../sdk/errors.js";
import { prng, randomValue } from "./helpers.js";

const ARGS: unknown[][] = [[], [null], [undefined, null], [null, null], [{}, null], [[], null], ["x", null], [5], [{ jti: "a", par: 5 }, null], [[null]], [Symbol("s")]];

describe("hostile arguments to every public ECT export", () => {
  it("no export throws or rejects with anything but a typed AgentExecError", async () => {
    const r = prng(0xec7);
    const untyped: string[] = [];
    const targets: [string, (...a: unknown[]) => unknown][] = [];
    for (const [name, v] of Object.entries(ect)) {
      if (typeof v !== "function" || /Error$/.test(name)) continue;
      const isClass = /^class /.test(Function.prototype.toString.call(v));
      targets.push([name, isClass ? (...a) => new (v as new (...x: unknown[]) => unknown)(...a) : (v as (...a: unknown[]) => unknown)]);
    }
    targets.push(["EctLedger.open", (...a) => ect.EctLedger.open(a[0] as never)], ["EctVerifierPool.create", (...a) => ect.EctVerifierPool.create(a[0] as never)]);
    for (const [name, f] of targets) {
      const cases = [...ARGS, ...Array.from({ length: 20 }, () => [randomValue(r), randomValue(r)])];
      for (const args of cases) {
        try {
          const out = f(...args);
          if (out && typeof (out as Promise<unknown>).then === "function") await (out as Promise<unknown>);
        } catch (e) {
          if (!isAgentExecError(e)) untyped.push(`${name}: ${(e as Error)?.constructor?.name} ${(e as Error)?.message}`);
        }
      }
    }
    assert.deepEqual([...new Set(untyped)], []);
  });

  it("the verifiers among them never throw at all: they return structured failures", async () => {
    const r = prng(0x5afe);
    for (let i = 0; i < 200; i++) {
      const a = randomValue(r);
      const b = randomValue(r);
      assert.equal((await ect.verifyEct(a, b as never)).ok, false);
      assert.equal((await ect.verifyExecutionContext(a as never, b as never)).ok, false);
      assert.equal((await ect.verifyEctWorkflow([a], { ...(typeof b === "object" ? b : {}), workers: 0 } as never)).ok, false);
      assert.equal(typeof ect.validateEctDag(a as never, b as never).ok, "boolean");
      assert.equal(typeof (await ect.validateEctSetInStore(a as never, b as never)).ok, "boolean");
      assert.ok(Array.isArray(await ect.validateEctInStore(a as never, b as never)));
      const d = ect.decodeEctUnverified(a);
      assert.ok(d instanceof ect.EctVerificationError || typeof d === "object");
    }
  });
});
