/**
 * Hostile input to the verifiers and the digest (§6: "a verifier MUST return a
 * structured result, never throw"): bounded cost and output for floods of findings,
 * one reading of the input for every check and the capsule_id (getters and proxies
 * cannot answer two checks differently), the normalized form as what is checked,
 * typed errors with paths for unreadable members, and type errors for non-JSON input.
 * Tests assert counts and findings, never time.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CAPSULE_FINDINGS_PER_CHECK,
  CapsuleError,
  CapsuleJsonNotJsonError,
  MemoryCapsuleStore,
  buildCapsule,
  canonicalJson,
  checkCapsuleId,
  computeCapsuleId,
  findJsonDigestProblems,
  jsonDigest,
  normalizeAbsentFields,
  verifyCapsule,
  verifyCapsuleJson,
  verifyCapsuleSync,
  verifyOutcome,
  type Capsule,
  type CapsuleFinding,
  type CapsuleStore,
} from "../../sdk/capsule/index.js";
import { D, assertWellFormedResult, asCapsule, blockedCapsule, confirmedCapsule, fyiCapsule, mutate, seal, summary } from "./fixtures.js";

/** `fyiCapsule()` as JSON text with `member` spliced in as its first member (capsule_id unchanged). */
function fyiJsonWith(member: string): string {
  return JSON.stringify(fyiCapsule()).replace(/^\{/, `{${member},`);
}

function ofCheck(findings: readonly CapsuleFinding[], check: CapsuleFinding["check"]): CapsuleFinding[] {
  return findings.filter((f) => f.check === check);
}

describe("finding 1: bounded cost and findings for floods of lexical floats", () => {
  it("80,000 × 1.0: the first 100 are listed with paths, the rest counted in one summary; later checks still reported", async () => {
    const n = 80_000;
    const r = await verifyCapsuleJson(fyiJsonWith(`"x":[${Array(n).fill("1.0").join(",")}]`));
    assertWellFormedResult(r);
    assert.equal(r.ok, false);
    const c1 = ofCheck(r.findings, 1);
    assert.equal(c1.length, CAPSULE_FINDINGS_PER_CHECK + 1);
    assert.deepEqual(c1.slice(0, 3).map((f) => `${f.code}:${f.path}`), ["CAPSULE_JSON_FLOAT:/x/0", "CAPSULE_JSON_FLOAT:/x/1", "CAPSULE_JSON_FLOAT:/x/2"]);
    const last = c1[c1.length - 1] as CapsuleFinding;
    assert.equal(last.code, "CAPSULE_FINDINGS_TRUNCATED");
    assert.equal(last.severity, "error");
    assert.match(last.message, new RegExp(`^${n - CAPSULE_FINDINGS_PER_CHECK} further check-1 findings omitted`));
    // check 2 is not hidden by the flood: it reports that it could not run (floats in digest-bearing fields)
    assert.deepEqual(summary(r).slice(CAPSULE_FINDINGS_PER_CHECK + 1), ["2:info:CAPSULE_ID_NOT_CHECKED:/capsule_id"]);
  });
  it("8,000 floats 4,000 levels deep (JSON text): 100 listed with their deep paths, 7,900 counted", async () => {
    const depth = 4000;
    const n = 8000;
    const r = await verifyCapsuleJson(fyiJsonWith(`"x":${"[".repeat(depth)}${Array(n).fill("1.5").join(",")}${"]".repeat(depth)}`));
    assertWellFormedResult(r);
    const c1 = ofCheck(r.findings, 1);
    assert.equal(c1.length, CAPSULE_FINDINGS_PER_CHECK + 1);
    assert.equal(c1[0]?.path, "/x" + "/0".repeat(depth));
    assert.equal(c1[99]?.path, "/x" + "/0".repeat(depth - 1) + "/99");
    assert.ok(c1.slice(0, 100).every((f) => f.code === "CAPSULE_JSON_FLOAT"));
    assert.match((c1[100] as CapsuleFinding).message, /^7900 further check-1 findings omitted/);
    assert.equal(r.capsuleId, null);
    assert.deepEqual(summary(r).slice(CAPSULE_FINDINGS_PER_CHECK + 1), ["2:info:CAPSULE_ID_NOT_CHECKED:/capsule_id"]);
  });
  it("the same as a JS value (iterative walk): bounded findings, exact count", () => {
    const depth = 4000;
    let x: unknown = Array.from({ length: 8000 }, () => 0.5);
    for (let i = 1; i < depth; i++) x = [x];
    const r = verifyCapsuleSync({ ...fyiCapsule(), x });
    assertWellFormedResult(r);
    const c1 = ofCheck(r.findings, 1);
    assert.equal(c1.length, CAPSULE_FINDINGS_PER_CHECK + 1);
    assert.match((c1[100] as CapsuleFinding).message, /^7900 further check-1 findings omitted/);
    assert.equal(findJsonDigestProblems({ x }, { limit: 5 }).length, 5);
  });
  it("floats that read as integers (1.0, 2e3) and true floats are each reported once", async () => {
    const r = await verifyCapsuleJson(fyiJsonWith(`"x":[1.0,2e3,1.5]`));
    assert.deepEqual(summary(r), ["1:error:CAPSULE_JSON_FLOAT:/x/2", "1:error:CAPSULE_JSON_FLOAT:/x/0", "1:error:CAPSULE_JSON_FLOAT:/x/1", "2:info:CAPSULE_ID_NOT_CHECKED:/capsule_id"]);
  });
});

describe("finding 2: one reading of the input for every check and the capsule_id", () => {
  it("a getter that answers differently the second time cannot pass check 3 for content that violates it", () => {
    const bad = mutate(confirmedCapsule(), (x) => delete x.effect.response_digest); // confirmed, unbound: fails check 3
    const good = confirmedCapsule();
    let reads = 0;
    const evil = { ...bad };
    Object.defineProperty(evil, "effect", { enumerable: true, get: () => (++reads === 1 ? bad.effect : good.effect) });
    const r = verifyCapsuleSync(evil);
    assertWellFormedResult(r);
    assert.equal(reads, 1);
    assert.equal(r.ok, false);
    assert.equal(r.capsuleId, bad.capsule_id);
    assert.deepEqual(summary(r), ["3:error:CAPSULE_EFFECT_CONFIRMED_UNBOUND:/effect/response_digest", "7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/effect_mode"]);
  });
  it("when the fast pass must give way to the iterative walk, the result is still one reading (id and checks agree)", () => {
    const bad = mutate(confirmedCapsule(), (x) => delete x.effect.response_digest);
    const good = confirmedCapsule();
    let deep: unknown = "leaf";
    for (let i = 0; i < 300; i++) deep = [deep]; // deeper than the fast pass goes
    let reads = 0;
    const evil: Record<string, unknown> = { ...good, "org.example.deep": deep }; // read after "effect" (JCS order)
    Object.defineProperty(evil, "effect", { enumerable: true, get: () => (++reads === 1 ? good.effect : bad.effect) });
    const r = verifyCapsuleSync(evil);
    assertWellFormedResult(r);
    assert.equal(reads, 2); // the fast pass read it, gave up at the deep member, and was discarded
    // the reading the checks saw (the unbound effect) is the reading the id was computed over
    assert.equal(r.capsuleId, computeCapsuleId({ ...bad, "org.example.deep": deep }));
    assert.ok(summary(r).includes("3:error:CAPSULE_EFFECT_CONFIRMED_UNBOUND:/effect/response_digest"));
  });
  it("mutating the Capsule while the store is awaited changes nothing", async () => {
    const parent = buildCapsule({ action_id: "p", action_type: "fyi", operator: "acme", developer: "a@1", timestamp: "2026-06-01T12:00:00Z" });
    const child = buildCapsule({ action_id: "c", action_type: "fyi", operator: "acme", developer: "a@1", timestamp: "2026-06-01T12:00:00Z", chain: { parent_capsule_id: parent.capsule_id, relation: "supersedes" } }, { parent }) as Capsule & Record<string, unknown>;
    const store: CapsuleStore = {
      get: async (id) => {
        child.assurance = { ...child.assurance, effect_mode: "not_applicable" };
        child.effect = { type: "send_payment", status: "dispatched", effect_attestation: "runtime_claimed" };
        return id === parent.capsule_id ? parent : undefined;
      },
      children: () => [],
    };
    const original = structuredClone(child);
    const r = await verifyCapsule(child, { store });
    assert.deepEqual(summary(r), []);
    assert.equal(r.capsuleId, original.capsule_id);
    assert.equal(r.derived?.effect_mode, "not_applicable");
    // and the mutated object, verified afresh, is judged on what it now holds
    assert.equal((await verifyCapsule(child, { store: new MemoryCapsuleStore([parent]) })).ok, false);
  });
  it("the options are read once too (anchor evidence cannot flip between derivation and reconciliation)", () => {
    let reads = 0;
    const anchor = {} as { receiptVerified?: boolean };
    Object.defineProperty(anchor, "receiptVerified", { get: () => ++reads === 1 });
    const c = mutate(fyiCapsule(), (x) => (x.assurance.attestation_mode = "anchored"));
    const r = verifyCapsuleSync(c, { anchor });
    assert.equal(reads, 1);
    assert.deepEqual(summary(r), []);
    assert.equal(r.derived?.attestation_mode, "anchored");
  });
  it("a store record is read once: its id and its chain come from the same reading", async () => {
    const grand = asCapsule(blockedCapsule());
    const parentClean = asCapsule(mutate(fyiCapsule(), (x) => (x.chain = { parent_capsule_id: grand.capsule_id, relation: "supersedes" })));
    let reads = 0;
    const parent = { ...parentClean } as Record<string, unknown>;
    Object.defineProperty(parent, "chain", { enumerable: true, get: () => (++reads === 1 ? parentClean.chain : { parent_capsule_id: D("9"), relation: "supersedes" }) });
    const child = mutate(blockedCapsule(), (x) => {
      x.action_id = "po-3";
      x.disposition.verdict_class = "resolved";
      x.chain = { parent_capsule_id: parentClean.capsule_id, relation: "supersedes" };
    });
    const store: CapsuleStore = { get: (id) => (id === parentClean.capsule_id ? (parent as unknown as Capsule) : id === grand.capsule_id ? grand : undefined), children: () => [] };
    const r = await verifyCapsule(child, { store });
    assert.equal(reads, 1);
    assert.deepEqual(summary(r), ["7:info:CAPSULE_ASSURANCE_UNDERCLAIM:/assurance/ledger_mode"]);
  });
});

describe("re-entrant getters", () => {
  it("a getter that calls jsonDigest mid-pass cannot change the serialization of the outer value", () => {
    const o: Record<string, unknown> = { "10": 1, "9": 2 };
    Object.defineProperty(o, "b", { enumerable: true, get: () => (jsonDigest({ inner: 1 }), "x") });
    assert.equal(canonicalJson(o), '{"10":1,"9":2,"b":"x"}');
    const c = { ...fyiCapsule(), "10": 1, "9": 2 } as Record<string, unknown>;
    Object.defineProperty(c, "z", { enumerable: true, get: () => (verifyCapsuleSync(fyiCapsule()), "x") });
    const expected = computeCapsuleId({ ...fyiCapsule(), "10": 1, "9": 2, z: "x" });
    assert.equal(computeCapsuleId(c), expected);
    assert.equal(verifyCapsuleSync(c).capsuleId, expected);
  });
});

describe("finding 8: the checks run on the normalized form", () => {
  it("effect {type: null, status: null} has the id of no effect and gets the same verdict", () => {
    const plain = fyiCapsule();
    const nulls = { ...plain, effect: { type: null, status: null } };
    assert.equal(computeCapsuleId(nulls), plain.capsule_id);
    const r = verifyCapsuleSync(nulls);
    assert.deepEqual(summary(r), summary(verifyCapsuleSync(plain)));
    assert.deepEqual(summary(r), []);
    assert.equal(r.derived?.effect_mode, "not_applicable");
  });
  it("every member that normalizes away is absent for the checks: chain, disposition members, empty arrays", () => {
    const c = { ...fyiCapsule(), chain: { parent_capsule_id: null, relation: null }, constraints: [], compliance: { framework_tags: [] }, decision_id: null };
    assert.deepEqual(summary(verifyCapsuleSync(c)), []);
    const b = blockedCapsule();
    const withNulls = { ...b, disposition: { ...(b.disposition as object), authority: null, expiry_policy: {} } };
    assert.deepEqual(summary(verifyCapsuleSync(withNulls)), []);
  });
  it("...and a REQUIRED member that normalizes away is missing, as it is absent from the id", () => {
    const c = { ...fyiCapsule(), assurance: { attestation_mode: null, effect_mode: null, ledger_mode: null } };
    assert.deepEqual(summary(verifyCapsuleSync(c)), ["1:error:CAPSULE_FIELD_MISSING:/assurance", "2:error:CAPSULE_ID_MISMATCH:/capsule_id"]);
  });
});

describe("finding 9: unreadable members are typed errors with their path", () => {
  const throwingGetter = () => {
    const o: Record<string, unknown> = { a: 1 };
    Object.defineProperty(o, "x", { enumerable: true, get() { throw new TypeError("getter failed"); } });
    return o;
  };
  const isNotJsonAt = (path: string) => (e: unknown) => {
    assert.ok(e instanceof CapsuleJsonNotJsonError, `expected CapsuleJsonNotJsonError, got ${String(e)}`);
    assert.equal(e.code, "CAPSULE_JSON_NOT_JSON");
    assert.equal(e.path, path);
    assert.ok(e.cause instanceof TypeError);
    return true;
  };
  it("jsonDigest, canonicalJson, normalizeAbsentFields, computeCapsuleId", () => {
    assert.throws(() => jsonDigest(throwingGetter()), isNotJsonAt("/x"));
    assert.throws(() => jsonDigest({ y: [0, throwingGetter()] }), isNotJsonAt("/y/1/x"));
    assert.throws(() => canonicalJson(throwingGetter()), isNotJsonAt("/x"));
    assert.throws(() => normalizeAbsentFields(throwingGetter()), isNotJsonAt("/x"));
    assert.throws(() => computeCapsuleId({ ...fyiCapsule(), effect: throwingGetter() }), isNotJsonAt("/effect/x"));
    const r = checkCapsuleId({ ...fyiCapsule(), effect: throwingGetter() });
    assert.ok(!r.ok && r.error instanceof CapsuleJsonNotJsonError && r.error.path === "/effect/x");
  });
  it("proxy traps", () => {
    const ownKeysTrap = new Proxy({}, { ownKeys() { throw new RangeError("trap"); } });
    assert.throws(() => jsonDigest({ a: ownKeysTrap }), (e: unknown) => e instanceof CapsuleJsonNotJsonError && e.path === "/a" && e.cause instanceof RangeError);
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    assert.throws(() => jsonDigest({ a: [revoked.proxy] }), (e: unknown) => e instanceof CapsuleJsonNotJsonError && e.path === "/a/0");
  });
  it("findJsonDigestProblems names the member path, not the root", () => {
    assert.deepEqual(findJsonDigestProblems(throwingGetter()), [{ code: "CAPSULE_JSON_NOT_JSON", path: "/x", message: "the member could not be read: getter failed" }]);
  });
  it("buildCapsule: a throwing getter in the draft, an extension or the options", () => {
    const draft = { action_id: "x", action_type: "fyi" as const, operator: "acme", developer: "a@1", timestamp: "2026-06-01T12:00:00Z" };
    assert.throws(() => buildCapsule(draft, { extensions: { "com.example.x": throwingGetter() } }), isNotJsonAt("/com.example.x/x"));
    const d = { ...draft };
    Object.defineProperty(d, "operator", { enumerable: true, get() { throw new TypeError("no"); } });
    assert.throws(() => buildCapsule(d), isNotJsonAt("/operator"));
    const options = {};
    Object.defineProperty(options, "parent", { enumerable: true, get() { throw new TypeError("no"); } });
    assert.throws(() => buildCapsule(draft, options), isNotJsonAt("/parent"));
    const hostileOptions = new Proxy({}, { ownKeys() { throw new TypeError("trap"); } });
    assert.throws(() => buildCapsule(draft, hostileOptions), (e: unknown) => e instanceof CapsuleError && e.cause instanceof TypeError);
  });
  it("the verifiers report the member (path, cause message) instead of an internal failure", () => {
    const r = verifyCapsuleSync({ ...confirmedCapsule(), effect: throwingGetter() });
    assertWellFormedResult(r);
    assert.equal(r.findings[0]?.code, "CAPSULE_JSON_NOT_JSON");
    assert.equal(r.findings[0]?.path, "/effect/x");
    assert.ok(!r.findings.some((f) => f.code === "CAPSULE_VERIFIER_INTERNAL"));
    assert.deepEqual(verifyOutcome({ a: throwingGetter() }).issues[0], { code: "CAPSULE_JSON_NOT_JSON", severity: "error", path: "/a/x", message: "the member could not be read: getter failed" });
  });
});

describe("finding 11: the findings cap is per check, with its own summary code", () => {
  it("a flood in check 1 and check 8 hides neither the other checks nor itself", () => {
    const c = mutate(fyiCapsule(), (x) => {
      x.compliance = { framework_tags: Array.from({ length: 150 }, () => 7) }; // 100 check-1 findings (per-array bound)
      x.assurance.sources = Array.from({ length: 150 }, () => ({ ref: "r" })); // 100 more (kind missing)
      x.constraints = Array.from({ length: 250 }, (_, i) => ({ id: `bare_${i}`, result: "pass", severity: "low", blocking: false })); // 250 check-8 infos
      x.assurance.ledger_mode = "chained"; // check 7, after both floods
    });
    const r = verifyCapsuleSync(c);
    assertWellFormedResult(r);
    const c1 = ofCheck(r.findings, 1);
    assert.equal(c1.length, CAPSULE_FINDINGS_PER_CHECK + 1);
    assert.deepEqual(summary({ ...r, findings: c1.slice(-1) }), ["1:error:CAPSULE_FINDINGS_TRUNCATED:"]);
    assert.match(c1[100]!.message, /^100 further check-1 findings omitted/);
    assert.deepEqual(summary({ ...r, findings: ofCheck(r.findings, 7) }), ["7:error:CAPSULE_ASSURANCE_OVERCLAIM:/assurance/ledger_mode"]);
    const c8 = ofCheck(r.findings, 8);
    assert.equal(c8.length, CAPSULE_FINDINGS_PER_CHECK + 1);
    assert.deepEqual([c8[100]!.code, c8[100]!.severity], ["CAPSULE_FINDINGS_TRUNCATED", "info"]);
    assert.match(c8[100]!.message, /^150 further check-8 findings omitted/);
    assert.ok(!r.findings.some((f) => f.code === "CAPSULE_VERIFIER_INTERNAL"));
  });
  it("a summary carries the worst omitted severity, so `ok` always agrees with the listed findings", () => {
    const c = mutate(fyiCapsule(), (x) => {
      x.constraints = Array.from({ length: 120 }, (_, i) => ({ id: `bare_${i}`, result: "pass", severity: "low", blocking: false }));
    });
    const r = verifyCapsuleSync(c);
    assert.equal(r.ok, true);
    assert.equal(ofCheck(r.findings, 8).at(-1)?.severity, "info");
  });
});

describe("finding 12: non-JSON input to verifyCapsuleJson is a type error", () => {
  for (const bad of [null, undefined, 42, {}, [1, 2], new Map()]) {
    it(String(bad === null ? "null" : Array.isArray(bad) ? "an array" : typeof bad), async () => {
      const r = await verifyCapsuleJson(bad as unknown as string);
      assertWellFormedResult(r);
      assert.deepEqual(summary(r), ["1:error:CAPSULE_JSON_INPUT_TYPE:"]);
    });
  }
  it("invalid UTF-8 bytes are still CAPSULE_JSON_INVALID_UTF8", async () => {
    assert.deepEqual(summary(await verifyCapsuleJson(new Uint8Array([0x7b, 0xff, 0x7d]))), ["1:error:CAPSULE_JSON_INVALID_UTF8:"]);
  });
  it("an object that is not plain is not a Capsule: CAPSULE_NOT_OBJECT naming what it is", () => {
    for (const [v, what] of [[new Map(), "an instance of Map"], [new Date(0), "an instance of Date"], [Buffer.from("{}"), "an instance of Buffer"]] as const) {
      const r = verifyCapsuleSync(v);
      assert.deepEqual(summary(r), ["1:error:CAPSULE_NOT_OBJECT:"]);
      assert.equal(r.findings[0]?.message, `a Capsule is a JSON object, got ${what}`);
    }
    assert.equal(seal({ ...fyiCapsule() }).capsule_id, fyiCapsule().capsule_id);
  });
});
