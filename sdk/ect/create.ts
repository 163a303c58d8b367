/**
 * `createEct`: builds and signs an Execution Context Token (ES256 JWS via `jose`).
 *
 * Spec: seed 000, 4.2.1 (header `alg: ES256`, `typ: wimse-exec+jwt`, `kid`) and 4.2.2 (claims).
 * Every claim is validated with the same rules the verifier applies (claims.ts), so a token
 * this function returns passes steps 8-12 for its intended audience; bad input throws the same
 * typed error the verifier would report.
 *
 * Emitted names: `par` and `ext` (the paper's). `pred` and `ect_ext` are accepted as input
 * aliases and emitted as `par` / `ext`.
 */
import { randomUUID, type KeyObject, type webcrypto } from "node:crypto";
import { types } from "node:util";
import { CompactSign, importJWK } from "jose";
import { algorithmOfKey } from "./agent-key.js";
import { ECT_DEFAULT_ALGORITHM, ECT_DEFAULT_LIFETIME_SEC, ECT_TYP } from "./constants.js";
import { checkAud, checkIss, checkNumericDate, checkStructuralClaims, type EctClaims, type EctHeader } from "./claims.js";
import { EctInvalidClaimError, EctInvalidOptionError, EctKeyError, EctVerificationError } from "./errors.js";
import { computeEctHash, type EctHashInput } from "./hash.js";

/** A reusable ES256 signer: the private key is imported once. Create it with `createEctSigner`. */
export type EctSigner = {
  readonly kid: string;
  readonly alg: "ES256";
  /** Signs a serialised payload into a compact JWS with the ECT header. */
  sign(payload: Uint8Array): Promise<string>;
};

export type CreateEctSignerParameters = {
  /** Key id the verifier's key store knows this key by. */
  kid: string;
  /** A P-256 private key: WebCrypto `CryptoKey`, Node `KeyObject`, or private JWK. */
  privateKey: webcrypto.CryptoKey | KeyObject | Record<string, unknown>;
};

/** Imports the private key once and returns a signer. Throws `EctKeyError`. */
export async function createEctSigner(parameters: CreateEctSignerParameters): Promise<EctSigner> {
  if (typeof parameters !== "object" || parameters === null) throw new EctKeyError({ details: "createEctSigner needs { kid, privateKey }" });
  const { kid, privateKey } = parameters;
  if (typeof kid !== "string" || kid.length === 0) throw new EctKeyError({ details: '"kid" must be a non-empty string' });
  let key: webcrypto.CryptoKey;
  try {
    if (types.isCryptoKey(privateKey)) key = privateKey;
    else if (types.isKeyObject(privateKey)) {
      if (privateKey.type !== "private") throw new EctKeyError({ details: `key ${kid}: a private key is required, got a ${privateKey.type} key` });
      if (algorithmOfKey(privateKey, `key ${kid}`) !== "ES256") throw new EctKeyError({ details: `key ${kid}: ES256 needs a P-256 key` });
      // Portable across the Nodes the package declares (KeyObject.toCryptoKey is Node >= 22.10 only):
      // export the JWK and import it as a non-extractable WebCrypto key.
      key = (await importJWK(privateKey.export({ format: "jwk" }) as never, "ES256")) as webcrypto.CryptoKey;
    } else if (typeof privateKey === "object" && privateKey !== null) {
      if (typeof privateKey.d !== "string") throw new EctKeyError({ details: `key ${kid}: the JWK has no private part "d"` });
      if (privateKey.crv !== "P-256") throw new EctKeyError({ details: `key ${kid}: ES256 needs crv P-256, got ${JSON.stringify(privateKey.crv)}` });
      key = (await importJWK(privateKey as never, "ES256")) as webcrypto.CryptoKey;
    } else throw new EctKeyError({ details: `key ${kid}: unsupported private key input` });
  } catch (cause) {
    if (cause instanceof EctKeyError) throw cause;
    throw new EctKeyError({ details: `key ${kid}: ${(cause as Error).message}`, cause });
  }
  if (key.type !== "private") throw new EctKeyError({ details: `key ${kid}: a private key is required, got a ${key.type} key` });
  const algo = key.algorithm as webcrypto.EcKeyAlgorithm;
  if (algo.name !== "ECDSA" || algo.namedCurve !== "P-256") {
    throw new EctKeyError({ details: `key ${kid}: ES256 needs an ECDSA P-256 key, got ${algo.name} ${algo.namedCurve ?? ""}` });
  }
  const header = { alg: ECT_DEFAULT_ALGORITHM, typ: ECT_TYP, kid };
  return {
    kid,
    alg: "ES256",
    sign: (payload) => new CompactSign(payload).setProtectedHeader(header).sign(key),
  };
}

export type CreateEctParameters = {
  /** The signer (preferred: create once, reuse) or the key material to create one from. */
  signer: EctSigner | CreateEctSignerParameters;
  /** The issuing agent's workload identity; must equal the key's subject at the verifier. */
  iss: string;
  /** The receiving agent(s). */
  aud: string | readonly string[];
  /** The action performed. */
  exec_act: string;
  /** Parent task ids; omit or `[]` for a root task. */
  par?: readonly string[] | undefined;
  /** Later-draft alias of `par` (emitted as `par`). */
  pred?: readonly string[] | undefined;
  /** Task id; defaults to a random UUID. */
  jti?: string | undefined;
  /** Workflow id. */
  wid?: string | undefined;
  /** Precomputed `base64url(SHA-256(input))`. Mutually exclusive with `input`. */
  inp_hash?: string | undefined;
  /** Precomputed `base64url(SHA-256(output))`. Mutually exclusive with `output`. */
  out_hash?: string | undefined;
  /** Input data to hash into `inp_hash`. */
  input?: EctHashInput | undefined;
  /** Output data to hash into `out_hash`. */
  output?: EctHashInput | undefined;
  /** Extension object (≤ 4,096 bytes, ≤ 5 levels). */
  ext?: Record<string, unknown> | undefined;
  /** Later-draft alias of `ext` (emitted as `ext`). */
  ect_ext?: Record<string, unknown> | undefined;
  /** Optional `sub` claim. */
  sub?: string | undefined;
  /** Optional `nbf` (seconds). */
  nbf?: number | undefined;
  /** Issued-at (seconds); defaults to the clock. */
  iat?: number | undefined;
  /** Expiry (seconds); defaults to `iat + lifetimeSec`. */
  exp?: number | undefined;
  /** Lifetime when `exp` is omitted (default 900 s, as in the paper's example). */
  lifetimeSec?: number | undefined;
  /** Milliseconds clock (default `Date.now`). */
  clock?: (() => number) | undefined;
};

export type CreateEctReturnType = {
  /** The compact JWS. */
  token: string;
  /** The claims it carries. */
  claims: EctClaims;
  /** Its protected header. */
  header: EctHeader;
};

const encoder = new TextEncoder();

/**
 * Creates and signs an ECT. Throws typed errors for bad input: `EctMissingClaimError`,
 * `EctInvalidClaimError`, `EctMalformedHashError`, `EctExtTooLargeError`, `EctExtTooDeepError`,
 * `EctConflictingClaimsError`, `EctInvalidOptionError`, `EctKeyError`.
 */
export async function createEct(parameters: CreateEctParameters): Promise<CreateEctReturnType> {
  const p = parameters;
  if (typeof p !== "object" || p === null) throw new EctInvalidOptionError({ details: "createEct needs a parameters object" });
  const signer = isSigner(p.signer) ? p.signer : await createEctSigner(p.signer);

  if (p.inp_hash !== undefined && p.input !== undefined) throw new EctInvalidOptionError({ details: 'give either "inp_hash" or "input", not both' });
  if (p.out_hash !== undefined && p.output !== undefined) throw new EctInvalidOptionError({ details: 'give either "out_hash" or "output", not both' });
  if (p.lifetimeSec !== undefined && !(Number.isFinite(p.lifetimeSec) && p.lifetimeSec > 0)) {
    throw new EctInvalidOptionError({ details: '"lifetimeSec" must be a positive number' });
  }

  const nowSec = Math.floor((p.clock ?? Date.now)() / 1000);
  const iat = p.iat ?? nowSec;
  const exp = p.exp ?? (typeof iat === "number" ? iat + (p.lifetimeSec ?? ECT_DEFAULT_LIFETIME_SEC) : undefined);

  // Emission order follows the paper's example payload.
  const payload: Record<string, unknown> = { iss: p.iss, aud: Array.isArray(p.aud) ? [...p.aud] : p.aud, iat, exp };
  if (p.nbf !== undefined) payload.nbf = p.nbf;
  if (p.sub !== undefined) payload.sub = p.sub;
  payload.jti = p.jti ?? randomUUID();
  if (p.wid !== undefined) payload.wid = p.wid;
  payload.exec_act = p.exec_act;
  if (p.par !== undefined) payload.par = Array.isArray(p.par) ? [...p.par] : p.par;
  if (p.pred !== undefined) payload.pred = Array.isArray(p.pred) ? [...p.pred] : p.pred;
  if (p.par === undefined && p.pred === undefined) payload.par = [];
  if (p.inp_hash !== undefined) payload.inp_hash = p.inp_hash;
  else if (p.input !== undefined) payload.inp_hash = computeEctHash(p.input);
  if (p.out_hash !== undefined) payload.out_hash = p.out_hash;
  else if (p.output !== undefined) payload.out_hash = computeEctHash(p.output);
  if (p.ext !== undefined) payload.ext = p.ext;
  if (p.ect_ext !== undefined) payload.ect_ext = p.ect_ext;

  const claims = validateForCreate(payload);
  // Emit one naming: par / ext.
  const out: Record<string, unknown> = { iss: claims.iss, aud: claims.aud, iat: claims.iat, exp: claims.exp };
  if (claims.nbf !== undefined) out.nbf = claims.nbf;
  if (claims.sub !== undefined) out.sub = claims.sub;
  out.jti = claims.jti;
  if (claims.wid !== undefined) out.wid = claims.wid;
  out.exec_act = claims.exec_act;
  out.par = claims.par;
  if (claims.inp_hash !== undefined) out.inp_hash = claims.inp_hash;
  if (claims.out_hash !== undefined) out.out_hash = claims.out_hash;
  if (claims.ext !== undefined) out.ext = claims.ext;

  const token = await signer.sign(encoder.encode(JSON.stringify(out)));
  // Hand back a copy decoupled from the caller's objects.
  const frozen = JSON.parse(JSON.stringify(out)) as EctClaims;
  return { token, claims: frozen, header: { alg: signer.alg, typ: ECT_TYP, kid: signer.kid } };
}

function isSigner(v: unknown): v is EctSigner {
  return typeof v === "object" && v !== null && typeof (v as EctSigner).sign === "function";
}

function fail(e: unknown): never {
  throw e;
}

function validateForCreate(payload: Record<string, unknown>): EctClaims {
  const iss = checkIss(payload);
  if (iss instanceof EctVerificationError) fail(iss);
  const aud = checkAud(payload);
  if (aud instanceof EctVerificationError) fail(aud);
  const exp = checkNumericDate(payload, "exp", 10, true);
  if (exp instanceof EctVerificationError) fail(exp);
  const iat = checkNumericDate(payload, "iat", 11, true);
  if (iat instanceof EctVerificationError) fail(iat);
  const nbf = checkNumericDate(payload, "nbf", 11, false);
  if (nbf instanceof EctVerificationError) fail(nbf);
  if (exp! <= iat!) fail(new EctInvalidClaimError(10, { claim: "exp", details: `"exp" (${exp}) must be after "iat" (${iat})` }));
  if (payload.sub !== undefined && (typeof payload.sub !== "string" || payload.sub.length === 0)) {
    fail(new EctInvalidClaimError(12, { claim: "sub", details: '"sub" must be a non-empty string' }));
  }
  const s = checkStructuralClaims(payload, true);
  if (s instanceof EctVerificationError) fail(s);
  const claims: EctClaims = { iss, aud, iat: iat!, exp: exp!, ...s };
  if (nbf !== undefined) claims.nbf = nbf;
  if (typeof payload.sub === "string") claims.sub = payload.sub;
  return claims;
}
