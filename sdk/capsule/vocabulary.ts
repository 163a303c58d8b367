/**
 * The vocabularies of the Agent Action Capsule profile
 * (draft-mih-scitt-agent-action-capsule-01) and the fixed names it defines.
 *
 * Two kinds of vocabulary, treated differently (§4, §12):
 * - The six REGISTRY-GOVERNED vocabularies (`verdict_class`, `disposition.decision`,
 *   `effect.type`, `irreversibility_class`, `effect_attestation`, `chain.relation`):
 *   a verifier MUST treat an unregistered value as informational and MUST NOT
 *   reject a Capsule for it (Class 1 check 8). Their seeded contents (§12.1) are
 *   below, verbatim.
 * - CLOSED enums fixed by the profile text (`action_type`, `effect.status`,
 *   `disposition.approver`, the assurance modes, `expiry_policy.on_expiry`,
 *   Constraint Record `result`): a value outside them is a structural failure.
 *
 * Spec: §3.1 (statement types, media type), §5.1, §5.2, §5.3, §5.4, §5.4.1,
 * §5.4.2 (never-dispatch set), §5.4.4 (relations, open items), §8.1, §12.
 */

// ------------------------------------------------------------ fixed names (§3, §5.1)

/** §5.1: the `spec_version` value defined by this profile version. */
export const CAPSULE_SPEC_VERSION = "draft-mih-scitt-agent-action-capsule-01";
/** `spec_version` values this implementation recognises (the -00 document also used format "2", §5.1). */
export const CAPSULE_KNOWN_SPEC_VERSIONS = [
  "draft-mih-scitt-agent-action-capsule-00",
  "draft-mih-scitt-agent-action-capsule-01",
] as const;
/** §5.1: the serialization-suite `format_version` defined by this profile version. */
export const CAPSULE_FORMAT_VERSION = "2";

/** §3.1: content type of an `agent_action` Signed Statement. */
export const CAPSULE_MEDIA_TYPE = "application/agent-action-capsule+json";
/** §3.3: content type of an `outcome` Signed Statement. */
export const CAPSULE_OUTCOME_MEDIA_TYPE = "application/agent-action-capsule-outcome+json";
/** §3.1: the (provisional) URN prefix of the CWT `sub` claim: `urn:agent-action-capsule:OPERATOR:ACTION_ID`. */
export const CAPSULE_SUBJECT_URN_PREFIX = "urn:agent-action-capsule:";

/** §3.1: `capsule_statement_type` values; further values are reserved (§11). */
export const CAPSULE_STATEMENT_TYPES = ["agent_action", "outcome"] as const;
export type CapsuleStatementType = (typeof CAPSULE_STATEMENT_TYPES)[number];

/** §3.1: the closed `capsule_*` protected-header claim set (string-keyed, provisional labels). */
export const CAPSULE_CWT_CLAIM_NAMES = ["capsule_statement_type", "capsule_action_type", "capsule_decision_id"] as const;
export type CapsuleCwtClaimName = (typeof CAPSULE_CWT_CLAIM_NAMES)[number];

// ------------------------------------------------------------ closed enums

/** §5.1: `action_type` (closed). */
export const CAPSULE_ACTION_TYPES = ["fyi", "decide"] as const;
export type CapsuleActionType = (typeof CAPSULE_ACTION_TYPES)[number];

/** §5.2: `effect.status` (closed; not registry-governed). */
export const CAPSULE_EFFECT_STATUSES = ["planned", "dispatched", "confirmed", "failed", "reverted"] as const;
export type CapsuleEffectStatus = (typeof CAPSULE_EFFECT_STATUSES)[number];

/** §5.4: `disposition.approver` — a closed enum fixed by the specification (never registry-governed). */
export const CAPSULE_APPROVERS = ["human", "policy"] as const;
export type CapsuleApprover = (typeof CAPSULE_APPROVERS)[number];

/** §5.3: `assurance.attestation_mode`, ordered self_attested < anchored. */
export const CAPSULE_ATTESTATION_MODES = ["self_attested", "anchored"] as const;
export type CapsuleAttestationMode = (typeof CAPSULE_ATTESTATION_MODES)[number];

/** §5.3: `assurance.effect_mode`. */
export const CAPSULE_EFFECT_MODES = ["not_applicable", "dispatched_unconfirmed", "confirmed"] as const;
export type CapsuleEffectMode = (typeof CAPSULE_EFFECT_MODES)[number];

/** §5.3: `assurance.ledger_mode`, ordered standalone < chained < anchored. */
export const CAPSULE_LEDGER_MODES = ["standalone", "chained", "anchored"] as const;
export type CapsuleLedgerMode = (typeof CAPSULE_LEDGER_MODES)[number];

/** §5.4: `expiry_policy.on_expiry`. */
export const CAPSULE_ON_EXPIRY_VALUES = ["expired", "escalated"] as const;
export type CapsuleOnExpiry = (typeof CAPSULE_ON_EXPIRY_VALUES)[number];

/** §8.1: Constraint Record `result`. */
export const CAPSULE_CONSTRAINT_RESULTS = ["pass", "fail", "n/a"] as const;
export type CapsuleConstraintResult = (typeof CAPSULE_CONSTRAINT_RESULTS)[number];

// ------------------------------------------------------------ registries (§12.1, seeded values verbatim)

/** §5.4.1 / §12.1: the "verdict_class" registry. */
export const CAPSULE_VERDICT_CLASSES = [
  "executed",
  "blocked",
  "hitl_dispatched",
  "denied",
  "timeout",
  "errored",
  "engine_failure",
  "deferred",
  "needs_decision",
  "expired",
  "escalated",
  "resolved",
] as const;
export type CapsuleVerdictClass = (typeof CAPSULE_VERDICT_CLASSES)[number];

/** §5.4 / §12.1: the "disposition.decision" registry (`deferred` cross-references verdict_class). */
export const CAPSULE_DECISIONS = ["accept", "reject", "needs_input", "deferred"] as const;
export type CapsuleDecision = (typeof CAPSULE_DECISIONS)[number];

/** §5.2 / §12.1: the "effect.type" registry. */
export const CAPSULE_EFFECT_TYPES = ["write_order", "send_payment"] as const;
export type CapsuleEffectType = (typeof CAPSULE_EFFECT_TYPES)[number];

/** §5.2 / §12.1: the "irreversibility_class" registry, in ascending order of consequence. */
export const CAPSULE_IRREVERSIBILITY_CLASSES = [
  "two_way",
  "one_way_recoverable",
  "one_way_consequential",
  "one_way_terminal",
] as const;
export type CapsuleIrreversibilityClass = (typeof CAPSULE_IRREVERSIBILITY_CLASSES)[number];

/** §5.2 / §12.1: the "effect_attestation" registry (grade: gate_executed above runtime_claimed). */
export const CAPSULE_EFFECT_ATTESTATIONS = ["gate_executed", "runtime_claimed"] as const;
export type CapsuleEffectAttestation = (typeof CAPSULE_EFFECT_ATTESTATIONS)[number];

/** §5.4.4 / §12.1: the "chain.relation" registry. */
export const CAPSULE_CHAIN_RELATIONS = ["supersedes"] as const;
export type CapsuleChainRelation = (typeof CAPSULE_CHAIN_RELATIONS)[number];

/** The six registry-governed vocabularies, by the name §12.1 gives them. */
export const CAPSULE_REGISTRIES = {
  verdict_class: CAPSULE_VERDICT_CLASSES,
  "disposition.decision": CAPSULE_DECISIONS,
  "effect.type": CAPSULE_EFFECT_TYPES,
  irreversibility_class: CAPSULE_IRREVERSIBILITY_CLASSES,
  effect_attestation: CAPSULE_EFFECT_ATTESTATIONS,
  "chain.relation": CAPSULE_CHAIN_RELATIONS,
} as const;
export type CapsuleRegistryName = keyof typeof CAPSULE_REGISTRIES;
export const CAPSULE_REGISTRY_NAMES = Object.keys(CAPSULE_REGISTRIES) as readonly CapsuleRegistryName[];

/**
 * Values registered after this profile version (Specification Required, §12.1),
 * supplied by the caller. "Every registry check is performable from the Capsule's
 * own bytes and the registry contents alone" (§4): the registry contents are an input.
 */
export type CapsuleRegistryAdditions = { readonly [K in CapsuleRegistryName]?: readonly string[] };

/**
 * A value of a registry-governed vocabulary: a seeded value, or any other string
 * (unregistered values are informational to a verifier, §4). The `string & {}`
 * keeps editor completion for the seeded values.
 */
export type CapsuleRegistryValue<T extends string> = T | (string & {});

/** True when `value` is in registry `name` (seeded contents plus `additions`). */
export function isCapsuleRegisteredValue(
  name: CapsuleRegistryName,
  value: unknown,
  additions?: CapsuleRegistryAdditions,
): boolean {
  if (typeof value !== "string") return false;
  if ((CAPSULE_REGISTRIES[name] as readonly string[]).includes(value)) return true;
  return additions?.[name]?.includes(value) ?? false;
}

// ------------------------------------------------------------ derived sets (§5.4.2, §5.4.4)

/**
 * §5.4.2: verdict classes that by their kind never dispatch. Each REQUIRES the derived
 * `effect_mode` to be "not_applicable" (`resolved` included, per the pairing rule).
 */
export const CAPSULE_NEVER_DISPATCH_VERDICT_CLASSES = [
  "blocked",
  "hitl_dispatched",
  "denied",
  "engine_failure",
  "deferred",
  "needs_decision",
  "expired",
  "escalated",
  "resolved",
] as const satisfies readonly CapsuleVerdictClass[];

/** §5.4.4: verdict classes whose Capsule is an open item until superseded. */
export const CAPSULE_OPEN_ITEM_VERDICT_CLASSES = [
  "deferred",
  "needs_decision",
  "hitl_dispatched",
  "escalated",
  "blocked",
] as const satisfies readonly CapsuleVerdictClass[];

/** §5.2 grade order of `effect_attestation` (higher is stronger); unknown values grade as `runtime_claimed`. */
export const CAPSULE_EFFECT_ATTESTATION_GRADE: { readonly [K in CapsuleEffectAttestation]: number } = {
  runtime_claimed: 0,
  gate_executed: 1,
};

/**
 * §5.2 grade floor: the grade a consumer may rely on for an `effect_attestation` value.
 * A seeded value grades as itself; any unregistered or unrecognized value is graded no
 * stronger than `runtime_claimed` ("unknown never grades up"). Absent → null.
 */
export function gradeEffectAttestation(value: unknown): CapsuleEffectAttestation | null {
  if (value === undefined || value === null) return null;
  return value === "gate_executed" ? "gate_executed" : "runtime_claimed";
}

/** Rank of a ledger mode in the §5.3 order standalone < chained < anchored. */
export function capsuleLedgerModeRank(mode: CapsuleLedgerMode): number {
  return CAPSULE_LEDGER_MODES.indexOf(mode);
}
/** Rank of an attestation mode (self_attested < anchored). */
export function capsuleAttestationModeRank(mode: CapsuleAttestationMode): number {
  return CAPSULE_ATTESTATION_MODES.indexOf(mode);
}
/** Rank of an effect mode by strength of the effect claim (not_applicable < dispatched_unconfirmed < confirmed). */
export function capsuleEffectModeRank(mode: CapsuleEffectMode): number {
  return CAPSULE_EFFECT_MODES.indexOf(mode);
}

/** Narrowing helper for closed enums. */
export function isCapsuleEnumValue<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (values as readonly string[]).includes(value);
}
