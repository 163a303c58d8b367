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
 * Subject encoding: the profile's template is `urn:agent-action-capsule:OPERATOR:ACTION_ID`.
 * So that distinct (operator, action_id) pairs never share a subject, each component
 * is percent-encoded outside the RFC 8141 NSS characters, and ":" and "%" are always
 * encoded (an operator "a:b" would otherwise collide with operator "a", action "b:…").
 * Plain identifiers (letters, digits, "-", ".", "_", "@", "/", …) are unchanged.
 */
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

/** The CWT `sub` of an action: `urn:agent-action-capsule:OPERATOR:ACTION_ID` (components percent-encoded as needed). */
export function capsuleSubject(operator: string, actionId: string): string {
  return `${CAPSULE_SUBJECT_URN_PREFIX}${encodeComponent(operator)}:${encodeComponent(actionId)}`;
}
