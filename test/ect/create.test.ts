/**
 * createEct / createEctSigner: header and claims of seed 000 4.2, defaults, the `pred`/`ect_ext`
 * aliases, and one test per typed error a builder throws.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, webcrypto } from "node:crypto";
import { before, describe, it } from "node:test";
import {
  createEct,
  createEctSigner,
  decodeEctUnverified,
  EctConflictingClaimsError,
  EctExtTooDeepError,
  EctExtTooLargeError,
  EctInvalidClaimError,
  EctInvalidOptionError,
  EctKeyError,
  EctMalformedHashError,
  EctMissingClaimError,
  computeEctHash,
  verifyEct,
} from "../../sdk/index.js";
import { AUD, clock, ISS, makeAgent, NOW, storeOf, type TestAgent } from "./helpers.js";

let A: TestAgent;
before(async () => {
  A = await makeAgent("agent-a", ISS);
});

const base = () => ({ signer: A.signer, iss: ISS, aud: AUD, exec_act: "process_payment", clock });

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const d = decodeEctUnverified(token);
  if (d instanceof Error) throw d;
  return d;
}

describe("createEct", () => {
  it("emits the ECT header: alg ES256, typ wimse-exec+jwt, kid", async () => {
    const { token, header } = await createEct(base());
    assert.deepEqual(decode(token).header, { alg: "ES256", typ: "wimse-exec+jwt", kid: "agent-a" });
    assert.deepEqual(header, { alg: "ES256", typ: "wimse-exec+jwt", kid: "agent-a" });
  });

  it("fills defaults: random UUID jti, iat from the clock, exp = iat + 900, empty par", async () => {
    const { claims } = await createEct(base());
    assert.match(claims.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(claims.iat, NOW);
    assert.equal(claims.exp, NOW + 900);
    assert.deepEqual(claims.par, []);
    const other = await createEct(base());
    assert.notEqual(other.claims.jti, claims.jti);
  });

  it("emits every claim of the paper's example in its order", async () => {
    const { token } = await createEct({
      ...base(),
      jti: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
      wid: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
      par: ["c9d2e3f4-a5b6-7890-cdef-123456789012", "d8e9f0a1-b2c3-4567-89ab-cdef01234567"],
      input: "input_data",
      output: "output_data",
      ext: { "com.example.amount_range": "1000-5000" },
      iat: 1740600000,
      exp: 1740600900,
    });
    const p = decode(token).payload;
    assert.deepEqual(Object.keys(p), ["iss", "aud", "iat", "exp", "jti", "wid", "exec_act", "par", "inp_hash", "out_hash", "ext"]);
    assert.equal(p.inp_hash, computeEctHash("input_data"));
    assert.equal(p.out_hash, computeEctHash("output_data"));
    assert.deepEqual(p.par, ["c9d2e3f4-a5b6-7890-cdef-123456789012", "d8e9f0a1-b2c3-4567-89ab-cdef01234567"]);
  });

  it("accepts pred and ect_ext on input and emits par and ext", async () => {
    const { token, claims } = await createEct({ ...base(), pred: ["p1"], ect_ext: { "org.x": true } });
    const p = decode(token).payload;
    assert.deepEqual(p.par, ["p1"]);
    assert.deepEqual(p.ext, { "org.x": true });
    assert.equal("pred" in p, false);
    assert.equal("ect_ext" in p, false);
    assert.deepEqual(claims.par, ["p1"]);
  });

  it("round-trips through verifyEct", async () => {
    const made = await createEct({ ...base(), aud: [AUD], sub: "s", nbf: NOW, wid: "w", inp_hash: computeEctHash("i"), ext: { a: { b: [1, 2] } } });
    const r = await verifyEct(made.token, { keyStore: storeOf(A), audience: AUD, clock });
    assert.ok(r.ok);
    assert.deepEqual(r.claims, made.claims);
  });

  it("is decoupled from the caller's objects", async () => {
    const par = ["p"];
    const ext = { a: 1 };
    const made = await createEct({ ...base(), par, ext });
    par.push("q");
    ext.a = 2;
    assert.deepEqual(made.claims.par, ["p"]);
    assert.deepEqual(made.claims.ext, { a: 1 });
  });

  it("accepts a signer spec instead of a signer", async () => {
    const made = await createEct({ ...base(), signer: { kid: "agent-a", privateKey: A.privateKey } });
    assert.ok((await verifyEct(made.token, { keyStore: storeOf(A), audience: AUD, clock })).ok);
  });
});

describe("createEct: typed errors for bad input", () => {
  const cases: [string, Record<string, unknown>, new (...a: never[]) => Error, string?][] = [
    ["missing iss", { iss: undefined }, EctMissingClaimError, "iss"],
    ["empty iss", { iss: "" }, EctInvalidClaimError, "iss"],
    ["missing aud", { aud: undefined }, EctMissingClaimError, "aud"],
    ["empty aud array", { aud: [] }, EctInvalidClaimError, "aud"],
    ["missing exec_act", { exec_act: undefined }, EctMissingClaimError, "exec_act"],
    ["empty exec_act", { exec_act: "" }, EctInvalidClaimError, "exec_act"],
    ["empty jti", { jti: "" }, EctInvalidClaimError, "jti"],
    ["par not an array", { par: "p" }, EctInvalidClaimError, "par"],
    ["duplicate parent", { par: ["p", "p"] }, EctInvalidClaimError, "par"],
    ["par and pred differ", { par: ["a"], pred: ["b"] }, EctConflictingClaimsError, "pred"],
    ["ext and ect_ext differ", { ext: { a: 1 }, ect_ext: { a: 2 } }, EctConflictingClaimsError, "ect_ext"],
    ["empty wid", { wid: "" }, EctInvalidClaimError, "wid"],
    ["malformed inp_hash", { inp_hash: "deadbeef" }, EctMalformedHashError, "inp_hash"],
    ["malformed out_hash", { out_hash: "x".repeat(43) + "=" }, EctMalformedHashError, "out_hash"],
    ["ext too large", { ext: { a: "x".repeat(5000) } }, EctExtTooLargeError, "ext"],
    ["ext too deep", { ext: { a: { b: { c: { d: { e: { f: 1 } } } } } } }, EctExtTooDeepError, "ext"],
    ["ext with a function", { ext: { f: () => 1 } }, EctInvalidClaimError, "ext"],
    ["ext with a BigInt", { ext: { n: 1n } }, EctInvalidClaimError, "ext"],
    ["ext with undefined", { ext: { u: [undefined] } }, EctInvalidClaimError, "ext"],
    ["ext with NaN", { ext: { n: NaN } }, EctInvalidClaimError, "ext"],
    ["ext with a Date", { ext: { d: new Date(0) } }, EctInvalidClaimError, "ext"],
    ["ext an array", { ext: [1] }, EctInvalidClaimError, "ext"],
    ["exp before iat", { iat: NOW, exp: NOW - 1 }, EctInvalidClaimError, "exp"],
    ["negative iat", { iat: -5 }, EctInvalidClaimError, "iat"],
    ["empty sub", { sub: "" }, EctInvalidClaimError, "sub"],
  ];
  for (const [name, override, cls, claim] of cases) {
    it(`rejects ${name} with ${cls.name}`, async () => {
      const params = { ...base(), ...override } as Parameters<typeof createEct>[0];
      for (const [k, v] of Object.entries(override)) if (v === undefined) delete (params as Record<string, unknown>)[k];
      await assert.rejects(createEct(params), (err: unknown) => {
        assert.ok(err instanceof cls, `got ${(err as Error).name}: ${(err as Error).message}`);
        if (claim) assert.equal((err as { claim?: string }).claim, claim);
        return true;
      });
    });
  }

  it("rejects a cyclic ext as too deep instead of overflowing", async () => {
    const ext: Record<string, unknown> = {};
    ext.self = ext;
    await assert.rejects(createEct({ ...base(), ext }), EctExtTooDeepError);
  });

  it("rejects both a hash and the data to hash", async () => {
    await assert.rejects(createEct({ ...base(), inp_hash: computeEctHash("a"), input: "a" }), EctInvalidOptionError);
    await assert.rejects(createEct({ ...base(), out_hash: computeEctHash("a"), output: "a" }), EctInvalidOptionError);
  });

  it("rejects a non-positive lifetime and a missing parameters object", async () => {
    await assert.rejects(createEct({ ...base(), lifetimeSec: 0 }), EctInvalidOptionError);
    await assert.rejects(createEct(undefined as never), EctInvalidOptionError);
  });
});

describe("createEctSigner", () => {
  it("accepts a KeyObject, a CryptoKey and a private JWK", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = privateKey.export({ format: "jwk" }) as Record<string, unknown>;
    const ck = await webcrypto.subtle.importKey("jwk", jwk as webcrypto.JsonWebKey, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    for (const k of [privateKey, ck, jwk]) {
      const s = await createEctSigner({ kid: "k", privateKey: k });
      assert.equal(s.kid, "k");
      assert.equal(s.alg, "ES256");
      assert.equal((await s.sign(new TextEncoder().encode("{}"))).split(".").length, 3);
    }
  });

  it("rejects public keys, other curves, JWKs without d, and an empty kid with EctKeyError", async () => {
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const bad: unknown[] = [
      p256.publicKey,
      p384.privateKey,
      rsa.privateKey,
      p256.publicKey.export({ format: "jwk" }),
      { ...(p384.privateKey.export({ format: "jwk" }) as object) },
      "pem",
    ];
    for (const privateKey of bad) await assert.rejects(createEctSigner({ kid: "k", privateKey: privateKey as never }), EctKeyError);
    await assert.rejects(createEctSigner({ kid: "", privateKey: p256.privateKey }), EctKeyError);
  });
});
