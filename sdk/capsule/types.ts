/**
 * TypeScript types of the Agent Action Capsule payload
 * (draft-mih-scitt-agent-action-capsule-01, §5, §8.1).
 *
 * Field names are the profile's, verbatim (snake_case). Registry-governed fields
 * accept any string (unregistered values are legal and informational, §4) but
 * offer the seeded values for completion; closed enums are exact unions.
 *
 * Which fields are REQUIRED is stated per field; where the profile leaves it open
 * the choice is documented on the field (see also sdk/capsule/README in the report).
 */
import type {
  CapsuleActionType,
  CapsuleApprover,
  CapsuleAttestationMode,
  CapsuleChainRelation,
  CapsuleConstraintResult,
  CapsuleDecision,
  CapsuleEffectAttestation,
  CapsuleEffectMode,
  CapsuleEffectStatus,
  CapsuleEffectType,
  CapsuleIrreversibilityClass,
  CapsuleLedgerMode,
  CapsuleOnExpiry,
  CapsuleRegistryValue,
  CapsuleVerdictClass,
} from "./vocabulary.js";

/** A JSON value as this profile digests it (numbers: integers within ±(2^53−1) only). */
export type CapsuleJsonValue = null | boolean | number | string | CapsuleJsonValue[] | CapsuleJsonObject;
export type CapsuleJsonObject = { [member: string]: CapsuleJsonValue };

/** A JSON-DIGEST: 64 lowercase hex characters (§2). */
export type CapsuleDigest = string;

/**
 * §5.2 Effect Record: the side effect the action committed.
 * `status` drives the confirmed-effect binding and the effect_attestation matrix.
 */
export type CapsuleEffectRecord = {
  /** Logical effect type (registry-governed). REQUIRED in this implementation. */
  type: CapsuleRegistryValue<CapsuleEffectType>;
  /** REQUIRED. Closed: planned | dispatched | confirmed | failed | reverted. */
  status: CapsuleEffectStatus;
  /** JSON-DIGEST of the request; MUST be absent when planned; SHOULD be present when dispatched. */
  request_digest?: CapsuleDigest | undefined;
  /** JSON-DIGEST of the actually observed response; REQUIRED when confirmed; MUST be absent when planned or dispatched. */
  response_digest?: CapsuleDigest | undefined;
  /** Join key for later outcomes (§3.3). */
  external_ref?: string | undefined;
  /** Ordered consequence class (registry-governed). */
  irreversibility_class?: CapsuleRegistryValue<CapsuleIrreversibilityClass> | undefined;
  /** WHO vouches for the execution (registry-governed); REQUIRED unless the derived effect_mode is not_applicable, then MUST be absent. */
  effect_attestation?: CapsuleRegistryValue<CapsuleEffectAttestation> | undefined;
};

/** §5.3 `assurance.sources[]`: producer-local kinds (namespaced, §9.1) plus any members. */
export type CapsuleAssuranceSource = { kind: string; [member: string]: CapsuleJsonValue };

/** §5.3 Assurance: independently re-derivable claims. REQUIRED on every Capsule. */
export type CapsuleAssurance = {
  attestation_mode: CapsuleAttestationMode;
  effect_mode: CapsuleEffectMode;
  ledger_mode: CapsuleLedgerMode;
  sources?: CapsuleAssuranceSource[] | undefined;
};

/** §5.4 `expiry_policy` (deferral dispositions only). */
export type CapsuleExpiryPolicy = {
  /** Integer count of seconds (never a duration string), evaluated against the Capsule's `timestamp`. */
  ttl_seconds: number;
  on_expiry: CapsuleOnExpiry;
};

type CapsuleDispositionCommon = {
  /** REQUIRED (registry-governed): accept | reject | needs_input | deferred. */
  decision: CapsuleRegistryValue<CapsuleDecision>;
  /** Opaque reference to the authority a non-human disposition acted under (a reference only, never its structure). */
  authority?: string | undefined;
  /** Terminal-verdict reason-class (registry-governed); RECOMMENDED for non-executed verdicts. */
  verdict_class?: CapsuleRegistryValue<CapsuleVerdictClass> | undefined;
  /** JSON-DIGEST of a structured private reason object; absent (not the digest of `{}`) when there is no reason. */
  reason_digest?: CapsuleDigest | undefined;
  /** Deferral dispositions only. */
  expiry_policy?: CapsuleExpiryPolicy | undefined;
};

/**
 * §5.4 Disposition. The honesty invariant is in the type: `human_disposed: true`
 * is only representable with `approver: "human"`.
 */
export type CapsuleDisposition = CapsuleDispositionCommon &
  ({ approver: "human"; human_disposed: boolean } | { approver: Exclude<CapsuleApprover, "human">; human_disposed: false });

/** §8.1 Constraint Record: the public verdict of one deterministic check. */
export type CapsuleConstraintRecord = {
  /** REQUIRED. Lowercase snake_case category; new values namespaced (§9.1), e.g. `com.example.margin_floor`. */
  id: string;
  check_type?: string | undefined;
  method?: string | undefined;
  /** REQUIRED: pass | fail | n/a. */
  result: CapsuleConstraintResult;
  /** REQUIRED (its vocabulary is not fixed by the profile). */
  severity: string;
  /** REQUIRED: whether the check actually gated this decision. */
  blocking: boolean;
  /** JSON-DIGEST binding the verdict to the private evidence evaluated. */
  evidence_digest?: CapsuleDigest | undefined;
};

/** §5.4.4 chain block: a Capsule chains to exactly one parent. Excluded from `capsule_id`, but signed. */
export type CapsuleChain = {
  parent_capsule_id: CapsuleDigest;
  relation: CapsuleRegistryValue<CapsuleChainRelation>;
};

/** §9.1 `compliance` block (producer-local, namespaced tags). */
export type CapsuleCompliance = { framework_tags?: string[] | undefined };

/**
 * §5 The Agent Action Capsule (the JSON payload of an `agent_action` Signed Statement).
 * Extension members are payload-only (§9) and may appear at run time beyond these.
 */
export type Capsule = {
  /** The profile prose version ("draft-mih-scitt-agent-action-capsule-01" for this one). */
  spec_version: string;
  /** The serialization suite: "2" for this profile version. */
  format_version: "2";
  /** JSON-DIGEST of the canonical capsule form (§5.1). */
  capsule_id: CapsuleDigest;
  action_id: string;
  action_type: CapsuleActionType;
  operator: string;
  developer: string;
  /** RFC 3339 UTC with "Z" suffix. */
  timestamp: string;
  /**
   * Correlates the statements of one decision and its outcomes (mirrors the
   * `capsule_decision_id` CWT claim, §3.1, §3.3). The profile names it without
   * fixing its position; this implementation carries it top-level.
   */
  decision_id?: string | undefined;
  /** §5.2. Absent = the no-effect case (effect_mode not_applicable). */
  effect?: CapsuleEffectRecord | undefined;
  /** §5.3, REQUIRED. */
  assurance: CapsuleAssurance;
  /** §5.4. REQUIRED when `action_type` is "decide" (a disposition was required). */
  disposition?: CapsuleDisposition | undefined;
  /** §8.1 Constraint Records. */
  constraints?: CapsuleConstraintRecord[] | undefined;
  compliance?: CapsuleCompliance | undefined;
  /** §5.4.4. */
  chain?: CapsuleChain | undefined;
};

/** The modes a verifier derives from evidence (§5.3), plus the §5.2 attestation grade. */
export type CapsuleDerivedAssurance = {
  attestation_mode: CapsuleAttestationMode;
  effect_mode: CapsuleEffectMode;
  ledger_mode: CapsuleLedgerMode;
  /** The grade a consumer may rely on: unknown values grade as runtime_claimed; null when absent. */
  effect_attestation_grade: CapsuleEffectAttestation | null;
};
