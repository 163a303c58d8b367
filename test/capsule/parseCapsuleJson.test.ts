/**
 * Strict JSON reading of Capsule payloads: what JSON.parse silently accepts but a
 * digest-reproducible payload must not (duplicate members, lexical floats, lone
 * surrogates, unsafe integers, invalid UTF-8, a BOM), each a typed error with its
 * path or offset; agreement with JSON.parse on valid text; deep nesting.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CapsuleJsonDuplicateKeyError,
  CapsuleJsonFloatError,
  CapsuleJsonInvalidUtf8Error,
  CapsuleJsonLoneSurrogateError,
  CapsuleJsonSyntaxError,
  CapsuleJsonUnsafeIntegerError,
  parseCapsuleJson,
  parseCapsuleJsonDetailed,
  CapsuleJsonInputTypeError,
} from "../../sdk/capsule/index.js";
import { prng } from "./fixtures.js";

describe("parseCapsuleJson rejections", () => {
  const cases: [string, string, new (...a: never[]) => Error, string][] = [
    ["duplicate member", '{"a":1,"b":{"c":1,"c":2}}', CapsuleJsonDuplicateKeyError, "/b/c"],
    ["duplicate __proto__ member", '{"__proto__":1,"__proto__":2}', CapsuleJsonDuplicateKeyError, "/__proto__"],
    ["fraction, even .0", '{"amount":12.0}', CapsuleJsonFloatError, "/amount"],
    ["exponent", "[1e3]", CapsuleJsonFloatError, "/0"],
    ["unsafe integer", '{"x":[9007199254740993]}', CapsuleJsonUnsafeIntegerError, "/x/0"],
    ["escaped lone surrogate", '{"s":"\\ud800"}', CapsuleJsonLoneSurrogateError, "/s"],
    ["lone surrogate member name", '{"\\udc00":1}', CapsuleJsonLoneSurrogateError, "/\udc00"],
  ];
  for (const [name, text, Cls, path] of cases) {
    it(name, () => {
      assert.throws(() => parseCapsuleJson(text), (e: unknown) => e instanceof Cls && (e as unknown as { path: string }).path === path);
    });
  }
  for (const text of ["", "[1,]", '{"a":1,}', "[1] x", '{"a" 1}', '"abc', "\ufeff{}", "01", "[-]", '"\t"', "tru", "{'a':1}", "[.5]", "+1", '"\\x"']) {
    it(`syntax: ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseCapsuleJson(text), CapsuleJsonSyntaxError);
    });
  }
  it("invalid UTF-8 bytes", () => {
    assert.throws(() => parseCapsuleJson(new Uint8Array([0x22, 0xc3, 0x28, 0x22])), CapsuleJsonInvalidUtf8Error);
  });
  it("reports the offset of a syntax error", () => {
    assert.throws(() => parseCapsuleJson('{"a":[1,2,,3]}'), (e: unknown) => e instanceof CapsuleJsonSyntaxError && /offset 10/.test(e.message));
  });
});

describe("parseCapsuleJsonDetailed", () => {
  it("reports the lexical floats the value hides (1.0, 2E0) as paths; other floats stay visible in the value", () => {
    const r = parseCapsuleJsonDetailed('{"a":{"b":[1,{"c":1.5,"f":1.0}]},"d":2E0,"e":3,"g":1e300}');
    assert.deepEqual(r.lexicalFloats, ["/a/b/1/f", "/d"]);
    assert.equal(r.lexicalFloatCount, 2);
    assert.deepEqual(r.value, { a: { b: [1, { c: 1.5, f: 1 }] }, d: 2, e: 3, g: 1e300 });
  });
  it("records at most `limit` paths and counts the rest (cost linear in the input, finding 1)", () => {
    const depth = 300;
    const text = '{"x":' + "[".repeat(depth) + Array(5000).fill("1.0").join(",") + "]".repeat(depth) + "}";
    const r = parseCapsuleJsonDetailed(text, { limit: 3 });
    assert.equal(r.lexicalFloats.length, 3);
    assert.equal(r.lexicalFloatCount, 5000);
    assert.equal(r.lexicalFloats[0], "/x" + "/0".repeat(depth));
    assert.equal(r.lexicalFloats[2], "/x" + "/0".repeat(depth - 1) + "/2");
  });
  it("input that is neither text nor bytes is a type error, not invalid UTF-8 (finding 12)", () => {
    for (const bad of [null, undefined, 42, {}, [1]]) {
      assert.throws(() => parseCapsuleJsonDetailed(bad as unknown as string), (e: unknown) => e instanceof CapsuleJsonInputTypeError && e.code === "CAPSULE_JSON_INPUT_TYPE");
      assert.throws(() => parseCapsuleJson(bad as unknown as string), CapsuleJsonInputTypeError);
    }
  });
});

describe("agreement with JSON.parse", () => {
  it("parses valid payloads identically, __proto__ as an own member", () => {
    const v = parseCapsuleJson('{"__proto__":{"x":1},"a":"\\u00e9\\ud83d\\ude00\\/","b":[true,false,null,-0,0,123]}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ["__proto__", "a", "b"]);
    assert.equal(v.a, "é😀/");
  });
  it("agrees on 2,000 seeded random integer-only JSON texts", () => {
    const rnd = prng(42);
    const gen = (d: number): unknown => {
      const r = rnd();
      if (d > 4 || r < 0.4) {
        const p = rnd();
        if (p < 0.2) return null;
        if (p < 0.4) return rnd() < 0.5;
        if (p < 0.7) return Math.floor((rnd() - 0.5) * 1e12);
        return String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 5) }, () => Math.floor(rnd() * 0x3000)));
      }
      if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(d + 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rnd() * 4); i++) o["k" + Math.floor(rnd() * 10)] = gen(d + 1);
      return o;
    };
    for (let i = 0; i < 2000; i++) {
      const v = gen(0);
      const text = JSON.stringify(v, null, rnd() < 0.5 ? 2 : undefined);
      if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) continue;
      assert.deepEqual(parseCapsuleJson(text), JSON.parse(text), text);
      assert.deepEqual(parseCapsuleJson(new TextEncoder().encode(text)), JSON.parse(text));
    }
  });
  it("parses 200,000-deep nesting iteratively", () => {
    const v = parseCapsuleJson("[".repeat(200_000) + "]".repeat(200_000));
    assert.ok(Array.isArray(v));
  });
});
