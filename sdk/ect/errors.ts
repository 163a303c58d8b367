/**
 * Typed errors of the ECT area.
 *
 * Spec: seed 000, Table 5 (13-step verification): every verification failure is an
 * `EctVerificationError` subclass that names its step (`step`, `stepName`) and the HTTP
 * status the paper assigns (4.4: "HTTP 403 (invalid ECT with valid WIT) or HTTP 401
 * (signature failure)"; we answer 401 for the identity/binding phase, steps 4-8, and 403
 * for everything else). Section 4.3 (DAG rules) errors are step 13. Section 4.6 (audit
 * ledger) errors are `EctLedger*Error`.
 *
 * `verifyEct` and the other verifiers never throw these: they return them inside a
 * structured result. Builders (`createEct`), parsers (`parseExecutionContextHeader`),
 * key stores and ledgers throw them.
 */
import { AgentExecError, type AgentExecErrorParameters } from "../errors.js";
import { ECT_VERIFICATION_STEPS, type EctVerificationStep } from "./constants.js";

/** Base class of every ECT error. */
export class EctError extends AgentExecError {
  override name = "EctError";
}

export type EctVerificationErrorParameters = AgentExecErrorParameters & {
  /** The claim at fault, when there is one (e.g. `"exp"`). */
  claim?: string | undefined;
};

/** A failure of one of the 13 verification steps. */
export abstract class EctVerificationError extends EctError {
  override name = "EctVerificationError";
  /** The step of seed 000 Table 5 that failed. */
  readonly step: EctVerificationStep;
  /** The step's short name, e.g. `"typ"`. */
  readonly stepName: string;
  /** The claim at fault, if any. */
  readonly claim: string | undefined;

  constructor(step: EctVerificationStep, code: string, shortMessage: string, parameters: EctVerificationErrorParameters = {}) {
    const info = ECT_VERIFICATION_STEPS[step - 1];
    super(code, shortMessage, {
      ...parameters,
      metaMessages: [`Step ${step} (${info?.name ?? "?"}): ${info?.action ?? ""}`, ...(parameters.metaMessages ?? [])],
    });
    this.step = step;
    this.stepName = info?.name ?? String(step);
    this.claim = parameters.claim;
  }

  /** 401 for identity/binding failures (steps 4-8), 403 otherwise (seed 000, 4.4). */
  get httpStatus(): 401 | 403 {
    return this.step >= 4 && this.step <= 8 ? 401 : 403;
  }
}

// ── Phase 1: serialization (steps 1-3) ────────────────────────────────────

/** Step 1: not a JWS Compact Serialization of a JSON header and a JSON object payload. */
export class EctMalformedError extends EctVerificationError {
  override name = "EctMalformedError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(1, "ECT_MALFORMED", "The ECT is not a well-formed JWS Compact Serialization.", parameters);
  }
}

/** Step 1: the header lists `crit` extensions this implementation does not understand (RFC 7515, 4.1.11). */
export class EctUnsupportedCritError extends EctVerificationError {
  override name = "EctUnsupportedCritError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(1, "ECT_UNSUPPORTED_CRIT", "The ECT header marks unsupported extensions as critical.", parameters);
  }
}

/** Step 2: `typ` is not `wimse-exec+jwt`. */
export class EctBadTypError extends EctVerificationError {
  override name = "EctBadTypError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(2, "ECT_BAD_TYP", 'The ECT header "typ" is not "wimse-exec+jwt".', parameters);
  }
}

/** Step 3: `alg` is not in the allowlist (always the case for `none`). */
export class EctAlgNotAllowedError extends EctVerificationError {
  override name = "EctAlgNotAllowedError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(3, "ECT_ALG_NOT_ALLOWED", 'The ECT header "alg" is not in the allowlist.', parameters);
  }
}

// ── Phase 2: identity and binding (steps 4-8) ─────────────────────────────

/** Step 4: `kid` is absent or names no key in the agent key store. */
export class EctUnknownKidError extends EctVerificationError {
  override name = "EctUnknownKidError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(4, "ECT_UNKNOWN_KID", 'The ECT "kid" references no known agent key.', parameters);
  }
}

/** Step 4: the key store failed (threw or rejected) while looking up `kid`. */
export class EctKeyStoreError extends EctVerificationError {
  override name = "EctKeyStoreError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(4, "ECT_KEY_STORE_FAILED", "The agent key store failed to resolve the ECT key.", parameters);
  }
}

/** Step 4: the key store returned something that is not a usable EC public key. */
export class EctUnusableKeyError extends EctVerificationError {
  override name = "EctUnusableKeyError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(4, "ECT_UNUSABLE_KEY", "The agent key for this ECT is not a usable EC public key.", parameters);
  }
}

/** Step 5: the JWS signature does not verify. */
export class EctBadSignatureError extends EctVerificationError {
  override name = "EctBadSignatureError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(5, "ECT_BAD_SIGNATURE", "The ECT signature is invalid.", parameters);
  }
}

/** Step 6: the signing key is revoked. */
export class EctKeyRevokedError extends EctVerificationError {
  override name = "EctKeyRevokedError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(6, "ECT_KEY_REVOKED", "The ECT signing key is revoked.", parameters);
  }
}

/** Step 7: the header `alg` differs from the algorithm bound to the key (the WIT's). */
export class EctAlgMismatchError extends EctVerificationError {
  override name = "EctAlgMismatchError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(7, "ECT_ALG_MISMATCH", 'The ECT "alg" does not match the algorithm of the agent key.', parameters);
  }
}

/** Step 8: `iss` differs from the subject bound to the key (the WIT's `sub`). */
export class EctIssuerMismatchError extends EctVerificationError {
  override name = "EctIssuerMismatchError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(8, "ECT_ISSUER_MISMATCH", 'The ECT "iss" does not match the subject of the agent key.', parameters);
  }
}

// ── Phase 3: temporal and audience (steps 9-11) ───────────────────────────

/** Step 9: the verifier's identity is not in `aud`. */
export class EctAudienceMismatchError extends EctVerificationError {
  override name = "EctAudienceMismatchError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(9, "ECT_WRONG_AUDIENCE", "The verifier is not an audience of the ECT.", parameters);
  }
}

/** Step 10: `exp` has passed. */
export class EctExpiredError extends EctVerificationError {
  override name = "EctExpiredError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(10, "ECT_EXPIRED", "The ECT has expired.", parameters);
  }
}

/** Step 11: `iat` (or `nbf`) lies more than the allowed skew in the future. */
export class EctNotYetValidError extends EctVerificationError {
  override name = "EctNotYetValidError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(11, "ECT_NOT_YET_VALID", "The ECT is not yet valid (issued in the future).", parameters);
  }
}

/** Step 11: `iat` is older than the allowed window (15 min by default). */
export class EctIatTooOldError extends EctVerificationError {
  override name = "EctIatTooOldError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(11, "ECT_IAT_TOO_OLD", 'The ECT "iat" is older than the allowed window.', parameters);
  }
}

// ── Claims present and well-formed (checked at the step that uses them) ───

/**
 * A required claim is absent. Raised at the step that needs the claim: `iss` at 8,
 * `aud` at 9, `exp` at 10, `iat` at 11, `jti`/`exec_act`/`par` at 12.
 */
export class EctMissingClaimError extends EctVerificationError {
  override name = "EctMissingClaimError";
  constructor(step: EctVerificationStep, parameters: EctVerificationErrorParameters = {}) {
    super(step, "ECT_MISSING_CLAIM", "A required ECT claim is missing.", parameters);
  }
}

/** A claim has the wrong type or shape (at the step that uses it, see `EctMissingClaimError`). */
export class EctInvalidClaimError extends EctVerificationError {
  override name = "EctInvalidClaimError";
  constructor(step: EctVerificationStep, parameters: EctVerificationErrorParameters = {}) {
    super(step, "ECT_INVALID_CLAIM", "An ECT claim is malformed.", parameters);
  }
}

/** Step 12: `inp_hash` / `out_hash` is not a base64url SHA-256 digest (43 characters). */
export class EctMalformedHashError extends EctVerificationError {
  override name = "EctMalformedHashError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(12, "ECT_MALFORMED_HASH", "An ECT hash claim is not a base64url SHA-256 digest.", parameters);
  }
}

/** Step 12: `ext` serialises to more than 4,096 bytes. */
export class EctExtTooLargeError extends EctVerificationError {
  override name = "EctExtTooLargeError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(12, "ECT_EXT_TOO_LARGE", 'The ECT "ext" claim exceeds 4096 bytes.', parameters);
  }
}

/** Step 12: `ext` nests more than 5 levels. */
export class EctExtTooDeepError extends EctVerificationError {
  override name = "EctExtTooDeepError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(12, "ECT_EXT_TOO_DEEP", 'The ECT "ext" claim nests more than 5 levels.', parameters);
  }
}

/** Step 12: both a claim and its later-draft alias are present with different values (`par`/`pred`, `ext`/`ect_ext`). */
export class EctConflictingClaimsError extends EctVerificationError {
  override name = "EctConflictingClaimsError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(12, "ECT_CONFLICTING_CLAIMS", "An ECT claim and its alias disagree.", parameters);
  }
}

// ── Phase 4, step 13: DAG validation (seed 000, 4.3) ──────────────────────

/** Rule 1: the `jti` is not unique within its workflow scope (or globally without `wid`). */
export class EctDuplicateJtiError extends EctVerificationError {
  override name = "EctDuplicateJtiError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(13, "ECT_DAG_DUPLICATE_JTI", 'DAG rule 1: the ECT "jti" is not unique.', parameters);
  }
}

/** Rule 2: a `par` entry references no known ECT. */
export class EctUnknownParentError extends EctVerificationError {
  override name = "EctUnknownParentError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(13, "ECT_DAG_UNKNOWN_PARENT", "DAG rule 2: an ECT parent does not exist.", parameters);
  }
}

/** Rule 3: a parent's `iat` exceeds the child's `iat` plus the clock-skew tolerance. */
export class EctTemporalOrderError extends EctVerificationError {
  override name = "EctTemporalOrderError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(13, "ECT_DAG_TEMPORAL_ORDER", "DAG rule 3: a parent is issued after its child.", parameters);
  }
}

/** Rule 4: parent chains cycle back. */
export class EctCycleError extends EctVerificationError {
  override name = "EctCycleError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(13, "ECT_DAG_CYCLE", "DAG rule 4: the ECT parent chain contains a cycle.", parameters);
  }
}

/** Rule 5: a parent belongs to a trust domain that is neither the child's nor federated with it. */
export class EctTrustDomainError extends EctVerificationError {
  override name = "EctTrustDomainError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(13, "ECT_DAG_TRUST_DOMAIN", "DAG rule 5: a parent is in a foreign trust domain.", parameters);
  }
}

/** The traversal visited more than the maximum number of nodes (10,000 by default). */
export class EctTraversalLimitError extends EctVerificationError {
  override name = "EctTraversalLimitError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(13, "ECT_DAG_TRAVERSAL_LIMIT", "DAG validation exceeded the node traversal limit.", parameters);
  }
}

/** Step 13: the DAG store (ledger or resolver) failed while looking up an ECT. */
export class EctDagStoreError extends EctVerificationError {
  override name = "EctDagStoreError";
  constructor(parameters: EctVerificationErrorParameters = {}) {
    super(13, "ECT_DAG_STORE_FAILED", "The ECT store failed during DAG validation.", parameters);
  }
}

// ── Builders, key stores, transport, workers ──────────────────────────────

/** A key given to a signer or key store is not usable (wrong type, curve, missing `kid`, private where public expected…). */
export class EctKeyError extends EctError {
  override name = "EctKeyError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_INVALID_KEY", "The key is not a usable ECT key.", parameters);
  }
}

/** A remote JWKS could not be fetched or is not a JWK Set. */
export class EctJwksFetchError extends EctError {
  override name = "EctJwksFetchError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_JWKS_FETCH_FAILED", "The JWKS could not be fetched.", parameters);
  }
}

/** An `Execution-Context` header value is malformed. */
export class EctHeaderError extends EctError {
  override name = "EctHeaderError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_HEADER_MALFORMED", "The Execution-Context header is malformed.", parameters);
  }
}

/** A verification worker thread failed to start or crashed. */
export class EctWorkerError extends EctError {
  override name = "EctWorkerError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_WORKER_FAILED", "An ECT verification worker failed.", parameters);
  }
}

/**
 * An option passed to an ECT function is invalid: a programming or deployment error, not a
 * problem of the token. Builders and `createEctVerifier` throw it; `verifyEct` (and the other
 * verifiers) return it as a failure *before step 1* (`step: 0`, HTTP 500: the verifier, not the
 * caller, is at fault), so a misconfigured verifier is never mistaken for a bad token.
 */
export class EctInvalidOptionError extends EctError {
  override name = "EctInvalidOptionError";
  /** 0: the options check that precedes step 1 of Table 5. */
  readonly step = 0 as const;
  readonly stepName = "options";
  /** Options are not claims. */
  readonly claim = undefined;
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_INVALID_OPTION", "An ECT option is invalid.", parameters);
  }
  /** 500: the verifier is misconfigured. */
  get httpStatus(): 500 {
    return 500;
  }
}

/** What a failed verification carries: a step failure, or (step 0) invalid verifier options. */
export type EctVerifyError = EctVerificationError | EctInvalidOptionError;

/**
 * Step 12 (and step 1 for the header): a JSON member name that would rewrite an object's
 * prototype when copied (`__proto__`). A verified payload never carries one, so no consumer
 * that merges claims or `ext` into its own objects can be subverted by a signed token.
 */
export class EctForbiddenMemberError extends EctVerificationError {
  override name = "EctForbiddenMemberError";
  constructor(step: 1 | 12, parameters: EctVerificationErrorParameters = {}) {
    super(step, "ECT_FORBIDDEN_MEMBER", 'The ECT carries a forbidden member name ("__proto__").', parameters);
  }
}

// ── Audit ledger (seed 000, 4.6) ──────────────────────────────────────────

/** Append refused: an entry with this `jti` already exists in the scope (append-only, rule 1). */
export class EctLedgerDuplicateError extends EctError {
  override name = "EctLedgerDuplicateError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_LEDGER_DUPLICATE_JTI", "The ledger already holds an ECT with this jti.", parameters);
  }
}

/** Append refused: a parent of the ECT is not recorded (the ledger keeps its graph closed). */
export class EctLedgerMissingParentError extends EctError {
  override name = "EctLedgerMissingParentError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_LEDGER_MISSING_PARENT", "The ledger does not hold a parent of this ECT.", parameters);
  }
}

/** Append refused: the token is not a decodable ECT with well-formed claims. */
export class EctLedgerInvalidTokenError extends EctError {
  override name = "EctLedgerInvalidTokenError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_LEDGER_INVALID_TOKEN", "The token cannot be recorded: it is not a well-formed ECT.", parameters);
  }
}

/** A stored ledger line other than the last one cannot be parsed (damage, not a torn write). */
export class EctLedgerCorruptError extends EctError {
  override name = "EctLedgerCorruptError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_LEDGER_CORRUPT", "The ledger file holds an unreadable entry.", parameters);
  }
}

/** The ledger file ends with a torn (unterminated) line and the store was told not to repair it. */
export class EctLedgerTornTailError extends EctError {
  override name = "EctLedgerTornTailError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_LEDGER_TORN_TAIL", "The ledger file ends with a torn write.", parameters);
  }
}

/** Append refused: the hash chain is broken, so the ledger must not be extended. */
export class EctLedgerIntegrityError extends EctError {
  override name = "EctLedgerIntegrityError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_LEDGER_INTEGRITY", "The ledger hash chain is broken.", parameters);
  }
}

/** A write to the store failed earlier; the ledger refuses further use until reopened. */
export class EctLedgerFailedError extends EctError {
  override name = "EctLedgerFailedError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_LEDGER_FAILED", "The ledger store failed; reopen the ledger.", parameters);
  }
}

/**
 * The ledger store could not be opened or read (e.g. the path is a directory, its directory
 * does not exist, permissions, a custom store's `load` failed). `cause` holds the I/O error.
 */
export class EctLedgerIoError extends EctError {
  override name = "EctLedgerIoError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_LEDGER_IO", "The ledger store could not be opened or read.", parameters);
  }
}

/** The ledger (or its store) is closed. */
export class EctLedgerClosedError extends EctError {
  override name = "EctLedgerClosedError";
  constructor(parameters: AgentExecErrorParameters = {}) {
    super("ECT_LEDGER_CLOSED", "The ledger is closed.", parameters);
  }
}
