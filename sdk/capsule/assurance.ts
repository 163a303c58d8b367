/**
 * Assurance (draft-mih-scitt-agent-action-capsule-01 §5.3, §3.2, §13; Class 1 check 7).
 *
 * The three modes are independently re-derivable claims; a producer MUST NOT record
 * a mode it did not achieve, and a verifier rederives each mode from the evidence
 * actually verified and never upgrades a claim it could not check:
 *
 * - attestation_mode: "anchored" only after verifying a Receipt from a trusted
 *   Transparency Service (substrate verification, supplied as `receiptVerified`);
 *   otherwise "self_attested".
 * - effect_mode: from `effect.status` (see effectRecord.ts).
 * - ledger_mode (standalone < chained < anchored): "chained" only when the
 *   hash-chain linkage is present AND intact (the parent was resolved from the store
 *   and recomputes to `parent_capsule_id`); "anchored" only when additionally an
 *   inclusion proof of the chain root was verified against a trusted log key.
 *
 * Reconciliation outcomes (check 7), resolving the profile's "report overclaims":
 * - a claim the evidence present CONTRADICTS (ledger tier claimed without any chain
 *   block, or with a broken linkage; effect_mode above what the effect shows) →
 *   CAPSULE_ASSURANCE_OVERCLAIM, error (the producer broke a MUST NOT);
 * - effect_mode below what the effect shows (e.g. not_applicable for a dispatch,
 *   which §5.4.2 calls equally non-conforming) → CAPSULE_ASSURANCE_UNDERSTATED, error;
 * - a higher tier the verifier could not check for lack of input (no store, no
 *   verified receipt or inclusion proof) → CAPSULE_ASSURANCE_UNVERIFIED, warning;
 * - a tier claimed below what was verified → CAPSULE_ASSURANCE_UNDERCLAIM, info.
 */
import type { CapsuleIssue } from "./errors.js";
import { deriveEffectMode } from "./effectRecord.js";
import { issue, isRecord } from "./issues.js";
import type { CapsuleDerivedAssurance } from "./types.js";
import {
  CAPSULE_ATTESTATION_MODES,
  CAPSULE_EFFECT_MODES,
  CAPSULE_LEDGER_MODES,
  capsuleAttestationModeRank,
  capsuleEffectModeRank,
  capsuleLedgerModeRank,
  gradeEffectAttestation,
  isCapsuleEnumValue,
} from "./vocabulary.js";

/** Substrate evidence the caller verified (this profile verifies receipts by reference, §3.2). */
export type CapsuleAnchorEvidence = {
  /** A Receipt for this Signed Statement from a Transparency Service whose key is trusted was verified. */
  receiptVerified?: boolean | undefined;
  /** An inclusion proof of this Capsule's chain root was verified against a trusted transparency-log key. */
  ledgerInclusionVerified?: boolean | undefined;
};

/**
 * State of the hash-chain linkage as far as the verifier could establish it:
 * absent (no chain block), unchecked (chain block, no store), intact (parent
 * resolved and recomputes), broken (missing parent, mismatch, cycle, store failure).
 */
export type CapsuleChainLinkageStatus = "absent" | "unchecked" | "intact" | "broken";

export type DeriveCapsuleAssuranceParameters = {
  /** The raw `capsule.effect` member. */
  effect: unknown;
  linkage: CapsuleChainLinkageStatus;
  anchor?: CapsuleAnchorEvidence | undefined;
};

/** Rederives the assurance modes from the evidence (§5.3). */
export function deriveCapsuleAssurance(parameters: DeriveCapsuleAssuranceParameters): CapsuleDerivedAssurance {
  const { effect, linkage, anchor } = parameters;
  const ledger_mode = linkage === "intact" ? (anchor?.ledgerInclusionVerified === true ? "anchored" : "chained") : "standalone";
  return {
    attestation_mode: anchor?.receiptVerified === true ? "anchored" : "self_attested",
    effect_mode: deriveEffectMode(effect),
    ledger_mode,
    effect_attestation_grade: gradeEffectAttestation(isRecord(effect) ? effect.effect_attestation : undefined),
  };
}

/** Class 1 check 7: compares the recorded `assurance` (raw) with the derived modes. */
export function reconcileCapsuleAssurance(
  assurance: unknown,
  derived: CapsuleDerivedAssurance,
  linkage: CapsuleChainLinkageStatus,
  anchor?: CapsuleAnchorEvidence,
): CapsuleIssue[] {
  if (!isRecord(assurance)) return [];
  const out: CapsuleIssue[] = [];

  // attestation_mode
  const att = assurance.attestation_mode;
  if (isCapsuleEnumValue(CAPSULE_ATTESTATION_MODES, att) && att !== derived.attestation_mode) {
    if (capsuleAttestationModeRank(att) > capsuleAttestationModeRank(derived.attestation_mode)) {
      out.push(issue("CAPSULE_ASSURANCE_UNVERIFIED", "warning", "/assurance/attestation_mode", `attestation_mode "anchored" claimed, but no Receipt from a trusted Transparency Service was verified${anchor?.receiptVerified === false ? " (receipt verification failed)" : ""}; derived self_attested`));
    } else {
      out.push(issue("CAPSULE_ASSURANCE_UNDERCLAIM", "info", "/assurance/attestation_mode", "attestation_mode self_attested recorded; a verified Receipt shows anchored"));
    }
  }

  // effect_mode
  const eff = assurance.effect_mode;
  if (isCapsuleEnumValue(CAPSULE_EFFECT_MODES, eff) && eff !== derived.effect_mode) {
    if (capsuleEffectModeRank(eff) > capsuleEffectModeRank(derived.effect_mode)) {
      out.push(issue("CAPSULE_ASSURANCE_OVERCLAIM", "error", "/assurance/effect_mode", `effect_mode ${eff} recorded, but the effect record shows ${derived.effect_mode}`));
    } else {
      out.push(issue("CAPSULE_ASSURANCE_UNDERSTATED", "error", "/assurance/effect_mode", `effect_mode ${eff} recorded, but the effect record shows ${derived.effect_mode}`));
    }
  }

  // ledger_mode
  const led = assurance.ledger_mode;
  if (isCapsuleEnumValue(CAPSULE_LEDGER_MODES, led) && led !== derived.ledger_mode) {
    const claimed = capsuleLedgerModeRank(led);
    const got = capsuleLedgerModeRank(derived.ledger_mode);
    if (claimed > got) {
      if (linkage === "absent") {
        out.push(issue("CAPSULE_ASSURANCE_OVERCLAIM", "error", "/assurance/ledger_mode", `ledger_mode ${led} recorded, but the Capsule carries no chain linkage (standalone)`));
      } else if (linkage === "broken") {
        out.push(issue("CAPSULE_ASSURANCE_OVERCLAIM", "error", "/assurance/ledger_mode", `ledger_mode ${led} recorded, but the chain linkage is not intact (see check 6)`));
      } else if (linkage === "unchecked") {
        out.push(issue("CAPSULE_ASSURANCE_UNVERIFIED", "warning", "/assurance/ledger_mode", `ledger_mode ${led} recorded; the chain linkage was not checked (no store), derived standalone`));
      } else {
        out.push(issue("CAPSULE_ASSURANCE_UNVERIFIED", "warning", "/assurance/ledger_mode", `ledger_mode anchored recorded; no inclusion proof of the chain root was verified, derived ${derived.ledger_mode}`));
      }
    } else {
      out.push(issue("CAPSULE_ASSURANCE_UNDERCLAIM", "info", "/assurance/ledger_mode", `ledger_mode ${led} recorded; the evidence shows ${derived.ledger_mode}`));
    }
  }
  return out;
}
