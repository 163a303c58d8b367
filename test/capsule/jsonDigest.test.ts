/**
 * JSON-DIGEST (§2): golden digests whose canonical text is written out by hand and
 * hashed independently, each normalization rule, the JCS details (UTF-16 member
 * order, escapes, -0), each typed domain error with its path, deep nesting, and a
 * differential fuzz against a reference built from `canonicalize` directly.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import canonicalize from "canonicalize";
import {
  CapsuleJsonCycleError,
  CapsuleJsonFloatError,
  CapsuleJsonLoneSurrogateError,
  CapsuleJsonNotJsonError,
  CapsuleJsonUnsafeIntegerError,
  canonicalJson,
  findJsonDigestProblems,
  isJsonDigest,
  jsonDigest,
  normalizeAbsentFields,
} from "../../sdk/capsule/index.js";
import { prng } from "./fixtures.js";

const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

describe("JSON-DIGEST golden values", () => {
  it("digests an empty object, null and an empty array as their JCS text", () => {
    assert.equal(jsonDigest({}), "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    assert.equal(jsonDigest(null), "74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b");
    assert.equal(jsonDigest([]), "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945");
  });

  it("a value that normalizes to {} digests like {}", () => {
    assert.equal(jsonDigest({ a: null, b: [], c: {}, d: { e: { f: null } } }), jsonDigest({}));
  });

  it("reproduces a hand-written canonical form (normalization + UTF-16 order + escapes + -0)", () => {
    const value = {
      b: null,
      a: { x: [], y: {} },
      c: [null, {}, []],
      d: "é\u2028\"\\",
      e: -0,
      f: 9007199254740991,
      g: "\u0001\n\t\b\f\r/",
      "é": 1,
      "😀": 2,
      "Ｚ": 3,
      "10": true,
      "9": false,
    };
    const expected =
      '{"10":true,"9":false,"c":[null,{},[]],"d":"é\u2028\\"\\\\","e":0,"f":9007199254740991,"g":"\\u0001\\n\\t\\b\\f\\r/","é":1,"😀":2,"Ｚ":3}';
    assert.equal(canonicalJson(value), expected);
    assert.equal(sha(expected), "405cde06f95591ff9129303a43c5941829d95b7acc1087e84c609441f7338f78");
    assert.equal(jsonDigest(value), "405cde06f95591ff9129303a43c5941829d95b7acc1087e84c609441f7338f78");
  });
});

describe("absent-field normalization (§2)", () => {
  it("removes null, [] and {} members bottom-up", () => {
    assert.deepEqual(normalizeAbsentFields({ a: { b: null, c: [] }, d: 1 }), { d: 1 });
  });
  it("keeps array elements, even null, {} and [] ones (only members are removed)", () => {
    assert.deepEqual(normalizeAbsentFields({ a: [null, {}, [], { b: null }] }), { a: [null, {}, [], {}] });
  });
  it("keeps the top-level value even when empty", () => {
    assert.deepEqual(normalizeAbsentFields({}), {});
    assert.equal(normalizeAbsentFields(null), null);
    assert.deepEqual(normalizeAbsentFields([]), []);
  });
  it("keeps false, 0 and the empty string (they are values, not absences)", () => {
    assert.equal(canonicalJson({ a: false, b: 0, c: "" }), '{"a":false,"b":0,"c":""}');
  });
  it("treats an undefined member as absent", () => {
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
  });
  it("keeps a __proto__ member as an ordinary member", () => {
    const v = JSON.parse('{"__proto__":{"x":1},"a":{"__proto__":null}}');
    assert.equal(canonicalJson(v), '{"__proto__":{"x":1}}');
  });
  it("does not normalize Unicode (NFC and NFD spellings differ)", () => {
    assert.notEqual(jsonDigest({ k: "\u00c5" }), jsonDigest({ k: "A\u030a" }));
  });
});

describe("JSON-DIGEST domain errors name the path", () => {
  const cases: [string, unknown, new (...a: never[]) => Error, string, string][] = [
    ["float", { amount: { value: 12.5 } }, CapsuleJsonFloatError, "CAPSULE_JSON_FLOAT", "/amount/value"],
    ["integer above 2^53-1", { n: [1, 2 ** 53] }, CapsuleJsonUnsafeIntegerError, "CAPSULE_JSON_UNSAFE_INTEGER", "/n/1"],
    ["integer below -(2^53-1)", { n: -(2 ** 53) }, CapsuleJsonUnsafeIntegerError, "CAPSULE_JSON_UNSAFE_INTEGER", "/n"],
    ["NaN", { n: Number.NaN }, CapsuleJsonNotJsonError, "CAPSULE_JSON_NOT_JSON", "/n"],
    ["Infinity", { n: Number.POSITIVE_INFINITY }, CapsuleJsonNotJsonError, "CAPSULE_JSON_NOT_JSON", "/n"],
    ["bigint", { n: 1n }, CapsuleJsonNotJsonError, "CAPSULE_JSON_NOT_JSON", "/n"],
    ["undefined array element", { a: [1, undefined] }, CapsuleJsonNotJsonError, "CAPSULE_JSON_NOT_JSON", "/a/1"],
    ["Date", { t: new Date(0) }, CapsuleJsonNotJsonError, "CAPSULE_JSON_NOT_JSON", "/t"],
    ["function", { f: () => 1 }, CapsuleJsonNotJsonError, "CAPSULE_JSON_NOT_JSON", "/f"],
    ["lone surrogate in a value", { s: "a\ud800" }, CapsuleJsonLoneSurrogateError, "CAPSULE_JSON_LONE_SURROGATE", "/s"],
    ["lone surrogate in a name", { ["\udc00"]: 1 }, CapsuleJsonLoneSurrogateError, "CAPSULE_JSON_LONE_SURROGATE", "/\udc00"],
    ["escaped pointer token", { "a/b": { "c~d": 0.5 } }, CapsuleJsonFloatError, "CAPSULE_JSON_FLOAT", "/a~1b/c~0d"],
  ];
  for (const [name, value, Cls, code, path] of cases) {
    it(name, () => {
      assert.throws(() => jsonDigest(value), (e: unknown) => e instanceof Cls && (e as unknown as { code: string }).code === code && (e as unknown as { path: string }).path === path);
    });
  }
  it("a cycle", () => {
    const v: Record<string, unknown> = { a: { b: [] as unknown[] } };
    ((v.a as { b: unknown[] }).b).push(v);
    assert.throws(() => jsonDigest(v), (e: unknown) => e instanceof CapsuleJsonCycleError && e.path === "/a/b/0");
  });
  it("a null member holding a float is absent, so no error", () => {
    assert.equal(jsonDigest({ a: null, b: 1 }), jsonDigest({ b: 1 }));
  });
  it("findJsonDigestProblems lists every problem without throwing", () => {
    const problems = findJsonDigestProblems({ x: [1.5, { y: 2 ** 60 }], z: "\ud800" });
    assert.deepEqual(
      problems.map((p) => `${p.code}@${p.path}`),
      ["CAPSULE_JSON_FLOAT@/x/0", "CAPSULE_JSON_UNSAFE_INTEGER@/x/1/y", "CAPSULE_JSON_LONE_SURROGATE@/z"],
    );
    assert.deepEqual(findJsonDigestProblems({ ok: [1, "a"] }), []);
  });
});

describe("deep nesting", () => {
  it("digests 100,000-deep arrays and objects without recursion limits", () => {
    let arr: unknown = [];
    let obj: unknown = { leaf: 1 };
    for (let i = 0; i < 100_000; i++) {
      arr = [arr];
      obj = { a: obj };
    }
    assert.equal(canonicalJson(arr), "[".repeat(100_001) + "]".repeat(100_001));
    assert.ok(isJsonDigest(jsonDigest(obj)));
  });
  it("a deep chain of objects that empties out normalizes away", () => {
    let obj: unknown = { leaf: null };
    for (let i = 0; i < 50_000; i++) obj = { a: obj };
    assert.equal(canonicalJson({ root: obj, k: 1 }), '{"k":1}');
  });
});

// ---------------------------------------------------------------- differential fuzz

/** Reference: normalize recursively (straight from the definition), then the canonicalize package. */
function referenceNormalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(referenceNormalize);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const x = referenceNormalize((v as Record<string, unknown>)[k]);
      if (x === null || x === undefined) continue;
      if (Array.isArray(x) && x.length === 0) continue;
      if (typeof x === "object" && !Array.isArray(x) && Object.keys(x as object).length === 0) continue;
      Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}

const KEYS = ["a", "b", "Z", "é", "😀", "Ｚ", "10", "9", "0", "__proto__", "", "a b", "\u007f", "capsule_id", "chain"];
function randomJson(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth > 5 || r < 0.35) {
    const p = rnd();
    if (p < 0.15) return null;
    if (p < 0.3) return rnd() < 0.5;
    if (p < 0.55) return Math.floor((rnd() - 0.5) * 2 ** (rnd() * 53));
    if (p < 0.6) return rnd() < 0.5 ? -0 : Number.MAX_SAFE_INTEGER;
    const chars = ["a", "é", "\n", "\"", "\\", "\u0001", "😀", "\u2028", "/", " "];
    let s = "";
    const n = Math.floor(rnd() * 6);
    for (let i = 0; i < n; i++) s += chars[Math.floor(rnd() * chars.length)];
    return s;
  }
  if (r < 0.65) {
    const n = Math.floor(rnd() * 4);
    return Array.from({ length: n }, () => randomJson(rnd, depth + 1));
  }
  const o: Record<string, unknown> = {};
  const n = Math.floor(rnd() * 5);
  for (let i = 0; i < n; i++) {
    const k = KEYS[Math.floor(rnd() * KEYS.length)] as string;
    Object.defineProperty(o, k, { value: randomJson(rnd, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return o;
}

describe("differential: jsonDigest = SHA-256(canonicalize(reference normalize))", () => {
  it("agrees on 3,000 seeded random values", () => {
    const rnd = prng(0xc0ffee);
    for (let i = 0; i < 3000; i++) {
      const v = randomJson(rnd, 0);
      const expected = sha(canonicalize(referenceNormalize(v)) as string);
      assert.equal(jsonDigest(v), expected, `case ${i}: ${JSON.stringify(v)}`);
      assert.equal(canonicalJson(normalizeAbsentFields(v)), canonicalJson(v), `idempotent ${i}`);
    }
  });
});
