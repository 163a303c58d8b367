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
 * Reconciliation outcomes (check 7). §5.3: "a verifier rederives each mode from the
 * evidence present and reports any overclaim" — an overclaim is an error; a claim
 * that is not above the evidence is not one:
 * - a claim the evidence CONTRADICTS → CAPSULE_ASSURANCE_OVERCLAIM, error (the producer
 *   broke "MUST NOT record an assurance mode it did not achieve"): a ledger tier
 *   claimed without any chain block or over a broken linkage; effect_mode above what
 *   the effect shows; attestation_mode / ledger_mode "anchored" when the caller reports
 *   that verifying the Receipt / inclusion proof FAILED (`receiptVerified: false`,
 *   `ledgerInclusionVerified: false`);
 * - a higher tier the verifier could not check for lack of input (no store; no receipt
 *   or inclusion proof verified: the evidence flag undefined) →
 *   CAPSULE_ASSURANCE_UNVERIFIED, warning (the derived mode is the lower one);
 * - effect_mode recorded below what the effect shows (e.g. dispatched_unconfirmed for
 *   a confirmed effect, not_applicable for a dispatch) → CAPSULE_ASSURANCE_UNDERSTATED,
 *   warning: not an overclaim, so not a failure under §5.3; `derived.effect_mode` is
 *   the mode to rely on (the orthogonality check 4 also uses the derived mode);
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

/**
 * Substrate evidence the caller verified (this profile verifies receipts by reference,
 * §3.2). Each flag: `true` = verified; `false` = verification was attempted and FAILED
 * (an "anchored" claim is then an overclaim, an error); absent = not checked (an
 * "anchored" claim is then unverified, a warning).
 */
export type CapsuleAnchorEvidence = {
  /** A Receipt for this Signed Statement from a Transparency Service whose key is trusted was verified. */
  receiptVerified?: boolean | undefined;
  /** An inclusion proof of this Capsule's chain root was verified against a trusted transparency-log key. */
  ledgerInclusionVerified?: boolean | undefined;
};

/** Reads caller-supplied anchor evidence once into a plain value (only exact booleans count). */
export function readCapsuleAnchorEvidence(anchor: unknown): CapsuleAnchorEvidence | undefined {
  if (typeof anchor !== "object" || anchor === null) return undefined;
  const a = anchor as Record<string, unknown>;
  const receipt = a.receiptVerified;
  const inclusion = a.ledgerInclusionVerified;
  return {
    receiptVerified: typeof receipt === "boolean" ? receipt : undefined,
    ledgerInclusionVerified: typeof inclusion === "boolean" ? inclusion : undefined,
  };
}

/**
 * State of the hash-chain linkage as far as the verifier could establish it:
 * absent (no chain block), unchecked (chain block, but no store or the store failed),
 * intact (parent resolved and recomputes), broken (malformed block, missing parent,
 * mismatch, cycle).
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
  const { effect, linkage, anchor } = typeof parameters === "object" && parameters !== null ? parameters : ({} as Partial<DeriveCapsuleAssuranceParameters>);
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
      if (anchor?.receiptVerified === false) {
        out.push(issue("CAPSULE_ASSURANCE_OVERCLAIM", "error", "/assurance/attestation_mode", 'attestation_mode "anchored" claimed, but verifying the Receipt failed; derived self_attested'));
      } else {
        out.push(issue("CAPSULE_ASSURANCE_UNVERIFIED", "warning", "/assurance/attestation_mode", 'attestation_mode "anchored" claimed, but no Receipt from a trusted Transparency Service was verified; derived self_attested'));
      }
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
      out.push(issue("CAPSULE_ASSURANCE_UNDERSTATED", "warning", "/assurance/effect_mode", `effect_mode ${eff} recorded, but the effect record shows ${derived.effect_mode} (rely on the derived mode)`));
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
        out.push(issue("CAPSULE_ASSURANCE_UNVERIFIED", "warning", "/assurance/ledger_mode", `ledger_mode ${led} recorded; the chain linkage was not checked (no store, or the store failed), derived standalone`));
      } else if (anchor?.ledgerInclusionVerified === false) {
        out.push(issue("CAPSULE_ASSURANCE_OVERCLAIM", "error", "/assurance/ledger_mode", `ledger_mode anchored recorded, but verifying the inclusion proof of the chain root failed; derived ${derived.ledger_mode}`));
      } else {
        out.push(issue("CAPSULE_ASSURANCE_UNVERIFIED", "warning", "/assurance/ledger_mode", `ledger_mode anchored recorded; no inclusion proof of the chain root was verified, derived ${derived.ledger_mode}`));
      }
    } else {
      out.push(issue("CAPSULE_ASSURANCE_UNDERCLAIM", "info", "/assurance/ledger_mode", `ledger_mode ${led} recorded; the evidence shows ${derived.ledger_mode}`));
    }
  }
  return out;
}
