/**
 * The ECT error classes: one base class, stable unique codes, the step each verification error
 * names, the HTTP status the paper assigns (401 for steps 4-8, 403 otherwise), and lossless
 * round trips through the plain-data form used across worker threads (an internal protocol,
 * not part of the public entry).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as sdk from "../../sdk/index.js";
import { AgentExecError, EctError, EctMissingClaimError, EctVerificationError } from "../../sdk/index.js";
import { ectVerificationErrorFromData, ectVerificationErrorToData } from "../../sdk/ect/workflow-protocol.js";

type Ctor = new (...args: never[]) => Error;
const classes = Object.entries(sdk).filter(([name, v]) => /^Ect\w*Error$/.test(name) && typeof v === "function") as [string, Ctor][];

function instantiate(C: Ctor): EctError {
  // Multi-step classes take the step first.
  if (
    C === (EctMissingClaimError as unknown as Ctor) ||
    C === (sdk.EctInvalidClaimError as unknown as Ctor) ||
    C === (sdk.EctForbiddenMemberError as unknown as Ctor)
  ) {
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
    // EctForbiddenMemberError serves steps 1 and 12.
    assert.equal(new sdk.EctForbiddenMemberError(1).step, 1);
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
    // The option failure (step 0) crosses too.
    const opt = ectVerificationErrorFromData(ectVerificationErrorToData(new sdk.EctInvalidOptionError({ details: "o" })));
    assert.ok(opt instanceof sdk.EctInvalidOptionError && opt.step === 0 && opt.details === "o");
  });

  it("the plain-data decoder looks codes up in a Map: prototype names and garbage become EctMalformedError (L4)", () => {
    for (const code of ["__proto__", "toString", "constructor", "hasOwnProperty", "valueOf"]) {
      const e = ectVerificationErrorFromData({ code, step: 1 });
      assert.ok(e instanceof sdk.EctMalformedError, code);
      assert.equal(e.code, "ECT_MALFORMED");
      assert.match(e.details ?? "", /unknown error code/);
    }
    for (const data of [null, undefined, 5, "x", [], { code: 7 }, { code: "ECT_BAD_TYP", step: 99 }, { code: "ECT_BAD_TYP", step: "2" }]) {
      assert.ok(ectVerificationErrorFromData(data) instanceof sdk.EctMalformedError, JSON.stringify(data));
    }
  });

  it("the worker-protocol helpers are not part of the public entry (L4)", () => {
    for (const name of ["ectVerificationErrorFromData", "ectVerificationErrorToData", "_checkPair", "_storeFailure"]) assert.equal(name in sdk, false, name);
  });

  it("EctInvalidOptionError is the step-0 failure: before step 1, HTTP 500, not a verification step", () => {
    const e = new sdk.EctInvalidOptionError({ details: "x" });
    assert.deepEqual([e.code, e.step, e.stepName, e.httpStatus, e.claim], ["ECT_INVALID_OPTION", 0, "options", 500, undefined]);
    assert.ok(!(e instanceof EctVerificationError));
  });

  it("EctMissingClaimError can name any step and claim", () => {
    const e = new EctMissingClaimError(10, { claim: "exp" });
    assert.deepEqual([e.step, e.claim, e.stepName, e.httpStatus], [10, "exp", "expiry", 403]);
  });
});
