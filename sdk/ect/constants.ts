/**
 * Constants of Execution Context Tokens (ECT).
 *
 * Spec: seed 000 (ECT paper), Section 4 "Execution Context Token Specification":
 * 4.2.1 JOSE header (`typ`, `alg`), 4.2.2 claims (`ext` limits), 4.3 DAG validation
 * (30 s clock skew, 10,000-node traversal limit), Table 5 "ECT verification
 * procedure (13 steps in 4 phases)", 4.5 HTTP transport (`Execution-Context`).
 */

/** JOSE `typ` of every ECT (seed 000, 4.2.1). */
export const ECT_TYP = "wimse-exec+jwt";

/** The signature algorithm ECTs are created with (seed 000, 4.2.1). */
export const ECT_DEFAULT_ALGORITHM = "ES256";

/** The algorithms `verifyEct` can check at all. The allowlist (step 3) is a subset of these. */
export const ECT_SUPPORTED_ALGORITHMS = ["ES256", "ES384", "ES512"] as const;
export type EctAlgorithm = (typeof ECT_SUPPORTED_ALGORITHMS)[number];

/** Maximum size of the serialised `ext` object, in UTF-8 bytes of its JSON (seed 000, 4.2.2). */
export const ECT_EXT_MAX_BYTES = 4096;

/**
 * Maximum nesting depth of `ext` (seed 000, 4.2.2). The `ext` object itself is level 1;
 * every object or array nested inside adds a level. Scalars add none.
 */
export const ECT_EXT_MAX_DEPTH = 5;

/** Clock-skew tolerance of DAG rule 3 (temporal ordering), seconds (seed 000, 4.3). */
export const ECT_DAG_CLOCK_SKEW_SEC = 30;

/** Maximum number of nodes a DAG traversal may visit (seed 000, 4.3). */
export const ECT_DAG_MAX_NODES = 10_000;

/** Step 11: `iat` may be at most this far in the future, seconds (seed 000, Table 5). */
export const ECT_IAT_MAX_FUTURE_SEC = 30;

/** Step 11: `iat` may be at most this far in the past, seconds (15 min, seed 000, Table 5). */
export const ECT_IAT_MAX_AGE_SEC = 15 * 60;

/** Default lifetime `createEct` gives a token when no `exp` is given (the paper's example: 15 min). */
export const ECT_DEFAULT_LIFETIME_SEC = 15 * 60;

/** Step 1 refuses compact serialisations longer than this (a denial-of-service bound, not in the paper). */
export const ECT_MAX_TOKEN_LENGTH = 64 * 1024;

/** HTTP header carrying ECTs (seed 000, 4.5). */
export const EXECUTION_CONTEXT_HEADER = "Execution-Context";

/** The four phases of Table 5. */
export type EctVerificationPhase = "serialization" | "identity-binding" | "temporal-audience" | "structural";

/** The step numbers of Table 5. */
export type EctVerificationStep = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13;

export type EctVerificationStepInfo = {
  step: EctVerificationStep;
  /** Short machine name, e.g. `"typ"`. */
  name: string;
  phase: EctVerificationPhase;
  /** The action as the paper words it. */
  action: string;
};

/** Table 5 of seed 000, verbatim in meaning. `verifyEct` runs these in this order. */
export const ECT_VERIFICATION_STEPS: readonly EctVerificationStepInfo[] = [
  { step: 1, name: "parse", phase: "serialization", action: "Parse JWS Compact Serialization (header.payload.signature)" },
  { step: 2, name: "typ", phase: "serialization", action: "Verify typ = wimse-exec+jwt" },
  { step: 3, name: "alg", phase: "serialization", action: "Verify alg in allowlist (must include ES256; reject none)" },
  { step: 4, name: "kid", phase: "identity-binding", action: "Verify kid references valid public key from agent's WIT" },
  { step: 5, name: "signature", phase: "identity-binding", action: "Verify JWS signature per RFC 7515" },
  { step: 6, name: "revocation", phase: "identity-binding", action: "Confirm signing key not revoked" },
  { step: 7, name: "alg-binding", phase: "identity-binding", action: "Verify alg matches WIT algorithm" },
  { step: 8, name: "issuer", phase: "identity-binding", action: "Verify iss matches WIT sub claim" },
  { step: 9, name: "audience", phase: "temporal-audience", action: "Verify verifier's identity in aud" },
  { step: 10, name: "expiry", phase: "temporal-audience", action: "Verify exp not passed" },
  { step: 11, name: "iat-window", phase: "temporal-audience", action: "Verify iat <= now + 30s and >= now - 15min" },
  { step: 12, name: "claims", phase: "structural", action: "Verify jti, exec_act, par present and well-formed" },
  { step: 13, name: "dag", phase: "structural", action: "Perform DAG validation (Section 4.3)" },
];
