/**
 * The protected-header claims of a Capsule Signed Statement
 * (draft-mih-scitt-agent-action-capsule-01 §3.1, §3.3, §9): the CWT Claims header
 * parameter (COSE label 15, RFC 9597 / RFC 8392) carrying
 *
 *   iss (1)                  REQUIRED  the signing agent identity (the Capsule's developer)
 *   sub (2)                  REQUIRED  urn:agent-action-capsule:OPERATOR:ACTION_ID
 *   capsule_statement_type   REQUIRED  "agent_action" | "outcome"
 *   capsule_action_type      RECOMMENDED "fyi" | "decide"
 *   capsule_decision_id      RECOMMENDED correlates the statements of one decision
 *
 * The `capsule_*` claim set is closed; its labels are provisional text keys. An
 * unrecognised `capsule_*` claim is still verified and reported as informational.
 *
 * Subject encoding. The profile gives only the template
 * `urn:agent-action-capsule:OPERATOR:ACTION_ID` (its URN namespace is provisional,
 * §3.1) and no escaping rule. This implementation EMITS one documented form
 * (`capsuleSubject`): each component percent-encoded (UTF-8) outside the RFC 8141 NSS
 * characters, ":" and "%" always encoded — so distinct (operator, action_id) pairs
 * never share a subject (operator "a:b" vs operator "a", action "b:…") and the result
 * is a syntactically valid URN. Plain identifiers (letters, digits, "-", ".", "_",
 * "@", "/", …) are unchanged, so for them both forms coincide.
 *
 * It ACCEPTS (`capsuleSubjectMatches`) the subject of another implementation that
 * followed the template literally or encoded differently: a `sub` matches when it
 * equals the raw template `urn:agent-action-capsule:` + operator + ":" + action_id, or
 * when its percent-decoding does (the emitted form included). A `sub` claim only
 * correlates statements at the SCITT layer; the payload's operator and action_id are
 * what the signature binds.
 *
 * Also here: `toCwtNumericDate` (the iat claim) and `checkStatementClaims`, the one
 * header/payload agreement check of Capsule and outcome statements.
 */
import {
  type CapsuleError,
  CapsuleCoseClaimMismatchError,
  CapsuleCoseClaimsInvalidError,
  CapsuleCoseIssuerMismatchError,
  CapsuleCoseSubjectMismatchError,
  CapsuleFieldTypeError,
} from "./errors.js";
import { CAPSULE_SUBJECT_URN_PREFIX, type CapsuleActionType, type CapsuleStatementType } from "./vocabulary.js";

/** COSE header labels used by the envelope (RFC 9052 §3.1, RFC 9597). */
export const COSE_HEADER_ALG = 1;
export const COSE_HEADER_CRIT = 2;
export const COSE_HEADER_CONTENT_TYPE = 3;
export const COSE_HEADER_KID = 4;
export const COSE_HEADER_CWT_CLAIMS = 15;
/** CWT claim keys (RFC 8392 §4). */
export const CWT_CLAIM_ISS = 1;
export const CWT_CLAIM_SUB = 2;
export const CWT_CLAIM_IAT = 6;

/** The decoded CWT claims of a Capsule Signed Statement. */
export type CapsuleCwtClaims = {
  iss: string;
  sub: string;
  /** Seconds since the epoch, when present. */
  iat?: number | undefined;
  capsule_statement_type: CapsuleStatementType | (string & {});
  capsule_action_type?: CapsuleActionType | (string & {}) | undefined;
  capsule_decision_id?: string | undefined;
  /** Every other claim as decoded, by label (unrecognised capsule_* claims included). */
  other: ReadonlyMap<string | number, unknown>;
};

const NSS_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=@/]/;

function encodeComponent(s: string): string {
  let out = "";
  for (const ch of s) {
    if (NSS_SAFE.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, "utf8")) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** The CWT `sub` this implementation emits: `urn:agent-action-capsule:OPERATOR:ACTION_ID` (components percent-encoded as needed). */
export function capsuleSubject(operator: string, actionId: string): string {
  if (typeof operator !== "string" || typeof actionId !== "string") {
    throw new CapsuleFieldTypeError({ path: typeof operator !== "string" ? "/operator" : "/action_id", details: "capsuleSubject(operator, actionId) takes two strings" });
  }
  return `${CAPSULE_SUBJECT_URN_PREFIX}${encodeComponent(operator)}:${encodeComponent(actionId)}`;
}

/** The profile's template filled in literally, without any encoding. */
export function capsuleSubjectRaw(operator: string, actionId: string): string {
  return `${CAPSULE_SUBJECT_URN_PREFIX}${operator}:${actionId}`;
}

function percentDecode(s: string): string | undefined {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * True when `sub` names the action (operator, actionId): it equals the raw template,
 * or its percent-decoding equals the raw template (which covers `capsuleSubject`).
 */
export function capsuleSubjectMatches(sub: string, operator: string, actionId: string): boolean {
  if (typeof sub !== "string" || typeof operator !== "string" || typeof actionId !== "string") return false;
  const raw = capsuleSubjectRaw(operator, actionId);
  return sub === raw || percentDecode(sub) === raw;
}

/**
 * CWT NumericDate (RFC 8392 §2: seconds since the epoch, integer here) of a Date, or
 * of a number of seconds. Throws `CapsuleCoseClaimsInvalidError` for an invalid Date
 * or a non-finite number.
 */
export function toCwtNumericDate(at: Date | number): number {
  const seconds = typeof at === "number" ? at : at.getTime() / 1000;
  if (!Number.isFinite(seconds)) throw new CapsuleCoseClaimsInvalidError({ path: "/0/15/6", details: "iat must be a valid Date or a finite number of seconds since the epoch" });
  return Math.floor(seconds);
}

/** The payload facts a statement's protected-header claims must agree with. */
export type StatementClaimExpectations = {
  /** The payload's operator and action_id (sub); checked when both are strings. */
  operator: unknown;
  actionId: unknown;
  /** The payload member iss must equal (the Capsule's developer, the outcome's observer); checked when a string. */
  issuer: { member: string; value: unknown };
  /** The payload's action_type (capsule_action_type); checked when both are present. */
  actionType?: unknown;
  /** The payload's decision_id (capsule_decision_id); checked when both are present. */
  decisionId: unknown;
};

/**
 * Header/payload agreement of a Signed Statement (§3.1, §3.3): sub names the payload's
 * action, iss is the payload's issuer member, and capsule_action_type /
 * capsule_decision_id (RECOMMENDED claims) agree with the payload when present.
 * Returns the first disagreement as a typed error, or undefined. Members of the wrong
 * type are left to the payload's structural check.
 */
export function checkStatementClaims(claims: CapsuleCwtClaims, expected: StatementClaimExpectations): CapsuleError | undefined {
  const { operator, actionId, issuer, actionType, decisionId } = expected;
  if (typeof operator === "string" && typeof actionId === "string" && !capsuleSubjectMatches(claims.sub, operator, actionId)) {
    return new CapsuleCoseSubjectMismatchError({ path: "/0/15/2", details: `sub ${JSON.stringify(claims.sub)} does not name the payload's action ${JSON.stringify(capsuleSubject(operator, actionId))}` });
  }
  if (typeof issuer.value === "string" && claims.iss !== issuer.value) {
    return new CapsuleCoseIssuerMismatchError({ path: "/0/15/1", details: `iss ${JSON.stringify(claims.iss)}, payload ${issuer.member} ${JSON.stringify(issuer.value)}` });
  }
  if (claims.capsule_action_type !== undefined && typeof actionType === "string" && claims.capsule_action_type !== actionType) {
    return new CapsuleCoseClaimMismatchError({ path: "/0/15/capsule_action_type", details: `capsule_action_type ${JSON.stringify(claims.capsule_action_type)}, payload action_type ${JSON.stringify(actionType)}` });
  }
  if (claims.capsule_decision_id !== undefined && typeof decisionId === "string" && claims.capsule_decision_id !== decisionId) {
    return new CapsuleCoseClaimMismatchError({ path: "/0/15/capsule_decision_id", details: `capsule_decision_id ${JSON.stringify(claims.capsule_decision_id)}, payload decision_id ${JSON.stringify(decisionId)}` });
  }
  return undefined;
}
