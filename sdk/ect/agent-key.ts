/**
 * Agent keys: the pluggable stand-in for the WIMSE workload identity (WIT) of an agent.
 *
 * Spec: seed 000, Table 5 identity/binding phase: step 4 ("kid references valid public key
 * from agent's WIT"), step 6 ("signing key not revoked"), step 7 ("alg matches WIT
 * algorithm"), step 8 ("iss matches WIT sub claim"). An `AgentKey` carries exactly those four
 * facts: the public key, the WIT algorithm, the WIT subject and a revoked flag. Any source of
 * them (a WIT cache, a registry, a JWKS) implements `AgentKeyStore`.
 *
 * Keys are imported once into Node `KeyObject`s and cached by the stores; `exportRecords()`
 * gives plain JSON records (public JWKs) that can cross to worker threads.
 */
import { createPublicKey, KeyObject, type webcrypto } from "node:crypto";
import { types } from "node:util";
import { ECT_SUPPORTED_ALGORITHMS, type EctAlgorithm } from "./constants.js";
import { EctKeyError } from "./errors.js";

/** A resolved agent key as the verifier sees it. */
export type AgentKey = {
  kid: string;
  /** The algorithm bound to the key by the agent's identity (the WIT's), e.g. `"ES256"` (step 7). */
  alg: string;
  /** The workload identity the key belongs to (the WIT's `sub`); must equal the ECT `iss` (step 8). */
  subject: string;
  /** Whether the key is revoked (step 6). */
  revoked: boolean;
  /** The public key, imported once. */
  publicKey: KeyObject;
};

/** A public EC JWK as exported by the stores (`kty`, `crv`, `x`, `y`, plus `kid`/`alg`). */
export type EcPublicJwk = {
  kty: "EC";
  crv: string;
  x: string;
  y: string;
  kid?: string;
  alg?: string;
  [member: string]: unknown;
};

/** The plain-data form of an `AgentKey` (JSON-safe, transferable to worker threads). */
export type AgentKeyRecord = {
  kid: string;
  alg: EctAlgorithm;
  subject: string;
  revoked: boolean;
  jwk: EcPublicJwk;
};

/** Ways to supply a public key: a JWK object, a Node `KeyObject`, a WebCrypto `CryptoKey`, or PEM text. */
export type AgentPublicKeyInput = KeyObject | webcrypto.CryptoKey | Record<string, unknown> | string;

/** What `MemoryAgentKeyStore.add` takes. A private key is accepted and reduced to its public half. */
export type AgentKeyInput = {
  kid: string;
  subject: string;
  /** Defaults to the algorithm of the key's curve (P-256 → ES256). */
  alg?: EctAlgorithm | undefined;
  revoked?: boolean | undefined;
  publicKey: AgentPublicKeyInput;
};

/** Source of agent keys for verification steps 4, 6, 7 and 8. */
export interface AgentKeyStore {
  /** Resolves `kid` to the agent key, or `undefined` when unknown. May be sync or async. */
  getKey(kid: string): AgentKey | undefined | Promise<AgentKey | undefined>;
  /** All keys as plain records (for worker threads). */
  exportRecords(): readonly AgentKeyRecord[] | Promise<readonly AgentKeyRecord[]>;
  /**
   * Optional change counter: a value that changes whenever a key is added, replaced, revoked
   * or removed. An `EctVerifierPool` re-sends the keys to its workers when it moved (tokens the
   * workers accept are re-checked against `getKey` regardless).
   */
  readonly revision?: number | undefined;
}

const CURVE_TO_ALG: Record<string, EctAlgorithm> = { prime256v1: "ES256", secp384r1: "ES384", secp521r1: "ES512" };
const ALG_TO_JWK_CRV: Record<EctAlgorithm, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

export function isSupportedAlgorithm(alg: unknown): alg is EctAlgorithm {
  return typeof alg === "string" && (ECT_SUPPORTED_ALGORITHMS as readonly string[]).includes(alg);
}

/** Imports any supported key form into a public EC `KeyObject`. Throws `EctKeyError`. */
export function toPublicKeyObject(input: AgentPublicKeyInput, label = "key"): KeyObject {
  let ko: KeyObject;
  try {
    if (input instanceof KeyObject) ko = input.type === "public" ? input : createPublicKey(input);
    else if (typeof input === "string") ko = createPublicKey(input);
    else if (types.isCryptoKey(input)) {
      const k = KeyObject.from(input);
      ko = k.type === "public" ? k : createPublicKey(k);
    } else if (typeof input === "object" && input !== null) {
      if (input.kty !== "EC") throw new EctKeyError({ details: `${label}: JWK "kty" must be "EC", got ${JSON.stringify(input.kty)}` });
      ko = createPublicKey({ key: input as never, format: "jwk" });
    } else throw new EctKeyError({ details: `${label}: unsupported key input of type ${typeof input}` });
  } catch (cause) {
    if (cause instanceof EctKeyError) throw cause;
    throw new EctKeyError({ details: `${label}: ${(cause as Error).message}`, cause });
  }
  if (ko.type === "secret") throw new EctKeyError({ details: `${label}: a secret key cannot verify ECDSA signatures` });
  if (ko.asymmetricKeyType !== "ec") {
    throw new EctKeyError({ details: `${label}: expected an EC key, got ${ko.asymmetricKeyType ?? "unknown"}` });
  }
  return ko;
}

/** The ECT algorithm a key's curve implies (`P-256` → `ES256`). Throws `EctKeyError` for other curves. */
export function algorithmOfKey(key: KeyObject, label = "key"): EctAlgorithm {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const alg = curve ? CURVE_TO_ALG[curve] : undefined;
  if (!alg) throw new EctKeyError({ details: `${label}: unsupported curve ${curve ?? "unknown"} (use P-256, P-384 or P-521)` });
  return alg;
}

/** Builds a validated `AgentKey` plus its record. Throws `EctKeyError`. */
export function importAgentKey(input: AgentKeyInput): { key: AgentKey; record: AgentKeyRecord } {
  if (typeof input !== "object" || input === null) throw new EctKeyError({ details: "agent key input must be an object" });
  if (typeof input.kid !== "string" || input.kid.length === 0) throw new EctKeyError({ details: '"kid" must be a non-empty string' });
  if (typeof input.subject !== "string" || input.subject.length === 0) {
    throw new EctKeyError({ details: `key ${input.kid}: "subject" must be a non-empty string (the WIT sub)` });
  }
  const publicKey = toPublicKeyObject(input.publicKey, `key ${input.kid}`);
  const curveAlg = algorithmOfKey(publicKey, `key ${input.kid}`);
  const alg = input.alg ?? curveAlg;
  if (!isSupportedAlgorithm(alg)) throw new EctKeyError({ details: `key ${input.kid}: unsupported alg ${JSON.stringify(alg)}` });
  if (alg !== curveAlg) {
    throw new EctKeyError({ details: `key ${input.kid}: alg ${alg} needs curve ${ALG_TO_JWK_CRV[alg]}, the key is ${ALG_TO_JWK_CRV[curveAlg]}` });
  }
  const revoked = input.revoked === true;
  const jwk = publicKey.export({ format: "jwk" }) as EcPublicJwk;
  const record: AgentKeyRecord = { kid: input.kid, alg, subject: input.subject, revoked, jwk: { ...jwk, kid: input.kid, alg } };
  return { key: { kid: input.kid, alg, subject: input.subject, revoked, publicKey }, record };
}
