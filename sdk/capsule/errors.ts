/**
 * Typed errors and findings of the Agent Action Capsule area
 * (draft-mih-scitt-agent-action-capsule-01).
 *
 * Every class extends the SDK's one base class `AgentExecError` through the thin
 * `CapsuleError`, carries a stable `code` (`CAPSULE_*`) and names the offending
 * JSON Pointer path ([RFC 6901], "" = the whole value) in `path` and in the message.
 *
 * Verifiers (`verifyCapsule`, `verifyCapsuleCose`, …) never throw: they return
 * `CapsuleFinding`s carrying the same codes. Builders, parsers and the store throw
 * the classes below; `capsuleErrorFromIssue` maps a code to its class.
 */
import { AgentExecError, type AgentExecErrorParameters } from "../errors.js";

/** Every stable code a Capsule error or finding can carry. */
export const CAPSULE_ERROR_CODES = [
  // JSON-DIGEST input domain and strict JSON parsing (§2, §5.1, RFC 8785 / I-JSON)
  "CAPSULE_JSON_FLOAT",
  "CAPSULE_JSON_UNSAFE_INTEGER",
  "CAPSULE_JSON_NOT_JSON",
  "CAPSULE_JSON_CYCLE",
  "CAPSULE_JSON_LONE_SURROGATE",
  "CAPSULE_JSON_SYNTAX",
  "CAPSULE_JSON_DUPLICATE_KEY",
  "CAPSULE_JSON_INVALID_UTF8",
  "CAPSULE_JSON_INPUT_TYPE",
  // check 1: structural (§6.1) and the structurally guaranteed invariants (§5.4, §6)
  "CAPSULE_NOT_OBJECT",
  "CAPSULE_FIELD_MISSING",
  "CAPSULE_FIELD_TYPE",
  "CAPSULE_FIELD_VALUE",
  "CAPSULE_DIGEST_MALFORMED",
  "CAPSULE_TIMESTAMP_INVALID",
  "CAPSULE_FORMAT_VERSION_UNSUPPORTED",
  "CAPSULE_SPEC_VERSION_UNRECOGNIZED",
  // the honesty invariant (§5.4): refused by the builder; a defensive, non-gating verifier finding (§6)
  "CAPSULE_DISPOSITION_DISHONEST",
  "CAPSULE_EXPIRY_POLICY_INVALID",
  "CAPSULE_REASON_DIGEST_EMPTY",
  "CAPSULE_SELECTIVE_DISCLOSURE_UNSUPPORTED",
  "CAPSULE_VERIFIER_INTERNAL",
  // any check: findings beyond the per-check cap, summarised
  "CAPSULE_FINDINGS_TRUNCATED",
  // check 2: identity (§5.1)
  "CAPSULE_ID_MISMATCH",
  "CAPSULE_ID_UNCOMPUTABLE",
  "CAPSULE_ID_NOT_CHECKED",
  // check 3: confirmed-effect binding (§5.2)
  "CAPSULE_EFFECT_CONFIRMED_UNBOUND",
  "CAPSULE_EFFECT_BINDING",
  "CAPSULE_EFFECT_REQUEST_DIGEST_MISSING",
  // check 4: verdict/effect orthogonality (§5.4.2)
  "CAPSULE_VERDICT_EFFECT_CONFLICT",
  "CAPSULE_VERDICT_ERRORED_UNDISPATCHED",
  "CAPSULE_VERDICT_ERRORED_CONFIRMED",
  // check 5: effect-attestation matrix (§5.2)
  "CAPSULE_EFFECT_ATTESTATION_MISSING",
  "CAPSULE_EFFECT_ATTESTATION_FORBIDDEN",
  // check 6: chain semantics (§5.4.4)
  "CAPSULE_CHAIN_PARENT_MISSING",
  "CAPSULE_CHAIN_PARENT_ID_MISMATCH",
  "CAPSULE_CHAIN_CYCLE",
  "CAPSULE_CHAIN_CONCURRENT_SUPERSEDES",
  "CAPSULE_CHAIN_NOT_CHECKED",
  "CAPSULE_CHAIN_DEPTH_LIMIT",
  "CAPSULE_CHAIN_STORE_ERROR",
  // check 7: assurance reconciliation (§5.3)
  "CAPSULE_ASSURANCE_OVERCLAIM",
  "CAPSULE_ASSURANCE_UNDERSTATED",
  "CAPSULE_ASSURANCE_UNVERIFIED",
  "CAPSULE_ASSURANCE_UNDERCLAIM",
  // check 8: unknown registry values (§12) and the namespacing convention (§9.1)
  "CAPSULE_UNREGISTERED_VALUE",
  "CAPSULE_BARE_NAME",
  // builder inputs
  "CAPSULE_DIGEST_INPUT_CONFLICT",
  // Class 2 (§8.2)
  "CAPSULE_EVIDENCE_DIGEST_MISMATCH",
  "CAPSULE_EVIDENCE_SCHEMA",
  "CAPSULE_THRESHOLD_MISMATCH",
  "CAPSULE_MANIFEST_ERROR",
  "CAPSULE_EVIDENCE_UNAVAILABLE",
  // store
  "CAPSULE_STORE_DUPLICATE_ID",
  "CAPSULE_STORE_REJECTED",
  // outcome statements (§3.3)
  "CAPSULE_OUTCOME_ID_MISMATCH",
  "CAPSULE_OUTCOME_SUBJECT_MISMATCH",
  "CAPSULE_OUTCOME_DECISION_MISMATCH",
  // COSE_Sign1 envelope (§3.1)
  "CAPSULE_COSE_MALFORMED",
  "CAPSULE_COSE_NOT_SIGN1",
  "CAPSULE_COSE_UNSUPPORTED_ALG",
  "CAPSULE_COSE_BAD_SIGNATURE",
  "CAPSULE_COSE_HEADER_INVALID",
  "CAPSULE_COSE_CONTENT_TYPE_MISMATCH",
  "CAPSULE_COSE_CLAIMS_INVALID",
  "CAPSULE_COSE_STATEMENT_TYPE_MISMATCH",
  "CAPSULE_COSE_SUBJECT_MISMATCH",
  "CAPSULE_COSE_ISSUER_MISMATCH",
  "CAPSULE_COSE_CLAIM_MISMATCH",
  "CAPSULE_COSE_UNKNOWN_CAPSULE_CLAIM",
  "CAPSULE_COSE_PAYLOAD_INVALID",
  "CAPSULE_COSE_PAYLOAD_REJECTED",
  "CAPSULE_COSE_KEY_INVALID",
  "CAPSULE_COSE_KEY_UNRESOLVED",
  "CAPSULE_COSE_SIGNER_FAILED",
] as const;

export type CapsuleErrorCode = (typeof CAPSULE_ERROR_CODES)[number];

/** Severity of a finding: only `error` findings make `ok` false. */
export type CapsuleFindingSeverity = "error" | "warning" | "info";

/** A problem found by rule code shared by the builder (which throws) and the verifiers (which report). */
export type CapsuleIssue = {
  code: CapsuleErrorCode;
  severity: CapsuleFindingSeverity;
  /** One line, human readable. */
  message: string;
  /** JSON Pointer (RFC 6901) into the input; "" for the whole input. */
  path: string;
};

/** The eight Class 1 checks of §6, by number. */
export type CapsuleClass1Check = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
/** The two Class 2 checks of §8.2: 1 evidence-schema, 2 thresholds. */
export type CapsuleClass2Check = 1 | 2;
/**
 * A Class 1 finding outside the enumerated checks 1–8: the honesty invariant, which
 * §6 says is "structurally guaranteed, not a live check" yet SHOULD be asserted
 * defensively against hand-crafted bytes. Reported as a warning after check 8; it
 * never gates `ok`.
 */
export type CapsuleDefensiveCheck = "defensive";

/** One finding of a Capsule verifier (§6: fixed order — by class, then check number, then discovery). */
export type CapsuleFinding = CapsuleIssue &
  (
    | {
        /** Verifier conformance class the check belongs to (§7). */
        class: 1;
        /** Check number 1–8 (§6), or "defensive" (after check 8). */
        check: CapsuleClass1Check | CapsuleDefensiveCheck;
      }
    | { class: 2; check: CapsuleClass2Check }
  );

export type CapsuleErrorParameters = AgentExecErrorParameters & { path?: string | undefined };

/** Intermediate base of every Capsule error (itself an `AgentExecError`). */
export class CapsuleError extends AgentExecError {
  override name = "CapsuleError";
  declare readonly code: CapsuleErrorCode;
  /** JSON Pointer of the offending value ("" for the whole input). */
  readonly path: string;
  constructor(code: CapsuleErrorCode, shortMessage: string, parameters: CapsuleErrorParameters = {}) {
    const path = parameters.path ?? "";
    super(code, shortMessage, {
      ...parameters,
      metaMessages: [`Path: ${path === "" ? "(root)" : path}`, ...(parameters.metaMessages ?? [])],
    });
    this.path = path;
  }
}

type P = CapsuleErrorParameters;

// ---------------------------------------------------------------- JSON-DIGEST domain and parsing

/** A JSON floating-point number where the profile allows only integers (§5.1: exact decimal strings instead). */
export class CapsuleJsonFloatError extends CapsuleError {
  override name = "CapsuleJsonFloatError";
  constructor(p: P = {}) { super("CAPSULE_JSON_FLOAT", "Floating-point number in digest-bearing JSON.", p); }
}
/** An integer outside ±(2^53−1): not reproducible across ECMAScript-number readers. */
export class CapsuleJsonUnsafeIntegerError extends CapsuleError {
  override name = "CapsuleJsonUnsafeIntegerError";
  constructor(p: P = {}) { super("CAPSULE_JSON_UNSAFE_INTEGER", "Integer outside ±(2^53−1).", p); }
}
/** A value with no JSON representation (undefined in an array, NaN, Infinity, function, bigint, symbol, non-plain object). */
export class CapsuleJsonNotJsonError extends CapsuleError {
  override name = "CapsuleJsonNotJsonError";
  constructor(p: P = {}) { super("CAPSULE_JSON_NOT_JSON", "Value is not JSON.", p); }
}
/** A cyclic object graph. */
export class CapsuleJsonCycleError extends CapsuleError {
  override name = "CapsuleJsonCycleError";
  constructor(p: P = {}) { super("CAPSULE_JSON_CYCLE", "Cyclic JSON value.", p); }
}
/** A string or member name with an unpaired UTF-16 surrogate (I-JSON, RFC 8785 §3.1). */
export class CapsuleJsonLoneSurrogateError extends CapsuleError {
  override name = "CapsuleJsonLoneSurrogateError";
  constructor(p: P = {}) { super("CAPSULE_JSON_LONE_SURROGATE", "Lone surrogate in JSON string.", p); }
}
/** Text that is not JSON. */
export class CapsuleJsonSyntaxError extends CapsuleError {
  override name = "CapsuleJsonSyntaxError";
  constructor(p: P = {}) { super("CAPSULE_JSON_SYNTAX", "Invalid JSON text.", p); }
}
/** An object with the same member name twice (I-JSON). */
export class CapsuleJsonDuplicateKeyError extends CapsuleError {
  override name = "CapsuleJsonDuplicateKeyError";
  constructor(p: P = {}) { super("CAPSULE_JSON_DUPLICATE_KEY", "Duplicate member name in JSON object.", p); }
}
/** JSON input that is neither text (a string) nor UTF-8 bytes (a Uint8Array). */
export class CapsuleJsonInputTypeError extends CapsuleError {
  override name = "CapsuleJsonInputTypeError";
  constructor(p: P = {}) { super("CAPSULE_JSON_INPUT_TYPE", "JSON input must be a string or UTF-8 bytes.", p); }
}
/** Bytes that are not UTF-8. */
export class CapsuleJsonInvalidUtf8Error extends CapsuleError {
  override name = "CapsuleJsonInvalidUtf8Error";
  constructor(p: P = {}) { super("CAPSULE_JSON_INVALID_UTF8", "JSON bytes are not valid UTF-8.", p); }
}

// ---------------------------------------------------------------- structure (check 1)

/** The Capsule is not a JSON object. */
export class CapsuleNotObjectError extends CapsuleError {
  override name = "CapsuleNotObjectError";
  constructor(p: P = {}) { super("CAPSULE_NOT_OBJECT", "Capsule is not a JSON object.", p); }
}
/** A REQUIRED field is absent. */
export class CapsuleFieldMissingError extends CapsuleError {
  override name = "CapsuleFieldMissingError";
  constructor(p: P = {}) { super("CAPSULE_FIELD_MISSING", "Required field is missing.", p); }
}
/** A field has the wrong JSON type. */
export class CapsuleFieldTypeError extends CapsuleError {
  override name = "CapsuleFieldTypeError";
  constructor(p: P = {}) { super("CAPSULE_FIELD_TYPE", "Field has the wrong type.", p); }
}
/** A field has the right type but a value outside its closed vocabulary or form. */
export class CapsuleFieldValueError extends CapsuleError {
  override name = "CapsuleFieldValueError";
  constructor(p: P = {}) { super("CAPSULE_FIELD_VALUE", "Field has an invalid value.", p); }
}
/** A digest field that is not 64 lowercase hex characters. */
export class CapsuleDigestMalformedError extends CapsuleError {
  override name = "CapsuleDigestMalformedError";
  constructor(p: P = {}) { super("CAPSULE_DIGEST_MALFORMED", "Digest is not 64 lowercase hex characters.", p); }
}
/** `timestamp` is not RFC 3339 UTC with a "Z" suffix. */
export class CapsuleTimestampInvalidError extends CapsuleError {
  override name = "CapsuleTimestampInvalidError";
  constructor(p: P = {}) { super("CAPSULE_TIMESTAMP_INVALID", "Timestamp is not RFC 3339 UTC with a Z suffix.", p); }
}
/** `format_version` is not the serialization suite this implementation verifies ("2"). */
export class CapsuleFormatVersionUnsupportedError extends CapsuleError {
  override name = "CapsuleFormatVersionUnsupportedError";
  constructor(p: P = {}) { super("CAPSULE_FORMAT_VERSION_UNSUPPORTED", "Unsupported format_version.", p); }
}
/** `spec_version` names a profile version this implementation does not know. */
export class CapsuleSpecVersionUnrecognizedError extends CapsuleError {
  override name = "CapsuleSpecVersionUnrecognizedError";
  constructor(p: P = {}) { super("CAPSULE_SPEC_VERSION_UNRECOGNIZED", "Unrecognized spec_version.", p); }
}
/**
 * The honesty invariant: `human_disposed: true` REQUIRES `approver: "human"` (§5.4).
 * Thrown by the builder and `createDisposition`; verifiers report it as a non-gating
 * "defensive" warning (§6: structurally guaranteed, not one of the eight checks).
 */
export class CapsuleDispositionDishonestError extends CapsuleError {
  override name = "CapsuleDispositionDishonestError";
  constructor(p: P = {}) { super("CAPSULE_DISPOSITION_DISHONEST", "human_disposed is true but the approver is not human.", p); }
}
/** `expiry_policy` malformed or on a non-deferral disposition (§5.4). */
export class CapsuleExpiryPolicyInvalidError extends CapsuleError {
  override name = "CapsuleExpiryPolicyInvalidError";
  constructor(p: P = {}) { super("CAPSULE_EXPIRY_POLICY_INVALID", "Invalid expiry_policy.", p); }
}
/** `reason_digest` is the digest of an empty reason: the member must be absent instead (§5.4). */
export class CapsuleReasonDigestEmptyError extends CapsuleError {
  override name = "CapsuleReasonDigestEmptyError";
  constructor(p: P = {}) { super("CAPSULE_REASON_DIGEST_EMPTY", "reason_digest digests an empty reason; omit it.", p); }
}
/** Selective-disclosure structures (`_sd`, `_sd_alg`) this implementation must neither generate nor interpret (§9.2). */
export class CapsuleSelectiveDisclosureUnsupportedError extends CapsuleError {
  override name = "CapsuleSelectiveDisclosureUnsupportedError";
  constructor(p: P = {}) { super("CAPSULE_SELECTIVE_DISCLOSURE_UNSUPPORTED", "Selective-disclosure payload structures are not supported.", p); }
}
/** An unexpected failure inside a verifier, reported instead of thrown. */
export class CapsuleVerifierInternalError extends CapsuleError {
  override name = "CapsuleVerifierInternalError";
  constructor(p: P = {}) { super("CAPSULE_VERIFIER_INTERNAL", "Verifier failed on this input.", p); }
}

/** Findings of one check beyond the per-check cap, summarised in one finding (bounded output for hostile input). */
export class CapsuleFindingsTruncatedError extends CapsuleError {
  override name = "CapsuleFindingsTruncatedError";
  constructor(p: P = {}) { super("CAPSULE_FINDINGS_TRUNCATED", "Further findings of this check omitted.", p); }
}

// ---------------------------------------------------------------- identity (check 2)

/** A `capsule_id` (or chain parent id) that does not recompute over the canonical capsule form. */
export class CapsuleIdMismatchError extends CapsuleError {
  override name = "CapsuleIdMismatchError";
  constructor(p: P = {}) { super("CAPSULE_ID_MISMATCH", "capsule_id does not match the canonical capsule form.", p); }
}
/** The canonical capsule form cannot be digested (see the check-1 findings). */
export class CapsuleIdUncomputableError extends CapsuleError {
  override name = "CapsuleIdUncomputableError";
  constructor(p: P = {}) { super("CAPSULE_ID_UNCOMPUTABLE", "capsule_id cannot be recomputed.", p); }
}
/**
 * Check 2 did not run: a digest-bearing field holds a value outside the JSON-DIGEST
 * domain (a float, an unsafe integer, a lone surrogate), which check 1 already
 * reports as an error, so capsule_id cannot be recomputed (info; the reference
 * verifier reports only check 1).
 */
export class CapsuleIdNotCheckedError extends CapsuleError {
  override name = "CapsuleIdNotCheckedError";
  constructor(p: P = {}) { super("CAPSULE_ID_NOT_CHECKED", "capsule_id not checked (the canonical capsule form is outside the JSON-DIGEST domain).", p); }
}

// ---------------------------------------------------------------- effect binding (check 3)

/** `status: "confirmed"` without a well-formed `response_digest` (the confirmed-effect invariant, §5.2). */
export class CapsuleEffectConfirmedUnboundError extends CapsuleError {
  override name = "CapsuleEffectConfirmedUnboundError";
  constructor(p: P = {}) { super("CAPSULE_EFFECT_CONFIRMED_UNBOUND", "Confirmed effect without a response_digest.", p); }
}
/** A digest present where the §5.2 binding table says it MUST be absent. */
export class CapsuleEffectBindingError extends CapsuleError {
  override name = "CapsuleEffectBindingError";
  constructor(p: P = {}) { super("CAPSULE_EFFECT_BINDING", "Effect digest violates the status binding.", p); }
}
/** `dispatched` without the RECOMMENDED `request_digest` (warning). */
export class CapsuleEffectRequestDigestMissingError extends CapsuleError {
  override name = "CapsuleEffectRequestDigestMissingError";
  constructor(p: P = {}) { super("CAPSULE_EFFECT_REQUEST_DIGEST_MISSING", "Dispatched effect without a request_digest.", p); }
}

// ---------------------------------------------------------------- orthogonality (check 4)

/** A never-dispatching verdict_class with a derived effect_mode other than not_applicable (§5.4.2). */
export class CapsuleVerdictEffectConflictError extends CapsuleError {
  override name = "CapsuleVerdictEffectConflictError";
  constructor(p: P = {}) { super("CAPSULE_VERDICT_EFFECT_CONFLICT", "Verdict class never dispatches but an effect was dispatched.", p); }
}
/** `errored` with effect_mode `not_applicable`: "falsely asserts nothing happened … equally non-conforming" (§5.4.2). */
export class CapsuleVerdictErroredUndispatchedError extends CapsuleError {
  override name = "CapsuleVerdictErroredUndispatchedError";
  constructor(p: P = {}) { super("CAPSULE_VERDICT_ERRORED_UNDISPATCHED", "errored must pair with effect_mode dispatched_unconfirmed.", p); }
}
/**
 * `errored` (final state unknown) with a confirmed effect: outside the pairing §5.4.2
 * states, but not a failure §6 check 4 names (a verifier warning; the builder refuses it).
 */
export class CapsuleVerdictErroredConfirmedError extends CapsuleError {
  override name = "CapsuleVerdictErroredConfirmedError";
  constructor(p: P = {}) { super("CAPSULE_VERDICT_ERRORED_CONFIRMED", "errored pairs with dispatched_unconfirmed, not a confirmed effect.", p); }
}

// ---------------------------------------------------------------- attestation matrix (check 5)

/** `effect_attestation` absent where the matrix REQUIRES it (§5.2). */
export class CapsuleEffectAttestationMissingError extends CapsuleError {
  override name = "CapsuleEffectAttestationMissingError";
  constructor(p: P = {}) { super("CAPSULE_EFFECT_ATTESTATION_MISSING", "effect_attestation is required for a dispatched effect.", p); }
}
/** `effect_attestation` present where it MUST be absent (not_applicable, the planned carve). */
export class CapsuleEffectAttestationForbiddenError extends CapsuleError {
  override name = "CapsuleEffectAttestationForbiddenError";
  constructor(p: P = {}) { super("CAPSULE_EFFECT_ATTESTATION_FORBIDDEN", "effect_attestation must be absent when nothing executed.", p); }
}

// ---------------------------------------------------------------- chain (check 6)

/** The chain parent (or an ancestor) is not in the store. */
export class CapsuleChainParentMissingError extends CapsuleError {
  override name = "CapsuleChainParentMissingError";
  constructor(p: P = {}) { super("CAPSULE_CHAIN_PARENT_MISSING", "Chain parent not found in the store.", p); }
}
/** The store returned a parent whose content does not recompute to the referenced id. */
export class CapsuleChainParentIdMismatchError extends CapsuleError {
  override name = "CapsuleChainParentIdMismatchError";
  constructor(p: P = {}) { super("CAPSULE_CHAIN_PARENT_ID_MISMATCH", "Chain parent does not recompute to parent_capsule_id.", p); }
}
/** Following chain parents returns to a Capsule already visited. */
export class CapsuleChainCycleError extends CapsuleError {
  override name = "CapsuleChainCycleError";
  constructor(p: P = {}) { super("CAPSULE_CHAIN_CYCLE", "Chain linkage forms a cycle.", p); }
}
/** A later `supersedes` over a parent that an earlier Capsule already superseded (§5.4.4). */
export class CapsuleChainConcurrentSupersedesError extends CapsuleError {
  override name = "CapsuleChainConcurrentSupersedesError";
  constructor(p: P = {}) { super("CAPSULE_CHAIN_CONCURRENT_SUPERSEDES", "Concurrent supersedes over the same parent.", p); }
}
/** Chain checks could not run (no store). */
export class CapsuleChainNotCheckedError extends CapsuleError {
  override name = "CapsuleChainNotCheckedError";
  constructor(p: P = {}) { super("CAPSULE_CHAIN_NOT_CHECKED", "Chain linkage not checked (no store).", p); }
}
/** The ancestry walk stopped at the configured depth limit. */
export class CapsuleChainDepthLimitError extends CapsuleError {
  override name = "CapsuleChainDepthLimitError";
  constructor(p: P = {}) { super("CAPSULE_CHAIN_DEPTH_LIMIT", "Chain longer than the depth limit.", p); }
}
/** The store failed while resolving the chain. */
export class CapsuleChainStoreError extends CapsuleError {
  override name = "CapsuleChainStoreError";
  constructor(p: P = {}) { super("CAPSULE_CHAIN_STORE_ERROR", "Capsule store failed.", p); }
}

// ---------------------------------------------------------------- assurance (check 7)

/** An assurance mode claimed above what the evidence shows (§5.3). */
export class CapsuleAssuranceOverclaimError extends CapsuleError {
  override name = "CapsuleAssuranceOverclaimError";
  constructor(p: P = {}) { super("CAPSULE_ASSURANCE_OVERCLAIM", "Assurance mode overclaimed.", p); }
}
/** `effect_mode` recorded below what happened (e.g. not_applicable for a dispatched effect, §5.4.2). */
export class CapsuleAssuranceUnderstatedError extends CapsuleError {
  override name = "CapsuleAssuranceUnderstatedError";
  constructor(p: P = {}) { super("CAPSULE_ASSURANCE_UNDERSTATED", "effect_mode understates the effect.", p); }
}
/** A claimed tier the verifier lacked the evidence to confirm (no store, no verified receipt). */
export class CapsuleAssuranceUnverifiedError extends CapsuleError {
  override name = "CapsuleAssuranceUnverifiedError";
  constructor(p: P = {}) { super("CAPSULE_ASSURANCE_UNVERIFIED", "Claimed assurance tier not verified.", p); }
}
/** A tier claimed below what was verified (informational). */
export class CapsuleAssuranceUnderclaimError extends CapsuleError {
  override name = "CapsuleAssuranceUnderclaimError";
  constructor(p: P = {}) { super("CAPSULE_ASSURANCE_UNDERCLAIM", "Assurance tier underclaimed.", p); }
}

// ---------------------------------------------------------------- registries (check 8), namespacing (§9.1)

/** A value outside a registry's contents (informational to verifiers; refused by the builder). */
export class CapsuleUnregisteredValueError extends CapsuleError {
  override name = "CapsuleUnregisteredValueError";
  constructor(p: P = {}) { super("CAPSULE_UNREGISTERED_VALUE", "Unregistered vocabulary value.", p); }
}
/** A bare (un-namespaced), unseeded name where §9.1 requires a URI or reverse-DNS prefix. */
export class CapsuleBareNameError extends CapsuleError {
  override name = "CapsuleBareNameError";
  constructor(p: P = {}) { super("CAPSULE_BARE_NAME", "Bare unseeded name; namespace it (e.g. com.example.name).", p); }
}

// ---------------------------------------------------------------- builder inputs

/** A digest given alongside the value it digests, and they disagree. */
export class CapsuleDigestInputConflictError extends CapsuleError {
  override name = "CapsuleDigestInputConflictError";
  constructor(p: P = {}) { super("CAPSULE_DIGEST_INPUT_CONFLICT", "Digest does not match the value supplied for it.", p); }
}

// ---------------------------------------------------------------- Class 2 (§8.2)

/** Recomputed JSON-DIGEST of the bound evidence differs from `evidence_digest`. */
export class CapsuleEvidenceDigestMismatchError extends CapsuleError {
  override name = "CapsuleEvidenceDigestMismatchError";
  constructor(p: P = {}) { super("CAPSULE_EVIDENCE_DIGEST_MISMATCH", "Evidence does not match evidence_digest.", p); }
}
/** Bound evidence does not conform to the manifest's evidence schema. */
export class CapsuleEvidenceSchemaError extends CapsuleError {
  override name = "CapsuleEvidenceSchemaError";
  constructor(p: P = {}) { super("CAPSULE_EVIDENCE_SCHEMA", "Evidence does not conform to the manifest schema.", p); }
}
/** Re-applying the manifest thresholds gives a different result than recorded. */
export class CapsuleThresholdMismatchError extends CapsuleError {
  override name = "CapsuleThresholdMismatchError";
  constructor(p: P = {}) { super("CAPSULE_THRESHOLD_MISMATCH", "Manifest thresholds give a different result.", p); }
}
/** The manifest lacks the constraint or its predicate failed. */
export class CapsuleManifestError extends CapsuleError {
  override name = "CapsuleManifestError";
  constructor(p: P = {}) { super("CAPSULE_MANIFEST_ERROR", "Manifest cannot check this constraint.", p); }
}
/** Evidence for a constraint was not supplied (informational). */
export class CapsuleEvidenceUnavailableError extends CapsuleError {
  override name = "CapsuleEvidenceUnavailableError";
  constructor(p: P = {}) { super("CAPSULE_EVIDENCE_UNAVAILABLE", "Evidence not supplied; Class 2 check not run.", p); }
}

// ---------------------------------------------------------------- store

/** A second Capsule with a `capsule_id` already in the append-only store. */
export class CapsuleStoreDuplicateIdError extends CapsuleError {
  override name = "CapsuleStoreDuplicateIdError";
  constructor(p: P = {}) { super("CAPSULE_STORE_DUPLICATE_ID", "capsule_id already in the store.", p); }
}
/** The store refused a Capsule whose id does not recompute or is missing. */
export class CapsuleStoreRejectedError extends CapsuleError {
  override name = "CapsuleStoreRejectedError";
  constructor(p: P = {}) { super("CAPSULE_STORE_REJECTED", "Capsule rejected by the store.", p); }
}

// ---------------------------------------------------------------- outcome statements (§3.3)

/** `outcome_id` does not recompute. */
export class CapsuleOutcomeIdMismatchError extends CapsuleError {
  override name = "CapsuleOutcomeIdMismatchError";
  constructor(p: P = {}) { super("CAPSULE_OUTCOME_ID_MISMATCH", "outcome_id does not match the canonical outcome form.", p); }
}
/** An outcome whose subject differs from the original action's subject. */
export class CapsuleOutcomeSubjectMismatchError extends CapsuleError {
  override name = "CapsuleOutcomeSubjectMismatchError";
  constructor(p: P = {}) { super("CAPSULE_OUTCOME_SUBJECT_MISMATCH", "Outcome subject differs from the action's subject.", p); }
}
/** An outcome whose decision id differs from the original's. */
export class CapsuleOutcomeDecisionMismatchError extends CapsuleError {
  override name = "CapsuleOutcomeDecisionMismatchError";
  constructor(p: P = {}) { super("CAPSULE_OUTCOME_DECISION_MISMATCH", "Outcome decision_id differs from the action's.", p); }
}

// ---------------------------------------------------------------- COSE_Sign1 envelope (§3.1)

/** Bytes that are not one well-formed CBOR item (truncated, trailing data, bad encoding). */
export class CapsuleCoseMalformedError extends CapsuleError {
  override name = "CapsuleCoseMalformedError";
  constructor(p: P = {}) { super("CAPSULE_COSE_MALFORMED", "Malformed CBOR.", p); }
}
/** Well-formed CBOR that is not a COSE_Sign1 with an attached payload. */
export class CapsuleCoseNotSign1Error extends CapsuleError {
  override name = "CapsuleCoseNotSign1Error";
  constructor(p: P = {}) { super("CAPSULE_COSE_NOT_SIGN1", "Not a COSE_Sign1 structure.", p); }
}
/** Protected `alg` is not ES256 (-7). */
export class CapsuleCoseUnsupportedAlgError extends CapsuleError {
  override name = "CapsuleCoseUnsupportedAlgError";
  constructor(p: P = {}) { super("CAPSULE_COSE_UNSUPPORTED_ALG", "Unsupported COSE algorithm (ES256 required).", p); }
}
/** Signature does not verify (tampered bytes or wrong key). */
export class CapsuleCoseBadSignatureError extends CapsuleError {
  override name = "CapsuleCoseBadSignatureError";
  constructor(p: P = {}) { super("CAPSULE_COSE_BAD_SIGNATURE", "COSE_Sign1 signature does not verify.", p); }
}
/** Protected header malformed (not a map, bad kid/content type types, critical params). */
export class CapsuleCoseHeaderInvalidError extends CapsuleError {
  override name = "CapsuleCoseHeaderInvalidError";
  constructor(p: P = {}) { super("CAPSULE_COSE_HEADER_INVALID", "Invalid COSE protected header.", p); }
}
/** `content_type` is not the profile's media type for the statement type. */
export class CapsuleCoseContentTypeMismatchError extends CapsuleError {
  override name = "CapsuleCoseContentTypeMismatchError";
  constructor(p: P = {}) { super("CAPSULE_COSE_CONTENT_TYPE_MISMATCH", "Unexpected content type.", p); }
}
/** CWT Claims (label 15) missing or malformed (iss, sub, capsule_statement_type). */
export class CapsuleCoseClaimsInvalidError extends CapsuleError {
  override name = "CapsuleCoseClaimsInvalidError";
  constructor(p: P = {}) { super("CAPSULE_COSE_CLAIMS_INVALID", "Invalid CWT claims.", p); }
}
/** `capsule_statement_type` differs from the one expected. */
export class CapsuleCoseStatementTypeMismatchError extends CapsuleError {
  override name = "CapsuleCoseStatementTypeMismatchError";
  constructor(p: P = {}) { super("CAPSULE_COSE_STATEMENT_TYPE_MISMATCH", "Unexpected capsule_statement_type.", p); }
}
/** `sub` differs from urn:agent-action-capsule:OPERATOR:ACTION_ID of the payload. */
export class CapsuleCoseSubjectMismatchError extends CapsuleError {
  override name = "CapsuleCoseSubjectMismatchError";
  constructor(p: P = {}) { super("CAPSULE_COSE_SUBJECT_MISMATCH", "sub does not match the payload's operator and action_id.", p); }
}
/** `iss` differs from the payload's `developer`. */
export class CapsuleCoseIssuerMismatchError extends CapsuleError {
  override name = "CapsuleCoseIssuerMismatchError";
  constructor(p: P = {}) { super("CAPSULE_COSE_ISSUER_MISMATCH", "iss does not match the payload's developer.", p); }
}
/** `capsule_action_type` / `capsule_decision_id` disagree with the payload. */
export class CapsuleCoseClaimMismatchError extends CapsuleError {
  override name = "CapsuleCoseClaimMismatchError";
  constructor(p: P = {}) { super("CAPSULE_COSE_CLAIM_MISMATCH", "Header claim disagrees with the payload.", p); }
}
/** An unrecognised `capsule_*` claim (informational, §9). */
export class CapsuleCoseUnknownCapsuleClaimError extends CapsuleError {
  override name = "CapsuleCoseUnknownCapsuleClaimError";
  constructor(p: P = {}) { super("CAPSULE_COSE_UNKNOWN_CAPSULE_CLAIM", "Unrecognised capsule_* header claim.", p); }
}
/** Payload is not strict JSON (syntax, duplicate members, invalid UTF-8, lone surrogates). */
export class CapsuleCosePayloadInvalidError extends CapsuleError {
  override name = "CapsuleCosePayloadInvalidError";
  constructor(p: P = {}) { super("CAPSULE_COSE_PAYLOAD_INVALID", "Payload is not valid JSON.", p); }
}
/** Payload failed Class 1 verification (or refused for signing). */
export class CapsuleCosePayloadRejectedError extends CapsuleError {
  override name = "CapsuleCosePayloadRejectedError";
  constructor(p: P = {}) { super("CAPSULE_COSE_PAYLOAD_REJECTED", "Payload fails Class 1 verification.", p); }
}
/** Key material that is not a usable P-256 key. */
export class CapsuleCoseKeyInvalidError extends CapsuleError {
  override name = "CapsuleCoseKeyInvalidError";
  constructor(p: P = {}) { super("CAPSULE_COSE_KEY_INVALID", "Invalid ES256 key.", p); }
}
/** The key resolver found no key for this statement. */
export class CapsuleCoseKeyUnresolvedError extends CapsuleError {
  override name = "CapsuleCoseKeyUnresolvedError";
  constructor(p: P = {}) { super("CAPSULE_COSE_KEY_UNRESOLVED", "No verification key for this statement.", p); }
}
/** The signer failed or returned a malformed signature. */
export class CapsuleCoseSignerFailedError extends CapsuleError {
  override name = "CapsuleCoseSignerFailedError";
  constructor(p: P = {}) { super("CAPSULE_COSE_SIGNER_FAILED", "Signer failed.", p); }
}

const ERROR_CLASSES: { readonly [K in CapsuleErrorCode]: new (p?: P) => CapsuleError } = {
  CAPSULE_JSON_FLOAT: CapsuleJsonFloatError,
  CAPSULE_JSON_UNSAFE_INTEGER: CapsuleJsonUnsafeIntegerError,
  CAPSULE_JSON_NOT_JSON: CapsuleJsonNotJsonError,
  CAPSULE_JSON_CYCLE: CapsuleJsonCycleError,
  CAPSULE_JSON_LONE_SURROGATE: CapsuleJsonLoneSurrogateError,
  CAPSULE_JSON_SYNTAX: CapsuleJsonSyntaxError,
  CAPSULE_JSON_DUPLICATE_KEY: CapsuleJsonDuplicateKeyError,
  CAPSULE_JSON_INVALID_UTF8: CapsuleJsonInvalidUtf8Error,
  CAPSULE_JSON_INPUT_TYPE: CapsuleJsonInputTypeError,
  CAPSULE_NOT_OBJECT: CapsuleNotObjectError,
  CAPSULE_FIELD_MISSING: CapsuleFieldMissingError,
  CAPSULE_FIELD_TYPE: CapsuleFieldTypeError,
  CAPSULE_FIELD_VALUE: CapsuleFieldValueError,
  CAPSULE_DIGEST_MALFORMED: CapsuleDigestMalformedError,
  CAPSULE_TIMESTAMP_INVALID: CapsuleTimestampInvalidError,
  CAPSULE_FORMAT_VERSION_UNSUPPORTED: CapsuleFormatVersionUnsupportedError,
  CAPSULE_SPEC_VERSION_UNRECOGNIZED: CapsuleSpecVersionUnrecognizedError,
  CAPSULE_DISPOSITION_DISHONEST: CapsuleDispositionDishonestError,
  CAPSULE_EXPIRY_POLICY_INVALID: CapsuleExpiryPolicyInvalidError,
  CAPSULE_REASON_DIGEST_EMPTY: CapsuleReasonDigestEmptyError,
  CAPSULE_SELECTIVE_DISCLOSURE_UNSUPPORTED: CapsuleSelectiveDisclosureUnsupportedError,
  CAPSULE_VERIFIER_INTERNAL: CapsuleVerifierInternalError,
  CAPSULE_FINDINGS_TRUNCATED: CapsuleFindingsTruncatedError,
  CAPSULE_ID_MISMATCH: CapsuleIdMismatchError,
  CAPSULE_ID_UNCOMPUTABLE: CapsuleIdUncomputableError,
  CAPSULE_ID_NOT_CHECKED: CapsuleIdNotCheckedError,
  CAPSULE_EFFECT_CONFIRMED_UNBOUND: CapsuleEffectConfirmedUnboundError,
  CAPSULE_EFFECT_BINDING: CapsuleEffectBindingError,
  CAPSULE_EFFECT_REQUEST_DIGEST_MISSING: CapsuleEffectRequestDigestMissingError,
  CAPSULE_VERDICT_EFFECT_CONFLICT: CapsuleVerdictEffectConflictError,
  CAPSULE_VERDICT_ERRORED_UNDISPATCHED: CapsuleVerdictErroredUndispatchedError,
  CAPSULE_VERDICT_ERRORED_CONFIRMED: CapsuleVerdictErroredConfirmedError,
  CAPSULE_EFFECT_ATTESTATION_MISSING: CapsuleEffectAttestationMissingError,
  CAPSULE_EFFECT_ATTESTATION_FORBIDDEN: CapsuleEffectAttestationForbiddenError,
  CAPSULE_CHAIN_PARENT_MISSING: CapsuleChainParentMissingError,
  CAPSULE_CHAIN_PARENT_ID_MISMATCH: CapsuleChainParentIdMismatchError,
  CAPSULE_CHAIN_CYCLE: CapsuleChainCycleError,
  CAPSULE_CHAIN_CONCURRENT_SUPERSEDES: CapsuleChainConcurrentSupersedesError,
  CAPSULE_CHAIN_NOT_CHECKED: CapsuleChainNotCheckedError,
  CAPSULE_CHAIN_DEPTH_LIMIT: CapsuleChainDepthLimitError,
  CAPSULE_CHAIN_STORE_ERROR: CapsuleChainStoreError,
  CAPSULE_ASSURANCE_OVERCLAIM: CapsuleAssuranceOverclaimError,
  CAPSULE_ASSURANCE_UNDERSTATED: CapsuleAssuranceUnderstatedError,
  CAPSULE_ASSURANCE_UNVERIFIED: CapsuleAssuranceUnverifiedError,
  CAPSULE_ASSURANCE_UNDERCLAIM: CapsuleAssuranceUnderclaimError,
  CAPSULE_UNREGISTERED_VALUE: CapsuleUnregisteredValueError,
  CAPSULE_BARE_NAME: CapsuleBareNameError,
  CAPSULE_DIGEST_INPUT_CONFLICT: CapsuleDigestInputConflictError,
  CAPSULE_EVIDENCE_DIGEST_MISMATCH: CapsuleEvidenceDigestMismatchError,
  CAPSULE_EVIDENCE_SCHEMA: CapsuleEvidenceSchemaError,
  CAPSULE_THRESHOLD_MISMATCH: CapsuleThresholdMismatchError,
  CAPSULE_MANIFEST_ERROR: CapsuleManifestError,
  CAPSULE_EVIDENCE_UNAVAILABLE: CapsuleEvidenceUnavailableError,
  CAPSULE_STORE_DUPLICATE_ID: CapsuleStoreDuplicateIdError,
  CAPSULE_STORE_REJECTED: CapsuleStoreRejectedError,
  CAPSULE_OUTCOME_ID_MISMATCH: CapsuleOutcomeIdMismatchError,
  CAPSULE_OUTCOME_SUBJECT_MISMATCH: CapsuleOutcomeSubjectMismatchError,
  CAPSULE_OUTCOME_DECISION_MISMATCH: CapsuleOutcomeDecisionMismatchError,
  CAPSULE_COSE_MALFORMED: CapsuleCoseMalformedError,
  CAPSULE_COSE_NOT_SIGN1: CapsuleCoseNotSign1Error,
  CAPSULE_COSE_UNSUPPORTED_ALG: CapsuleCoseUnsupportedAlgError,
  CAPSULE_COSE_BAD_SIGNATURE: CapsuleCoseBadSignatureError,
  CAPSULE_COSE_HEADER_INVALID: CapsuleCoseHeaderInvalidError,
  CAPSULE_COSE_CONTENT_TYPE_MISMATCH: CapsuleCoseContentTypeMismatchError,
  CAPSULE_COSE_CLAIMS_INVALID: CapsuleCoseClaimsInvalidError,
  CAPSULE_COSE_STATEMENT_TYPE_MISMATCH: CapsuleCoseStatementTypeMismatchError,
  CAPSULE_COSE_SUBJECT_MISMATCH: CapsuleCoseSubjectMismatchError,
  CAPSULE_COSE_ISSUER_MISMATCH: CapsuleCoseIssuerMismatchError,
  CAPSULE_COSE_CLAIM_MISMATCH: CapsuleCoseClaimMismatchError,
  CAPSULE_COSE_UNKNOWN_CAPSULE_CLAIM: CapsuleCoseUnknownCapsuleClaimError,
  CAPSULE_COSE_PAYLOAD_INVALID: CapsuleCosePayloadInvalidError,
  CAPSULE_COSE_PAYLOAD_REJECTED: CapsuleCosePayloadRejectedError,
  CAPSULE_COSE_KEY_INVALID: CapsuleCoseKeyInvalidError,
  CAPSULE_COSE_KEY_UNRESOLVED: CapsuleCoseKeyUnresolvedError,
  CAPSULE_COSE_SIGNER_FAILED: CapsuleCoseSignerFailedError,
};

/** The error class for a code. */
export function capsuleErrorClass(code: CapsuleErrorCode): new (p?: P) => CapsuleError {
  return ERROR_CLASSES[code];
}

/** Turns an issue or finding into its typed error (what the throwing builder/parsers throw). */
export function capsuleErrorFromIssue(issue: CapsuleIssue, parameters: Omit<P, "path"> = {}): CapsuleError {
  const Cls = ERROR_CLASSES[issue.code];
  return new Cls({ ...parameters, path: issue.path, details: parameters.details ?? issue.message });
}

/**
 * One line describing a thrown value, for messages and `details` (never throws, at
 * most 200 characters): a CapsuleError's short message and details, an Error's
 * message, or the value's string form — hostile values (throwing `toString`,
 * revoked proxies) included.
 */
export function describeError(e: unknown): string {
  let text: string;
  try {
    if (e instanceof CapsuleError) text = e.details === undefined ? e.shortMessage : `${e.shortMessage} ${e.details}`;
    else if (e instanceof Error) text = e.message;
    else text = String(e);
  } catch {
    text = "an error that cannot be rendered";
  }
  if (typeof text !== "string") text = "an error that cannot be rendered";
  return (text.split("\n")[0] ?? "").slice(0, 200);
}

/** True when `value` is a CapsuleError (optionally with the given code). */
export function isCapsuleError(value: unknown, code?: CapsuleErrorCode): value is CapsuleError {
  return value instanceof CapsuleError && (code === undefined || value.code === code);
}
