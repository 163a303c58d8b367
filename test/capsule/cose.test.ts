/**
 * The COSE_Sign1 envelope (§3.1): ES256 round trip with the CWT claims header, and a
 * typed error for each way a statement can be wrong — tampered payload, wrong key,
 * wrong or missing alg, truncated / trailing / non-Sign1 CBOR, header problems,
 * header/payload disagreement, non-strict JSON payloads, Class 1 failures. Hostile
 * statements are assembled here with cbor-x and @noble/curves directly, so the
 * tests do not depend on the SDK's own encoder.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decoder, Encoder, Tag } from "cbor-x";
import { p256 } from "@noble/curves/nist.js";
import {
  MemoryCapsuleStore,
  buildCapsule,
  capsulePublicKeyToJwk,
  capsuleSubject,
  capsuleSubjectMatches,
  chainToCapsule,
  computeCapsuleId,
  createCapsuleSigner,
  decodeCapsuleCoseSign1,
  getCapsulePublicKey,
  signCapsuleCose,
  verifyCapsuleCose,
  CAPSULE_FINDINGS_PER_CHECK,
  CapsuleCoseMalformedError,
  CapsuleDispositionDishonestError,
  type Capsule,
  type CapsuleError,
} from "../../sdk/capsule/index.js";
import { D, summary } from "./fixtures.js";
import { AgentExecError } from "../../sdk/errors.js";

const enc = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true } as ConstructorParameters<typeof Encoder>[0]);
const dec = new Decoder({ useRecords: false, mapsAsObjects: false } as ConstructorParameters<typeof Decoder>[0]);
const cbor = (v: unknown) => new Uint8Array(enc.encode(v));

const PRIV = new Uint8Array(32).fill(7);
const PUB = getCapsulePublicKey(PRIV);
const OTHER_PUB = getCapsulePublicKey(new Uint8Array(32).fill(9));
const signer = createCapsuleSigner(PRIV, { kid: "ap-agent-key-1" });

function capsule(): Capsule {
  return buildCapsule({
    action_id: "pay-1",
    action_type: "decide",
    operator: "acme",
    developer: "ap-agent@2",
    timestamp: "2026-06-01T12:00:00Z",
    decision_id: "dec-1",
    effect: { type: "send_payment", status: "confirmed", request_digest: D("a"), response_digest: D("b"), effect_attestation: "gate_executed" },
    disposition: { decision: "accept", approver: "human", human_disposed: true, verdict_class: "executed" },
  });
}

type Hdr = Map<string | number, unknown>;
function claims(c: Capsule, extra: [string | number, unknown][] = []): Hdr {
  return new Map<string | number, unknown>([
    [1, c.developer],
    [2, capsuleSubject(c.operator, c.action_id)],
    ["capsule_statement_type", "agent_action"],
    ["capsule_action_type", c.action_type],
    ...extra,
  ]);
}
function header(c: Capsule, over: { alg?: unknown; ct?: unknown; claims?: Hdr | null; extra?: [number, unknown][] } = {}): Hdr {
  const h: Hdr = new Map();
  if (over.alg !== null) h.set(1, over.alg ?? -7);
  h.set(3, over.ct ?? "application/agent-action-capsule+json");
  if (over.claims !== null) h.set(15, over.claims ?? claims(c));
  for (const [k, v] of over.extra ?? []) h.set(k, v);
  return h;
}
/** Assembles and signs a COSE_Sign1 by hand (protected header as a map or as raw bytes). */
function signRaw(protectedHeader: Hdr | Uint8Array, payload: Uint8Array, opts: { priv?: Uint8Array; unprotected?: Hdr; tag?: number | null } = {}): Uint8Array {
  const pb = protectedHeader instanceof Uint8Array ? protectedHeader : cbor(protectedHeader);
  const tbs = cbor(["Signature1", pb, new Uint8Array(0), payload]);
  const sig = p256.sign(tbs, opts.priv ?? PRIV, { prehash: true });
  const arr = [pb, opts.unprotected ?? new Map(), payload, sig];
  return cbor(opts.tag === null ? arr : new Tag(arr, opts.tag ?? 18));
}
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

async function errorOf(bytes: Uint8Array, params: Parameters<typeof verifyCapsuleCose>[1] = { publicKey: PUB }): Promise<CapsuleError | undefined> {
  const r = await verifyCapsuleCose(bytes, params);
  assert.equal(r.ok, r.error === undefined);
  return r.error;
}

describe("round trip", () => {
  it("signs and verifies with the CWT claims header", async () => {
    const c = capsule();
    const bytes = await signCapsuleCose(c, { signer, issuedAt: new Date("2026-06-01T12:00:05Z") });
    const r = await verifyCapsuleCose(bytes, { publicKey: PUB });
    assert.equal(r.ok, true, r.error?.message);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.payload, c);
    assert.equal(r.capsule?.ok, true);
    assert.equal(r.header?.alg, -7);
    assert.equal(new TextDecoder().decode(r.header?.kid), "ap-agent-key-1");
    const cl = r.header?.claims;
    assert.equal(cl?.iss, "ap-agent@2");
    assert.equal(cl?.sub, "urn:agent-action-capsule:acme:pay-1");
    assert.equal(cl?.capsule_statement_type, "agent_action");
    assert.equal(cl?.capsule_action_type, "decide");
    assert.equal(cl?.capsule_decision_id, "dec-1");
    assert.equal(cl?.iat, Math.floor(Date.parse("2026-06-01T12:00:05Z") / 1000));
  });
  it("is a tagged COSE_Sign1 whose protected header holds alg, content_type, kid and claims (15)", async () => {
    const bytes = await signCapsuleCose(capsule(), { signer });
    assert.equal(bytes[0], 0xd2, "CBOR tag 18");
    const d = decodeCapsuleCoseSign1(bytes);
    assert.equal(d.tagged, true);
    assert.deepEqual([...d.protectedHeader.keys()], [1, 3, 4, 15]);
    assert.equal(d.protectedHeader.get(1), -7);
    assert.equal(d.protectedHeader.get(3), "application/agent-action-capsule+json");
    assert.equal(d.signature.length, 64);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(d.payload)), capsule());
  });
  it("signs deterministically (RFC 6979) and supports untagged output", async () => {
    const c = capsule();
    assert.deepEqual(await signCapsuleCose(c, { signer }), await signCapsuleCose(c, { signer }));
    const untagged = await signCapsuleCose(c, { signer, tagged: false });
    assert.equal(untagged[0], 0x84);
    assert.equal((await verifyCapsuleCose(untagged, { publicKey: PUB })).ok, true);
  });
  it("verifies with a JWK and through a key resolver", async () => {
    const bytes = await signCapsuleCose(capsule(), { signer });
    assert.equal((await verifyCapsuleCose(bytes, { publicKey: capsulePublicKeyToJwk(PUB) })).ok, true);
    const resolveKey = ({ kid }: { kid: Uint8Array | undefined }) => (new TextDecoder().decode(kid) === "ap-agent-key-1" ? PUB : undefined);
    assert.equal((await verifyCapsuleCose(bytes, { resolveKey })).ok, true);
  });
  it("accepts a high-S signature (COSE does not require low-S)", async () => {
    const bytes = await signCapsuleCose(capsule(), { signer });
    const d = decodeCapsuleCoseSign1(bytes);
    const sig = p256.Signature.fromBytes(d.signature, "compact");
    const highS = new p256.Signature(sig.r, p256.Point.Fn.ORDER - sig.s).toBytes("compact");
    const forged = cbor(new Tag([d.protectedBytes, new Map(), d.payload, highS], 18));
    assert.equal((await verifyCapsuleCose(forged, { publicKey: PUB })).ok, true);
  });
  it("verifies a chained Capsule's payload against a store", async () => {
    const parent = capsule();
    const child = buildCapsule({ ...capsuleDraftOf(parent), timestamp: "2026-06-01T12:10:00Z", chain: chainToCapsule(parent) }, { parent });
    const bytes = await signCapsuleCose(child, { signer });
    const r = await verifyCapsuleCose(bytes, { publicKey: PUB, store: new MemoryCapsuleStore([parent]) });
    assert.equal(r.ok, true);
    assert.equal(r.capsule?.derived?.ledger_mode, "chained");
    const missing = await verifyCapsuleCose(bytes, { publicKey: PUB, store: new MemoryCapsuleStore() });
    assert.equal(missing.error?.code, "CAPSULE_COSE_PAYLOAD_REJECTED");
    assert.deepEqual(summary(missing.capsule!).slice(0, 1), ["6:error:CAPSULE_CHAIN_PARENT_MISSING:/chain/parent_capsule_id"]);
  });
});

function capsuleDraftOf(c: Capsule) {
  const { capsule_id: _id, spec_version: _s, format_version: _f, assurance: _a, ...rest } = c;
  return rest;
}

describe("typed errors", () => {
  it("tampered payload → CAPSULE_COSE_BAD_SIGNATURE", async () => {
    const c = capsule();
    const bytes = await signCapsuleCose(c, { signer });
    const d = decodeCapsuleCoseSign1(bytes);
    const tampered = json({ ...c, operator: "evil" });
    const forged = cbor(new Tag([d.protectedBytes, new Map(), tampered, d.signature], 18));
    assert.equal((await errorOf(forged))?.code, "CAPSULE_COSE_BAD_SIGNATURE");
    // a single flipped bit inside the payload bytes
    const flipped = new Uint8Array(bytes);
    const at = Buffer.from(bytes).indexOf(Buffer.from('"acme"')) + 1;
    flipped[at] = (flipped[at] as number) ^ 0x01;
    assert.equal((await errorOf(flipped))?.code, "CAPSULE_COSE_BAD_SIGNATURE");
  });
  it("wrong key → CAPSULE_COSE_BAD_SIGNATURE", async () => {
    const bytes = await signCapsuleCose(capsule(), { signer });
    assert.equal((await errorOf(bytes, { publicKey: OTHER_PUB }))?.code, "CAPSULE_COSE_BAD_SIGNATURE");
  });
  it("wrong alg → CAPSULE_COSE_UNSUPPORTED_ALG", async () => {
    const c = capsule();
    for (const alg of [-35, -8, -257, "ES256", null]) {
      const bytes = signRaw(header(c, { alg }), json(c));
      assert.equal((await errorOf(bytes))?.code, "CAPSULE_COSE_UNSUPPORTED_ALG", String(alg));
    }
    const algOnlyUnprotected = signRaw(header(c, { alg: null }), json(c), { unprotected: new Map([[1, -7]]) });
    assert.equal((await errorOf(algOnlyUnprotected))?.code, "CAPSULE_COSE_UNSUPPORTED_ALG");
  });
  it("truncated, trailing and garbage CBOR → CAPSULE_COSE_MALFORMED", async () => {
    const bytes = await signCapsuleCose(capsule(), { signer });
    for (const bad of [bytes.subarray(0, bytes.length - 1), bytes.subarray(0, 10), new Uint8Array(0), new Uint8Array([...bytes, 0x00]), new Uint8Array([0xff, 0xff])]) {
      assert.equal((await errorOf(bad))?.code, "CAPSULE_COSE_MALFORMED");
    }
  });
  it("CBOR that is not a COSE_Sign1 → CAPSULE_COSE_NOT_SIGN1", async () => {
    const c = capsule();
    const good = decodeCapsuleCoseSign1(signRaw(header(c), json(c)));
    const cases = [
      cbor([good.protectedBytes, new Map(), good.payload]),
      cbor(new Tag([good.protectedBytes, new Map(), good.payload, good.signature], 98)),
      cbor([good.protectedBytes, new Map(), null, good.signature]),
      cbor([good.protectedBytes, new Map(), "payload", good.signature]),
      cbor({ a: 1 }),
    ];
    for (const bad of cases) assert.equal((await errorOf(bad))?.code, "CAPSULE_COSE_NOT_SIGN1");
  });
  it("protected header problems → CAPSULE_COSE_HEADER_INVALID", async () => {
    const c = capsule();
    const crit = signRaw(header(c, { extra: [[2, [99]]] }), json(c));
    assert.equal((await errorOf(crit))?.code, "CAPSULE_COSE_HEADER_INVALID");
    const both = signRaw(header(c), json(c), { unprotected: new Map([[3, "text/plain"]]) });
    assert.equal((await errorOf(both))?.code, "CAPSULE_COSE_HEADER_INVALID");
    const kidText = signRaw(header(c, { extra: [[4, "kid-as-text"]] }), json(c));
    assert.equal((await errorOf(kidText))?.code, "CAPSULE_COSE_HEADER_INVALID");
    // a repeated label (map of 4 declared, {1: -7} twice): parsers would disagree on which wins
    const pb = cbor(header(c));
    assert.equal(pb[0], 0xa3);
    const dup = new Uint8Array([0xa4, ...pb.subarray(1), 0x01, 0x26]);
    assert.equal((await errorOf(signRaw(dup, json(c))))?.code, "CAPSULE_COSE_HEADER_INVALID");
  });
  it("CWT claims missing or malformed → CAPSULE_COSE_CLAIMS_INVALID", async () => {
    const c = capsule();
    for (const cl of [null, new Map<string | number, unknown>([[2, "urn:x"], ["capsule_statement_type", "agent_action"]]), new Map<string | number, unknown>([[1, "a"], [2, "b"]])]) {
      assert.equal((await errorOf(signRaw(header(c, { claims: cl }), json(c))))?.code, "CAPSULE_COSE_CLAIMS_INVALID");
    }
  });
  it("content type and statement type", async () => {
    const c = capsule();
    assert.equal((await errorOf(signRaw(header(c, { ct: "application/json" }), json(c))))?.code, "CAPSULE_COSE_CONTENT_TYPE_MISMATCH");
    const outcomeType = claims(c);
    outcomeType.set("capsule_statement_type", "outcome");
    assert.equal((await errorOf(signRaw(header(c, { claims: outcomeType }), json(c))))?.code, "CAPSULE_COSE_STATEMENT_TYPE_MISMATCH");
  });
  it("header claims that disagree with the payload", async () => {
    const c = capsule();
    const sub = claims(c);
    sub.set(2, "urn:agent-action-capsule:acme:pay-2");
    assert.equal((await errorOf(signRaw(header(c, { claims: sub }), json(c))))?.code, "CAPSULE_COSE_SUBJECT_MISMATCH");
    const iss = claims(c);
    iss.set(1, "someone-else");
    assert.equal((await errorOf(signRaw(header(c, { claims: iss }), json(c))))?.code, "CAPSULE_COSE_ISSUER_MISMATCH");
    const act = claims(c);
    act.set("capsule_action_type", "fyi");
    assert.equal((await errorOf(signRaw(header(c, { claims: act }), json(c))))?.code, "CAPSULE_COSE_CLAIM_MISMATCH");
    const dec1 = claims(c, [["capsule_decision_id", "dec-other"]]);
    assert.equal((await errorOf(signRaw(header(c, { claims: dec1 }), json(c))))?.code, "CAPSULE_COSE_CLAIM_MISMATCH");
  });
  it("an unrecognised capsule_* claim is verified and reported as informational", async () => {
    const c = capsule();
    const r = await verifyCapsuleCose(signRaw(header(c, { claims: claims(c, [["capsule_effect_grade", "gate_executed"]]) }), json(c)), { publicKey: PUB });
    assert.equal(r.ok, true);
    assert.deepEqual(r.notes.map((n) => `${n.severity}:${n.code}:${n.path}`), ["info:CAPSULE_COSE_UNKNOWN_CAPSULE_CLAIM:/0/15/capsule_effect_grade"]);
  });
  it("a payload that is not strict JSON → CAPSULE_COSE_PAYLOAD_INVALID", async () => {
    const c = capsule();
    const dup = new TextEncoder().encode(JSON.stringify(c).replace('"operator":"acme"', '"operator":"acme","operator":"acme"'));
    const e = await errorOf(signRaw(header(c), dup));
    assert.equal(e?.code, "CAPSULE_COSE_PAYLOAD_INVALID");
    assert.equal(e?.path, "/operator");
    assert.equal((await errorOf(signRaw(header(c), new Uint8Array([0x7b, 0xff, 0x7d]))))?.code, "CAPSULE_COSE_PAYLOAD_INVALID");
  });
  it("a payload with 3.0 (a lexical float JSON.parse would hide) → Class 1 failure", async () => {
    const c = capsule();
    const text = JSON.stringify(c).replace('"action_id"', '"quantity":3.0,"action_id"');
    const r = await verifyCapsuleCose(signRaw(header(c), new TextEncoder().encode(text)), { publicKey: PUB });
    assert.equal(r.error?.code, "CAPSULE_COSE_PAYLOAD_REJECTED");
    assert.ok(summary(r.capsule!).includes("1:error:CAPSULE_JSON_FLOAT:/quantity"));
  });
  it("a payload failing Class 1 → CAPSULE_COSE_PAYLOAD_REJECTED with the Class 1 result", async () => {
    const c = { ...capsule(), disposition: { decision: "accept", approver: "counterparty", human_disposed: false, verdict_class: "executed" } } as unknown as Capsule;
    const r = await verifyCapsuleCose(signRaw(header(c), json(c)), { publicKey: PUB });
    assert.equal(r.error?.code, "CAPSULE_COSE_PAYLOAD_REJECTED");
    assert.equal(r.error?.path, "/disposition/approver");
    assert.ok(summary(r.capsule!).includes("1:error:CAPSULE_FIELD_VALUE:/disposition/approver"));
  });
  it("a dishonest disposition in hand-crafted bytes verifies, with the defensive warning (§6: not one of the checks)", async () => {
    const c = { ...capsule(), disposition: { decision: "accept", approver: "policy", human_disposed: true, verdict_class: "executed" } } as unknown as Capsule;
    c.capsule_id = computeCapsuleId(c);
    const r = await verifyCapsuleCose(signRaw(header(c), json(c)), { publicKey: PUB });
    assert.equal(r.error, undefined);
    assert.equal(r.ok, true);
    assert.deepEqual(summary(r.capsule!), ["defensive:warning:CAPSULE_DISPOSITION_DISHONEST:/disposition/human_disposed"]);
  });
  it("keys: none, unresolved, invalid", async () => {
    const bytes = await signCapsuleCose(capsule(), { signer });
    assert.equal((await errorOf(bytes, {}))?.code, "CAPSULE_COSE_KEY_UNRESOLVED");
    assert.equal((await errorOf(bytes, { resolveKey: () => undefined }))?.code, "CAPSULE_COSE_KEY_UNRESOLVED");
    assert.equal((await errorOf(bytes, { resolveKey: () => { throw new Error("kms down"); } }))?.code, "CAPSULE_COSE_KEY_UNRESOLVED");
    assert.equal((await errorOf(bytes, { publicKey: new Uint8Array(65) }))?.code, "CAPSULE_COSE_KEY_INVALID");
    assert.equal((await errorOf(bytes, { publicKey: { kty: "EC", crv: "P-384", x: "", y: "" } as never }))?.code, "CAPSULE_COSE_KEY_INVALID");
  });
  it("never throws on arbitrary bytes", async () => {
    for (const b of [new Uint8Array([0xd2, 0x84]), cbor(new Tag([new Uint8Array([0xff]), new Map(), new Uint8Array(0), new Uint8Array(64)], 18)), cbor(null), cbor([1, 2, 3, 4])]) {
      const r = await verifyCapsuleCose(b, { publicKey: PUB });
      assert.equal(r.ok, false);
      assert.ok(r.error !== undefined);
    }
    const notBytes = await verifyCapsuleCose("abc" as unknown as Uint8Array, { publicKey: PUB });
    assert.equal(notBytes.error?.code, "CAPSULE_COSE_MALFORMED");
  });
});

describe("signing refuses", () => {
  it("a Capsule that fails Class 1", async () => {
    const bad = { ...capsule(), operator: "changed-after-sealing" };
    await assert.rejects(signCapsuleCose(bad, { signer }), (e: unknown) => (e as CapsuleError).code === "CAPSULE_COSE_PAYLOAD_REJECTED" && (e as CapsuleError).path === "/capsule_id");
  });
  it("a Capsule whose disposition breaks the honesty invariant (human_disposed with approver policy), though it passes Class 1", async () => {
    const c = capsule();
    const forged = { ...c, disposition: { ...c.disposition, approver: "policy" } } as Capsule;
    forged.capsule_id = computeCapsuleId(forged); // sealed by hand: Class 1 only warns ("defensive")
    await assert.rejects(signCapsuleCose(forged, { signer }), (e: unknown) => {
      const err = e as CapsuleError & { cause?: CapsuleError };
      return (
        err instanceof AgentExecError &&
        err.code === "CAPSULE_COSE_PAYLOAD_REJECTED" &&
        err.path === "/disposition/human_disposed" &&
        err.cause instanceof CapsuleDispositionDishonestError &&
        err.cause.code === "CAPSULE_DISPOSITION_DISHONEST"
      );
    });
  });
  it("a Capsule with an unseeded bare name or an unknown registry value (builder invariants), unless registered", async () => {
    const c = capsule();
    const odd = { ...c, effect: { ...c.effect, type: "teleport" } } as Capsule;
    odd.capsule_id = computeCapsuleId(odd);
    await assert.rejects(signCapsuleCose(odd, { signer }), (e: unknown) => (e as CapsuleError).code === "CAPSULE_COSE_PAYLOAD_REJECTED" && (e as CapsuleError).path === "/effect/type");
    const signed = await signCapsuleCose(odd, { signer, verify: { registries: { "effect.type": ["teleport"] } } });
    assert.equal((await verifyCapsuleCose(signed, { publicKey: PUB, registries: { "effect.type": ["teleport"] } })).ok, true);
  });
  it("a signer that fails or returns a malformed signature", async () => {
    await assert.rejects(signCapsuleCose(capsule(), { signer: { alg: "ES256", sign: () => new Uint8Array(10) } }), (e: unknown) => (e as CapsuleError).code === "CAPSULE_COSE_SIGNER_FAILED");
    await assert.rejects(signCapsuleCose(capsule(), { signer: { alg: "ES256", sign: async () => { throw new Error("hsm"); } } }), (e: unknown) => (e as CapsuleError).code === "CAPSULE_COSE_SIGNER_FAILED");
  });
  it("an invalid private key", () => {
    assert.throws(() => createCapsuleSigner(new Uint8Array(32)), (e: unknown) => (e as CapsuleError).code === "CAPSULE_COSE_KEY_INVALID");
    assert.throws(() => createCapsuleSigner(new Uint8Array(31).fill(1)), (e: unknown) => (e as CapsuleError).code === "CAPSULE_COSE_KEY_INVALID");
  });
});

// ---- raw CBOR for headers cbor-x would never write (duplicate keys, indefinite lengths)
const te = new TextEncoder();
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) { out.set(p, i); i += p.length; }
  return out;
};
const B = (...bytes: number[]) => new Uint8Array(bytes);
/** A CBOR text string (definite length). */
const tstr = (s: string) => cbor(s);
/** The raw bytes of a CWT claims map of `c`, with extra raw entries spliced in (count adjusted). */
function rawClaims(c: Capsule, extraEntries: Uint8Array[] = []): Uint8Array {
  const entries = [cat(B(0x01), tstr(c.developer)), cat(B(0x02), tstr(capsuleSubject(c.operator, c.action_id))), cat(tstr("capsule_statement_type"), tstr("agent_action")), ...extraEntries];
  return cat(B(0xa0 + entries.length), ...entries);
}
const CT = "application/agent-action-capsule+json";

describe("protected header: unique keys at every depth, deterministic lengths (RFC 8949 §5.6, §4.2.1; RFC 9052 §3)", () => {
  it("a duplicate iss inside the CWT claims (label 15) → CAPSULE_COSE_HEADER_INVALID at /0/15", async () => {
    const c = capsule();
    const claimsDup = rawClaims(c, [cat(B(0x01), tstr("evil"))]);
    const hdr = cat(B(0xa3, 0x01, 0x26, 0x03), tstr(CT), B(0x0f), claimsDup);
    const r = await verifyCapsuleCose(signRaw(hdr, json(c)), { publicKey: PUB });
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, "CAPSULE_COSE_HEADER_INVALID");
    assert.equal(r.error?.path, "/0/15");
    assert.match(r.error?.details ?? "", /duplicate map key 1/);
  });
  it("an indefinite-length protected map (even without a duplicate) → CAPSULE_COSE_HEADER_INVALID at /0", async () => {
    const c = capsule();
    const hdr = cat(B(0xbf, 0x01, 0x26, 0x03), tstr(CT), B(0x0f), rawClaims(c), B(0xff));
    const r = await verifyCapsuleCose(signRaw(hdr, json(c)), { publicKey: PUB });
    assert.equal(r.error?.code, "CAPSULE_COSE_HEADER_INVALID");
    assert.equal(r.error?.path, "/0");
    assert.match(r.error?.details ?? "", /indefinite-length map/);
  });
  it("an indefinite-length protected map with alg -35 then -7 → rejected, not read as ES256", async () => {
    const c = capsule();
    const hdr = cat(B(0xbf, 0x01, 0x38, 0x22, 0x01, 0x26, 0x03), tstr(CT), B(0x0f), rawClaims(c), B(0xff));
    assert.equal((await errorOf(signRaw(hdr, json(c))))?.code, "CAPSULE_COSE_HEADER_INVALID");
  });
  it("an indefinite-length map nested in the claims → rejected at its path", async () => {
    const c = capsule();
    const nested = cat(tstr("com.example.x"), B(0xbf, 0x61, 0x61, 0x01, 0xff));
    const hdr = cat(B(0xa3, 0x01, 0x26, 0x03), tstr(CT), B(0x0f), rawClaims(c, [nested]));
    const e = await errorOf(signRaw(hdr, json(c)));
    assert.equal(e?.code, "CAPSULE_COSE_HEADER_INVALID");
    assert.equal(e?.path, "/0/15/com.example.x");
  });
  it("the same label written in two encodings (1 as 0x01 and as 0x18 0x01) is a duplicate", async () => {
    const c = capsule();
    const hdr = cat(B(0xa4, 0x01, 0x26, 0x03), tstr(CT), B(0x0f), rawClaims(c), B(0x18, 0x01, 0x26));
    const e = await errorOf(signRaw(hdr, json(c)));
    assert.equal(e?.code, "CAPSULE_COSE_HEADER_INVALID");
    assert.equal(e?.path, "/0");
  });
  it("a duplicate label in the unprotected header → CAPSULE_COSE_HEADER_INVALID at /1", async () => {
    const c = capsule();
    const pb = cbor(header(c));
    const tbs = cbor(["Signature1", pb, new Uint8Array(0), json(c)]);
    const sig = p256.sign(tbs, PRIV, { prehash: true });
    const bytes = cat(B(0xd2, 0x84), cbor(pb), B(0xa2, 0x18, 0x63, 0x01, 0x18, 0x63, 0x02), cbor(json(c)), cbor(sig));
    const e = await errorOf(bytes);
    assert.equal(e?.code, "CAPSULE_COSE_HEADER_INVALID");
    assert.equal(e?.path, "/1");
  });
  it("a well-formed header still verifies (the scan accepts what the SDK writes)", async () => {
    assert.equal((await verifyCapsuleCose(await signCapsuleCose(capsule(), { signer, issuedAt: 1_780_000_000 }), { publicKey: PUB })).ok, true);
  });
});

describe("through the envelope: bounded findings, one reading", () => {
  it("a signed payload with 80,000 numbers written 1.0 is rejected with bounded findings (finding 1)", async () => {
    const c = capsule();
    const text = JSON.stringify(c).replace(/^\{/, `{"com.example.x":[${Array(80_000).fill("1.0").join(",")}],`);
    const r = await verifyCapsuleCose(signRaw(header(c), te.encode(text)), { publicKey: PUB });
    assert.equal(r.error?.code, "CAPSULE_COSE_PAYLOAD_REJECTED");
    const c1 = r.capsule!.findings.filter((f) => f.check === 1);
    assert.equal(c1.length, CAPSULE_FINDINGS_PER_CHECK + 1);
    assert.equal(c1.at(-1)?.code, "CAPSULE_FINDINGS_TRUNCATED");
    assert.match(c1.at(-1)!.message, /^79900 further check-1 findings/);
  });
  it("signCapsuleCose signs what it verified: a getter cannot swap the content after the check (finding 2)", async () => {
    const good = capsule();
    const bad = { ...good, disposition: { ...good.disposition!, verdict_class: "denied" } }; // never-dispatch with an effect
    let reads = 0;
    const evil = { ...good } as Record<string, unknown>;
    Object.defineProperty(evil, "disposition", { enumerable: true, get: () => (++reads === 1 ? good.disposition : bad.disposition) });
    const bytes = await signCapsuleCose(evil as unknown as Capsule, { signer });
    assert.equal(reads, 1);
    const r = await verifyCapsuleCose(bytes, { publicKey: PUB });
    assert.equal(r.ok, true);
    assert.deepEqual(r.payload, good);
  });
});

describe("typed errors only (finding 9)", () => {
  it("input whose prototype cannot be read is CAPSULE_COSE_MALFORMED, a CapsuleError, never a plain Error", async () => {
    for (const hostile of [new Proxy({}, { getPrototypeOf() { throw new Error("proto trap"); } }), (() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()]) {
      const r = await verifyCapsuleCose(hostile as unknown as Uint8Array, { publicKey: PUB });
      assert.equal(r.ok, false);
      assert.ok(r.error instanceof CapsuleCoseMalformedError, String(r.error));
      assert.equal(r.error.code, "CAPSULE_COSE_MALFORMED");
      assert.ok(r.error.cause instanceof Error);
    }
  });
  it("an invalid issuedAt is refused when signing", async () => {
    await assert.rejects(signCapsuleCose(capsule(), { signer, issuedAt: new Date(Number.NaN) }), (e: unknown) => (e as CapsuleError).code === "CAPSULE_COSE_CLAIMS_INVALID");
  });
});

describe("subject URN", () => {
  it("§3.1 the raw template form of another implementation is accepted (finding 5)", async () => {
    const c = buildCapsule({ ...capsuleDraftOf(capsule()), action_id: "pay 1", operator: "Acme Corp" });
    const raw = "urn:agent-action-capsule:Acme Corp:pay 1";
    assert.equal(capsuleSubjectMatches(raw, "Acme Corp", "pay 1"), true);
    const r = await verifyCapsuleCose(signRaw(header(c, { claims: claims(c, [[2, raw]]) }), json(c)), { publicKey: PUB });
    assert.equal(r.ok, true, r.error?.message);
    // the emitted (encoded) form, and other percent-encodings of the same subject
    assert.equal(capsuleSubject("Acme Corp", "pay 1"), "urn:agent-action-capsule:Acme%20Corp:pay%201");
    assert.equal(capsuleSubjectMatches("urn:agent-action-capsule:Acme%20Corp:pay%201", "Acme Corp", "pay 1"), true);
    assert.equal(capsuleSubjectMatches("urn:agent-action-capsule:Acme%20Corp:pay 1", "Acme Corp", "pay 1"), true);
    assert.equal((await verifyCapsuleCose(await signCapsuleCose(c, { signer }), { publicKey: PUB })).ok, true);
  });
  it("a sub naming another action is still CAPSULE_COSE_SUBJECT_MISMATCH, whatever the form", async () => {
    const c = buildCapsule({ ...capsuleDraftOf(capsule()), action_id: "pay 1", operator: "Acme Corp" });
    for (const sub of ["urn:agent-action-capsule:Acme Corp:pay 2", "urn:agent-action-capsule:Acme%20Corp:pay%202", "urn:agent-action-capsule:Acme%2GCorp:pay 1"]) {
      const e = await errorOf(signRaw(header(c, { claims: claims(c, [[2, sub]]) }), json(c)));
      assert.equal(e?.code, "CAPSULE_COSE_SUBJECT_MISMATCH", sub);
      assert.equal(e?.path, "/0/15/2");
    }
    assert.equal(capsuleSubjectMatches("urn:agent-action-capsule:a:b%3Ac", "a", "b:c"), true);
    assert.equal(capsuleSubjectMatches("urn:agent-action-capsule:a:b:c", "a:b", "c"), true); // the raw template is ambiguous by construction
    assert.equal(capsuleSubjectMatches("urn:agent-action-capsule:a%3Ab:c", "a", "b:c"), true);
    assert.equal(capsuleSubjectMatches("urn:agent-action-capsule:a%3Ab:c", "a", "b:d"), false);
  });
  it("is urn:agent-action-capsule:OPERATOR:ACTION_ID and injective over (operator, action_id)", () => {
    assert.equal(capsuleSubject("acme", "po-1"), "urn:agent-action-capsule:acme:po-1");
    assert.equal(capsuleSubject("acme", "ledger/2026/po-1"), "urn:agent-action-capsule:acme:ledger/2026/po-1");
    assert.notEqual(capsuleSubject("a:b", "c"), capsuleSubject("a", "b:c"));
    assert.equal(capsuleSubject("a b", "é"), "urn:agent-action-capsule:a%20b:%C3%A9");
    assert.equal(capsuleSubject("100%", "x"), "urn:agent-action-capsule:100%25:x");
  });
  it("decodes the protected header this test assembled (sanity of the helpers)", () => {
    const c = capsule();
    const h = dec.decode(cbor(header(c))) as Map<unknown, unknown>;
    assert.equal(h.get(1), -7);
  });
});
