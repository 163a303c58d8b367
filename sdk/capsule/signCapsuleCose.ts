/**
 * Signing a Capsule as a SCITT Signed Statement (draft-mih-scitt-agent-action-capsule-01
 * §3.1): COSE_Sign1 over the Capsule's JSON, content type
 * `application/agent-action-capsule+json`, CWT claims iss = developer,
 * sub = urn:agent-action-capsule:OPERATOR:ACTION_ID (the emitted form: `capsuleSubject`,
 * cwtClaims.ts), capsule_statement_type
 * "agent_action", and the RECOMMENDED capsule_action_type / capsule_decision_id.
 *
 * A conforming producer cannot sign a non-conforming Capsule: the Capsule is
 * Class 1 verified first (without a store), then held to the producer invariants
 * `buildCapsule` enforces (seed 004 §6: a dishonest disposition — `human_disposed: true`
 * with a non-human approver — "cannot be formed or signed at all"; also an empty reason
 * digest, selective-disclosure structures, unknown registry values, bare unseeded names),
 * and refused with `CapsuleCosePayloadRejectedError` if anything fails; its `cause` is the
 * typed error of the broken invariant (e.g. `CapsuleDispositionDishonestError`) and its
 * `path` where. What is signed is what was
 * verified: the payload bytes and the header claims come from the verifier's
 * read-once snapshot — the RFC 8785 canonical JSON of the whole, absent-field
 * normalized Capsule (chain block and capsule_id included — the chain is signed even
 * though it is outside the content address).
 */
import canonicalize from "canonicalize";
import { signCoseStatement } from "./coseSign1.js";
import { capsuleSubject } from "./cwtClaims.js";
import { producerRefusals } from "./buildCapsule.js";
import { CapsuleCosePayloadRejectedError, CapsuleCoseSignerFailedError, capsuleErrorFromIssue } from "./errors.js";
import type { CapsuleCoseSigner } from "./es256.js";
import type { Capsule } from "./types.js";
import { type VerifyCapsuleSyncParameters, verifyCapsuleKeepingSnapshot } from "./verifyCapsule.js";
import { CAPSULE_MEDIA_TYPE, type CapsuleRegistryAdditions } from "./vocabulary.js";

/** The registry additions of the pre-signing check (read once, never throws). */
function readRegistries(v: VerifyCapsuleSyncParameters | undefined): CapsuleRegistryAdditions | undefined {
  try {
    const r = typeof v === "object" && v !== null ? v.registries : undefined;
    return typeof r === "object" && r !== null ? r : undefined;
  } catch {
    return undefined;
  }
}

export type SignCapsuleCoseParameters = {
  signer: CapsuleCoseSigner;
  /** CWT iat (seconds since the epoch); the clock is a parameter, so it is only set when given. */
  issuedAt?: Date | number | undefined;
  /** Emit the COSE_Sign1 CBOR tag 18 (default true). */
  tagged?: boolean | undefined;
  /** Registry additions and anchor evidence for the pre-signing Class 1 check. */
  verify?: VerifyCapsuleSyncParameters | undefined;
};

/** Signs a Capsule into a COSE_Sign1 Signed Statement. Throws typed errors; refuses a Capsule that fails Class 1. */
export async function signCapsuleCose(capsule: Capsule, parameters: SignCapsuleCoseParameters): Promise<Uint8Array> {
  if (typeof parameters !== "object" || parameters === null) throw new CapsuleCoseSignerFailedError({ details: "signCapsuleCose(capsule, { signer }) needs a parameters object with a signer" });
  const { result: check, snapshot } = await verifyCapsuleKeepingSnapshot(capsule, parameters.verify);
  const firstError = check.findings.find((f) => f.severity === "error");
  if (firstError !== undefined || snapshot === undefined) {
    throw new CapsuleCosePayloadRejectedError({
      path: firstError?.path,
      details: firstError === undefined ? "the Capsule could not be read" : `check ${firstError.check} ${firstError.code}: ${firstError.message}`,
      metaMessages: ["A conforming producer does not sign a Capsule that fails Class 1 verification."],
    });
  }
  const refusal = producerRefusals(snapshot, readRegistries(parameters.verify))[0];
  if (refusal !== undefined) {
    throw new CapsuleCosePayloadRejectedError({
      path: refusal.path,
      cause: capsuleErrorFromIssue(refusal, { details: refusal.message }),
      details: `${refusal.code}: ${refusal.message}`,
      metaMessages: ["A conforming producer does not sign a Capsule that breaks a profile invariant (seed 004 §5.4, §6)."],
    });
  }
  const c = snapshot as unknown as Capsule; // verified: the REQUIRED strings are present
  const capsuleClaims: [string, string][] = [
    ["capsule_statement_type", "agent_action"],
    ["capsule_action_type", c.action_type],
  ];
  if (typeof c.decision_id === "string" && c.decision_id !== "") capsuleClaims.push(["capsule_decision_id", c.decision_id]);
  return signCoseStatement({
    payload: new TextEncoder().encode(canonicalize(c) as string),
    contentType: CAPSULE_MEDIA_TYPE,
    claims: { iss: c.developer, sub: capsuleSubject(c.operator, c.action_id), issuedAt: parameters.issuedAt, capsule: capsuleClaims },
    signer: parameters.signer,
    tagged: parameters.tagged,
  });
}
