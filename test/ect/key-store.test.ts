/**
 * Agent key stores (the WIMSE identity stand-in of steps 4, 6, 7, 8): in-memory and JWKS,
 * static and remote (injected fetch, fake clock).
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, KeyObject, webcrypto } from "node:crypto";
import { describe, it } from "node:test";
import {
  EctJwksFetchError,
  EctKeyError,
  EctKeyRevokedError,
  EctKeyStoreError,
  EctUnknownKidError,
  InMemoryAgentKeyStore,
  JwksAgentKeyStore,
  verifyEct,
} from "../../sdk/index.js";
import { AUD, clock, forge, ISS, payload } from "./helpers.js";

const p256 = () => generateKeyPairSync("ec", { namedCurve: "P-256" });
const jwkOf = (k: KeyObject, extra: Record<string, unknown> = {}) => ({ ...(k.export({ format: "jwk" }) as Record<string, unknown>), ...extra });

describe("InMemoryAgentKeyStore", () => {
  it("imports JWK, KeyObject, CryptoKey and PEM public keys and derives alg from the curve", async () => {
    const k = p256();
    const ck = await webcrypto.subtle.importKey("jwk", jwkOf(k.publicKey) as webcrypto.JsonWebKey, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const store = new InMemoryAgentKeyStore([
      { kid: "jwk", subject: "s", publicKey: jwkOf(k.publicKey) },
      { kid: "ko", subject: "s", publicKey: k.publicKey },
      { kid: "ck", subject: "s", publicKey: ck },
      { kid: "pem", subject: "s", publicKey: k.publicKey.export({ type: "spki", format: "pem" }) as string },
      { kid: "384", subject: "s", publicKey: p384.publicKey },
    ]);
    assert.equal(store.size, 5);
    for (const kid of ["jwk", "ko", "ck", "pem"]) {
      const key = store.getKey(kid)!;
      assert.equal(key.alg, "ES256");
      assert.equal(key.publicKey.type, "public");
      assert.ok(key.publicKey.equals(k.publicKey));
    }
    assert.equal(store.getKey("384")!.alg, "ES384");
    assert.equal(store.getKey("none"), undefined);
  });

  it("keeps only the public half of a private key", () => {
    const k = p256();
    const store = new InMemoryAgentKeyStore([{ kid: "a", subject: "s", publicKey: k.privateKey }]);
    assert.equal(store.getKey("a")!.publicKey.type, "public");
    assert.equal("d" in store.exportRecords()[0]!.jwk, false);
  });

  it("rejects unusable keys with EctKeyError", () => {
    const store = new InMemoryAgentKeyStore();
    const k = p256();
    const bad = [
      { kid: "", subject: "s", publicKey: k.publicKey },
      { kid: "a", subject: "", publicKey: k.publicKey },
      { kid: "a", subject: "s", publicKey: generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey },
      { kid: "a", subject: "s", publicKey: generateKeyPairSync("ed25519").publicKey },
      { kid: "a", subject: "s", publicKey: { kty: "oct", k: "AAAA" } },
      { kid: "a", subject: "s", publicKey: { kty: "EC", crv: "P-256", x: "bad", y: "bad" } },
      { kid: "a", subject: "s", publicKey: "not pem" },
      { kid: "a", subject: "s", alg: "ES384" as const, publicKey: k.publicKey },
      { kid: "a", subject: "s", alg: "RS256" as never, publicKey: k.publicKey },
      { kid: "a", subject: "s", publicKey: generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey },
    ];
    for (const b of bad) assert.throws(() => store.add(b), EctKeyError, JSON.stringify(b.kid));
    assert.equal(store.size, 0);
  });

  it("refuses a duplicate kid unless replacing", () => {
    const store = new InMemoryAgentKeyStore([{ kid: "a", subject: "s", publicKey: p256().publicKey }]);
    assert.throws(() => store.add({ kid: "a", subject: "s", publicKey: p256().publicKey }), EctKeyError);
    store.add({ kid: "a", subject: "t", publicKey: p256().publicKey }, { replace: true });
    assert.equal(store.getKey("a")!.subject, "t");
  });

  it("revokes and removes keys", async () => {
    const k = p256();
    const store = new InMemoryAgentKeyStore([{ kid: "agent-a", subject: ISS, publicKey: k.publicKey }]);
    const t = forge({ key: k.privateKey });
    assert.ok((await verifyEct(t, { keyStore: store, audience: AUD, clock })).ok);
    assert.equal(store.revoke("agent-a"), true);
    assert.equal(store.revoke("nobody"), false);
    const r = await verifyEct(t, { keyStore: store, audience: AUD, clock });
    assert.ok(!r.ok && r.error instanceof EctKeyRevokedError);
    assert.equal(store.exportRecords()[0]!.revoked, true);
    assert.equal(store.remove("agent-a"), true);
    const r2 = await verifyEct(t, { keyStore: store, audience: AUD, clock });
    assert.ok(!r2.ok && r2.error instanceof EctUnknownKidError);
  });

  it("revision changes on every add, replace, revoke and remove (lets a verifier pool re-key its workers)", () => {
    const s = new InMemoryAgentKeyStore();
    const seen = [s.revision];
    s.add({ kid: "a", subject: "s", publicKey: p256().publicKey });
    seen.push(s.revision);
    s.add({ kid: "a", subject: "s", publicKey: p256().publicKey }, { replace: true });
    seen.push(s.revision);
    s.revoke("a");
    seen.push(s.revision);
    assert.equal(s.revoke("nope"), false);
    s.remove("a");
    seen.push(s.revision);
    s.remove("a");
    seen.push(s.revision);
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 4]);
    const j = new JwksAgentKeyStore({ jwks: { keys: [jwkOf(p256().publicKey, { kid: "k", sub: "s" })] } });
    const r = j.revision;
    j.revoke("k");
    assert.notEqual(j.revision, r);
  });

  it("round-trips through exportRecords / fromRecords (plain JSON, as sent to workers)", () => {
    const store = new InMemoryAgentKeyStore([
      { kid: "a", subject: "s1", publicKey: p256().publicKey },
      { kid: "b", subject: "s2", revoked: true, publicKey: generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey },
    ]);
    const records = JSON.parse(JSON.stringify(store.exportRecords()));
    const copy = InMemoryAgentKeyStore.fromRecords(records);
    for (const kid of ["a", "b"]) {
      const x = store.getKey(kid)!;
      const y = copy.getKey(kid)!;
      assert.deepEqual({ ...y, publicKey: undefined }, { ...x, publicKey: undefined });
      assert.ok(x.publicKey.equals(y.publicKey));
    }
    assert.equal(records[0].jwk.kid, "a");
    assert.equal(records[0].jwk.alg, "ES256");
  });
});

describe("JwksAgentKeyStore (static)", () => {
  it("reads kid, alg, the sub member and the revoked member; skips what it cannot use", () => {
    const a = p256();
    const b = p256();
    const jwks = {
      keys: [
        jwkOf(a.publicKey, { kid: "a", sub: "spiffe://td/a" }),
        jwkOf(b.publicKey, { kid: "b", sub: "spiffe://td/b", alg: "ES256", revoked: true }),
        jwkOf(p256().publicKey, { sub: "x" }),
        jwkOf(p256().publicKey, { kid: "nosub" }),
        { kty: "RSA", kid: "rsa", n: "x", e: "AQAB", sub: "x" },
        jwkOf(p256().publicKey, { kid: "enc", use: "enc", sub: "x" }),
        jwkOf(p256().publicKey, { kid: "a", sub: "dup" }),
        jwkOf(p256().publicKey, { kid: "badalg", sub: "x", alg: "ES512" }),
      ],
    };
    const store = new JwksAgentKeyStore({ jwks });
    const ka = store.getKey("a") as { subject: string; revoked: boolean; alg: string };
    assert.deepEqual([ka.subject, ka.revoked, ka.alg], ["spiffe://td/a", false, "ES256"]);
    assert.equal((store.getKey("b") as { revoked: boolean }).revoked, true);
    assert.deepEqual(
      store.skipped.map((s) => [s.index, s.kid]),
      [
        [2, undefined],
        [3, "nosub"],
        [4, "rsa"],
        [5, "enc"],
        [6, "a"],
        [7, "badalg"],
      ],
    );
  });

  it("takes subjects and revocations from options, and drops private members", async () => {
    const a = p256();
    const store = new JwksAgentKeyStore({
      jwks: { keys: [jwkOf(a.privateKey, { kid: "agent-a" })] },
      subjects: { "agent-a": ISS },
    });
    assert.ok((await verifyEct(forge({ key: a.privateKey }), { keyStore: store, audience: AUD, clock })).ok);
    assert.equal("d" in (await store.exportRecords())[0]!.jwk, false);
    const fn = new JwksAgentKeyStore({ jwks: { keys: [jwkOf(a.publicKey, { kid: "agent-a" })] }, subjects: (kid) => `spiffe://td/${kid}`, revokedKids: ["agent-a"] });
    const k = fn.getKey("agent-a") as { subject: string; revoked: boolean };
    assert.deepEqual([k.subject, k.revoked], ["spiffe://td/agent-a", true]);
    store.revoke("agent-a");
    const r = await verifyEct(forge({ key: a.privateKey }), { keyStore: store, audience: AUD, clock });
    assert.ok(!r.ok && r.error instanceof EctKeyRevokedError);
  });

  it("rejects a value that is not a JWK Set", () => {
    assert.throws(() => new JwksAgentKeyStore({ jwks: { keys: "no" } as never }), EctKeyError);
    assert.throws(() => new JwksAgentKeyStore({} as never), EctKeyError);
  });
});

describe("JwksAgentKeyStore (remote)", () => {
  function fakeServer(initial: Record<string, unknown>) {
    const state = { body: initial as unknown, status: 200, calls: 0, fail: false };
    const fetch = async (_url: string) => {
      state.calls++;
      if (state.fail) throw new Error("connection refused");
      return { ok: state.status === 200, status: state.status, json: async () => state.body };
    };
    return { state, fetch };
  }

  it("fetches lazily, caches, refreshes on an unknown kid at most once per cooldown", async () => {
    const a = p256();
    const b = p256();
    const { state, fetch } = fakeServer({ keys: [jwkOf(a.publicKey, { kid: "a", sub: "s" })] });
    let now = 0;
    const store = new JwksAgentKeyStore({ url: "https://idp.example/jwks", fetch, clock: () => now, cooldownMs: 1000, maxAgeMs: 60_000 });
    assert.equal(state.calls, 0);
    assert.equal((await store.getKey("a"))?.kid, "a");
    assert.equal(state.calls, 1);
    await store.getKey("a");
    assert.equal(state.calls, 1); // cached
    assert.equal(await store.getKey("b"), undefined);
    assert.equal(state.calls, 1); // unknown kid within the cooldown: no refetch
    state.body = { keys: [jwkOf(a.publicKey, { kid: "a", sub: "s" }), jwkOf(b.publicKey, { kid: "b", sub: "s" })] };
    now = 1500;
    assert.equal((await store.getKey("b"))?.kid, "b");
    assert.equal(state.calls, 2);
    now = 70_000; // stale: refetched
    await store.getKey("a");
    assert.equal(state.calls, 3);
  });

  it("shares one request between concurrent lookups", async () => {
    const { state, fetch } = fakeServer({ keys: [jwkOf(p256().publicKey, { kid: "a", sub: "s" })] });
    const store = new JwksAgentKeyStore({ url: "https://idp.example/jwks", fetch });
    await Promise.all([store.getKey("a"), store.getKey("a"), store.exportRecords()]);
    assert.equal(state.calls, 1);
  });

  it("keeps serving the last good set when a refresh fails", async () => {
    const { state, fetch } = fakeServer({ keys: [jwkOf(p256().publicKey, { kid: "a", sub: "s" })] });
    let now = 0;
    const store = new JwksAgentKeyStore({ url: "https://idp.example/jwks", fetch, clock: () => now, maxAgeMs: 10, cooldownMs: 0 });
    await store.getKey("a");
    state.fail = true;
    now = 100;
    assert.equal((await store.getKey("a"))?.kid, "a");
  });

  it("fails verification step 4 with EctKeyStoreError when the JWKS cannot be fetched at all", async () => {
    for (const setup of [
      (s: { fail: boolean; status: number; body: unknown }) => (s.fail = true),
      (s: { fail: boolean; status: number; body: unknown }) => (s.status = 503),
      (s: { fail: boolean; status: number; body: unknown }) => (s.body = { nokeys: 1 }),
    ]) {
      const { state, fetch } = fakeServer({});
      setup(state);
      const store = new JwksAgentKeyStore({ url: "https://idp.example/jwks", fetch });
      await assert.rejects(store.refresh(), EctJwksFetchError);
      const r = await verifyEct(forge({ key: p256().privateKey }), { keyStore: store, audience: AUD, clock });
      assert.ok(!r.ok && r.error instanceof EctKeyStoreError && r.step === 4);
    }
  });

  it("exportRecords (what a verifier pool sends its workers) refreshes a stale set, and keeps the old one if that fails (H1)", async () => {
    const a = p256();
    const { state, fetch } = fakeServer({ keys: [jwkOf(a.publicKey, { kid: "a", sub: "s" })] });
    let now = 0;
    const store = new JwksAgentKeyStore({ url: "https://idp.example/jwks", fetch, clock: () => now, cooldownMs: 1000, maxAgeMs: 60_000 });
    assert.deepEqual((await store.exportRecords()).map((r) => [r.kid, r.revoked]), [["a", false]]);
    assert.equal(state.calls, 1);
    const r0 = store.revision;
    await store.exportRecords();
    assert.equal(state.calls, 1); // fresh: no fetch
    state.body = { keys: [jwkOf(a.publicKey, { kid: "a", sub: "s", revoked: true })] };
    now = 70_000; // stale
    assert.deepEqual((await store.exportRecords()).map((r) => [r.kid, r.revoked]), [["a", true]]);
    assert.equal(state.calls, 2);
    assert.notEqual(store.revision, r0);
    state.fail = true;
    now = 140_000;
    assert.deepEqual((await store.exportRecords()).map((r) => r.kid), ["a"]);
    assert.equal(state.calls, 3);
  });

  it("verifies tokens with remotely fetched keys", async () => {
    const a = p256();
    const { fetch } = fakeServer({ keys: [jwkOf(a.publicKey, { kid: "agent-a", sub: ISS })] });
    const store = new JwksAgentKeyStore({ url: new URL("https://idp.example/jwks"), fetch });
    assert.ok((await verifyEct(forge({ key: a.privateKey, payload: payload() }), { keyStore: store, audience: AUD, clock })).ok);
  });
});
