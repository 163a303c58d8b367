/**
 * COSE_Sign1 (RFC 9052 §4.2) for SCITT Signed Statements of this profile
 * (draft-mih-scitt-agent-action-capsule-01 §3.1), with `cbor-x` for CBOR:
 *
 *   COSE_Sign1 = #6.18([ protected: bstr .cbor header_map, unprotected: header_map,
 *                        payload: bstr, signature: bstr ])
 *   ToBeSigned = CBOR([ "Signature1", protected, external_aad = h'', payload ])
 *
 * The protected header carries alg (1) = ES256 (-7), content_type (3), kid (4) when
 * known, and the CWT Claims (15). Its map is written in deterministic order
 * (RFC 8949 §4.2.1: integer labels ascending, text labels by encoded bytes).
 *
 * `openCoseStatement` is the shared verification core: one well-formed CBOR item,
 * no duplicate map key anywhere (cborValidity.ts), the Sign1 shape, a protected header
 * in deterministic encoding (definite lengths) without duplicate labels or claim keys
 * at any depth, without unknown critical parameters or labels repeated in the
 * unprotected header, alg ES256, a resolved key, a valid signature, the expected
 * content type, well-formed CWT claims. Each failure is a typed error, returned
 * (never thrown): anything unexpected thrown underneath is wrapped, with its cause.
 */
import type { KeyObject } from "node:crypto";
import { Decoder, Encoder, Tag } from "cbor-x";
import { findCborValidityProblem } from "./cborValidity.js";
import {
  CapsuleError,
  CapsuleCoseBadSignatureError,
  CapsuleCoseClaimsInvalidError,
  CapsuleCoseContentTypeMismatchError,
  CapsuleCoseHeaderInvalidError,
  CapsuleCoseKeyInvalidError,
  CapsuleCoseKeyUnresolvedError,
  CapsuleCoseMalformedError,
  CapsuleCoseNotSign1Error,
  CapsuleCoseSignerFailedError,
  CapsuleCoseStatementTypeMismatchError,
  CapsuleCoseUnsupportedAlgError,
  type CapsuleIssue,
  describeError,
} from "./errors.js";
import {
  COSE_HEADER_ALG,
  COSE_HEADER_CONTENT_TYPE,
  COSE_HEADER_CRIT,
  COSE_HEADER_CWT_CLAIMS,
  COSE_HEADER_KID,
  CWT_CLAIM_IAT,
  CWT_CLAIM_ISS,
  CWT_CLAIM_SUB,
  type CapsuleCwtClaims,
  toCwtNumericDate,
} from "./cwtClaims.js";
import { CAPSULE_COSE_ALG_ES256, type CapsuleCoseSigner, type CapsulePublicKey, es256PublicKeyObject, verifyEs256 } from "./es256.js";
import { issue } from "./issues.js";
import { CAPSULE_CWT_CLAIM_NAMES } from "./vocabulary.js";

/** CBOR tag of COSE_Sign1. */
export const COSE_SIGN1_TAG = 18;

const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true } as ConstructorParameters<typeof Encoder>[0]);
const decoder = new Decoder({ useRecords: false, mapsAsObjects: false } as ConstructorParameters<typeof Decoder>[0]);
const EMPTY = new Uint8Array(0);

function cborEncode(v: unknown): Uint8Array {
  const b = encoder.encode(v);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function cborDecode(bytes: Uint8Array): unknown {
  return decoder.decode(bytes);
}

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

/** Deterministic order of map keys (RFC 8949 §4.2.1): by the bytes of their encoding. */
function deterministicMap(entries: [string | number, unknown][]): Map<string | number, unknown> {
  const keyed = entries.map(([k, v]) => ({ k, v, enc: cborEncode(k) }));
  keyed.sort((a, b) => {
    const n = Math.min(a.enc.length, b.enc.length);
    for (let i = 0; i < n; i++) if (a.enc[i] !== b.enc[i]) return (a.enc[i] as number) - (b.enc[i] as number);
    return a.enc.length - b.enc.length;
  });
  return new Map(keyed.map(({ k, v }) => [k, v]));
}

/** The ToBeSigned bytes of a COSE_Sign1 (RFC 9052 §4.4) with empty external AAD. */
export function coseSign1ToBeSigned(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return cborEncode(["Signature1", protectedBytes, EMPTY, payload]);
}

export type SignCoseStatementParameters = {
  payload: Uint8Array;
  contentType: string;
  /** `issuedAt` becomes the CWT iat (a Date, or seconds since the epoch). */
  claims: { iss: string; sub: string; issuedAt?: Date | number | undefined; capsule: [string, string][] };
  signer: CapsuleCoseSigner;
  /** Emit the COSE_Sign1 tag (18); default true. */
  tagged?: boolean | undefined;
  /** Unprotected header entries (e.g. receipts registered later); default empty. */
  unprotectedHeader?: Map<string | number, unknown> | undefined;
};

/** Builds and signs a COSE_Sign1 Signed Statement. Throws typed errors (signer failure, bad kid). */
export async function signCoseStatement(p: SignCoseStatementParameters): Promise<Uint8Array> {
  if (p.signer.alg !== "ES256") throw new CapsuleCoseSignerFailedError({ details: `signer alg ${String(p.signer.alg)}; this profile implementation signs ES256` });
  const claimEntries: [string | number, unknown][] = [
    [CWT_CLAIM_ISS, p.claims.iss],
    [CWT_CLAIM_SUB, p.claims.sub],
  ];
  if (p.claims.issuedAt !== undefined) claimEntries.push([CWT_CLAIM_IAT, toCwtNumericDate(p.claims.issuedAt)]);
  for (const [k, v] of p.claims.capsule) claimEntries.push([k, v]);
  const headerEntries: [string | number, unknown][] = [
    [COSE_HEADER_ALG, CAPSULE_COSE_ALG_ES256],
    [COSE_HEADER_CONTENT_TYPE, p.contentType],
    [COSE_HEADER_CWT_CLAIMS, deterministicMap(claimEntries)],
  ];
  const kid = p.signer.kid;
  if (kid !== undefined) headerEntries.push([COSE_HEADER_KID, typeof kid === "string" ? new TextEncoder().encode(kid) : kid]);
  const protectedBytes = cborEncode(deterministicMap(headerEntries));
  const tbs = coseSign1ToBeSigned(protectedBytes, p.payload);
  let signature: unknown;
  try {
    signature = await p.signer.sign(tbs);
  } catch (cause) {
    throw new CapsuleCoseSignerFailedError({ cause, details: "the signer threw" });
  }
  if (!isBytes(signature) || signature.length !== 64) {
    throw new CapsuleCoseSignerFailedError({ details: "an ES256 COSE signature is 64 bytes (r || s)" });
  }
  const structure = [protectedBytes, p.unprotectedHeader ?? new Map(), p.payload, signature];
  return cborEncode((p.tagged ?? true) ? new Tag(structure, COSE_SIGN1_TAG) : structure);
}

/** A decoded COSE_Sign1. */
export type DecodedCapsuleCoseSign1 = {
  tagged: boolean;
  protectedBytes: Uint8Array;
  protectedHeader: ReadonlyMap<unknown, unknown>;
  unprotectedHeader: ReadonlyMap<unknown, unknown>;
  payload: Uint8Array;
  signature: Uint8Array;
};

/**
 * Decodes COSE_Sign1 bytes without verifying anything cryptographic. Throws
 * `CapsuleCoseMalformedError` (not one well-formed CBOR item: truncated, trailing
 * bytes) or `CapsuleCoseNotSign1Error` / `CapsuleCoseHeaderInvalidError`.
 */
export function decodeCapsuleCoseSign1(bytes: Uint8Array): DecodedCapsuleCoseSign1 {
  try {
    return decodeSign1(bytes);
  } catch (cause) {
    if (cause instanceof CapsuleError) throw cause;
    throw new CapsuleCoseMalformedError({ cause, details: `the input could not be decoded: ${describeError(cause)}` });
  }
}

function decodeSign1(bytes: Uint8Array): DecodedCapsuleCoseSign1 {
  if (!isBytes(bytes)) throw new CapsuleCoseMalformedError({ details: "COSE_Sign1 input must be bytes" });
  let top: unknown;
  try {
    top = cborDecode(bytes);
  } catch (cause) {
    throw new CapsuleCoseMalformedError({ cause, details: `not one well-formed CBOR item: ${describeError(cause)}` });
  }
  // RFC 8949 §5.6 / RFC 9052 §3: the decoder keeps the last of equal map keys, so look at the bytes
  const invalid = findCborValidityProblem(bytes, { deterministic: false });
  if (invalid !== undefined) throw new CapsuleCoseHeaderInvalidError({ path: invalid.path, details: invalid.message });
  let tagged = false;
  if (top instanceof Tag) {
    if (top.tag !== COSE_SIGN1_TAG) throw new CapsuleCoseNotSign1Error({ details: `CBOR tag ${String(top.tag)}, expected ${COSE_SIGN1_TAG} (COSE_Sign1)` });
    tagged = true;
    top = top.value;
  }
  if (!Array.isArray(top) || top.length !== 4) throw new CapsuleCoseNotSign1Error({ details: "COSE_Sign1 is an array of four elements" });
  const [protectedBytes, unprotected, payload, signature] = top as [unknown, unknown, unknown, unknown];
  if (!isBytes(protectedBytes)) throw new CapsuleCoseNotSign1Error({ path: "/0", details: "the protected header is a byte string" });
  if (!(unprotected instanceof Map)) throw new CapsuleCoseNotSign1Error({ path: "/1", details: "the unprotected header is a map" });
  if (payload === null || payload === undefined) throw new CapsuleCoseNotSign1Error({ path: "/2", details: "detached payloads are not supported: a Capsule statement carries its payload" });
  if (!isBytes(payload)) throw new CapsuleCoseNotSign1Error({ path: "/2", details: "the payload is a byte string" });
  if (!isBytes(signature)) throw new CapsuleCoseNotSign1Error({ path: "/3", details: "the signature is a byte string" });
  let protectedHeader: unknown = new Map();
  if (protectedBytes.length > 0) {
    try {
      protectedHeader = cborDecode(protectedBytes);
    } catch (cause) {
      throw new CapsuleCoseMalformedError({ cause, path: "/0", details: "the protected header is not one well-formed CBOR item" });
    }
    // signed bytes every verifier must read alike: deterministic lengths, unique labels and claim keys at every depth
    const headerProblem = findCborValidityProblem(protectedBytes, { deterministic: true, basePath: "/0" });
    if (headerProblem !== undefined) throw new CapsuleCoseHeaderInvalidError({ path: headerProblem.path, details: `protected header: ${headerProblem.message}` });
  }
  if (!(protectedHeader instanceof Map)) throw new CapsuleCoseHeaderInvalidError({ path: "/0", details: "the protected header is not a CBOR map" });
  return { tagged, protectedBytes, protectedHeader, unprotectedHeader: unprotected, payload, signature };
}

/** Resolves the verification key of a statement (a key store is a parameter). */
export type CapsuleCoseKeyResolver = (context: {
  kid: Uint8Array | undefined;
  claims: CapsuleCwtClaims;
}) => CapsulePublicKey | undefined | Promise<CapsulePublicKey | undefined>;

export type OpenCoseStatementParameters = {
  /** The issuer's public key; or use `resolveKey`. */
  publicKey?: CapsulePublicKey | undefined;
  resolveKey?: CapsuleCoseKeyResolver | undefined;
  contentType: string;
  statementType: string;
};

export type OpenCoseStatementReturnType =
  | {
      ok: true;
      decoded: DecodedCapsuleCoseSign1;
      kid: Uint8Array | undefined;
      claims: CapsuleCwtClaims;
      /** Informational notes (unrecognised capsule_* claims). */
      notes: CapsuleIssue[];
    }
  | { ok: false; error: CapsuleError; decoded?: DecodedCapsuleCoseSign1 | undefined; claims?: CapsuleCwtClaims | undefined; notes: CapsuleIssue[] };

function readClaims(header: ReadonlyMap<unknown, unknown>): { claims?: CapsuleCwtClaims; error?: CapsuleError; notes: CapsuleIssue[] } {
  const raw = header.get(COSE_HEADER_CWT_CLAIMS);
  if (raw === undefined) return { error: new CapsuleCoseClaimsInvalidError({ path: "/0/15", details: "the protected header carries no CWT Claims (label 15)" }), notes: [] };
  if (!(raw instanceof Map)) return { error: new CapsuleCoseClaimsInvalidError({ path: "/0/15", details: "CWT Claims (label 15) is not a map" }), notes: [] };
  const iss = raw.get(CWT_CLAIM_ISS);
  const sub = raw.get(CWT_CLAIM_SUB);
  const type = raw.get("capsule_statement_type");
  if (typeof iss !== "string" || iss === "") return { error: new CapsuleCoseClaimsInvalidError({ path: "/0/15/1", details: "iss (1) is required and is a text string" }), notes: [] };
  if (typeof sub !== "string" || sub === "") return { error: new CapsuleCoseClaimsInvalidError({ path: "/0/15/2", details: "sub (2) is required and is a text string" }), notes: [] };
  if (typeof type !== "string") return { error: new CapsuleCoseClaimsInvalidError({ path: "/0/15/capsule_statement_type", details: "capsule_statement_type is required and is a text string" }), notes: [] };
  const iat = raw.get(CWT_CLAIM_IAT);
  if (iat !== undefined && (typeof iat !== "number" || !Number.isSafeInteger(iat))) return { error: new CapsuleCoseClaimsInvalidError({ path: "/0/15/6", details: "iat (6) is an integer NumericDate" }), notes: [] };
  const action = raw.get("capsule_action_type");
  if (action !== undefined && typeof action !== "string") return { error: new CapsuleCoseClaimsInvalidError({ path: "/0/15/capsule_action_type", details: "capsule_action_type is a text string" }), notes: [] };
  const decision = raw.get("capsule_decision_id");
  if (decision !== undefined && typeof decision !== "string") return { error: new CapsuleCoseClaimsInvalidError({ path: "/0/15/capsule_decision_id", details: "capsule_decision_id is a text string" }), notes: [] };
  const other = new Map<string | number, unknown>();
  const notes: CapsuleIssue[] = [];
  for (const [k, v] of raw) {
    if (k === CWT_CLAIM_ISS || k === CWT_CLAIM_SUB || k === CWT_CLAIM_IAT || (typeof k === "string" && (CAPSULE_CWT_CLAIM_NAMES as readonly string[]).includes(k))) continue;
    other.set(typeof k === "number" ? k : String(k), v);
    if (typeof k === "string" && k.startsWith("capsule_")) {
      notes.push(issue("CAPSULE_COSE_UNKNOWN_CAPSULE_CLAIM", "info", `/0/15/${k}`, `unrecognised header claim ${JSON.stringify(k)}: verified and reported, not rejected (§9)`));
    }
  }
  return {
    claims: {
      iss,
      sub,
      iat: iat as number | undefined,
      capsule_statement_type: type,
      capsule_action_type: action as string | undefined,
      capsule_decision_id: decision as string | undefined,
      other,
    },
    notes,
  };
}

/** Shared verification core of Capsule and outcome statements. Never throws. */
export async function openCoseStatement(bytes: Uint8Array, p: OpenCoseStatementParameters): Promise<OpenCoseStatementReturnType> {
  let decoded: DecodedCapsuleCoseSign1;
  try {
    decoded = decodeCapsuleCoseSign1(bytes);
  } catch (e) {
    // decodeCapsuleCoseSign1 throws CapsuleErrors only; anything else is wrapped, never passed through
    return { ok: false, error: e instanceof CapsuleError ? e : new CapsuleCoseMalformedError({ cause: e, details: describeError(e) }), notes: [] };
  }
  const h = decoded.protectedHeader;
  // RFC 9052 §3: a label MUST NOT appear in both buckets; unknown critical parameters are fatal
  for (const k of decoded.unprotectedHeader.keys()) {
    if (h.has(k)) return { ok: false, error: new CapsuleCoseHeaderInvalidError({ path: "/1", details: `header label ${String(k)} appears in both the protected and unprotected headers` }), decoded, notes: [] };
  }
  const crit = h.get(COSE_HEADER_CRIT);
  if (crit !== undefined) {
    const understood = new Set<unknown>([COSE_HEADER_ALG, COSE_HEADER_CONTENT_TYPE, COSE_HEADER_KID, COSE_HEADER_CWT_CLAIMS]);
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((c) => !understood.has(c))) {
      return { ok: false, error: new CapsuleCoseHeaderInvalidError({ path: "/0/2", details: "crit lists header parameters this verifier does not understand" }), decoded, notes: [] };
    }
  }
  const alg = h.get(COSE_HEADER_ALG);
  if (alg !== CAPSULE_COSE_ALG_ES256) {
    return {
      ok: false,
      error: new CapsuleCoseUnsupportedAlgError({ path: "/0/1", details: alg === undefined ? "the protected header carries no alg (1)" : `alg ${String(alg)}; this verifier accepts ES256 (-7) only` }),
      decoded,
      notes: [],
    };
  }
  const kidRaw = h.get(COSE_HEADER_KID);
  if (kidRaw !== undefined && !isBytes(kidRaw)) return { ok: false, error: new CapsuleCoseHeaderInvalidError({ path: "/0/4", details: "kid (4) is a byte string" }), decoded, notes: [] };
  const kid = kidRaw as Uint8Array | undefined;
  const { claims, error: claimsError, notes } = readClaims(h);
  if (claims === undefined) return { ok: false, error: claimsError ?? new CapsuleCoseClaimsInvalidError({ path: "/0/15", details: "the CWT Claims could not be read" }), decoded, notes };

  // key and signature
  let key: CapsulePublicKey | undefined = p.publicKey;
  if (key === undefined && p.resolveKey !== undefined) {
    try {
      key = await p.resolveKey({ kid, claims });
    } catch (cause) {
      return { ok: false, error: new CapsuleCoseKeyUnresolvedError({ cause, details: "the key resolver threw" }), decoded, claims, notes };
    }
  }
  if (key === undefined) return { ok: false, error: new CapsuleCoseKeyUnresolvedError({ details: "no public key given and none resolved for this kid / issuer" }), decoded, claims, notes };
  let publicKey: KeyObject;
  try {
    publicKey = es256PublicKeyObject(key);
  } catch (e) {
    return { ok: false, error: e instanceof CapsuleCoseKeyInvalidError ? e : new CapsuleCoseKeyInvalidError({ cause: e }), decoded, claims, notes };
  }
  const tbs = coseSign1ToBeSigned(decoded.protectedBytes, decoded.payload);
  if (!verifyEs256(decoded.signature, tbs, publicKey)) {
    return {
      ok: false,
      error: new CapsuleCoseBadSignatureError({ path: "/3", details: decoded.signature.length !== 64 ? `signature is ${decoded.signature.length} bytes, ES256 needs 64` : "the signature does not verify under this key: the statement was altered or signed by another key" }),
      decoded,
      claims,
      notes,
    };
  }

  // signed content: content type and statement type
  const ct = h.get(COSE_HEADER_CONTENT_TYPE);
  if (ct !== p.contentType) {
    return { ok: false, error: new CapsuleCoseContentTypeMismatchError({ path: "/0/3", details: `content type ${JSON.stringify(ct) ?? String(ct)}, expected ${p.contentType}` }), decoded, claims, notes };
  }
  if (claims.capsule_statement_type !== p.statementType) {
    return {
      ok: false,
      error: new CapsuleCoseStatementTypeMismatchError({ path: "/0/15/capsule_statement_type", details: `capsule_statement_type ${JSON.stringify(claims.capsule_statement_type)}, expected ${JSON.stringify(p.statementType)}` }),
      decoded,
      claims,
      notes,
    };
  }
  return { ok: true, decoded, kid, claims, notes };
}
