/**
 * Outcome statements (draft-mih-scitt-agent-action-capsule-01 §3.3, §13).
 *
 * An asynchronously observed consequence of an action — a reversal, dispute,
 * correction or confirmation — is its own Signed Statement with
 * `capsule_statement_type: "outcome"` and content type
 * `application/agent-action-capsule-outcome+json`, whose `sub` equals the original
 * action's `sub`. Correlation is by subject and decision id, never by mutating the
 * original (the log is append-only). Independently sourced outcomes are how a
 * spoofed confirmation is contradicted over time (§13), so the outcome's issuer
 * (`observer`, the CWT iss) need not be the agent that acted.
 *
 * The profile fixes the envelope, not the outcome payload's members. This
 * implementation's payload (documented, digest-committed like a Capsule):
 *
 *   spec_version   REQUIRED  the profile version
 *   outcome_id     REQUIRED  JSON-DIGEST of the outcome without outcome_id
 *   outcome_type   REQUIRED  reversal | dispute | correction | confirmation
 *   operator, action_id  REQUIRED  the original action's subject
 *   observer       REQUIRED  who observed and attests the outcome (CWT iss)
 *   timestamp      REQUIRED  RFC 3339 UTC "Z"
 *   decision_id, capsule_id (of the original), external_ref (the effect's join key),
 *   evidence_digest (JSON-DIGEST of the private evidence)  optional
 */
import canonicalize from "canonicalize";
import { computeCapsuleId } from "./capsuleId.js";
import { type CapsuleCoseKeyResolver, openCoseStatement, signCoseStatement } from "./coseSign1.js";
import { type CapsuleCwtClaims, capsuleSubject } from "./cwtClaims.js";
import {
  type CapsuleError,
  CapsuleCoseClaimMismatchError,
  CapsuleCoseIssuerMismatchError,
  CapsuleCosePayloadInvalidError,
  CapsuleCosePayloadRejectedError,
  CapsuleCoseSubjectMismatchError,
  type CapsuleIssue,
  capsuleErrorFromIssue,
} from "./errors.js";
import type { CapsuleCoseSigner, CapsulePublicKey } from "./es256.js";
import { issue, isAbsent, isRecord, jsonType, show } from "./issues.js";
import { canonicalFormOf, findJsonDigestProblems, isJsonDigest, sha256Hex } from "./jsonDigest.js";
import { parseCapsuleJsonDetailed } from "./parseCapsuleJson.js";
import { isCapsuleTimestamp } from "./timestamp.js";
import { CAPSULE_OUTCOME_MEDIA_TYPE, CAPSULE_SPEC_VERSION, isCapsuleEnumValue } from "./vocabulary.js";

/** The kinds of consequence §3.3 names. */
export const CAPSULE_OUTCOME_TYPES = ["reversal", "dispute", "correction", "confirmation"] as const;
export type CapsuleOutcomeType = (typeof CAPSULE_OUTCOME_TYPES)[number];

/** An outcome statement payload (this implementation's members; see the file comment). */
export type CapsuleOutcome = {
  spec_version: string;
  outcome_id: string;
  outcome_type: CapsuleOutcomeType;
  operator: string;
  action_id: string;
  observer: string;
  timestamp: string;
  decision_id?: string | undefined;
  capsule_id?: string | undefined;
  external_ref?: string | undefined;
  evidence_digest?: string | undefined;
};

export type CapsuleOutcomeDraft = Omit<CapsuleOutcome, "spec_version" | "outcome_id" | "timestamp"> & { timestamp: string | Date };

const OUTCOME_MEMBERS = new Set(["spec_version", "outcome_id", "outcome_type", "operator", "action_id", "observer", "timestamp", "decision_id", "capsule_id", "external_ref", "evidence_digest"]);
const OUTCOME_ID_EXCLUDED: ReadonlySet<string> = new Set(["outcome_id"]);

/** `outcome_id`: JSON-DIGEST of the outcome without `outcome_id`. Throws typed errors for non-digestible input. */
export function computeOutcomeId(outcome: unknown): string {
  if (!isRecord(outcome)) throw capsuleErrorFromIssue(issue("CAPSULE_NOT_OBJECT", "error", "", "an outcome is a JSON object"));
  return sha256Hex(canonicalFormOf(outcome, OUTCOME_ID_EXCLUDED));
}

/** Structural issues of an outcome payload (everything but outcome_id recomputation). */
function checkOutcomeStructure(o: Record<string, unknown>): CapsuleIssue[] {
  const out: CapsuleIssue[] = [];
  const req = (k: string): boolean => {
    const v = o[k];
    if (isAbsent(v) || v === "") { out.push(issue("CAPSULE_FIELD_MISSING", "error", `/${k}`, `${k} is required`)); return false; }
    if (typeof v !== "string") { out.push(issue("CAPSULE_FIELD_TYPE", "error", `/${k}`, `${k} must be a string, got ${jsonType(v)}`)); return false; }
    return true;
  };
  req("spec_version");
  if (isAbsent(o.outcome_id)) out.push(issue("CAPSULE_FIELD_MISSING", "error", "/outcome_id", "outcome_id is required"));
  else if (!isJsonDigest(o.outcome_id)) out.push(issue("CAPSULE_DIGEST_MALFORMED", "error", "/outcome_id", `outcome_id must be 64 lowercase hex characters, got ${show(o.outcome_id)}`));
  if (req("outcome_type") && !isCapsuleEnumValue(CAPSULE_OUTCOME_TYPES, o.outcome_type)) out.push(issue("CAPSULE_FIELD_VALUE", "error", "/outcome_type", `outcome_type ${show(o.outcome_type)} is not one of ${CAPSULE_OUTCOME_TYPES.join(", ")}`));
  req("operator");
  req("action_id");
  req("observer");
  if (req("timestamp") && !isCapsuleTimestamp(o.timestamp)) out.push(issue("CAPSULE_TIMESTAMP_INVALID", "error", "/timestamp", `timestamp ${show(o.timestamp)} is not RFC 3339 UTC with a "Z" suffix`));
  for (const k of ["decision_id", "external_ref"]) if (!isAbsent(o[k]) && typeof o[k] !== "string") out.push(issue("CAPSULE_FIELD_TYPE", "error", `/${k}`, `${k} must be a string, got ${jsonType(o[k])}`));
  for (const k of ["capsule_id", "evidence_digest"]) if (!isAbsent(o[k]) && !isJsonDigest(o[k])) out.push(issue("CAPSULE_DIGEST_MALFORMED", "error", `/${k}`, `${k} must be 64 lowercase hex characters, got ${show(o[k])}`));
  return out;
}

/** Builds an outcome statement payload; throws a typed `CapsuleError` naming the path. */
export function buildOutcome(draft: CapsuleOutcomeDraft): CapsuleOutcome {
  if (!isRecord(draft)) throw capsuleErrorFromIssue(issue("CAPSULE_NOT_OBJECT", "error", "", "an outcome draft is an object"));
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(draft)) {
    if (!OUTCOME_MEMBERS.has(k) || k === "outcome_id" || k === "spec_version") throw capsuleErrorFromIssue(issue("CAPSULE_FIELD_VALUE", "error", `/${k}`, `unknown or computed member ${JSON.stringify(k)}`));
    if (v !== undefined) o[k] = v;
  }
  if (draft.timestamp instanceof Date) o.timestamp = draft.timestamp.toISOString();
  o.spec_version = CAPSULE_SPEC_VERSION;
  o.outcome_id = computeOutcomeId(o);
  const first = checkOutcomeStructure(o)[0];
  if (first !== undefined) throw capsuleErrorFromIssue(first);
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) sorted[k] = o[k];
  return sorted as CapsuleOutcome;
}

export type VerifyOutcomeReturnType = { ok: boolean; issues: CapsuleIssue[]; outcomeId: string | null };

/** Verifies an outcome payload (structure, JSON domain, outcome_id). Never throws. */
export function verifyOutcome(outcome: unknown): VerifyOutcomeReturnType {
  try {
    if (!isRecord(outcome)) return { ok: false, issues: [issue("CAPSULE_NOT_OBJECT", "error", "", `an outcome is a JSON object, got ${show(outcome)}`)], outcomeId: null };
    const issues: CapsuleIssue[] = [];
    let outcomeId: string | null = null;
    try {
      outcomeId = computeOutcomeId(outcome);
    } catch {
      for (const p of findJsonDigestProblems(outcome, { excludeTopLevel: OUTCOME_ID_EXCLUDED })) issues.push(issue(p.code, "error", p.path, p.message));
    }
    issues.push(...checkOutcomeStructure(outcome));
    if (outcomeId !== null && outcome.outcome_id !== outcomeId) issues.push(issue("CAPSULE_OUTCOME_ID_MISMATCH", "error", "/outcome_id", `outcome_id ${show(outcome.outcome_id)} does not recompute (${outcomeId})`));
    return { ok: !issues.some((i) => i.severity === "error"), issues, outcomeId };
  } catch (cause) {
    return { ok: false, issues: [issue("CAPSULE_VERIFIER_INTERNAL", "error", "", `the outcome could not be verified: ${cause instanceof Error ? cause.message : String(cause)}`)], outcomeId: null };
  }
}

/**
 * Correlates an outcome with the original Capsule (§3.3): same subject (operator and
 * action_id), same decision id when both carry one, and — when the outcome names the
 * original's capsule_id — that id recomputes from the Capsule. Never throws.
 */
export function correlateOutcome(outcome: unknown, capsule: unknown): { ok: boolean; issues: CapsuleIssue[] } {
  const issues: CapsuleIssue[] = [];
  if (!isRecord(outcome) || !isRecord(capsule)) return { ok: false, issues: [issue("CAPSULE_NOT_OBJECT", "error", "", "outcome and capsule must both be objects")] };
  if (outcome.operator !== capsule.operator || outcome.action_id !== capsule.action_id) {
    issues.push(issue("CAPSULE_OUTCOME_SUBJECT_MISMATCH", "error", "/action_id", `outcome subject (${show(outcome.operator)}, ${show(outcome.action_id)}) is not the action's (${show(capsule.operator)}, ${show(capsule.action_id)})`));
  }
  if (!isAbsent(outcome.decision_id) && !isAbsent(capsule.decision_id) && outcome.decision_id !== capsule.decision_id) {
    issues.push(issue("CAPSULE_OUTCOME_DECISION_MISMATCH", "error", "/decision_id", `outcome decision_id ${show(outcome.decision_id)} is not the action's ${show(capsule.decision_id)}`));
  }
  if (!isAbsent(outcome.capsule_id)) {
    let id: string | undefined;
    try {
      id = computeCapsuleId(capsule);
    } catch {
      id = undefined;
    }
    if (outcome.capsule_id !== id) issues.push(issue("CAPSULE_ID_MISMATCH", "error", "/capsule_id", `outcome names capsule ${show(outcome.capsule_id)}, the Capsule recomputes to ${id ?? "(not digestible)"}`));
  }
  return { ok: issues.length === 0, issues };
}

/** Signs an outcome as a COSE_Sign1 Signed Statement (iss = observer, sub = the action's subject). */
export async function signOutcomeCose(
  outcome: CapsuleOutcome,
  parameters: { signer: CapsuleCoseSigner; issuedAt?: Date | number | undefined; tagged?: boolean | undefined },
): Promise<Uint8Array> {
  const check = verifyOutcome(outcome);
  const first = check.issues.find((i) => i.severity === "error");
  if (first !== undefined) throw new CapsuleCosePayloadRejectedError({ path: first.path, details: `${first.code}: ${first.message}` });
  const claims: [string, string][] = [["capsule_statement_type", "outcome"]];
  if (typeof outcome.decision_id === "string" && outcome.decision_id !== "") claims.push(["capsule_decision_id", outcome.decision_id]);
  const iat = parameters.issuedAt === undefined ? undefined : Math.floor(typeof parameters.issuedAt === "number" ? parameters.issuedAt : parameters.issuedAt.getTime() / 1000);
  return signCoseStatement({
    payload: new TextEncoder().encode(canonicalize(outcome) as string),
    contentType: CAPSULE_OUTCOME_MEDIA_TYPE,
    claims: { iss: outcome.observer, sub: capsuleSubject(outcome.operator, outcome.action_id), iat, capsule: claims },
    signer: parameters.signer,
    tagged: parameters.tagged,
  });
}

export type VerifyOutcomeCoseParameters = {
  publicKey?: CapsulePublicKey | undefined;
  resolveKey?: CapsuleCoseKeyResolver | undefined;
  /** The original Capsule, to correlate with (subject, decision id, capsule id). */
  capsule?: unknown;
};

export type VerifyOutcomeCoseReturnType = {
  ok: boolean;
  error: CapsuleError | undefined;
  claims: CapsuleCwtClaims | undefined;
  payload: unknown;
  issues: CapsuleIssue[];
  notes: CapsuleIssue[];
};

/** Verifies an outcome Signed Statement (envelope, payload, optional correlation). Never throws. */
export async function verifyOutcomeCose(bytes: Uint8Array, parameters: VerifyOutcomeCoseParameters = {}): Promise<VerifyOutcomeCoseReturnType> {
  const result: VerifyOutcomeCoseReturnType = { ok: false, error: undefined, claims: undefined, payload: undefined, issues: [], notes: [] };
  try {
    const opened = await openCoseStatement(bytes, { publicKey: parameters.publicKey, resolveKey: parameters.resolveKey, contentType: CAPSULE_OUTCOME_MEDIA_TYPE, statementType: "outcome" });
    result.notes = opened.notes;
    if (!opened.ok) { result.error = opened.error; return result; }
    result.claims = opened.claims;
    let value: unknown;
    try {
      const parsed = parseCapsuleJsonDetailed(opened.decoded.payload);
      value = parsed.value;
      if (parsed.lexicalFloats.length > 0) result.issues.push(...parsed.lexicalFloats.map((p) => issue("CAPSULE_JSON_FLOAT", "error", p, "floating-point number in an outcome payload")));
    } catch (cause) {
      const e = cause as CapsuleError;
      result.error = new CapsuleCosePayloadInvalidError({ cause, path: e.path, details: e.details ?? e.shortMessage });
      return result;
    }
    result.payload = value;
    if (isRecord(value)) {
      if (typeof value.operator === "string" && typeof value.action_id === "string" && opened.claims.sub !== capsuleSubject(value.operator, value.action_id)) {
        result.error = new CapsuleCoseSubjectMismatchError({ path: "/0/15/2", details: `sub ${JSON.stringify(opened.claims.sub)} is not the outcome's subject` });
        return result;
      }
      if (typeof value.observer === "string" && opened.claims.iss !== value.observer) {
        result.error = new CapsuleCoseIssuerMismatchError({ path: "/0/15/1", details: `iss ${JSON.stringify(opened.claims.iss)}, payload observer ${JSON.stringify(value.observer)}` });
        return result;
      }
      if (opened.claims.capsule_decision_id !== undefined && typeof value.decision_id === "string" && opened.claims.capsule_decision_id !== value.decision_id) {
        result.error = new CapsuleCoseClaimMismatchError({ path: "/0/15/capsule_decision_id", details: "capsule_decision_id disagrees with the payload" });
        return result;
      }
    }
    const v = verifyOutcome(value);
    result.issues.push(...v.issues);
    if (parameters.capsule !== undefined) result.issues.push(...correlateOutcome(value, parameters.capsule).issues);
    const firstError = result.issues.find((i) => i.severity === "error");
    if (firstError !== undefined) {
      result.error = new CapsuleCosePayloadRejectedError({ path: firstError.path, details: `${firstError.code}: ${firstError.message}` });
      return result;
    }
    result.ok = true;
    return result;
  } catch (cause) {
    result.error = new CapsuleCosePayloadRejectedError({ cause, details: "verification failed unexpectedly" });
    return result;
  }
}
