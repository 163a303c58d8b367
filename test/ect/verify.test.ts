/**
 * verifyEct: one test per verification step and typed error (seed 000, Table 5), the order of
 * the steps, and "never throws" fuzzing.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { before, describe, it } from "node:test";
import {
  AgentExecError,
  createEct,
  ECT_VERIFICATION_STEPS,
  EctAlgMismatchError,
  EctAlgNotAllowedError,
  EctAudienceMismatchError,
  EctBadSignatureError,
  EctBadTypError,
  EctConflictingClaimsError,
  EctExpiredError,
  EctExtTooDeepError,
  EctExtTooLargeError,
  EctForbiddenMemberError,
  EctIatTooOldError,
  EctInvalidClaimError,
  EctIssuerMismatchError,
  EctKeyRevokedError,
  EctKeyStoreError,
  EctMalformedError,
  EctMalformedHashError,
  EctMissingClaimError,
  EctNotYetValidError,
  EctUnknownKidError,
  EctUnknownParentError,
  EctCycleError,
  EctDagStoreError,
  EctDuplicateJtiError,
  EctLedger,
  EctTemporalOrderError,
  EctTraversalLimitError,
  EctTrustDomainError,
  MemoryLedgerStore,
  EctUnsupportedCritError,
  EctUnusableKeyError,
  EctVerificationError,
  InMemoryAgentKeyStore,
  computeEctHash,
  createEctVerifier,
  EctInvalidOptionError,
  verifyEct,
  decodeEctUnverified,
  type AgentKey,
  type CreateEctVerifierReturnType,
  type DecodeEctUnverifiedReturnType,
  type VerifyEctParameters,
  type VerifyEctReturnType,
} from "../../sdk/index.js";
import { AUD, b64, clock, forge, ISS, makeAgent, NOW, payload, prng, randomValue, storeOf, type TestAgent } from "./helpers.js";

let A: TestAgent;
let B: TestAgent;
let opts: VerifyEctParameters;

before(async () => {
  A = await makeAgent("agent-a", ISS);
  B = await makeAgent("agent-b", `${ISS}-other`);
  opts = { keyStore: storeOf(A, B), audience: AUD, clock };
});

const HEADER = { alg: "ES256", typ: "wimse-exec+jwt", kid: "agent-a" };

function tok(p: Record<string, unknown> | string = payload(), header: Record<string, unknown> = HEADER): string {
  return forge({ key: A.privateKey, header, payload: p });
}

/** Invalid options: `step: 0`, `EctInvalidOptionError` (ECT_INVALID_OPTION), HTTP 500, before step 1. */
async function expectOptionFail(o: unknown, details?: RegExp, token: unknown = tok()): Promise<void> {
  const r = await verifyEct(token, o as VerifyEctParameters);
  assert.equal(r.ok, false, "expected a failure");
  if (r.ok) return;
  assert.ok(r.error instanceof EctInvalidOptionError, `expected EctInvalidOptionError, got ${r.error.name}: ${r.error.message}`);
  assert.equal(r.error.code, "ECT_INVALID_OPTION");
  assert.equal(r.step, 0);
  assert.equal(r.error.step, 0);
  assert.equal(r.httpStatus, 500);
  if (details) assert.match(r.error.details ?? "", details);
}

async function expectFail(
  token: unknown,
  step: number,
  cls: abstract new (...args: never[]) => EctVerificationError,
  o: VerifyEctParameters = opts,
): Promise<Extract<VerifyEctReturnType, { ok: false }>> {
  const r = await verifyEct(token, o);
  assert.equal(r.ok, false, "expected a failure");
  if (r.ok) throw new Error("unreachable");
  assert.ok(r.error instanceof cls, `expected ${cls.name}, got ${r.error.name}: ${r.error.message}`);
  assert.equal(r.step, step);
  assert.equal(r.error.step, step);
  assert.ok(r.error instanceof AgentExecError);
  return r;
}

describe("verifyEct: success", () => {
  it("verifies the paper's example payload through all 13 steps", async () => {
    const r = await verifyEct(tok(), opts);
    assert.equal(r.ok, true);
    if (!r.ok) return;
    assert.equal(r.stepsCompleted, 13);
    assert.deepEqual(r.claims, {
      iss: ISS,
      aud: AUD,
      iat: NOW,
      exp: NOW + 900,
      jti: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
      wid: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
      exec_act: "process_payment",
      par: [],
    });
    assert.deepEqual(r.header, HEADER);
  });

  it("lists the 13 steps of Table 5 in order", () => {
    assert.deepEqual(
      ECT_VERIFICATION_STEPS.map((s) => s.step),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
    );
    assert.deepEqual(
      ECT_VERIFICATION_STEPS.map((s) => s.name),
      ["parse", "typ", "alg", "kid", "signature", "revocation", "alg-binding", "issuer", "audience", "expiry", "iat-window", "claims", "dag"],
    );
  });

  it("round-trips a token made by createEct, with hashes and ext", async () => {
    const made = await createEct({ signer: A.signer, iss: ISS, aud: [AUD, "spiffe://x/y"], exec_act: "a", input: "in", output: "out", ext: { "com.example.k": [1, { a: 2 }] }, clock });
    const r = await verifyEct(made.token, opts);
    assert.ok(r.ok);
    assert.deepEqual(r.claims, made.claims);
    assert.equal(r.claims.inp_hash, computeEctHash("in"));
  });

  it("accepts typ case-insensitively and with the application/ prefix", async () => {
    for (const typ of ["WIMSE-EXEC+JWT", "application/wimse-exec+jwt"]) {
      assert.ok((await verifyEct(tok(payload(), { ...HEADER, typ }), opts)).ok);
    }
  });

  it("accepts the later-draft aliases pred and ect_ext and exposes them as par and ext", async () => {
    const r = await verifyEct(tok(payload({ par: undefined, pred: [], ect_ext: { "org.x": 1 } })), { ...opts, dagTraversal: "skip" });
    assert.ok(r.ok);
    assert.deepEqual(r.claims.par, []);
    assert.deepEqual(r.claims.ext, { "org.x": 1 });
    assert.equal("pred" in r.claims, false);
    assert.deepEqual(r.payload.pred, []);
  });

  it("accepts both a name and its alias when they agree", async () => {
    assert.ok((await verifyEct(tok(payload({ pred: [], ext: { a: 1 }, ect_ext: { a: 1 } })), opts)).ok);
  });

  it("createEctVerifier compiles once and verifies the same", async () => {
    const v = createEctVerifier(opts);
    assert.ok((await v.verify(tok())).ok);
    assert.throws(() => createEctVerifier({ ...opts, algorithms: ["ES384"] }), EctInvalidOptionError);
    assert.throws(() => createEctVerifier({ ...opts, audience: [] }), EctInvalidOptionError);
  });
});

describe("verifyEct: step 1 (parse JWS compact)", () => {
  it("rejects non-strings", async () => {
    for (const v of [undefined, null, 1, true, {}, [], ["a.b.c"], Symbol("x"), () => 1, 10n]) await expectFail(v, 1, EctMalformedError);
  });
  it("rejects a wrong number of segments", async () => {
    for (const v of ["", "abc", "a.b", "a.b.c.d", tok() + ".x"]) await expectFail(v, 1, EctMalformedError);
  });
  it("rejects non-base64url and non-canonical base64url", async () => {
    const t = tok();
    const [h, p, s] = t.split(".") as [string, string, string];
    await expectFail(`${h}=.${p}.${s}`, 1, EctMalformedError);
    await expectFail(`${h}.${p}.${s}+`, 1, EctMalformedError);
    await expectFail(`${h}.${p}.${s}B`, 1, EctMalformedError); // 87 characters: length ≡ 3 (mod 4), "B" leaves non-zero bits
    // A 64-byte signature is 86 characters; its last one carries 2 bits + 4 zero bits.
    const last = s[s.length - 1]!;
    const alt = "AQgw".includes(last) ? String.fromCharCode(last.charCodeAt(0) + 1) : last;
    await expectFail(`${h}.${p}.${s.slice(0, -1)}${alt}`, 1, EctMalformedError);
  });
  it("rejects a header or payload that is not a JSON object", async () => {
    await expectFail(`${b64("not json")}.${b64("{}")}.AA`, 1, EctMalformedError);
    await expectFail(`${b64("[1]")}.${b64("{}")}.AA`, 1, EctMalformedError);
    await expectFail(`${b64(JSON.stringify(HEADER))}.${b64("null")}.AA`, 1, EctMalformedError);
    await expectFail(`${b64(JSON.stringify(HEADER))}.${b64("[]")}.AA`, 1, EctMalformedError);
    await expectFail(`${b64(JSON.stringify(HEADER))}..AA`, 1, EctMalformedError);
  });
  it("rejects invalid UTF-8", async () => {
    await expectFail(`${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}.${b64("{}")}.AA`, 1, EctMalformedError);
  });
  it("rejects oversized tokens", async () => {
    await expectFail(tok(payload({ ext: { a: "x".repeat(70_000) } })), 1, EctMalformedError);
  });
  it("rejects critical header extensions it does not understand", async () => {
    await expectFail(tok(payload(), { ...HEADER, crit: ["exp"] }), 1, EctUnsupportedCritError);
  });
});

describe("verifyEct: step 2 (typ)", () => {
  it("rejects a missing typ", async () => {
    const { typ: _t, ...h } = HEADER;
    await expectFail(tok(payload(), h), 2, EctBadTypError);
  });
  it("rejects typ JWT", async () => {
    const r = await expectFail(tok(payload(), { ...HEADER, typ: "JWT" }), 2, EctBadTypError);
    assert.equal(r.error.code, "ECT_BAD_TYP");
    assert.equal(r.httpStatus, 403);
  });
});

describe("verifyEct: step 3 (alg allowlist)", () => {
  it("rejects alg none with an empty signature", async () => {
    const t = `${b64(JSON.stringify({ ...HEADER, alg: "none" }))}.${b64(JSON.stringify(payload()))}.`;
    const r = await expectFail(t, 3, EctAlgNotAllowedError);
    assert.match(r.error.details ?? "", /none/);
  });
  it("rejects none even when the allowlist names it", async () => {
    const t = `${b64(JSON.stringify({ ...HEADER, alg: "none" }))}.${b64(JSON.stringify(payload()))}.`;
    await expectFail(t, 3, EctAlgNotAllowedError, { ...opts, algorithms: ["ES256", "none"] });
  });
  it("rejects HS256, RS256, a missing alg and ES384 outside the allowlist", async () => {
    for (const alg of ["HS256", "RS256", undefined, "ES384", "es256"]) await expectFail(tok(payload(), { ...HEADER, alg }), 3, EctAlgNotAllowedError);
  });
  it("an allowlist without ES256 is a misconfiguration: step 0 EctInvalidOptionError, not a step-3 token failure", async () => {
    await expectOptionFail({ ...opts, algorithms: ["ES384"] }, /must include ES256/);
  });
});

describe("verifyEct: step 4 (kid → agent key)", () => {
  it("rejects a missing or empty kid", async () => {
    await expectFail(tok(payload(), { alg: "ES256", typ: "wimse-exec+jwt" }), 4, EctUnknownKidError);
    await expectFail(tok(payload(), { ...HEADER, kid: "" }), 4, EctUnknownKidError);
    await expectFail(tok(payload(), { ...HEADER, kid: 7 }), 4, EctUnknownKidError);
  });
  it("rejects an unknown kid with 401", async () => {
    const r = await expectFail(tok(payload(), { ...HEADER, kid: "nobody" }), 4, EctUnknownKidError);
    assert.equal(r.httpStatus, 401);
  });
  it("reports a failing key store (sync throw and async rejection)", async () => {
    const throwing = { getKey: (): AgentKey => { throw new Error("boom"); }, exportRecords: () => [] };
    await expectFail(tok(), 4, EctKeyStoreError, { ...opts, keyStore: throwing });
    const rejecting = { getKey: () => Promise.reject(new Error("down")), exportRecords: () => [] };
    await expectFail(tok(), 4, EctKeyStoreError, { ...opts, keyStore: rejecting });
  });
  it("no key store at all is a misconfiguration (step 0), not a key-store failure of the token", async () => {
    await expectOptionFail({ ...opts, keyStore: undefined as never }, /keyStore/);
  });
  it("rejects a key store answer that is not an EC public KeyObject", async () => {
    const bad = { getKey: () => ({ kid: "agent-a", alg: "ES256", subject: ISS, revoked: false, publicKey: "pem" }) as never, exportRecords: () => [] };
    await expectFail(tok(), 4, EctUnusableKeyError, { ...opts, keyStore: bad });
    const priv = { getKey: () => ({ kid: "agent-a", alg: "ES256", subject: ISS, revoked: false, publicKey: A.privateKey }), exportRecords: () => [] };
    await expectFail(tok(), 4, EctUnusableKeyError, { ...opts, keyStore: priv });
  });
  it("works with an asynchronous key store", async () => {
    const store = storeOf(A);
    const asyncStore = { getKey: async (kid: string) => store.getKey(kid), exportRecords: () => store.exportRecords() };
    assert.ok((await verifyEct(tok(), { ...opts, keyStore: asyncStore })).ok);
  });
});

describe("verifyEct: step 5 (signature)", () => {
  it("rejects a tampered payload with 401", async () => {
    const [h, , s] = tok().split(".") as [string, string, string];
    const r = await expectFail(`${h}.${b64(JSON.stringify(payload({ exec_act: "steal" })))}.${s}`, 5, EctBadSignatureError);
    assert.equal(r.httpStatus, 401);
  });
  it("rejects a signature by another key", async () => {
    await expectFail(forge({ key: B.privateKey, header: HEADER }), 5, EctBadSignatureError);
  });
  it("rejects truncated, empty and DER-encoded signatures", async () => {
    const t = tok();
    const d = t.lastIndexOf(".");
    await expectFail(`${t.slice(0, d)}.${t.slice(d + 1, d + 45)}`, 5, EctBadSignatureError); // 44 characters = 33 bytes
    await expectFail(`${t.slice(0, d)}.`, 5, EctBadSignatureError);
    const { sign } = await import("node:crypto");
    const der = sign("sha256", Buffer.from(t.slice(0, d)), A.privateKey).toString("base64url");
    await expectFail(`${t.slice(0, d)}.${der}`, 5, EctBadSignatureError);
  });
});

describe("verifyEct: step 6 (revocation)", () => {
  it("rejects a token signed by a revoked key", async () => {
    const store = storeOf(A);
    assert.ok((await verifyEct(tok(), { ...opts, keyStore: store })).ok);
    store.revoke("agent-a");
    const r = await expectFail(tok(), 6, EctKeyRevokedError, { ...opts, keyStore: store });
    assert.equal(r.error.code, "ECT_KEY_REVOKED");
  });
});

describe("verifyEct: step 7 (alg matches the WIT algorithm)", () => {
  it("rejects an alg the key is not bound to, even if the signature checks out", async () => {
    // P-256 key (bound to ES256) signing with SHA-384 under header alg ES384.
    const t = forge({ key: A.privateKey, header: { ...HEADER, alg: "ES384" }, hash: "sha384" });
    const r = await expectFail(t, 7, EctAlgMismatchError, { ...opts, algorithms: ["ES256", "ES384"] });
    assert.match(r.error.details ?? "", /ES384.*ES256/);
  });
  it("rejects a header alg different from a custom store's declared WIT alg", async () => {
    const store = storeOf(A);
    const custom = { getKey: (kid: string) => ({ ...store.getKey(kid)!, alg: "ES512" }), exportRecords: () => [] };
    await expectFail(tok(), 7, EctAlgMismatchError, { ...opts, keyStore: custom });
  });
});

describe("verifyEct: step 8 (iss = WIT subject)", () => {
  it("rejects iss different from the key's subject", async () => {
    const r = await expectFail(tok(payload({ iss: `${ISS}-impostor` })), 8, EctIssuerMismatchError);
    assert.equal(r.httpStatus, 401);
  });
  it("rejects a missing or malformed iss", async () => {
    const r = await expectFail(tok(payload({ iss: undefined })), 8, EctMissingClaimError);
    assert.equal(r.error.claim, "iss");
    await expectFail(tok(payload({ iss: 5 })), 8, EctInvalidClaimError);
    await expectFail(tok(payload({ iss: "" })), 8, EctInvalidClaimError);
  });
});

describe("verifyEct: step 9 (audience)", () => {
  it("rejects a token for another audience with 403", async () => {
    const r = await expectFail(tok(payload({ aud: "spiffe://bank.example/agent/other" })), 9, EctAudienceMismatchError);
    assert.equal(r.httpStatus, 403);
  });
  it("accepts an aud array naming the verifier, and any of several verifier identities", async () => {
    assert.ok((await verifyEct(tok(payload({ aud: ["x", AUD] })), opts)).ok);
    assert.ok((await verifyEct(tok(payload({ aud: "alias" })), { ...opts, audience: [AUD, "alias"] })).ok);
  });
  it("rejects a missing or malformed aud", async () => {
    assert.equal((await expectFail(tok(payload({ aud: undefined })), 9, EctMissingClaimError)).error.claim, "aud");
    for (const aud of [[], [""], 5, [AUD, 3]]) await expectFail(tok(payload({ aud })), 9, EctInvalidClaimError);
  });
  it("audit mode (audience null) accepts any well-formed aud but not a missing one", async () => {
    const audit = { ...opts, audience: null };
    assert.ok((await verifyEct(tok(payload({ aud: "spiffe://elsewhere/x" })), audit)).ok);
    await expectFail(tok(payload({ aud: undefined })), 9, EctMissingClaimError, audit);
  });
  it("a verifier with no audience configured fails at step 0 (EctInvalidOptionError), not step 9", async () => {
    await expectOptionFail({ ...opts, audience: undefined as never }, /audience/);
  });
});

describe("verifyEct: step 10 (exp)", () => {
  it("rejects an expired token (exp = now is expired)", async () => {
    await expectFail(tok(payload({ exp: NOW - 1 })), 10, EctExpiredError);
    await expectFail(tok(payload({ exp: NOW })), 10, EctExpiredError);
    assert.ok((await verifyEct(tok(payload({ exp: NOW + 1 })), opts)).ok);
  });
  it("honours the expiry leeway", async () => {
    assert.ok((await verifyEct(tok(payload({ exp: NOW - 5 })), { ...opts, expLeewaySec: 10 })).ok);
  });
  it("rejects a missing or malformed exp", async () => {
    assert.equal((await expectFail(tok(payload({ exp: undefined })), 10, EctMissingClaimError)).error.claim, "exp");
    for (const exp of ["soon", -1, null, true]) await expectFail(tok(payload({ exp })), 10, EctInvalidClaimError);
  });
  it("uses the injected clock", async () => {
    const later = { ...opts, clock: () => (NOW + 901) * 1000 };
    await expectFail(tok(), 10, EctExpiredError, later);
  });
});

describe("verifyEct: step 11 (iat window)", () => {
  it("accepts iat up to now + 30 s and rejects beyond as not yet valid", async () => {
    assert.ok((await verifyEct(tok(payload({ iat: NOW + 30 })), opts)).ok);
    await expectFail(tok(payload({ iat: NOW + 31 })), 11, EctNotYetValidError);
  });
  it("accepts iat down to now - 15 min and rejects older", async () => {
    assert.ok((await verifyEct(tok(payload({ iat: NOW - 900 })), opts)).ok);
    await expectFail(tok(payload({ iat: NOW - 901 })), 11, EctIatTooOldError);
  });
  it("has injectable window bounds", async () => {
    assert.ok((await verifyEct(tok(payload({ iat: NOW - 3600, exp: NOW + 60 })), { ...opts, maxAgeSec: 7200 })).ok);
    await expectFail(tok(payload({ iat: NOW + 10 })), 11, EctNotYetValidError, { ...opts, maxFutureSkewSec: 5 });
  });
  it("rejects nbf in the future", async () => {
    await expectFail(tok(payload({ nbf: NOW + 60 })), 11, EctNotYetValidError);
    assert.ok((await verifyEct(tok(payload({ nbf: NOW })), opts)).ok);
  });
  it("rejects a missing or malformed iat", async () => {
    assert.equal((await expectFail(tok(payload({ iat: undefined })), 11, EctMissingClaimError)).error.claim, "iat");
    await expectFail(tok(payload({ iat: "now" })), 11, EctInvalidClaimError);
    await expectFail(tok(payload({ nbf: "x" })), 11, EctInvalidClaimError);
  });
});

describe("verifyEct: step 12 (execution claims)", () => {
  it("rejects each missing required claim (jti, exec_act, par) naming it", async () => {
    for (const claim of ["jti", "exec_act", "par"]) {
      const r = await expectFail(tok(payload({ [claim]: undefined })), 12, EctMissingClaimError);
      assert.equal(r.error.claim, claim);
      assert.equal(r.error.code, "ECT_MISSING_CLAIM");
    }
  });
  it("rejects malformed jti, exec_act, par, wid", async () => {
    const cases: Record<string, unknown>[] = [
      { jti: "" },
      { jti: 12 },
      { exec_act: "" },
      { exec_act: ["a"] },
      { par: "parent" },
      { par: [""] },
      { par: [1] },
      { par: ["p", "p"] },
      { pred: "x", par: undefined },
      { wid: "" },
      { wid: 3 },
    ];
    for (const c of cases) await expectFail(tok(payload(c)), 12, EctInvalidClaimError);
  });
  it("rejects malformed inp_hash / out_hash", async () => {
    const good = computeEctHash("x");
    const cases = [
      "sha256:abc",
      "a".repeat(64), // hex, not base64url
      good + "=", // padded
      good.slice(0, 42), // too short
      good.slice(0, 42) + "B", // non-canonical final character
      Buffer.alloc(32).toString("base64"), // standard base64 with padding
      42,
    ];
    for (const h of cases) {
      const r = await expectFail(tok(payload({ inp_hash: h })), 12, EctMalformedHashError);
      assert.equal(r.error.claim, "inp_hash");
    }
    await expectFail(tok(payload({ out_hash: "nope" })), 12, EctMalformedHashError);
    assert.ok((await verifyEct(tok(payload({ inp_hash: good, out_hash: good })), opts)).ok);
  });
  it("rejects ext larger than 4096 bytes and accepts exactly 4096", async () => {
    const exact = { "com.example.a": "x".repeat(4096 - JSON.stringify({ "com.example.a": "" }).length) };
    assert.equal(Buffer.byteLength(JSON.stringify(exact)), 4096);
    assert.ok((await verifyEct(tok(payload({ ext: exact })), opts)).ok);
    const over = { "com.example.a": exact["com.example.a"] + "x" };
    await expectFail(tok(payload({ ext: over })), 12, EctExtTooLargeError);
    // Multi-byte characters count as bytes, not characters.
    await expectFail(tok(payload({ ext: { k: "€".repeat(1400) } })), 12, EctExtTooLargeError);
  });
  it("rejects ext nested deeper than 5 levels and accepts 5", async () => {
    assert.ok((await verifyEct(tok(payload({ ext: { a: { b: { c: { d: { e: 1 } } } } } })), opts)).ok);
    await expectFail(tok(payload({ ext: { a: { b: { c: { d: { e: {} } } } } } })), 12, EctExtTooDeepError);
    await expectFail(tok(payload({ ext: { a: [[[[[1]]]]] } })), 12, EctExtTooDeepError);
  });
  it("rejects ext that is not an object", async () => {
    for (const ext of [[1], "x", 1, null]) await expectFail(tok(payload({ ext })), 12, EctInvalidClaimError);
  });
  it("rejects conflicting par/pred and ext/ect_ext", async () => {
    assert.equal((await expectFail(tok(payload({ par: [], pred: ["x"] })), 12, EctConflictingClaimsError)).error.claim, "pred");
    await expectFail(tok(payload({ ext: { a: 1 } , ect_ext: { a: 2 } })), 12, EctConflictingClaimsError);
  });
});

describe("verifyEct: step 13 (DAG, without a store)", () => {
  it("rejects a parent it cannot find", async () => {
    const r = await expectFail(tok(payload({ par: ["c9d2e3f4"] })), 13, EctUnknownParentError);
    assert.equal(r.violations?.[0]?.parent, "c9d2e3f4");
  });
  it("skips step 13 only when asked, and says so", async () => {
    const r = await verifyEct(tok(payload({ par: ["c9d2e3f4"] })), { ...opts, dagTraversal: "skip" });
    assert.ok(r.ok);
    assert.equal(r.stepsCompleted, 12);
  });
});

describe("verifyEct: step 13 (DAG) against a ledger", () => {
  async function ledgerWith(...tokens: string[]): Promise<EctLedger> {
    const l = await EctLedger.open({ store: new MemoryLedgerStore(), requireParents: false });
    for (const t of tokens) await l.append(t);
    return l;
  }
  const t = (jti: string, par: string[], o: Record<string, unknown> = {}) => tok(payload({ jti, par, ...o }));

  it("passes a child whose parent is recorded", async () => {
    const store = await ledgerWith(t("p", []));
    const r = await verifyEct(t("c", ["p"]), { ...opts, store });
    assert.ok(r.ok && r.stepsCompleted === 13);
  });
  it("rule 1: a recorded jti (replay) → EctDuplicateJtiError", async () => {
    const store = await ledgerWith(t("p", []));
    await expectFail(t("p", []), 13, EctDuplicateJtiError, { ...opts, store });
  });
  it("rule 2: an unrecorded parent → EctUnknownParentError", async () => {
    await expectFail(t("c", ["p"]), 13, EctUnknownParentError, { ...opts, store: await ledgerWith() });
  });
  it("rule 3: a parent issued 31 s after the child → EctTemporalOrderError", async () => {
    const store = await ledgerWith(t("p", [], { iat: NOW + 20 }));
    await expectFail(t("c", ["p"], { iat: NOW - 11 }), 13, EctTemporalOrderError, { ...opts, store });
    assert.ok((await verifyEct(t("c", ["p"], { iat: NOW - 10 }), { ...opts, store })).ok);
  });
  it("rule 4: a recorded ancestor naming the new token as its parent → EctCycleError", async () => {
    const store = await ledgerWith(t("p", ["c"]));
    const r = await expectFail(t("c", ["p"]), 13, EctCycleError, { ...opts, store });
    assert.deepEqual(r.violations?.map((v) => v.rule), [4]);
  });
  it("rule 5: a parent in another trust domain → EctTrustDomainError, unless federated", async () => {
    const foreign = forge({ key: B.privateKey, header: { ...HEADER, kid: "agent-b" }, payload: payload({ jti: "p", iss: "spiffe://partner.example/agent/p" }) });
    const store = await ledgerWith(foreign);
    await expectFail(t("c", ["p"]), 13, EctTrustDomainError, { ...opts, store });
    assert.ok((await verifyEct(t("c", ["p"]), { ...opts, store, federatedTrustDomains: [["bank.example", "partner.example"]] })).ok);
  });
  it("traversal limit: more ancestors than allowed → EctTraversalLimitError; 'parents' mode skips the walk", async () => {
    const chain = [t("n0", [])];
    for (let i = 1; i < 12; i++) chain.push(t(`n${i}`, [`n${i - 1}`]));
    const store = await ledgerWith(...chain);
    await expectFail(t("x", ["n11"]), 13, EctTraversalLimitError, { ...opts, store, maxNodes: 10 });
    assert.ok((await verifyEct(t("x", ["n11"]), { ...opts, store, maxNodes: 10, dagTraversal: "parents" })).ok);
  });
  it("a failing store → EctDagStoreError", async () => {
    const store = { lookupEct: () => { throw new Error("db down"); } };
    await expectFail(t("c", ["p"]), 13, EctDagStoreError, { ...opts, store });
  });
  it("reports every violation, the first as the error", async () => {
    const store = await ledgerWith(t("p", [], { iat: NOW + 25 }));
    const r = await expectFail(t("p", ["p", "q"], { iat: NOW - 10 }), 13, EctDuplicateJtiError, { ...opts, store });
    assert.deepEqual(r.violations?.map((v) => v.rule), [1, 4, 2]);
  });
});

describe("verifyEct: the steps run in the paper's order", () => {
  it("reports the earliest failing step when several fail", async () => {
    const other = tok(payload(), { ...HEADER, typ: "JWT" });
    const [h] = other.split(".");
    const badSigAndTyp = `${h}.${tok().split(".").slice(1).join(".")}`;
    await expectFail(badSigAndTyp, 2, EctBadTypError);
    // Expired, wrong audience and missing jti, with a bad signature: step 5 first.
    const [hh, , ss] = tok().split(".") as [string, string, string];
    await expectFail(`${hh}.${b64(JSON.stringify(payload({ exp: 1, aud: "x", jti: undefined })))}.${ss}`, 5, EctBadSignatureError);
    // Revoked key and wrong iss: step 6 before step 8.
    const store = storeOf(A);
    store.revoke("agent-a");
    await expectFail(tok(payload({ iss: "spiffe://x/y" })), 6, EctKeyRevokedError, { ...opts, keyStore: store });
    // Wrong audience and expired: step 9 before 10; expired and too old: 10 before 11; bad iat and no jti: 11 before 12.
    await expectFail(tok(payload({ aud: "x", exp: 1 })), 9, EctAudienceMismatchError);
    await expectFail(tok(payload({ exp: NOW - 1, iat: NOW - 5000 })), 10, EctExpiredError);
    await expectFail(tok(payload({ iat: NOW + 100, jti: undefined })), 11, EctNotYetValidError);
    await expectFail(tok(payload({ jti: undefined, par: ["missing"] })), 12, EctMissingClaimError);
  });
});

describe("verifyEct: never throws", () => {
  it("returns a structured failure for 2,000 random values and mutated tokens", async () => {
    const rnd = prng(7);
    const good = tok();
    for (let i = 0; i < 1000; i++) {
      const r = await verifyEct(randomValue(rnd), opts);
      assert.equal(r.ok, false);
      assert.ok(r.ok || r.error instanceof EctVerificationError);
    }
    for (let i = 0; i < 1000; i++) {
      const pos = Math.floor(rnd() * good.length);
      const ch = "AZaz09-_.=+/ "[Math.floor(rnd() * 13)]!;
      const mutated = good.slice(0, pos) + ch + good.slice(pos + 1);
      const r = await verifyEct(mutated, opts);
      if (mutated !== good) assert.equal(r.ok, false, `mutation at ${pos} to ${ch} verified`);
    }
  });
  it("handles deeply nested JSON and huge numbers in the payload", async () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    await expectFail(`${b64(JSON.stringify(HEADER))}.${b64(deep)}.AA`, 1, EctMalformedError);
    const deepExt = `{"iss":"${ISS}","ext":${'{"a":'.repeat(3000)}1${"}".repeat(3000)}}`;
    const r = await verifyEct(tok(deepExt), opts);
    assert.equal(r.ok, false);
    await expectFail(tok(payload({ ext: JSON.parse('{"a":' .repeat(3000) + "1" + "}".repeat(3000)) })), 12, EctExtTooDeepError);
    await expectFail(tok(payload({ iat: 1e308 })), 11, EctNotYetValidError);
  });
  it("returns failures for a nonsense options object", async () => {
    for (const o of [undefined, null, 5, "x", {}]) {
      const r = await verifyEct(tok(), o as never);
      assert.equal(r.ok, false);
    }
  });
  it("a P-384 key in the store cannot verify an ES256 token", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const store = new InMemoryAgentKeyStore([{ kid: "agent-a", subject: ISS, publicKey }]);
    await expectFail(tok(), 5, EctBadSignatureError, { ...opts, keyStore: store });
  });
});

describe("verifyEct: step 0 (the verifier's options, checked before step 1)", () => {
  it("misconfiguration is EctInvalidOptionError at step 0 (HTTP 500), never a token failure", async () => {
    const cases: [string, unknown, RegExp][] = [
      ["no options", undefined, /parameters object/],
      ["null options", null, /parameters object/],
      ["a string", "x", /parameters object/],
      ["clock not a function", { ...opts, clock: "x" }, /clock/],
      ["algorithms null", { ...opts, algorithms: null }, /algorithms/],
      ["algorithms with a non-string", { ...opts, algorithms: ["ES256", 5] }, /algorithms/],
      ["unknown dagTraversal", { ...opts, dagTraversal: "zz" }, /dagTraversal/],
      ["store is a number", { ...opts, store: 5 }, /store/],
      ["store without lookupEct", { ...opts, store: {} }, /store/],
      ["clockSkewSec a string", { ...opts, clockSkewSec: "30" }, /clockSkewSec/],
      ["clockSkewSec negative", { ...opts, clockSkewSec: -1 }, /clockSkewSec/],
      ["maxNodes NaN", { ...opts, maxNodes: NaN }, /maxNodes/],
      ["maxNodes a string", { ...opts, maxNodes: "100" }, /maxNodes/],
      ["maxNodes 0", { ...opts, maxNodes: 0 }, /maxNodes/],
      ["maxNodes fractional", { ...opts, maxNodes: 1.5 }, /maxNodes/],
      ["maxFutureSkewSec Infinity", { ...opts, maxFutureSkewSec: Infinity }, /maxFutureSkewSec/],
      ["maxAgeSec negative", { ...opts, maxAgeSec: -5 }, /maxAgeSec/],
      ["expLeewaySec NaN", { ...opts, expLeewaySec: NaN }, /expLeewaySec/],
      ["trustDomainOf not a function", { ...opts, trustDomainOf: "x" }, /trustDomainOf/],
      ["isFederated not a function", { ...opts, isFederated: 1 }, /isFederated/],
      ["federatedTrustDomains [null]", { ...opts, federatedTrustDomains: [null] }, /federatedTrustDomains\[0\]/],
      ["federatedTrustDomains a string", { ...opts, federatedTrustDomains: "a" }, /federatedTrustDomains/],
      ["a getter that throws", Object.defineProperty({ ...opts }, "keyStore", { get() { throw new RangeError("boom"); }, enumerable: true }), /could not be read.*boom/],
    ];
    for (const [name, o, re] of cases) {
      await assert.doesNotReject(expectOptionFail(o, re), name);
      // Garbage tokens too: the option failure comes first.
      await expectOptionFail(o, re, 42);
      if (typeof o === "object" && o !== null && !Object.getOwnPropertyDescriptor(o, "keyStore")?.get) {
        assert.throws(() => createEctVerifier(o as VerifyEctParameters), (e: unknown) => e instanceof EctInvalidOptionError && re.test(e.details ?? ""), name);
      }
    }
  });
  it("a clock that throws or does not return finite milliseconds is an option failure, not ECT_EXPIRED", async () => {
    await expectOptionFail({ ...opts, clock: () => Number.NaN }, /clock/);
    await expectOptionFail({ ...opts, clock: () => "x" as never }, /clock/);
    await expectOptionFail({ ...opts, clock: () => Infinity }, /clock/);
    await expectOptionFail({ ...opts, clock: () => { throw new Error("no time"); } }, /clock.*no time/);
  });
  it("several problems are all named in one error", async () => {
    const r = await verifyEct(tok(), { ...opts, maxNodes: NaN, clockSkewSec: "x" as never });
    assert.ok(!r.ok && r.error instanceof EctInvalidOptionError);
    assert.match(r.error.details ?? "", /clockSkewSec.*maxNodes/);
  });
  it("valid extreme options still verify (defaults kept)", async () => {
    assert.ok((await verifyEct(tok(), { ...opts, maxNodes: 1, clockSkewSec: 0, maxFutureSkewSec: 0, expLeewaySec: 0, dagTraversal: "auto" })).ok);
  });
});

describe("verifyEct: untrusted text in error messages is quoted and bounded (L3)", () => {
  it("a kid with a line break and 30,000 characters appears JSON-quoted and cut to 80", async () => {
    const kid = `x\n2026-01-01 INFO verified ok${"A".repeat(30_000)}`;
    const r = await expectFail(tok(payload(), { ...HEADER, kid }), 4, EctUnknownKidError);
    const details = r.error.details ?? "";
    assert.ok(!details.includes("\n"), "raw line break in details");
    assert.ok(details.includes("\\n2026-01-01 INFO"), "the line break is escaped");
    assert.ok(details.length < 200, `details is ${details.length} characters`);
    assert.ok(r.error.message.length < 600, `message is ${r.error.message.length} characters`);
  });
  it("an iss that does not match the key's subject is quoted and cut", async () => {
    const r = await expectFail(tok(payload({ iss: `evil\r\n${"i".repeat(5000)}` })), 8, EctIssuerMismatchError);
    assert.ok(!/[\r\n]/.test(r.error.details ?? ""));
    assert.ok((r.error.details ?? "").length < 300);
  });
  it("a huge aud list is bounded in the step-9 message", async () => {
    const r = await expectFail(tok(payload({ aud: Array.from({ length: 2000 }, (_, i) => `spiffe://x/${i}`) })), 9, EctAudienceMismatchError);
    assert.ok((r.error.details ?? "").length < 300);
  });
});

describe("verifyEct: member names that rewrite prototypes (__proto__) are refused", () => {
  const raw = (body: string) => tok(body);
  const base = `"iss":"${ISS}","aud":"${AUD}","iat":${NOW},"exp":${NOW + 900},"jti":"j","exec_act":"x","par":[]`;
  it("an own __proto__ member in the payload fails step 12 with EctForbiddenMemberError", async () => {
    const r = await expectFail(raw(`{"__proto__":{"admin":true},${base}}`), 12, EctForbiddenMemberError);
    assert.equal(r.error.code, "ECT_FORBIDDEN_MEMBER");
    assert.equal(r.error.claim, "__proto__");
  });
  it("an own __proto__ member anywhere in ext (or ect_ext) fails step 12", async () => {
    for (const ext of ['{"__proto__":{"x":1}}', '{"a":{"b":{"__proto__":{}}}}', '{"a":[{"__proto__":1}]}']) {
      const r = await expectFail(raw(`{${base},"ext":${ext}}`), 12, EctForbiddenMemberError);
      assert.equal(r.error.claim, "ext");
    }
    await expectFail(raw(`{${base},"ect_ext":{"__proto__":{}}}`), 12, EctForbiddenMemberError);
  });
  it("a header with a __proto__ member fails step 1", async () => {
    const h = b64(`{"alg":"ES256","typ":"wimse-exec+jwt","kid":"agent-a","__proto__":{"x":1}}`);
    const [, p, sig] = tok().split(".");
    await expectFail(`${h}.${p}.${sig}`, 1, EctForbiddenMemberError);
  });
  it("other member names (constructor, prototype) are ordinary data and verify", async () => {
    const r = await verifyEct(raw(`{${base},"constructor":1,"ext":{"prototype":{"constructor":2}}}`), opts);
    assert.ok(r.ok);
  });
  it("createEct refuses an ext with an own __proto__ member too", async () => {
    await assert.rejects(createEct({ signer: A.signer, iss: ISS, aud: AUD, exec_act: "x", clock, ext: JSON.parse('{"__proto__":{"a":1}}') }), EctForbiddenMemberError);
  });
});

describe("verifyEct: step 13 store answers and traversal", () => {
  const t = (jti: string, par: string[], o: Record<string, unknown> = {}) => tok(payload({ jti, par, ...o }));
  it("a store answering null for 'absent' does not turn every token into a replay (L2)", async () => {
    const store = { lookupEct: (jti: string) => (jti === "p" ? { jti: "p", par: [], iat: NOW, iss: ISS } : null) };
    const r = await verifyEct(t("fresh", ["p"]), { ...opts, store });
    assert.ok(r.ok, r.ok ? "" : r.error.message);
    const withHas = { lookupEct: () => null, hasJti: () => null as never };
    assert.ok((await verifyEct(t("fresh2", []), { ...opts, store: withHas })).ok);
  });
  it("a store answering garbage (a non-node record, a non-boolean hasJti) fails closed with EctDagStoreError", async () => {
    await expectFail(t("c", ["p"]), 13, EctDagStoreError, { ...opts, store: { lookupEct: () => ({}) as never } });
    await expectFail(t("c", ["p"]), 13, EctDagStoreError, { ...opts, store: { lookupEct: () => ({ jti: "p", par: [], iat: 1, iss: 7 }) as never } });
    await expectFail(t("c", []), 13, EctDagStoreError, { ...opts, store: { lookupEct: () => undefined, hasJti: () => "yes" as never } });
  });

  function countingStore(closed: boolean | undefined, depth: number) {
    const nodes = new Map<string, { jti: string; par: string[]; iat: number; iss: string }>();
    for (let i = 0; i < depth; i++) nodes.set(`n${i}`, { jti: `n${i}`, par: i ? [`n${i - 1}`] : [], iat: NOW, iss: ISS });
    const s = { lookups: 0, closedUnderParents: closed, lookupEct: (jti: string) => (s.lookups++, nodes.get(jti)), hasJti: (jti: string) => nodes.has(jti) };
    return s;
  }
  it("M3: a store closed under parents gets the parents-only check by default (O(parents), not O(depth))", async () => {
    const closed = countingStore(true, 500);
    assert.ok((await verifyEct(t("c", ["n499"]), { ...opts, store: closed })).ok);
    assert.equal(closed.lookups, 1);
    // No walk, so the 10,000-node traversal limit (which bounds the walk) is not reached either.
    const deep = countingStore(true, 50);
    assert.ok((await verifyEct(t("c", ["n49"]), { ...opts, store: deep, maxNodes: 10 })).ok);
  });
  it("M3: without the declaration (or with dagTraversal: 'full') the whole ancestry is walked", async () => {
    for (const closed of [undefined, false]) {
      const s = countingStore(closed, 500);
      assert.ok((await verifyEct(t("c", ["n499"]), { ...opts, store: s })).ok);
      assert.equal(s.lookups, 500);
      await expectFail(t("c", ["n499"]), 13, EctTraversalLimitError, { ...opts, store: countingStore(closed, 500), maxNodes: 10 });
    }
    const explicit = countingStore(true, 500);
    assert.ok((await verifyEct(t("c", ["n499"]), { ...opts, store: explicit, dagTraversal: "full" })).ok);
    assert.equal(explicit.lookups, 500);
  });
  it("M3: an EctLedger with requireParents declares closedUnderParents and verifies a deep chain by its parents", async () => {
    const ledger = await EctLedger.open({ store: new MemoryLedgerStore() });
    assert.equal(ledger.closedUnderParents, true);
    let prev: string | undefined;
    for (let i = 0; i < 30; i++) {
      await ledger.append(t(`d${i}`, prev ? [prev] : []));
      prev = `d${i}`;
    }
    // maxNodes 10 < depth 30: the default (auto) does not walk, the full walk hits the limit.
    assert.ok((await verifyEct(t("tip", [prev!]), { ...opts, store: ledger, maxNodes: 10 })).ok);
    await expectFail(t("tip", [prev!]), 13, EctTraversalLimitError, { ...opts, store: ledger, maxNodes: 10, dagTraversal: "full" });
    // Rules 1-3 and 5 still apply to the immediate parents.
    await expectFail(t("d3", []), 13, EctDuplicateJtiError, { ...opts, store: ledger });
    await expectFail(t("x", ["nope"]), 13, EctUnknownParentError, { ...opts, store: ledger });
    await expectFail(t("x", [prev!], { iat: NOW - 31 }), 13, EctTemporalOrderError, { ...opts, store: ledger });
  });
  it("M3: a ledger that accepts missing parents, or loaded with an entry whose parents are absent, is not closed", async () => {
    const open = await EctLedger.open({ store: new MemoryLedgerStore(), requireParents: false });
    assert.equal(open.closedUnderParents, false);
    await open.append(t("orphan", ["ghost"]));
    const reopened = await EctLedger.open({ store: new MemoryLedgerStore(open.entries()) });
    assert.equal(reopened.closedUnderParents, false);
    // A cycle recorded by such a ledger is still found, because the walk is used.
    const cyc = await EctLedger.open({ store: new MemoryLedgerStore(), requireParents: false });
    await cyc.append(t("p", ["c"]));
    await expectFail(t("c", ["p"]), 13, EctCycleError, { ...opts, store: cyc });
  });
});

describe("named return types of createEctVerifier and decodeEctUnverified (L10)", () => {
  it("CreateEctVerifierReturnType / DecodeEctUnverifiedReturnType describe what the functions return", async () => {
    const v: CreateEctVerifierReturnType = createEctVerifier(opts);
    assert.ok((await v.verify(tok())).ok);
    const decoded: DecodeEctUnverifiedReturnType = decodeEctUnverified(tok());
    assert.ok(!(decoded instanceof Error) && decoded.header.kid === "agent-a" && decoded.payload.iss === ISS);
    const bad: DecodeEctUnverifiedReturnType = decodeEctUnverified("a.b");
    assert.ok(bad instanceof EctMalformedError);
    const [, p, sig] = tok().split(".");
    assert.ok(decodeEctUnverified(`${b64('{"__proto__":{},"alg":"ES256"}')}.${p}.${sig}`) instanceof EctForbiddenMemberError);
  });
});
