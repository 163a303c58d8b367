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
 *
 * Verification reads an untrusted outcome (and Capsule) once into a normalized
 * snapshot (`snapshotJson`) and runs every rule and the outcome_id on it, like the
 * Capsule verifier. The header/payload agreement is cwtClaims.ts `checkStatementClaims`
 * (sub names the action; iss = observer; capsule_decision_id = decision_id).
 */
import canonicalize from "canonicalize";
import { snapshotCapsule } from "./capsuleId.js";
import { type CapsuleCoseKeyResolver, openCoseStatement, signCoseStatement } from "./coseSign1.js";
import { type CapsuleCwtClaims, capsuleSubject, checkStatementClaims } from "./cwtClaims.js";
import {
  CapsuleError,
  CapsuleCosePayloadInvalidError,
  CapsuleCosePayloadRejectedError,
  type CapsuleIssue,
  capsuleErrorFromIssue,
  describeError,
} from "./errors.js";
import type { CapsuleCoseSigner, CapsulePublicKey } from "./es256.js";
import { issue, isAbsent, isRecord, optionalDigestField, optionalStringField, requireField, show } from "./issues.js";
import { canonicalFormOf, isJsonDigest, sha256Hex, snapshotJson } from "./jsonDigest.js";
import { type ParseCapsuleJsonDetailedReturnType, parseCapsuleJsonDetailed } from "./parseCapsuleJson.js";
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
  let object: boolean;
  try {
    object = isRecord(outcome);
  } catch (cause) {
    throw capsuleErrorFromIssue(issue("CAPSULE_NOT_OBJECT", "error", "", "the outcome could not be inspected"), { cause });
  }
  if (!object) throw capsuleErrorFromIssue(issue("CAPSULE_NOT_OBJECT", "error", "", "an outcome is a JSON object"));
  return sha256Hex(canonicalFormOf(outcome, OUTCOME_ID_EXCLUDED));
}

/** Structural issues of an outcome payload (everything but outcome_id recomputation). */
function checkOutcomeStructure(o: Record<string, unknown>): CapsuleIssue[] {
  const out: CapsuleIssue[] = [];
  const req = (k: string): boolean => requireField(out, o, "", k, "string");
  req("spec_version");
  if (isAbsent(o.outcome_id)) out.push(issue("CAPSULE_FIELD_MISSING", "error", "/outcome_id", "outcome_id is required"));
  else if (!isJsonDigest(o.outcome_id)) out.push(issue("CAPSULE_DIGEST_MALFORMED", "error", "/outcome_id", `outcome_id must be 64 lowercase hex characters, got ${show(o.outcome_id)}`));
  if (req("outcome_type") && !isCapsuleEnumValue(CAPSULE_OUTCOME_TYPES, o.outcome_type)) out.push(issue("CAPSULE_FIELD_VALUE", "error", "/outcome_type", `outcome_type ${show(o.outcome_type)} is not one of ${CAPSULE_OUTCOME_TYPES.join(", ")}`));
  req("operator");
  req("action_id");
  req("observer");
  if (req("timestamp") && !isCapsuleTimestamp(o.timestamp)) out.push(issue("CAPSULE_TIMESTAMP_INVALID", "error", "/timestamp", `timestamp ${show(o.timestamp)} is not RFC 3339 UTC with a "Z" suffix`));
  for (const k of ["decision_id", "external_ref"]) optionalStringField(out, o, "", k);
  for (const k of ["capsule_id", "evidence_digest"]) optionalDigestField(out, o, "", k);
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

/** Verifies an outcome read once (see the file comment); lexical floats come from strict parsing. Also returns the snapshot. */
function verifyOutcomeRead(outcome: unknown, lexical: Pick<ParseCapsuleJsonDetailedReturnType, "lexicalFloats" | "lexicalFloatCount">): VerifyOutcomeReturnType & { snapshot?: Record<string, unknown> } {
  const snap = snapshotJson(outcome, { exclude: OUTCOME_ID_EXCLUDED });
  if (snap.rootType !== "object") return { ok: false, issues: [issue("CAPSULE_NOT_OBJECT", "error", "", `an outcome is a JSON object, got ${snap.rootType === "value" ? show(outcome) : snap.rootDescription}`)], outcomeId: null };
  const o = snap.value as Record<string, unknown>;
  const issues: CapsuleIssue[] = snap.problems.map((p) => issue(p.code, "error", p.path, p.message));
  if (snap.problemCount > snap.problems.length) issues.push(issue("CAPSULE_FINDINGS_TRUNCATED", "error", "", `${snap.problemCount - snap.problems.length} further JSON-DIGEST domain problems omitted`));
  for (const path of lexical.lexicalFloats) issues.push(issue("CAPSULE_JSON_FLOAT", "error", path, "number written with a fraction or exponent in an outcome payload; use an exact decimal string"));
  if (lexical.lexicalFloatCount > lexical.lexicalFloats.length) issues.push(issue("CAPSULE_FINDINGS_TRUNCATED", "error", "", `${lexical.lexicalFloatCount - lexical.lexicalFloats.length} further numbers written with a fraction or exponent omitted`));
  issues.push(...checkOutcomeStructure(o));
  const outcomeId = snap.canonical === undefined ? null : sha256Hex(snap.canonical);
  if (outcomeId !== null && o.outcome_id !== outcomeId) issues.push(issue("CAPSULE_OUTCOME_ID_MISMATCH", "error", "/outcome_id", `outcome_id ${show(o.outcome_id)} does not recompute (${outcomeId})`));
  return { ok: !issues.some((i) => i.severity === "error"), issues, outcomeId, snapshot: o };
}

/** Verifies an outcome payload (structure, JSON domain, outcome_id), read once. Never throws. */
export function verifyOutcome(outcome: unknown): VerifyOutcomeReturnType {
  try {
    const { ok, issues, outcomeId } = verifyOutcomeRead(outcome, { lexicalFloats: [], lexicalFloatCount: 0 });
    return { ok, issues, outcomeId };
  } catch (cause) {
    return { ok: false, issues: [issue("CAPSULE_VERIFIER_INTERNAL", "error", "", `the outcome could not be verified: ${describeError(cause)}`)], outcomeId: null };
  }
}

export type CorrelateOutcomeReturnType = { ok: boolean; issues: CapsuleIssue[] };

/**
 * Correlates an outcome with the original Capsule (§3.3): same subject (operator and
 * action_id), same decision id when both carry one, and — when the outcome names the
 * original's capsule_id — that id recomputes from the Capsule. Each is read once.
 * Never throws.
 */
export function correlateOutcome(outcome: unknown, capsule: unknown): CorrelateOutcomeReturnType {
  try {
    const issues: CapsuleIssue[] = [];
    const os = snapshotJson(outcome, { limit: 0 });
    const cs = snapshotCapsule(capsule, 0);
    if (os.rootType !== "object" || cs.capsule === undefined) return { ok: false, issues: [issue("CAPSULE_NOT_OBJECT", "error", "", "outcome and capsule must both be objects")] };
    const o = os.value as Record<string, unknown>;
    const c = cs.capsule;
    if (o.operator !== c.operator || o.action_id !== c.action_id) {
      issues.push(issue("CAPSULE_OUTCOME_SUBJECT_MISMATCH", "error", "/action_id", `outcome subject (${show(o.operator)}, ${show(o.action_id)}) is not the action's (${show(c.operator)}, ${show(c.action_id)})`));
    }
    if (!isAbsent(o.decision_id) && !isAbsent(c.decision_id) && o.decision_id !== c.decision_id) {
      issues.push(issue("CAPSULE_OUTCOME_DECISION_MISMATCH", "error", "/decision_id", `outcome decision_id ${show(o.decision_id)} is not the action's ${show(c.decision_id)}`));
    }
    if (!isAbsent(o.capsule_id) && o.capsule_id !== cs.capsuleId) {
      issues.push(issue("CAPSULE_ID_MISMATCH", "error", "/capsule_id", `outcome names capsule ${show(o.capsule_id)}, the Capsule recomputes to ${cs.capsuleId ?? "(not digestible)"}`));
    }
    return { ok: issues.length === 0, issues };
  } catch (cause) {
    return { ok: false, issues: [issue("CAPSULE_VERIFIER_INTERNAL", "error", "", `the outcome could not be correlated: ${describeError(cause)}`)] };
  }
}

export type SignOutcomeCoseParameters = {
  signer: CapsuleCoseSigner;
  /** CWT iat (a Date, or seconds since the epoch); the clock is a parameter, so it is only set when given. */
  issuedAt?: Date | number | undefined;
  /** Emit the COSE_Sign1 CBOR tag 18 (default true). */
  tagged?: boolean | undefined;
};

/**
 * Signs an outcome as a COSE_Sign1 Signed Statement (iss = observer, sub = the
 * action's subject). The outcome is verified first and what is signed — payload and
 * claims — is the verified, read-once snapshot.
 */
export async function signOutcomeCose(outcome: CapsuleOutcome, parameters: SignOutcomeCoseParameters): Promise<Uint8Array> {
  let check: ReturnType<typeof verifyOutcomeRead>;
  try {
    check = verifyOutcomeRead(outcome, { lexicalFloats: [], lexicalFloatCount: 0 });
  } catch (cause) {
    throw new CapsuleCosePayloadRejectedError({ cause, details: `the outcome could not be verified: ${describeError(cause)}` });
  }
  const first = check.issues.find((i) => i.severity === "error");
  if (first !== undefined || check.snapshot === undefined) throw new CapsuleCosePayloadRejectedError({ path: first?.path, details: first === undefined ? "the outcome could not be read" : `${first.code}: ${first.message}` });
  const o = check.snapshot as unknown as CapsuleOutcome;
  const claims: [string, string][] = [["capsule_statement_type", "outcome"]];
  if (typeof o.decision_id === "string" && o.decision_id !== "") claims.push(["capsule_decision_id", o.decision_id]);
  return signCoseStatement({
    payload: new TextEncoder().encode(canonicalize(o) as string),
    contentType: CAPSULE_OUTCOME_MEDIA_TYPE,
    claims: { iss: o.observer, sub: capsuleSubject(o.operator, o.action_id), issuedAt: parameters.issuedAt, capsule: claims },
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
    let parsed: ParseCapsuleJsonDetailedReturnType;
    try {
      parsed = parseCapsuleJsonDetailed(opened.decoded.payload);
    } catch (cause) {
      result.error = new CapsuleCosePayloadInvalidError({ cause, path: cause instanceof CapsuleError ? cause.path : "/2", details: describeError(cause) });
      return result;
    }
    const value = parsed.value;
    result.payload = value;
    if (isRecord(value)) {
      const mismatch = checkStatementClaims(opened.claims, {
        operator: value.operator,
        actionId: value.action_id,
        issuer: { member: "observer", value: value.observer },
        decisionId: value.decision_id,
      });
      if (mismatch !== undefined) {
        result.error = mismatch;
        return result;
      }
    }
    const v = verifyOutcomeRead(value, parsed);
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
