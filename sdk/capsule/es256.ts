/**
 * ES256 (ECDSA P-256 with SHA-256, COSE alg -7, RFC 9053 §2.1) for the Capsule
 * COSE_Sign1 envelope, on `@noble/curves`.
 *
 * COSE signatures are the fixed-length r || s concatenation (64 bytes), not DER.
 * Signing is deterministic (RFC 6979) and low-S; verification accepts high-S
 * signatures too, since COSE does not require low-S and other signers (WebCrypto,
 * HSMs) may produce them.
 *
 * Where each primitive runs: verification on node:crypto (OpenSSL; about 40x the pure-JS
 * rate), with the imported `KeyObject` cached per public key. Signing stays on
 * `@noble/curves`: node:crypto has no deterministic (RFC 6979) ECDSA, and deterministic,
 * low-S signatures make the same Capsule sign to the same bytes. Key validation (scalar
 * range, point on the curve) also stays on `@noble/curves`, once per key.
 *
 * Keys: a private key is the 32-byte scalar or an EC P-256 JWK with `d`; a public
 * key is SEC1 bytes (65-byte uncompressed or 33-byte compressed) or an EC P-256 JWK.
 * The signer is an interface, so HSM- or KMS-held keys plug in (key stores are parameters).
 */
import { p256 } from "@noble/curves/nist.js";
import { type KeyObject, createPublicKey, verify as nodeVerify } from "node:crypto";
import { CapsuleCoseKeyInvalidError } from "./errors.js";

/** COSE algorithm identifier of ES256. */
export const CAPSULE_COSE_ALG_ES256 = -7;

/** An EC P-256 JSON Web Key (public part). */
export type CapsulePublicJwk = { kty: "EC"; crv: "P-256"; x: string; y: string; kid?: string | undefined };
/** An EC P-256 JSON Web Key with the private scalar. */
export type CapsulePrivateJwk = CapsulePublicJwk & { d: string };

export type CapsulePrivateKey = Uint8Array | CapsulePrivateJwk;
export type CapsulePublicKey = Uint8Array | CapsulePublicJwk;

/**
 * Produces COSE signatures. `sign` receives the ToBeSigned bytes (the CBOR
 * Sig_structure) and returns the 64-byte r || s signature.
 */
export type CapsuleCoseSigner = {
  alg: "ES256";
  /** Key identifier placed in the protected header (label 4) when given. */
  kid?: Uint8Array | string | undefined;
  sign(toBeSigned: Uint8Array): Uint8Array | Promise<Uint8Array>;
};

function b64urlToBytes(s: unknown, what: string): Uint8Array {
  if (typeof s !== "string" || !/^[A-Za-z0-9_-]*$/.test(s)) throw new CapsuleCoseKeyInvalidError({ details: `JWK member ${what} is not base64url` });
  return new Uint8Array(Buffer.from(s, "base64url"));
}

function bytesToB64url(b: Uint8Array): string {
  return Buffer.from(b).toString("base64url");
}

function isJwk(k: unknown): k is Record<string, unknown> {
  return typeof k === "object" && k !== null && !(k instanceof Uint8Array);
}

/** The 32-byte private scalar of a private key. Throws `CapsuleCoseKeyInvalidError`. */
export function es256PrivateKeyBytes(key: CapsulePrivateKey): Uint8Array {
  let d: Uint8Array;
  if (key instanceof Uint8Array) d = key;
  else if (isJwk(key)) {
    if (key.kty !== "EC" || key.crv !== "P-256") throw new CapsuleCoseKeyInvalidError({ details: "the JWK is not an EC P-256 key" });
    d = b64urlToBytes(key.d, "d");
  } else throw new CapsuleCoseKeyInvalidError({ details: "a private key is 32 bytes or an EC P-256 JWK" });
  if (d.length !== 32 || !p256.utils.isValidSecretKey(d)) throw new CapsuleCoseKeyInvalidError({ details: "not a valid P-256 private scalar" });
  return d;
}

/** SEC1 uncompressed (65-byte) encoding of a public key, validated on the curve. Throws `CapsuleCoseKeyInvalidError`. */
export function es256PublicKeyBytes(key: CapsulePublicKey): Uint8Array {
  let bytes: Uint8Array;
  if (key instanceof Uint8Array) bytes = key;
  else if (isJwk(key)) {
    if (key.kty !== "EC" || key.crv !== "P-256") throw new CapsuleCoseKeyInvalidError({ details: "the JWK is not an EC P-256 key" });
    const x = b64urlToBytes(key.x, "x");
    const y = b64urlToBytes(key.y, "y");
    if (x.length !== 32 || y.length !== 32) throw new CapsuleCoseKeyInvalidError({ details: "JWK x and y must be 32 bytes each" });
    bytes = new Uint8Array(65);
    bytes[0] = 4;
    bytes.set(x, 1);
    bytes.set(y, 33);
  } else throw new CapsuleCoseKeyInvalidError({ details: "a public key is SEC1 bytes or an EC P-256 JWK" });
  try {
    return p256.Point.fromBytes(bytes).toBytes(false);
  } catch (cause) {
    throw new CapsuleCoseKeyInvalidError({ cause, details: "not a valid P-256 public key (SEC1 bytes must encode a point on the curve)" });
  }
}

/** The public key (65-byte SEC1 uncompressed) of a private key. */
export function getCapsulePublicKey(privateKey: CapsulePrivateKey): Uint8Array {
  return p256.getPublicKey(es256PrivateKeyBytes(privateKey), false);
}

/** The public JWK of a public key. */
export function capsulePublicKeyToJwk(publicKey: CapsulePublicKey): CapsulePublicJwk {
  const b = es256PublicKeyBytes(publicKey);
  return { kty: "EC", crv: "P-256", x: bytesToB64url(b.subarray(1, 33)), y: bytesToB64url(b.subarray(33, 65)) };
}

export type GenerateCapsuleKeyPairReturnType = {
  /** The 32-byte P-256 private scalar. */
  privateKey: Uint8Array;
  /** The 65-byte SEC1 uncompressed public key. */
  publicKey: Uint8Array;
};

/** Generates a key pair from the platform CSPRNG (private scalar, uncompressed public key). */
export function generateCapsuleKeyPair(): GenerateCapsuleKeyPairReturnType {
  const { secretKey, publicKey } = p256.keygen();
  return { privateKey: secretKey, publicKey: p256.Point.fromBytes(publicKey).toBytes(false) };
}

export type CreateCapsuleSignerParameters = {
  /** Key identifier for the protected header (label 4); a string is UTF-8 encoded. */
  kid?: Uint8Array | string | undefined;
};

/** A signer over an in-memory private key. */
export function createCapsuleSigner(privateKey: CapsulePrivateKey, options: CreateCapsuleSignerParameters = {}): CapsuleCoseSigner {
  const d = es256PrivateKeyBytes(privateKey);
  return {
    alg: "ES256",
    kid: options.kid,
    sign: (toBeSigned: Uint8Array) => p256.sign(toBeSigned, d, { prehash: true, lowS: true, format: "compact" }),
  };
}

/** Imported public keys, by the key's own encoding (bounded; the oldest entry is dropped first). */
const KEY_OBJECT_CACHE = new Map<string, KeyObject>();
const KEY_OBJECT_CACHE_MAX = 256;

function cacheKeyOf(key: CapsulePublicKey): string | undefined {
  if (key instanceof Uint8Array) return `b:${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("hex")}`;
  if (isJwk(key) && typeof key.x === "string" && typeof key.y === "string" && key.kty === "EC" && key.crv === "P-256") return `j:${key.x}.${key.y}`;
  return undefined;
}

/**
 * The node:crypto `KeyObject` of a public key, validated on the curve by `es256PublicKeyBytes`
 * the first time it is seen, then cached. Throws `CapsuleCoseKeyInvalidError`.
 */
export function es256PublicKeyObject(key: CapsulePublicKey): KeyObject {
  const ck = cacheKeyOf(key);
  const hit = ck === undefined ? undefined : KEY_OBJECT_CACHE.get(ck);
  if (hit !== undefined) return hit;
  const sec1 = es256PublicKeyBytes(key);
  let ko: KeyObject;
  try {
    ko = createPublicKey({ key: { kty: "EC", crv: "P-256", x: bytesToB64url(sec1.subarray(1, 33)), y: bytesToB64url(sec1.subarray(33, 65)) }, format: "jwk" });
  } catch (cause) {
    throw new CapsuleCoseKeyInvalidError({ cause, details: "the public key could not be imported" });
  }
  if (ck !== undefined) {
    if (KEY_OBJECT_CACHE.size >= KEY_OBJECT_CACHE_MAX) KEY_OBJECT_CACHE.delete(KEY_OBJECT_CACHE.keys().next().value as string);
    KEY_OBJECT_CACHE.set(ck, ko);
  }
  return ko;
}

/**
 * Verifies a 64-byte r || s ES256 signature over `data` on node:crypto (IEEE P1363
 * encoding; high-S accepted). Returns false for any malformed input or key.
 */
export function verifyEs256(signature: Uint8Array, data: Uint8Array, publicKey: CapsulePublicKey | KeyObject): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== 64 || !(data instanceof Uint8Array)) return false;
  try {
    const ko = isKeyObject(publicKey) ? publicKey : es256PublicKeyObject(publicKey);
    return nodeVerify("sha256", data, { key: ko, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
}

function isKeyObject(k: unknown): k is KeyObject {
  return typeof k === "object" && k !== null && (k as { type?: unknown }).type === "public" && typeof (k as { export?: unknown }).export === "function" && (k as { asymmetricKeyType?: unknown }).asymmetricKeyType === "ec";
}
