/**
 * Property tests with a seeded PRNG (deterministic): the verifiers never throw and
 * always return a well-formed result — on random JSON values, on thousands of
 * mutations of conforming Capsules, on random text, and on byte-level mutations of a
 * signed statement (which only verify when the signed content is unchanged).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MemoryCapsuleStore,
  computeCapsuleId,
  createCapsuleSigner,
  normalizeAbsentFields,
  getCapsulePublicKey,
  signCapsuleCose,
  verifyCapsule,
  verifyCapsuleCose,
  verifyCapsuleJson,
  verifyCapsuleSync,
  type Capsule,
  type VerifyCapsuleReturnType,
} from "../../sdk/capsule/index.js";
import { assertWellFormedResult, asCapsule, blockedCapsule, confirmedCapsule, fyiCapsule, mutate, prng, summary } from "./fixtures.js";

const NASTY_STRINGS = ["", "a", "\ud800", "\udfff", "😀", "\u0000", "é", "A\u030a", "__proto__", "constructor", "capsule_id", "chain", "x".repeat(300), "1e3", "NaN"];
const NASTY_NUMBERS = [0, -0, 1, -1, 0.5, -1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -Number.MAX_SAFE_INTEGER - 2, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 64, Number.EPSILON];

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)] as T;
}

function randomValue(rnd: () => number, depth = 0): unknown {
  const r = rnd();
  if (depth > 4 || r < 0.4) {
    const p = rnd();
    if (p < 0.1) return null;
    if (p < 0.2) return rnd() < 0.5;
    if (p < 0.45) return pick(rnd, NASTY_NUMBERS);
    if (p < 0.5) return undefined;
    return pick(rnd, NASTY_STRINGS);
  }
  if (r < 0.5) {
    let deep: unknown = [];
    const n = Math.floor(rnd() * 3000);
    for (let i = 0; i < n; i++) deep = [deep];
    return deep;
  }
  if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
  const o: Record<string, unknown> = {};
  const keys = ["spec_version", "format_version", "capsule_id", "action_id", "action_type", "operator", "developer", "timestamp", "effect", "assurance", "disposition", "chain", "constraints", "status", "type", "verdict_class", "approver", "human_disposed", ...NASTY_STRINGS];
  for (let i = 0; i < Math.floor(rnd() * 8); i++) {
    Object.defineProperty(o, pick(rnd, keys), { value: randomValue(rnd, depth + 1), enumerable: true, configurable: true, writable: true });
  }
  return o;
}

/** Every JSON Pointer-ish path (as key arrays) into a value. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === "object") for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

function mutateAt(rnd: () => number, c: Record<string, unknown>): Record<string, unknown> {
  const all = paths(c).filter((p) => p.length > 0);
  const path = pick(rnd, all);
  return mutate(
    c,
    (x) => {
      let parent: any = x;
      for (const k of path.slice(0, -1)) parent = parent[k];
      const last = path[path.length - 1] as string | number;
      const kind = rnd();
      if (kind < 0.25) {
        if (Array.isArray(parent)) parent.splice(last as number, 1);
        else delete parent[last];
      } else if (kind < 0.6) parent[last] = randomValue(rnd);
      else if (kind < 0.7) parent[last] = [parent[last]];
      else if (kind < 0.8) parent[last] = typeof parent[last] === "string" ? parent[last].toUpperCase() : null;
      else if (kind < 0.9) parent[last] = pick(rnd, ["executed", "blocked", "resolved", "errored", "confirmed", "planned", "dispatched", "failed", "human", "policy", "supersedes", "anchored", "chained"]);
      else parent[pick(rnd, ["_sd", "extra", "chain", "effect_attestation", "response_digest"])] = randomValue(rnd);
    },
    rnd() < 0.7,
  );
}

function check(input: unknown, r: VerifyCapsuleReturnType): void {
  assertWellFormedResult(r);
  if (r.capsuleId !== null) assert.equal(r.capsuleId, computeCapsuleId(input));
  if (r.ok) assert.equal((input as Record<string, unknown>).capsule_id, r.capsuleId);
}

describe("fuzz: the Class 1 verifier never throws", () => {
  it("2,000 random JSON-ish values (sync) and 300 through a store (async)", async () => {
    const rnd = prng(20260601);
    const store = new MemoryCapsuleStore([asCapsule(blockedCapsule())]);
    for (let i = 0; i < 2000; i++) {
      const v = randomValue(rnd);
      check(v, verifyCapsuleSync(v));
    }
    for (let i = 0; i < 300; i++) {
      const v = randomValue(rnd);
      check(v, await verifyCapsule(v, { store }));
    }
  });

  it("3,000 mutations of conforming Capsules", async () => {
    const rnd = prng(8301);
    const parent = blockedCapsule();
    const chained = mutate(blockedCapsule(), (x) => {
      x.disposition.verdict_class = "resolved";
      x.chain = { parent_capsule_id: parent.capsule_id, relation: "supersedes" };
      x.assurance.ledger_mode = "chained";
    });
    const store = new MemoryCapsuleStore([asCapsule(parent)]);
    const pool = [fyiCapsule(), confirmedCapsule(), blockedCapsule(), chained];
    for (const c of pool) assert.equal((await verifyCapsule(c, { store })).ok, true);
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const m = mutateAt(rnd, pick(rnd, pool));
      const r = i % 5 === 0 ? await verifyCapsule(m, { store }) : verifyCapsuleSync(m);
      check(m, r);
      if (!r.ok) failures++;
    }
    assert.ok(failures > 1000, `mutations should mostly be caught (${failures})`);
  });

  it("1,500 mutations: a Capsule and its absent-field normalized form get the same verdict (the checks run on the normalized form)", () => {
    const rnd = prng(5302);
    const pool = [fyiCapsule(), confirmedCapsule(), blockedCapsule()];
    let compared = 0;
    for (let i = 0; i < 1500; i++) {
      const m = mutateAt(rnd, pick(rnd, pool));
      let normalized: unknown;
      try {
        normalized = normalizeAbsentFields(m);
      } catch {
        continue; // outside the JSON-DIGEST domain: no normalized form to compare with
      }
      const a = verifyCapsuleSync(m);
      const b = verifyCapsuleSync(normalized);
      assert.deepEqual(summary(a), summary(b));
      assert.equal(a.ok, b.ok);
      assert.equal(a.capsuleId, b.capsuleId);
      assert.deepEqual(a.derived, b.derived);
      compared++;
    }
    assert.ok(compared > 500, `enough digestible mutations compared (${compared})`);
  });

  it("1,000 random texts through verifyCapsuleJson", async () => {
    const rnd = prng(77);
    const base = JSON.stringify(confirmedCapsule());
    for (let i = 0; i < 1000; i++) {
      let text: string;
      if (rnd() < 0.5) {
        const chars = base.split("");
        for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) chars[Math.floor(rnd() * chars.length)] = pick(rnd, ['"', "{", "}", "[", "]", ",", ":", "1", ".", "e", "\\", "x", " ", "\ud800"]);
        text = chars.join("");
      } else {
        try {
          text = JSON.stringify(randomValue(rnd)) ?? "null";
        } catch {
          text = "[]";
        }
      }
      const r = await verifyCapsuleJson(text);
      assertWellFormedResult(r);
    }
  });
});

describe("fuzz: the COSE verifier never throws and only accepts unchanged signed content", () => {
  it("400 byte-level mutations of a signed statement", async () => {
    const rnd = prng(18);
    const priv = new Uint8Array(32).fill(11);
    const publicKey = getCapsulePublicKey(priv);
    const c = confirmedCapsule() as unknown as Capsule;
    const good = await signCapsuleCose(c, { signer: createCapsuleSigner(priv, { kid: "k" }) });
    assert.equal((await verifyCapsuleCose(good, { publicKey })).ok, true);
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      const b = new Uint8Array(good);
      const mode = rnd();
      let bytes: Uint8Array;
      if (mode < 0.6) {
        const at = Math.floor(rnd() * b.length);
        b[at] = (b[at] as number) ^ (1 << Math.floor(rnd() * 8));
        bytes = b;
      } else if (mode < 0.8) bytes = b.subarray(0, Math.floor(rnd() * b.length));
      else bytes = new Uint8Array([...b, ...Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => Math.floor(rnd() * 256))]);
      const r = await verifyCapsuleCose(bytes, { publicKey });
      assert.equal(typeof r.ok, "boolean");
      assert.equal(r.ok, r.error === undefined);
      if (r.ok) {
        accepted++;
        assert.deepEqual(r.payload, c, "a statement that verifies carries the signed payload");
      }
    }
    assert.ok(accepted < 20, `almost every mutation is rejected (${accepted} accepted)`);
  });
});
