/**
 * JWS Compact Serialization: parsing (verification step 1) and the ECDSA signature check
 * (step 5), per RFC 7515 3.1, 5.2 and RFC 7518 3.4.
 *
 * Spec: seed 000, Table 5 step 1 ("Parse JWS Compact Serialization (header.payload.signature)")
 * and step 5 ("Verify JWS signature per RFC 7515"). Signing is done by `jose` (see create.ts);
 * verification calls Node's `crypto.verify` on a cached `KeyObject` directly, which is the same
 * OpenSSL primitive `jose` reaches, without re-parsing the token a second time.
 */
import { verify as cryptoVerify, type KeyObject } from "node:crypto";
import { ECT_MAX_TOKEN_LENGTH, type EctAlgorithm } from "./constants.js";
import { FORBIDDEN_MEMBER, hasOwnMember, isPlainObject } from "./claims.js";
import { EctForbiddenMemberError, EctMalformedError, EctUnsupportedCritError, type EctVerificationError } from "./errors.js";

/** A parsed (not yet verified) compact JWS. */
export type ParsedJws = {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `BASE64URL(header) "." BASE64URL(payload)`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
};

const B64URL_RE = /^[A-Za-z0-9_-]*$/;
/** Last characters whose unused low bits are zero, by segment length mod 4 (2 or 3). */
const CANONICAL_LAST: Record<number, string> = { 2: "AQgw", 3: "AEIMQUYcgkosw048" };

/**
 * base64url without padding, in canonical form: the unused low bits of the last character
 * must be zero, so one byte string has exactly one encoding (no two spellings of one token).
 */
function isCanonicalB64url(s: string): boolean {
  const r = s.length % 4;
  if (r === 1 || !B64URL_RE.test(s)) return false;
  return r === 0 || CANONICAL_LAST[r]!.includes(s[s.length - 1]!);
}
const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeJsonObject(segment: string, what: "header" | "payload"): Record<string, unknown> | EctVerificationError {
  if (segment.length === 0) return new EctMalformedError({ details: `the ${what} segment is empty` });
  if (!isCanonicalB64url(segment)) {
    return new EctMalformedError({ details: `the ${what} segment is not canonical base64url` });
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(Buffer.from(segment, "base64url")));
  } catch (cause) {
    return new EctMalformedError({ details: `the ${what} is not UTF-8 JSON: ${(cause as Error).message}`, cause });
  }
  if (!isPlainObject(value)) return new EctMalformedError({ details: `the ${what} is not a JSON object` });
  return value;
}

/**
 * Step 1: splits and decodes a compact JWS. Accepts any input (non-strings fail with
 * `EctMalformedError`); never throws.
 */
export function parseCompactJws(token: unknown): ParsedJws | EctVerificationError {
  if (typeof token !== "string") return new EctMalformedError({ details: `expected a string, got ${token === null ? "null" : typeof token}` });
  if (token.length > ECT_MAX_TOKEN_LENGTH) {
    return new EctMalformedError({ details: `token is ${token.length} characters (max ${ECT_MAX_TOKEN_LENGTH})` });
  }
  const d1 = token.indexOf(".");
  const d2 = d1 < 0 ? -1 : token.indexOf(".", d1 + 1);
  if (d1 < 0 || d2 < 0 || token.indexOf(".", d2 + 1) >= 0) {
    return new EctMalformedError({ details: "expected exactly three dot-separated segments" });
  }
  const header = decodeJsonObject(token.slice(0, d1), "header");
  if (!isPlainObject(header)) return header;
  if (hasOwnMember(header, FORBIDDEN_MEMBER)) return new EctForbiddenMemberError(1, { details: 'the header has a member named "__proto__"' });
  if (header.crit !== undefined) {
    return new EctUnsupportedCritError({ details: `"crit" lists ${clip(JSON.stringify(header.crit) ?? "")}; no extensions are supported` });
  }
  const payload = decodeJsonObject(token.slice(d1 + 1, d2), "payload");
  if (!isPlainObject(payload)) return payload;
  const sig = token.slice(d2 + 1);
  if (!isCanonicalB64url(sig)) return new EctMalformedError({ details: "the signature segment is not canonical base64url" });
  return { header, payload, signingInput: token.slice(0, d2), signature: Buffer.from(sig, "base64url") };
}

/** JSON text (already escaped) cut to 80 characters. */
function clip(json: string): string {
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

const HASH_OF: Record<EctAlgorithm, string> = { ES256: "sha256", ES384: "sha384", ES512: "sha512" };

/**
 * Step 5: verifies a JWS ECDSA signature (raw `r || s`, RFC 7518 3.4) with the hash the header
 * `alg` names, over the key as it is. Whether that `alg` is the one bound to the key is step 7's
 * question, asked afterwards as the paper orders it. Never throws.
 */
export function verifyJwsSignature(alg: EctAlgorithm, key: KeyObject, signingInput: string, signature: Uint8Array): boolean {
  // Verification is a pure function of (key, alg, signing input, signature): answers are memoised per key object
  // (the stores cache one KeyObject per key, so a re-verification — an audit, verifyTask run again — costs a lookup).
  let memo = SIGNATURE_MEMO.get(key);
  if (memo && memo.generation !== memoGeneration) memo = undefined;
  const id = `${alg}.${signingInput}.${Buffer.from(signature).toString("base64url")}`;
  const known = memo?.answers.get(id);
  if (known !== undefined) return known;
  let ok: boolean;
  try {
    ok = cryptoVerify(HASH_OF[alg], Buffer.from(signingInput, "latin1"), { key, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    ok = false;
  }
  if (!memo) SIGNATURE_MEMO.set(key, (memo = { generation: memoGeneration, answers: new Map() }));
  if (memo.answers.size >= SIGNATURE_MEMO_PER_KEY) memo.answers.delete(memo.answers.keys().next().value as string);
  memo.answers.set(id, ok);
  return ok;
}

const SIGNATURE_MEMO = new WeakMap<KeyObject, { generation: number; answers: Map<string, boolean> }>();
const SIGNATURE_MEMO_PER_KEY = 4096;
let memoGeneration = 0;
/** Forgets every memoised signature verification (for benchmarks measuring a first verification). Internal. */
export function clearJwsSignatureMemo(): void {
  memoGeneration++;
}

/** What `decodeEctUnverified` returns: the decoded parts, or the step-1 error. */
export type DecodeEctUnverifiedReturnType = { header: Record<string, unknown>; payload: Record<string, unknown> } | EctVerificationError;

/** Decodes an ECT's header and payload WITHOUT verifying anything but the shape (for ledgers and tooling). Never throws. */
export function decodeEctUnverified(token: unknown): DecodeEctUnverifiedReturnType {
  const parsed = parseCompactJws(token);
  if (parsed instanceof Error) return parsed;
  return { header: parsed.header, payload: parsed.payload };
}
