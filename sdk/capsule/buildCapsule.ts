/**
 * The Capsule builder (draft-mih-scitt-agent-action-capsule-01 §5; producer
 * conformance, §7). `buildCapsule` refuses — with a typed `CapsuleError` naming the
 * invariant (its `code`) and the JSON Pointer `path` — to produce a Capsule that
 * violates the profile:
 *
 * - REQUIRED fields and types, closed enums, digest and timestamp forms (check 1);
 * - the honesty invariant (`human_disposed: true` REQUIRES `approver: "human"`) and
 *   the expiry_policy rules (§5.4);
 * - the `effect.status` binding table and the confirmed-effect invariant (§5.2);
 * - verdict/effect orthogonality (§5.4.2) and the effect_attestation matrix (§5.2);
 * - assurance modes are DERIVED, never claimed (§5.3): effect_mode from the effect,
 *   ledger_mode from the chain block (anchored only with verified inclusion
 *   evidence), attestation_mode anchored only with a verified receipt; an explicit
 *   claim that differs from the derived mode is refused;
 * - registry-governed values must be registered (producers do not emit unknown
 *   values; pass later registrations in `options.registries`), §9.1 names must be
 *   namespaced, Constraint ids/check_types/methods lowercase snake_case (§8.1);
 * - no floats or unsafe integers anywhere (§5.1), no `_sd`/`_sd_alg` (§9.2);
 * - `reason_digest` never digests an empty reason (§5.4).
 *
 * The output is absent-field normalized (null / [] / {} members dropped), carries
 * `spec_version`, `format_version` and the computed `capsule_id`.
 */
import { type CapsuleAnchorEvidence, deriveCapsuleAssurance } from "./assurance.js";
import { computeCapsuleId } from "./capsuleId.js";
import { checkEffectAttestationMatrix, checkEffectBinding, deriveEffectMode } from "./effectRecord.js";
import { type CapsuleIssue, capsuleErrorFromIssue } from "./errors.js";
import { issue, isAbsent, isRecord, jsonType, show } from "./issues.js";
import { jsonDigest, normalizeAbsentFields } from "./jsonDigest.js";
import { jsonPointer } from "./jsonPointer.js";
import { checkCapsuleNamespacing, isCapsuleSnakeCaseCategory } from "./namespacing.js";
import { checkCapsuleRegistryValues } from "./registryValues.js";
import { checkCapsuleStructure } from "./structure.js";
import type {
  Capsule,
  CapsuleAssurance,
  CapsuleChain,
  CapsuleCompliance,
  CapsuleConstraintRecord,
  CapsuleDisposition,
  CapsuleEffectRecord,
} from "./types.js";
import { checkVerdictEffectOrthogonality } from "./verdictClass.js";
import {
  CAPSULE_ATTESTATION_MODES,
  CAPSULE_EFFECT_MODES,
  CAPSULE_FORMAT_VERSION,
  CAPSULE_LEDGER_MODES,
  CAPSULE_SPEC_VERSION,
  type CapsuleActionType,
  type CapsuleRegistryAdditions,
  capsuleAttestationModeRank,
  capsuleEffectModeRank,
  capsuleLedgerModeRank,
  isCapsuleEnumValue,
} from "./vocabulary.js";

/** What a producer supplies: the Capsule's content, without the computed or derived members. */
export type CapsuleDraft = {
  action_id: string;
  action_type: CapsuleActionType;
  operator: string;
  developer: string;
  /** RFC 3339 UTC "Z" string, or a Date (formatted with millisecond precision). */
  timestamp: string | Date;
  decision_id?: string | undefined;
  effect?: CapsuleEffectRecord | undefined;
  disposition?: CapsuleDisposition | undefined;
  constraints?: CapsuleConstraintRecord[] | undefined;
  compliance?: CapsuleCompliance | undefined;
  chain?: CapsuleChain | undefined;
  /** Optional explicit claims (checked against the derived modes) and `sources`. */
  assurance?: Partial<CapsuleAssurance> | undefined;
  /** Must be the current version when given. */
  spec_version?: string | undefined;
  /** Must be "2" when given. */
  format_version?: string | undefined;
};

export type BuildCapsuleOptions = {
  /** Registry values admitted after this profile version (otherwise unregistered values are refused). */
  registries?: CapsuleRegistryAdditions | undefined;
  /** Verified substrate evidence that lets the builder record an anchored mode. */
  anchor?: CapsuleAnchorEvidence | undefined;
  /** The chain parent: its id is recomputed and must equal `chain.parent_capsule_id`. */
  parent?: unknown;
  /**
   * The actual values behind the digests: the builder computes `request_digest`,
   * `response_digest` (the confirmed-effect binding is over the ACTUAL response) and
   * `reason_digest` from them, or checks the supplied digests against them.
   */
  observed?: { request?: unknown; response?: unknown; reason?: unknown } | undefined;
  /** Payload-only extension members (§9), merged at the top level. */
  extensions?: Record<string, unknown> | undefined;
};

const DRAFT_MEMBERS = new Set([
  "action_id",
  "action_type",
  "operator",
  "developer",
  "timestamp",
  "decision_id",
  "effect",
  "disposition",
  "constraints",
  "compliance",
  "chain",
  "assurance",
  "spec_version",
  "format_version",
]);
const PROFILE_MEMBERS = new Set([...DRAFT_MEMBERS, "capsule_id"]);

function fail(code: CapsuleIssue["code"], path: string, message: string): never {
  throw capsuleErrorFromIssue(issue(code, "error", path, message));
}

function bindDigest(target: Record<string, unknown>, member: string, path: string, value: unknown, what: string): void {
  const d = jsonDigest(value);
  const given = target[member];
  if (!isAbsent(given) && given !== d) fail("CAPSULE_DIGEST_INPUT_CONFLICT", path, `${member} ${show(given)} is not the JSON-DIGEST of the ${what} supplied (${d})`);
  target[member] = d;
}

function checkClaims(claims: Record<string, unknown>, derived: { attestation_mode: string; effect_mode: string; ledger_mode: string }): void {
  const att = claims.attestation_mode;
  if (!isAbsent(att)) {
    if (!isCapsuleEnumValue(CAPSULE_ATTESTATION_MODES, att)) fail("CAPSULE_FIELD_VALUE", "/assurance/attestation_mode", `attestation_mode ${show(att)} is not one of ${CAPSULE_ATTESTATION_MODES.join(", ")}`);
    if (att !== derived.attestation_mode) {
      const over = capsuleAttestationModeRank(att) > capsuleAttestationModeRank(derived.attestation_mode as "anchored");
      fail(over ? "CAPSULE_ASSURANCE_OVERCLAIM" : "CAPSULE_ASSURANCE_UNDERCLAIM", "/assurance/attestation_mode", `attestation_mode ${att} claimed; the evidence supplied derives ${derived.attestation_mode} (a verified receipt is options.anchor.receiptVerified)`);
    }
  }
  const eff = claims.effect_mode;
  if (!isAbsent(eff)) {
    if (!isCapsuleEnumValue(CAPSULE_EFFECT_MODES, eff)) fail("CAPSULE_FIELD_VALUE", "/assurance/effect_mode", `effect_mode ${show(eff)} is not one of ${CAPSULE_EFFECT_MODES.join(", ")}`);
    if (eff !== derived.effect_mode) {
      const over = capsuleEffectModeRank(eff) > capsuleEffectModeRank(derived.effect_mode as "confirmed");
      fail(over ? "CAPSULE_ASSURANCE_OVERCLAIM" : "CAPSULE_ASSURANCE_UNDERSTATED", "/assurance/effect_mode", `effect_mode ${eff} claimed; the effect record derives ${derived.effect_mode}`);
    }
  }
  const led = claims.ledger_mode;
  if (!isAbsent(led)) {
    if (!isCapsuleEnumValue(CAPSULE_LEDGER_MODES, led)) fail("CAPSULE_FIELD_VALUE", "/assurance/ledger_mode", `ledger_mode ${show(led)} is not one of ${CAPSULE_LEDGER_MODES.join(", ")}`);
    if (led !== derived.ledger_mode) {
      const over = capsuleLedgerModeRank(led) > capsuleLedgerModeRank(derived.ledger_mode as "chained");
      fail(over ? "CAPSULE_ASSURANCE_OVERCLAIM" : "CAPSULE_ASSURANCE_UNDERCLAIM", "/assurance/ledger_mode", `ledger_mode ${led} claimed; the chain block and evidence supplied derive ${derived.ledger_mode}`);
    }
  }
}

/** §8.1: Constraint id, check_type and method are lowercase snake_case categories. */
function checkConstraintCategories(capsule: Record<string, unknown>): CapsuleIssue[] {
  const out: CapsuleIssue[] = [];
  const list = capsule.constraints;
  if (!Array.isArray(list)) return out;
  list.forEach((r, i) => {
    if (!isRecord(r)) return;
    for (const m of ["id", "check_type", "method"]) {
      const v = r[m];
      if (typeof v === "string" && !isCapsuleSnakeCaseCategory(v)) {
        out.push(issue("CAPSULE_FIELD_VALUE", "error", jsonPointer("constraints", i, m), `${m} ${show(v)} is not a lowercase snake_case category`));
      }
    }
  });
  return out;
}

/**
 * Builds a conforming Capsule: validates every invariant of the profile, derives the
 * assurance modes, normalizes absent fields and computes `capsule_id`. Throws a typed
 * `CapsuleError` (code = the invariant, path = where) instead of producing a
 * non-conforming Capsule.
 */
export function buildCapsule(draft: CapsuleDraft, options: BuildCapsuleOptions = {}): Capsule {
  if (!isRecord(draft)) fail("CAPSULE_NOT_OBJECT", "", `a capsule draft is an object, got ${jsonType(draft)}`);
  const d = draft as unknown as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (k === "capsule_id") fail("CAPSULE_FIELD_VALUE", "/capsule_id", "capsule_id is computed by the builder; leave it out of the draft");
    if (!DRAFT_MEMBERS.has(k)) fail("CAPSULE_FIELD_VALUE", jsonPointer(k), `unknown member ${JSON.stringify(k)}; extension members go in options.extensions`);
  }
  if (!isAbsent(d.spec_version) && d.spec_version !== CAPSULE_SPEC_VERSION) fail("CAPSULE_FIELD_VALUE", "/spec_version", `this builder produces ${CAPSULE_SPEC_VERSION}, not ${show(d.spec_version)}`);
  if (!isAbsent(d.format_version) && d.format_version !== CAPSULE_FORMAT_VERSION) fail("CAPSULE_FORMAT_VERSION_UNSUPPORTED", "/format_version", `this builder produces format_version "${CAPSULE_FORMAT_VERSION}", not ${show(d.format_version)}`);

  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) out[k] = v;
  out.spec_version = CAPSULE_SPEC_VERSION;
  out.format_version = CAPSULE_FORMAT_VERSION;
  if (d.timestamp instanceof Date) {
    if (Number.isNaN(d.timestamp.getTime())) fail("CAPSULE_TIMESTAMP_INVALID", "/timestamp", "timestamp is an invalid Date");
    out.timestamp = d.timestamp.toISOString();
  }

  // digests of observed values
  const observed = options.observed;
  if (observed !== undefined) {
    if (observed.request !== undefined || observed.response !== undefined) {
      if (!isRecord(d.effect)) fail("CAPSULE_FIELD_MISSING", "/effect", "observed request/response given but the draft has no effect record");
      const effect: Record<string, unknown> = { ...d.effect };
      if (observed.request !== undefined) bindDigest(effect, "request_digest", "/effect/request_digest", observed.request, "request");
      if (observed.response !== undefined) bindDigest(effect, "response_digest", "/effect/response_digest", observed.response, "response");
      out.effect = effect;
    }
    if (observed.reason !== undefined) {
      if (!isRecord(d.disposition)) fail("CAPSULE_FIELD_MISSING", "/disposition", "observed reason given but the draft has no disposition");
      if (!isRecord(observed.reason)) fail("CAPSULE_FIELD_TYPE", "/disposition/reason_digest", "the reason is a structured object of machine-readable members, never free prose");
      const disposition: Record<string, unknown> = { ...d.disposition };
      bindDigest(disposition, "reason_digest", "/disposition/reason_digest", observed.reason, "reason");
      out.disposition = disposition;
    }
  }

  // extensions (§9: payload-only)
  for (const [k, v] of Object.entries(options.extensions ?? {})) {
    if (k === "_sd" || k === "_sd_alg") fail("CAPSULE_SELECTIVE_DISCLOSURE_UNSUPPORTED", jsonPointer(k), `${k} is a selective-disclosure structure this implementation must not generate`);
    if (k === "__proto__") fail("CAPSULE_FIELD_VALUE", jsonPointer(k), "an extension member cannot be named __proto__");
    if (PROFILE_MEMBERS.has(k)) fail("CAPSULE_FIELD_VALUE", jsonPointer(k), `extension member ${JSON.stringify(k)} collides with a profile member`);
    out[k] = v;
  }

  // assurance: derived, never claimed (§5.3)
  const hasChain = !isAbsent(out.chain);
  if (options.anchor?.ledgerInclusionVerified === true && !hasChain) {
    fail("CAPSULE_ASSURANCE_OVERCLAIM", "/assurance/ledger_mode", "ledger_mode anchored is a chained Capsule whose chain root was committed to a log; this Capsule has no chain block");
  }
  const derived = deriveCapsuleAssurance({ effect: out.effect, linkage: hasChain ? "intact" : "absent", anchor: options.anchor });
  const claims = out.assurance;
  if (!isAbsent(claims) && !isRecord(claims)) fail("CAPSULE_FIELD_TYPE", "/assurance", `assurance must be an object, got ${jsonType(claims)}`);
  const claimObj = isRecord(claims) ? claims : {};
  checkClaims(claimObj, derived);
  const assurance: Record<string, unknown> = { ...claimObj, attestation_mode: derived.attestation_mode, effect_mode: derived.effect_mode, ledger_mode: derived.ledger_mode };
  out.assurance = assurance;

  // normalize (also enforces the JSON-DIGEST domain with typed errors) and compute the id
  const normalized = normalizeAbsentFields(out) as Record<string, unknown>;
  const capsuleId = computeCapsuleId(normalized);
  const capsule: Record<string, unknown> = {};
  for (const k of [...Object.keys(normalized), "capsule_id"].sort()) {
    capsule[k] = k === "capsule_id" ? capsuleId : normalized[k];
  }

  // every invariant, in check order; the first error is thrown
  const effectMode = deriveEffectMode(capsule.effect);
  const verdictClass = isRecord(capsule.disposition) ? capsule.disposition.verdict_class : undefined;
  const refusals: CapsuleIssue[] = [
    ...checkCapsuleStructure(capsule).filter(
      (i) => i.severity === "error" || i.code === "CAPSULE_REASON_DIGEST_EMPTY" || i.code === "CAPSULE_SELECTIVE_DISCLOSURE_UNSUPPORTED",
    ),
    ...checkConstraintCategories(capsule),
    ...checkEffectBinding(capsule.effect).filter((i) => i.severity === "error"),
    ...checkVerdictEffectOrthogonality(verdictClass, effectMode),
    ...checkEffectAttestationMatrix(capsule.effect, effectMode),
    ...checkCapsuleRegistryValues(capsule, options.registries, "error"),
    ...checkCapsuleNamespacing(capsule, "error"),
  ];
  const first = refusals[0];
  if (first !== undefined) throw capsuleErrorFromIssue(first, { details: first.message });

  // the chain parent, when supplied
  if (options.parent !== undefined) {
    const chain = capsule.chain;
    if (!isRecord(chain)) fail("CAPSULE_FIELD_MISSING", "/chain", "options.parent given but the draft has no chain block");
    const parentId = computeCapsuleId(options.parent);
    const parentClaimed = isRecord(options.parent) ? options.parent.capsule_id : undefined;
    if (parentClaimed !== parentId) fail("CAPSULE_ID_MISMATCH", "/chain/parent_capsule_id", `the parent's capsule_id ${show(parentClaimed)} does not recompute (${parentId}); refusing to chain to a tampered parent`);
    if (chain.parent_capsule_id !== parentId) fail("CAPSULE_ID_MISMATCH", "/chain/parent_capsule_id", `parent_capsule_id ${show(chain.parent_capsule_id)} is not the parent's capsule_id ${parentId}`);
  }
  return capsule as unknown as Capsule;
}
