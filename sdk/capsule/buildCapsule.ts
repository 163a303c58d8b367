/**
 * The Capsule builder (draft-mih-scitt-agent-action-capsule-01 §5; producer
 * conformance, §7). `buildCapsule` refuses — with a typed `CapsuleError` naming the
 * invariant (its `code`) and the JSON Pointer `path` — to produce a Capsule that
 * violates the profile:
 *
 * - REQUIRED fields and types, closed enums, digest and timestamp forms (check 1);
 * - the honesty invariant (`human_disposed: true` REQUIRES `approver: "human"`: the
 *   builder is the "typed carrier" §6 relies on, so it refuses what verifiers only
 *   warn about) and the expiry_policy rules (§5.4);
 * - the `effect.status` binding table and the confirmed-effect invariant (§5.2);
 * - verdict/effect orthogonality (§5.4.2, `errored` with a confirmed effect included:
 *   a producer records the pairing the profile states) and the effect_attestation
 *   matrix (§5.2);
 * - assurance modes are DERIVED, never claimed (§5.3): effect_mode from the effect;
 *   ledger_mode "chained" only when the linkage was actually verified — the parent
 *   supplied in `options.parent` recomputes to `chain.parent_capsule_id` — and
 *   otherwise "standalone" (a chain block alone is not evidence: "a producer MUST NOT
 *   record an assurance mode it did not achieve"), "anchored" only with verified
 *   inclusion evidence on top of a verified linkage; attestation_mode anchored only
 *   with a verified receipt; an explicit claim that differs from the derived mode is
 *   refused;
 * - registry-governed values must be registered (producers do not emit unknown
 *   values; pass later registrations in `options.registries`), §9.1 names must be
 *   namespaced, Constraint ids/check_types/methods lowercase snake_case (§8.1);
 * - no floats or unsafe integers anywhere (§5.1), no `_sd`/`_sd_alg` (§9.2);
 * - `reason_digest` never digests an empty reason (§5.4).
 *
 * The output is absent-field normalized (null / [] / {} members dropped), carries
 * `spec_version`, `format_version` and the computed `capsule_id`. The draft and the
 * options are read once; a member that cannot be read (a throwing getter or proxy
 * trap) is `CapsuleJsonNotJsonError` with its path and the thrown value as `cause`.
 */
import { type CapsuleAnchorEvidence, type CapsuleChainLinkageStatus, deriveCapsuleAssurance, readCapsuleAnchorEvidence } from "./assurance.js";
import { computeCapsuleId, isUnderExcludedMember, snapshotCapsule } from "./capsuleId.js";
import { checkDispositionHonesty } from "./disposition.js";
import { checkEffectAttestationMatrix, checkEffectBinding, deriveEffectMode } from "./effectRecord.js";
import { CapsuleError, type CapsuleIssue, CapsuleJsonNotJsonError, capsuleErrorFromIssue, describeError } from "./errors.js";
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
  /**
   * The chain parent: its id is recomputed and must equal its own `capsule_id` and
   * `chain.parent_capsule_id`. This is the evidence behind ledger_mode "chained": a
   * draft with a chain block but no parent derives "standalone" (an explicit
   * "chained" claim is then refused as an overclaim).
   */
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
 * Internal: the seed-004 invariants a conforming producer holds a Capsule to (the builder
 * refuses to form, and `signCapsuleCose` refuses to sign, a Capsule that breaks one), in
 * check order. Stricter than Class 1 where the profile is: the honesty invariant (§5.4,
 * a verifier only warns), an empty reason digest, selective-disclosure structures,
 * constraint categories, unknown registry values and bare unseeded names (§9.1, §12: a
 * verifier reports them as informational).
 */
export function producerRefusals(capsule: Record<string, unknown>, registries: CapsuleRegistryAdditions | undefined): CapsuleIssue[] {
  const effectMode = deriveEffectMode(capsule.effect);
  const verdictClass = isRecord(capsule.disposition) ? capsule.disposition.verdict_class : undefined;
  return [
    ...checkCapsuleStructure(capsule).filter(
      (i) => i.severity === "error" || i.code === "CAPSULE_REASON_DIGEST_EMPTY" || i.code === "CAPSULE_SELECTIVE_DISCLOSURE_UNSUPPORTED",
    ),
    ...checkDispositionHonesty(capsule.disposition, "error"),
    ...checkConstraintCategories(capsule),
    ...checkEffectBinding(capsule.effect).filter((i) => i.severity === "error"),
    ...checkVerdictEffectOrthogonality(verdictClass, effectMode),
    ...checkEffectAttestationMatrix(capsule.effect, effectMode),
    ...checkCapsuleRegistryValues(capsule, registries, "error"),
    ...checkCapsuleNamespacing(capsule, "error"),
  ];
}

/**
 * Builds a conforming Capsule: validates every invariant of the profile, derives the
 * assurance modes, normalizes absent fields and computes `capsule_id`. Throws a typed
 * `CapsuleError` (code = the invariant, path = where) instead of producing a
 * non-conforming Capsule.
 */
export function buildCapsule(draft: CapsuleDraft, options: BuildCapsuleOptions = {}): Capsule {
  try {
    return build(draft, options);
  } catch (cause) {
    if (cause instanceof CapsuleError) throw cause;
    throw new CapsuleJsonNotJsonError({ cause, details: `the draft or options could not be read: ${describeError(cause)}` });
  }
}

/** Reads the own enumerable members of a caller object once; unreadable members are typed errors at their path. */
function readMembers(value: unknown, base: string, what: string): Record<string, unknown> {
  if (!isRecord(value)) fail("CAPSULE_NOT_OBJECT", base, `${what} is an object, got ${jsonType(value)}`);
  const out: Record<string, unknown> = {};
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch (cause) {
    throw new CapsuleJsonNotJsonError({ path: base, cause, details: `${base || "(root)"}: the members of ${what} could not be listed: ${describeError(cause)}` });
  }
  for (const k of keys) {
    try {
      const v = (value as Record<string, unknown>)[k];
      if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
    } catch (cause) {
      const path = `${base}${jsonPointer(k)}`;
      throw new CapsuleJsonNotJsonError({ path, cause, details: `${path}: the member could not be read: ${describeError(cause)}` });
    }
  }
  return out;
}

/**
 * Verifies `options.parent` (read once) against the chain block: it recomputes to its
 * own capsule_id and to `parent_capsule_id`. Returns true when the linkage is verified.
 */
function verifyParent(parent: unknown, chain: unknown): true {
  if (!isRecord(chain)) fail("CAPSULE_FIELD_MISSING", "/chain", "options.parent given but the draft has no chain block");
  const snap = snapshotCapsule(parent);
  if (snap.capsule === undefined) fail("CAPSULE_NOT_OBJECT", "/chain/parent_capsule_id", `options.parent is a Capsule (a JSON object), got ${snap.json.rootDescription}`);
  const parentId = snap.capsuleId;
  if (parentId === undefined) {
    const first = snap.json.problems.find((p) => !isUnderExcludedMember(p.path));
    fail("CAPSULE_ID_UNCOMPUTABLE", "/chain/parent_capsule_id", `the parent's capsule_id cannot be recomputed${first === undefined ? "" : ` (${first.path}: ${first.message})`}`);
  }
  const parentClaimed = snap.capsule.capsule_id;
  if (parentClaimed !== parentId) fail("CAPSULE_ID_MISMATCH", "/chain/parent_capsule_id", `the parent's capsule_id ${show(parentClaimed)} does not recompute (${parentId}); refusing to chain to a tampered parent`);
  if (chain.parent_capsule_id !== parentId) fail("CAPSULE_ID_MISMATCH", "/chain/parent_capsule_id", `parent_capsule_id ${show(chain.parent_capsule_id)} is not the parent's capsule_id ${parentId}`);
  return true;
}

function build(draft: CapsuleDraft, options: BuildCapsuleOptions): Capsule {
  // the draft's and the options' members, each read once
  const d = readMembers(draft, "", "a capsule draft");
  const o = readMembers(options ?? {}, "", "the build options");
  for (const k of Object.keys(d)) {
    if (k === "capsule_id") fail("CAPSULE_FIELD_VALUE", "/capsule_id", "capsule_id is computed by the builder; leave it out of the draft");
    if (!DRAFT_MEMBERS.has(k)) fail("CAPSULE_FIELD_VALUE", jsonPointer(k), `unknown member ${JSON.stringify(k)}; extension members go in options.extensions`);
  }
  if (!isAbsent(d.spec_version) && d.spec_version !== CAPSULE_SPEC_VERSION) fail("CAPSULE_FIELD_VALUE", "/spec_version", `this builder produces ${CAPSULE_SPEC_VERSION}, not ${show(d.spec_version)}`);
  if (!isAbsent(d.format_version) && d.format_version !== CAPSULE_FORMAT_VERSION) fail("CAPSULE_FORMAT_VERSION_UNSUPPORTED", "/format_version", `this builder produces format_version "${CAPSULE_FORMAT_VERSION}", not ${show(d.format_version)}`);

  const out: Record<string, unknown> = { ...d };
  out.spec_version = CAPSULE_SPEC_VERSION;
  out.format_version = CAPSULE_FORMAT_VERSION;
  const timestamp = d.timestamp;
  if (timestamp instanceof Date) {
    if (Number.isNaN(timestamp.getTime())) fail("CAPSULE_TIMESTAMP_INVALID", "/timestamp", "timestamp is an invalid Date");
    out.timestamp = timestamp.toISOString();
  }

  // digests of observed values
  if (o.observed !== undefined) {
    const observed = readMembers(o.observed, "", "options.observed");
    if (observed.request !== undefined || observed.response !== undefined) {
      if (!isRecord(d.effect)) fail("CAPSULE_FIELD_MISSING", "/effect", "observed request/response given but the draft has no effect record");
      const effect = readMembers(d.effect, "/effect", "effect");
      if (observed.request !== undefined) bindDigest(effect, "request_digest", "/effect/request_digest", observed.request, "request");
      if (observed.response !== undefined) bindDigest(effect, "response_digest", "/effect/response_digest", observed.response, "response");
      out.effect = effect;
    }
    if (observed.reason !== undefined) {
      if (!isRecord(d.disposition)) fail("CAPSULE_FIELD_MISSING", "/disposition", "observed reason given but the draft has no disposition");
      if (!isRecord(observed.reason)) fail("CAPSULE_FIELD_TYPE", "/disposition/reason_digest", "the reason is a structured object of machine-readable members, never free prose");
      const disposition = readMembers(d.disposition, "/disposition", "disposition");
      bindDigest(disposition, "reason_digest", "/disposition/reason_digest", observed.reason, "reason");
      out.disposition = disposition;
    }
  }

  // extensions (§9: payload-only)
  if (o.extensions !== undefined) {
    for (const [k, v] of Object.entries(readMembers(o.extensions, "", "options.extensions"))) {
      if (k === "_sd" || k === "_sd_alg") fail("CAPSULE_SELECTIVE_DISCLOSURE_UNSUPPORTED", jsonPointer(k), `${k} is a selective-disclosure structure this implementation must not generate`);
      if (k === "__proto__") fail("CAPSULE_FIELD_VALUE", jsonPointer(k), "an extension member cannot be named __proto__");
      if (PROFILE_MEMBERS.has(k)) fail("CAPSULE_FIELD_VALUE", jsonPointer(k), `extension member ${JSON.stringify(k)} collides with a profile member`);
      out[k] = v;
    }
  }

  // one deep read of the content (typed errors with paths for whatever is not JSON)
  const content = normalizeAbsentFields(out) as Record<string, unknown>;

  // assurance: derived, never claimed (§5.3); "chained" needs the verified parent
  const hasChain = !isAbsent(content.chain);
  const parentVerified = o.parent !== undefined && verifyParent(o.parent, content.chain);
  const linkage: CapsuleChainLinkageStatus = !hasChain ? "absent" : parentVerified ? "intact" : "unchecked";
  const anchor = readCapsuleAnchorEvidence(o.anchor);
  if (anchor?.ledgerInclusionVerified === true && linkage !== "intact") {
    fail(
      "CAPSULE_ASSURANCE_OVERCLAIM",
      "/assurance/ledger_mode",
      hasChain
        ? "ledger_mode anchored is a chained Capsule whose chain root was committed to a log; the linkage is not verified (pass the parent in options.parent)"
        : "ledger_mode anchored is a chained Capsule whose chain root was committed to a log; this Capsule has no chain block",
    );
  }
  const derived = deriveCapsuleAssurance({ effect: content.effect, linkage, anchor });
  const claims = content.assurance;
  if (!isAbsent(claims) && !isRecord(claims)) fail("CAPSULE_FIELD_TYPE", "/assurance", `assurance must be an object, got ${jsonType(claims)}`);
  const claimObj = isRecord(claims) ? claims : {};
  checkClaims(claimObj, derived);
  content.assurance = { ...claimObj, attestation_mode: derived.attestation_mode, effect_mode: derived.effect_mode, ledger_mode: derived.ledger_mode };

  // the id, then the Capsule with members in JCS order
  const capsuleId = computeCapsuleId(content);
  const capsule: Record<string, unknown> = {};
  for (const k of [...Object.keys(content), "capsule_id"].sort()) {
    const v = k === "capsule_id" ? capsuleId : content[k];
    if (k === "__proto__") Object.defineProperty(capsule, k, { value: v, enumerable: true, writable: true, configurable: true });
    else capsule[k] = v;
  }

  // every invariant, in check order; the first error is thrown
  const refusals = producerRefusals(capsule, o.registries as CapsuleRegistryAdditions | undefined);
  const first = refusals[0];
  if (first !== undefined) throw capsuleErrorFromIssue(first, { details: first.message });
  return capsule as unknown as Capsule;
}
