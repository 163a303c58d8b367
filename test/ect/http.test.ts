/**
 * The Execution-Context header (seed 000 4.5): build/parse round trips, multiple tokens,
 * malformed values, and verifyExecutionContext (reject the request if any token fails;
 * 400/401/403).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  buildExecutionContextHeader,
  createEct,
  EctBadSignatureError,
  EctExpiredError,
  EctHeaderError,
  EctInvalidOptionError,
  EctLedger,
  EctUnknownParentError,
  EXECUTION_CONTEXT_HEADER,
  MemoryLedgerStore,
  parseExecutionContextHeader,
  verifyExecutionContext,
} from "../../sdk/index.js";
import { AUD, clock, ISS, makeAgent, NOW, storeOf, type TestAgent } from "./helpers.js";

let A: TestAgent;
let t1: string;
let t2: string;
let t3: string;
before(async () => {
  A = await makeAgent("agent-a", ISS);
  const mk = async (jti: string, par: string[]) => (await createEct({ signer: A.signer, iss: ISS, aud: AUD, exec_act: "x", jti, par, wid: "w", clock })).token;
  t1 = await mk("A", []);
  t2 = await mk("B", ["A"]);
  t3 = await mk("C", ["A", "B"]);
});

describe("build / parse", () => {
  it("names the header Execution-Context", () => {
    assert.equal(EXECUTION_CONTEXT_HEADER, "Execution-Context");
  });
  it("round-trips one and several tokens", () => {
    assert.deepEqual(parseExecutionContextHeader(buildExecutionContextHeader(t1)), [t1]);
    const v = buildExecutionContextHeader([t1, t2, t3]);
    assert.equal(v, `${t1}, ${t2}, ${t3}`);
    assert.deepEqual(parseExecutionContextHeader(v), [t1, t2, t3]);
  });
  it("parses several header lines and Node's comma-joined form alike", () => {
    assert.deepEqual(parseExecutionContextHeader([t1, `${t2},${t3}`]), [t1, t2, t3]);
    assert.deepEqual(parseExecutionContextHeader(` ${t1} ,\t${t2} `), [t1, t2]);
  });
  it("throws EctHeaderError for a missing, empty or malformed value", () => {
    const bad: unknown[] = [undefined, "", " ", `${t1},`, `${t1},,${t2}`, "abc", "a.b", "a.b.c.d", `${t1} ${t2}`, [5], 5, "a.b=.c"];
    for (const v of bad) assert.throws(() => parseExecutionContextHeader(v as never), EctHeaderError, JSON.stringify(v));
  });
  it("enforces the token limit on both sides", () => {
    const many = Array.from({ length: 65 }, () => t1);
    assert.throws(() => buildExecutionContextHeader(many), EctHeaderError);
    assert.throws(() => parseExecutionContextHeader(many.join(",")), EctHeaderError);
    assert.equal(parseExecutionContextHeader(many.join(","), { maxTokens: 65 }).length, 65);
  });
  it("invalid options throw EctInvalidOptionError (never a TypeError), on both sides", () => {
    for (const o of [null, 5, "x", { maxTokens: NaN }, { maxTokens: 0 }, { maxTokens: "3" }, { maxTokens: 1.5 }]) {
      assert.throws(() => parseExecutionContextHeader(t1, o as never), (e: unknown) => e instanceof EctInvalidOptionError && e.code === "ECT_INVALID_OPTION", JSON.stringify(o));
      assert.throws(() => buildExecutionContextHeader(t1, o as never), EctInvalidOptionError, JSON.stringify(o));
    }
    const getter = Object.defineProperty({}, "maxTokens", { get() { throw new Error("g"); } });
    assert.throws(() => parseExecutionContextHeader(t1, getter), EctInvalidOptionError);
  });
  it("refuses to build from an empty list or a non-token", () => {
    assert.throws(() => buildExecutionContextHeader([]), EctHeaderError);
    assert.throws(() => buildExecutionContextHeader(["not a token"]), EctHeaderError);
  });
});

describe("verifyExecutionContext", () => {
  const opts = () => ({ keyStore: storeOf(A), audience: AUD, clock });

  it("verifies a fan-in request whose tokens are each other's parents, returning them parents first", async () => {
    const r = await verifyExecutionContext(buildExecutionContextHeader([t3, t2, t1]), opts());
    assert.ok(r.ok);
    assert.deepEqual(r.tokens.map((t) => t.claims.jti), ["A", "B", "C"]);
    assert.deepEqual(r.tokens.map((t) => t.token), [t1, t2, t3]);
  });

  it("finds parents outside the request in the store", async () => {
    const ledger = await EctLedger.open({ store: new MemoryLedgerStore() });
    await ledger.append(t1);
    const r = await verifyExecutionContext([t2, t3], { ...opts(), store: ledger });
    assert.ok(r.ok);
  });

  it("rejects the request if any token fails, naming it: 401 for a bad signature", async () => {
    const forged = `${t2.slice(0, t2.lastIndexOf("."))}.${t1.slice(t1.lastIndexOf(".") + 1)}`;
    const r = await verifyExecutionContext([t1, forged], opts());
    assert.ok(!r.ok);
    assert.equal(r.httpStatus, 401);
    assert.equal(r.index, 1);
    assert.ok(r.error instanceof EctBadSignatureError);
  });

  it("403 for an expired token and for a DAG failure", async () => {
    const late = await verifyExecutionContext(t1, { ...opts(), clock: () => (NOW + 1000) * 1000 });
    assert.ok(!late.ok && late.httpStatus === 403 && late.error instanceof EctExpiredError);
    const orphan = await verifyExecutionContext(t2, opts());
    assert.ok(!orphan.ok && orphan.httpStatus === 403 && orphan.error instanceof EctUnknownParentError && orphan.index === 0);
    assert.equal(orphan.failure?.step, 13);
  });

  it("fails (does not throw) without options: a 500 with EctInvalidOptionError, not a token failure", async () => {
    for (const o of [undefined, null, 5]) {
      const r = await verifyExecutionContext(t1, o as never);
      assert.ok(!r.ok && r.httpStatus === 500 && r.error instanceof EctInvalidOptionError && r.error.code === "ECT_INVALID_OPTION", String(o));
    }
    const bad = await verifyExecutionContext(t1, { ...opts(), maxTokens: NaN });
    assert.ok(!bad.ok && bad.httpStatus === 500 && bad.error instanceof EctInvalidOptionError && /maxTokens/.test(bad.error.details ?? ""));
    const skip = await verifyExecutionContext(t1, { ...opts(), dagTraversal: "skip" as never });
    assert.ok(!skip.ok && skip.httpStatus === 500 && skip.error instanceof EctInvalidOptionError);
  });

  it("400 for an unparseable header, without throwing", async () => {
    for (const v of [undefined, "garbage", ["x.y"]]) {
      const r = await verifyExecutionContext(v as never, opts());
      assert.ok(!r.ok && r.httpStatus === 400 && r.error instanceof EctHeaderError);
    }
  });
});
