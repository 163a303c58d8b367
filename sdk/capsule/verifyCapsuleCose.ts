/**
 * Verifying a Capsule Signed Statement (draft-mih-scitt-agent-action-capsule-01 §3.1,
 * §6, §7): substrate verification of the COSE_Sign1 envelope (by reference to RFC 9052)
 * followed by Class 1 verification of the payload.
 *
 * In order, each failure a typed error in `error` (the function never throws):
 *   CBOR well-formed (CAPSULE_COSE_MALFORMED) → Sign1 shape (…_NOT_SIGN1) → protected
 *   header (…_HEADER_INVALID) → alg ES256 (…_UNSUPPORTED_ALG) → CWT claims
 *   (…_CLAIMS_INVALID) → key (…_KEY_UNRESOLVED / …_KEY_INVALID) → signature
 *   (…_BAD_SIGNATURE) → content type (…_CONTENT_TYPE_MISMATCH) → statement type
 *   "agent_action" (…_STATEMENT_TYPE_MISMATCH) → strict JSON payload
 *   (…_PAYLOAD_INVALID) → header/payload agreement: sub (…_SUBJECT_MISMATCH),
 *   iss = developer (…_ISSUER_MISMATCH), capsule_action_type / capsule_decision_id
 *   (…_CLAIM_MISMATCH) → Class 1 (…_PAYLOAD_REJECTED, with the full result in `capsule`).
 *
 * Unrecognised capsule_* header claims are informational `notes` (§9).
 */
import { type CapsuleCoseKeyResolver, openCoseStatement } from "./coseSign1.js";
import { type CapsuleCwtClaims, checkStatementClaims } from "./cwtClaims.js";
import { CapsuleError, CapsuleCosePayloadInvalidError, CapsuleCosePayloadRejectedError, type CapsuleIssue, describeError } from "./errors.js";
import type { CapsulePublicKey } from "./es256.js";
import { isRecord } from "./issues.js";
import { type ParseCapsuleJsonDetailedReturnType, parseCapsuleJsonDetailed } from "./parseCapsuleJson.js";
import { CAPSULE_FINDINGS_PER_CHECK, type VerifyCapsuleParameters, type VerifyCapsuleReturnType, verifyParsedCapsule } from "./verifyCapsule.js";
import { CAPSULE_MEDIA_TYPE } from "./vocabulary.js";

export type VerifyCapsuleCoseParameters = VerifyCapsuleParameters & {
  /** The issuer's public key (SEC1 bytes or JWK); or `resolveKey`. */
  publicKey?: CapsulePublicKey | undefined;
  /** Looks the key up by kid / claims (a key store is a parameter). */
  resolveKey?: CapsuleCoseKeyResolver | undefined;
};

export type VerifyCapsuleCoseReturnType = {
  /** True iff the envelope verifies, the header agrees with the payload and Class 1 passes. */
  ok: boolean;
  /** The first failure, as a typed error (never thrown). */
  error: CapsuleError | undefined;
  /** Decoded protected-header facts (present once the header decoded). */
  header: { alg: number; kid: Uint8Array | undefined; contentType: string; claims: CapsuleCwtClaims } | undefined;
  /** The parsed payload (present once the signature verified and the JSON parsed). */
  payload: unknown;
  /** The Class 1 result of the payload (present once it ran). */
  capsule: VerifyCapsuleReturnType | undefined;
  /** Informational notes (unrecognised capsule_* claims). */
  notes: CapsuleIssue[];
};

/** Header/payload agreement (cwtClaims.ts): sub, iss = developer, capsule_action_type, capsule_decision_id. */
function crossCheck(claims: CapsuleCwtClaims, payload: unknown): CapsuleError | undefined {
  if (!isRecord(payload)) return undefined; // Class 1 reports it
  return checkStatementClaims(claims, {
    operator: payload.operator,
    actionId: payload.action_id,
    issuer: { member: "developer", value: payload.developer },
    actionType: payload.action_type,
    decisionId: payload.decision_id,
  });
}

/** Verifies a Capsule COSE_Sign1 Signed Statement and its payload (Class 1). Never throws. */
export async function verifyCapsuleCose(bytes: Uint8Array, parameters: VerifyCapsuleCoseParameters = {}): Promise<VerifyCapsuleCoseReturnType> {
  const result: VerifyCapsuleCoseReturnType = { ok: false, error: undefined, header: undefined, payload: undefined, capsule: undefined, notes: [] };
  try {
    const opened = await openCoseStatement(bytes, {
      publicKey: parameters.publicKey,
      resolveKey: parameters.resolveKey,
      contentType: CAPSULE_MEDIA_TYPE,
      statementType: "agent_action",
    });
    result.notes = opened.notes;
    if (!opened.ok) {
      result.error = opened.error;
      return result;
    }
    result.header = { alg: -7, kid: opened.kid, contentType: CAPSULE_MEDIA_TYPE, claims: opened.claims };
    let parsed: ParseCapsuleJsonDetailedReturnType;
    try {
      parsed = parseCapsuleJsonDetailed(opened.decoded.payload, { limit: CAPSULE_FINDINGS_PER_CHECK });
    } catch (cause) {
      result.error = new CapsuleCosePayloadInvalidError({ cause, path: cause instanceof CapsuleError ? cause.path : "/2", details: describeError(cause) });
      return result;
    }
    result.payload = parsed.value;
    const mismatch = crossCheck(opened.claims, parsed.value);
    if (mismatch !== undefined) {
      result.error = mismatch;
      return result;
    }
    const capsule = await verifyParsedCapsule(parsed, parameters);
    result.capsule = capsule;
    if (!capsule.ok) {
      const f = capsule.findings.find((x) => x.severity === "error");
      result.error = new CapsuleCosePayloadRejectedError({ path: f?.path, details: f === undefined ? "Class 1 failed" : `check ${f.check} ${f.code}: ${f.message}` });
      return result;
    }
    result.ok = true;
    return result;
  } catch (cause) {
    result.ok = false;
    result.error = new CapsuleCosePayloadRejectedError({ cause, details: "verification failed unexpectedly" });
    return result;
  }
}
