/**
 * inp_hash / out_hash helpers: base64url(SHA-256) golden values (FIPS 180-2 test vectors) and
 * the canonical-form check used by verification step 12.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeEctHash, computeEctJsonHash, EctInvalidClaimError, isEctHash, matchesEctHash } from "../../sdk/index.js";

describe("computeEctHash", () => {
  it("matches the SHA-256 test vectors, base64url without padding", () => {
    // SHA-256("") = e3b0c442...b855, SHA-256("abc") = ba7816bf...15ad
    assert.equal(computeEctHash(""), Buffer.from("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "hex").toString("base64url"));
    assert.equal(computeEctHash(""), "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
    assert.equal(computeEctHash("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  });

  it("hashes strings as UTF-8 and accepts bytes, ArrayBuffers and views", () => {
    const bytes = new TextEncoder().encode("héllo");
    const h = computeEctHash("héllo");
    assert.equal(computeEctHash(bytes), h);
    assert.equal(computeEctHash(bytes.buffer.slice(0)), h);
    assert.equal(computeEctHash(Buffer.from("héllo")), h);
    const padded = new Uint8Array([0, ...bytes, 0]);
    assert.equal(computeEctHash(new DataView(padded.buffer, 1, bytes.length)), h);
  });

  it("throws EctInvalidClaimError for values that are not data", () => {
    assert.throws(() => computeEctHash(42 as never), EctInvalidClaimError);
  });
});

describe("computeEctJsonHash", () => {
  it("hashes the RFC 8785 canonical form, independent of key order", () => {
    assert.equal(computeEctJsonHash({ b: 1, a: [true, null, "x"] }), computeEctHash('{"a":[true,null,"x"],"b":1}'));
    assert.equal(computeEctJsonHash({ a: 1, b: 2 }), computeEctJsonHash({ b: 2, a: 1 }));
    assert.equal(computeEctJsonHash(1e21), computeEctHash("1e+21"));
  });
  it("throws EctInvalidClaimError for non-JSON values", () => {
    assert.throws(() => computeEctJsonHash(NaN), EctInvalidClaimError);
    assert.throws(() => computeEctJsonHash(undefined), EctInvalidClaimError);
  });
});

describe("isEctHash / matchesEctHash", () => {
  it("accepts exactly 43 canonical base64url characters", () => {
    assert.equal(isEctHash(computeEctHash("x")), true);
    assert.equal(isEctHash("A".repeat(43)), true);
    assert.equal(isEctHash("A".repeat(42) + "B"), false); // non-zero unused bits
    assert.equal(isEctHash("A".repeat(44)), false);
    assert.equal(isEctHash("A".repeat(42) + "="), false);
    assert.equal(isEctHash("+".repeat(43)), false);
    assert.equal(isEctHash(null), false);
  });
  it("checks data against a hash", () => {
    const h = computeEctHash("payload");
    assert.equal(matchesEctHash("payload", h), true);
    assert.equal(matchesEctHash("payload!", h), false);
    assert.equal(matchesEctHash("payload", "nope"), false);
  });
});
