/**
 * Plain-data messages between `EctVerifierPool` and its worker threads (workflow-worker.ts),
 * and the plain-data form of verification errors that crosses `postMessage`.
 * Internal module: not re-exported from the package entry.
 */
import type { AgentKeyRecord } from "./agent-key.js";
import type { EctClaims, EctHeader } from "./claims.js";
import type { EctVerificationStep } from "./constants.js";
import {
  EctAlgMismatchError,
  EctAlgNotAllowedError,
  EctAudienceMismatchError,
  EctBadSignatureError,
  EctBadTypError,
  EctConflictingClaimsError,
  EctCycleError,
  EctDagStoreError,
  EctDuplicateJtiError,
  EctExpiredError,
  EctExtTooDeepError,
  EctExtTooLargeError,
  EctForbiddenMemberError,
  EctIatTooOldError,
  EctInvalidClaimError,
  EctInvalidOptionError,
  EctIssuerMismatchError,
  EctKeyRevokedError,
  EctKeyStoreError,
  EctMalformedError,
  EctMalformedHashError,
  EctMissingClaimError,
  EctNotYetValidError,
  EctTemporalOrderError,
  EctTraversalLimitError,
  EctTrustDomainError,
  EctUnknownKidError,
  EctUnknownParentError,
  EctUnsupportedCritError,
  EctUnusableKeyError,
  type EctVerificationErrorParameters,
  type EctVerifyError,
} from "./errors.js";

/** Verification options that can cross a thread boundary (no functions: the clock is a fixed `now`). */
export type WorkerOptions = {
  audience: string | readonly string[] | null;
  algorithms: readonly string[] | undefined;
  /** Milliseconds since the epoch, sampled once by the caller. */
  now: number;
  maxFutureSkewSec: number | undefined;
  maxAgeSec: number | undefined;
  expLeewaySec: number | undefined;
};

export type WorkerJob =
  | { type: "verify"; id: number; tokens: string[]; options: WorkerOptions }
  | { type: "keys"; records: AgentKeyRecord[] };

export type WorkerResult =
  | { ok: true; claims: EctClaims; header: EctHeader; payload: Record<string, unknown> }
  | { ok: false; error: EctVerificationErrorData };

export type WorkerMessage = { type: "result"; id: number; results: WorkerResult[] } | { type: "fatal"; message: string };

/** Plain-data form of a verification error (crosses `postMessage`). */
export type EctVerificationErrorData = {
  code: string;
  step: EctVerificationStep | 0;
  details?: string | undefined;
  claim?: string | undefined;
};

export function ectVerificationErrorToData(error: EctVerifyError): EctVerificationErrorData {
  return { code: error.code, step: error.step, details: error.details, claim: error.claim };
}

type Ctor = (step: EctVerificationStep, p: EctVerificationErrorParameters) => EctVerifyError;
/** code → constructor. A `Map`, so no code (`"__proto__"`, `"toString"`) can reach `Object.prototype`. */
const BY_CODE = new Map<string, Ctor>([
  ["ECT_INVALID_OPTION", (_s, p) => new EctInvalidOptionError({ details: p.details })],
  ["ECT_MALFORMED", (_s, p) => new EctMalformedError(p)],
  ["ECT_UNSUPPORTED_CRIT", (_s, p) => new EctUnsupportedCritError(p)],
  ["ECT_BAD_TYP", (_s, p) => new EctBadTypError(p)],
  ["ECT_ALG_NOT_ALLOWED", (_s, p) => new EctAlgNotAllowedError(p)],
  ["ECT_UNKNOWN_KID", (_s, p) => new EctUnknownKidError(p)],
  ["ECT_KEY_STORE_FAILED", (_s, p) => new EctKeyStoreError(p)],
  ["ECT_UNUSABLE_KEY", (_s, p) => new EctUnusableKeyError(p)],
  ["ECT_BAD_SIGNATURE", (_s, p) => new EctBadSignatureError(p)],
  ["ECT_KEY_REVOKED", (_s, p) => new EctKeyRevokedError(p)],
  ["ECT_ALG_MISMATCH", (_s, p) => new EctAlgMismatchError(p)],
  ["ECT_ISSUER_MISMATCH", (_s, p) => new EctIssuerMismatchError(p)],
  ["ECT_WRONG_AUDIENCE", (_s, p) => new EctAudienceMismatchError(p)],
  ["ECT_EXPIRED", (_s, p) => new EctExpiredError(p)],
  ["ECT_NOT_YET_VALID", (_s, p) => new EctNotYetValidError(p)],
  ["ECT_IAT_TOO_OLD", (_s, p) => new EctIatTooOldError(p)],
  ["ECT_MISSING_CLAIM", (s, p) => new EctMissingClaimError(s, p)],
  ["ECT_INVALID_CLAIM", (s, p) => new EctInvalidClaimError(s, p)],
  ["ECT_MALFORMED_HASH", (_s, p) => new EctMalformedHashError(p)],
  ["ECT_EXT_TOO_LARGE", (_s, p) => new EctExtTooLargeError(p)],
  ["ECT_EXT_TOO_DEEP", (_s, p) => new EctExtTooDeepError(p)],
  ["ECT_CONFLICTING_CLAIMS", (_s, p) => new EctConflictingClaimsError(p)],
  ["ECT_FORBIDDEN_MEMBER", (s, p) => new EctForbiddenMemberError(s === 1 ? 1 : 12, p)],
  ["ECT_DAG_DUPLICATE_JTI", (_s, p) => new EctDuplicateJtiError(p)],
  ["ECT_DAG_UNKNOWN_PARENT", (_s, p) => new EctUnknownParentError(p)],
  ["ECT_DAG_TEMPORAL_ORDER", (_s, p) => new EctTemporalOrderError(p)],
  ["ECT_DAG_CYCLE", (_s, p) => new EctCycleError(p)],
  ["ECT_DAG_TRUST_DOMAIN", (_s, p) => new EctTrustDomainError(p)],
  ["ECT_DAG_TRAVERSAL_LIMIT", (_s, p) => new EctTraversalLimitError(p)],
  ["ECT_DAG_STORE_FAILED", (_s, p) => new EctDagStoreError(p)],
]);

const STEPS = new Set<unknown>([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);

/**
 * Rebuilds the typed error from its plain-data form. Anything unexpected (an unknown code, a
 * step out of range, non-string fields) becomes an `EctMalformedError` describing it; never throws.
 */
export function ectVerificationErrorFromData(data: unknown): EctVerifyError {
  const d = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  const code = typeof d.code === "string" ? d.code : undefined;
  const details = typeof d.details === "string" ? d.details : undefined;
  const claim = typeof d.claim === "string" ? d.claim : undefined;
  const make = code === undefined ? undefined : BY_CODE.get(code);
  if (!make) return new EctMalformedError({ details: `unknown error code ${JSON.stringify(code ?? null)?.slice(0, 80)}: ${details ?? ""}` });
  if (code !== "ECT_INVALID_OPTION" && !STEPS.has(d.step)) {
    return new EctMalformedError({ details: `error ${code} names no verification step (${JSON.stringify(d.step ?? null)?.slice(0, 20)}): ${details ?? ""}` });
  }
  return make(d.step as EctVerificationStep, { details, claim });
}
