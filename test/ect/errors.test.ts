/**
 * The ECT error classes: one base class, stable unique codes, the step each verification error
 * names, the HTTP status the paper assigns (401 for steps 4-8, 403 otherwise), and lossless
 * round trips through the plain-data form used across worker threads.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as sdk from "../../sdk/index.js";
import { AgentExecError, EctError, EctMissingClaimError, EctVerificationError, ectVerificationErrorFromData, ectVerificationErrorToData } from "../../sdk/index.js";

type Ctor = new (...args: never[]) => Error;
const classes = Object.entries(sdk).filter(([name, v]) => /^Ect\w*Error$/.test(name) && typeof v === "function") as [string, Ctor][];

function instantiate(C: Ctor): EctError {
  // Multi-step classes take the step first.
  if (C === (EctMissingClaimError as unknown as Ctor) || C === (sdk.EctInvalidClaimError as unknown as Ctor)) {
    return new (C as unknown as new (s: number, p: object) => EctError)(12, { details: "d", claim: "jti" });
  }
  return new (C as unknown as new (p: object) => EctError)({ details: "d" });
}

const concrete = classes.filter(([name]) => name !== "EctError" && name !== "EctVerificationError");

describe("ECT error classes", () => {
  it("exports a good number of typed errors", () => {
    assert.ok(concrete.length >= 40, `${concrete.length}`);
  });

  it("all extend AgentExecError and EctError, with a stable unique ECT_ code and their own name", () => {
    const codes = new Set<string>();
    for (const [name, C] of concrete) {
      const e = instantiate(C);
      assert.ok(e instanceof AgentExecError, name);
      assert.ok(e instanceof EctError, name);
      assert.equal(e.name, name);
      assert.match(e.code, /^ECT_[A-Z_]+$/);
      assert.ok(!codes.has(e.code), `duplicate code ${e.code}`);
      codes.add(e.code);
      assert.equal(e.details, "d");
      assert.match(e.message, /Details: d/);
    }
  });

  it("verification errors name their step, its Table 5 action, and the paper's HTTP status", () => {
    const vs = concrete.map(([, C]) => instantiate(C)).filter((e): e is EctVerificationError => e instanceof EctVerificationError);
    assert.ok(vs.length >= 28);
    for (const e of vs) {
      assert.ok(e.step >= 1 && e.step <= 13);
      assert.equal(e.stepName, sdk.ECT_VERIFICATION_STEPS[e.step - 1]!.name);
      assert.match(e.message, new RegExp(`Step ${e.step} \\(`));
      assert.equal(e.httpStatus, e.step >= 4 && e.step <= 8 ? 401 : 403);
    }
    const steps = new Set(vs.map((e) => e.step));
    for (let s = 1; s <= 13; s++) assert.ok(steps.has(s as never), `no error class for step ${s}`);
  });

  it("round-trip through plain data (as across worker threads) to the same class, step and claim", () => {
    for (const [name, C] of concrete) {
      const e = instantiate(C);
      if (!(e instanceof EctVerificationError)) continue;
      const data = JSON.parse(JSON.stringify(ectVerificationErrorToData(e)));
      const back = ectVerificationErrorFromData(data);
      assert.equal(back.constructor.name, name);
      assert.deepEqual([back.code, back.step, back.details, back.claim], [e.code, e.step, e.details, e.claim]);
    }
    const unknown = ectVerificationErrorFromData({ code: "NOPE", step: 3, details: "x" });
    assert.ok(unknown instanceof sdk.EctMalformedError);
  });

  it("EctMissingClaimError can name any step and claim", () => {
    const e = new EctMissingClaimError(10, { claim: "exp" });
    assert.deepEqual([e.step, e.claim, e.stepName, e.httpStatus], [10, "exp", "expiry", 403]);
  });
});
