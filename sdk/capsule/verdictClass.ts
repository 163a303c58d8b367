/**
 * Verdict/effect orthogonality (draft-mih-scitt-agent-action-capsule-01 §5.4.2,
 * Class 1 check 4). `verdict_class` (why the verdict) and the derived
 * `effect_mode` (what is known about the effect) are independent axes, with three
 * pairing constraints:
 *
 * - a class that by its kind never dispatches (blocked, hitl_dispatched, denied,
 *   engine_failure, deferred, needs_decision, expired, escalated, resolved)
 *   REQUIRES the derived effect_mode "not_applicable" (resolved by the pairing rule:
 *   an executing closure is `executed` chained `supersedes` to the deferral);
 * - `errored` pairs with "dispatched_unconfirmed".
 * - `timeout` covers both sides of dispatch; `executed` has no pairing constraint.
 *
 * Severities (§6 check 4 names one failure: a never-dispatching class with a derived
 * effect_mode other than not_applicable):
 * - never-dispatch class with an effect attempt → CAPSULE_VERDICT_EFFECT_CONFLICT, error;
 * - `errored` with not_applicable → CAPSULE_VERDICT_ERRORED_UNDISPATCHED, error: §5.4.2
 *   calls it "equally non-conforming" — the mirror image of the check-4 failure (it
 *   falsely asserts nothing happened);
 * - `errored` with a confirmed effect → CAPSULE_VERDICT_ERRORED_CONFIRMED, warning: it
 *   departs from the pairing §5.4.2 states ("ran and threw, final state unknown" next
 *   to an observed result), but neither §5.4.2 nor §6 makes it a failure. The builder
 *   refuses it (a producer records the pairing the profile states).
 *
 * Unregistered classes have no pairing semantics here (they are informational, check 8).
 */
import type { CapsuleIssue } from "./errors.js";
import { issue } from "./issues.js";
import { CAPSULE_NEVER_DISPATCH_VERDICT_CLASSES, type CapsuleEffectMode, isCapsuleEnumValue } from "./vocabulary.js";

/** True when `verdictClass` never dispatches by its kind (§5.4.2). */
export function isNeverDispatchVerdictClass(verdictClass: unknown): boolean {
  return isCapsuleEnumValue(CAPSULE_NEVER_DISPATCH_VERDICT_CLASSES, verdictClass);
}

/** The effect modes a verdict class may pair with, or undefined when it has no constraint. */
export function allowedEffectModesForVerdictClass(verdictClass: unknown): readonly CapsuleEffectMode[] | undefined {
  if (isNeverDispatchVerdictClass(verdictClass)) return ["not_applicable"];
  if (verdictClass === "errored") return ["dispatched_unconfirmed"];
  if (verdictClass === "timeout") return ["not_applicable", "dispatched_unconfirmed"];
  return undefined;
}

/** Class 1 check 4. `verdictClass` is the raw `disposition.verdict_class` (any value). */
export function checkVerdictEffectOrthogonality(verdictClass: unknown, effectMode: CapsuleEffectMode): CapsuleIssue[] {
  if (isNeverDispatchVerdictClass(verdictClass) && effectMode !== "not_applicable") {
    return [
      issue(
        "CAPSULE_VERDICT_EFFECT_CONFLICT",
        "error",
        "/disposition/verdict_class",
        `verdict_class "${String(verdictClass)}" never dispatches, but the derived effect_mode is ${effectMode}: an effect attempt contradicts a verdict that claims it never executed`,
      ),
    ];
  }
  if (verdictClass === "errored" && effectMode === "not_applicable") {
    return [
      issue(
        "CAPSULE_VERDICT_ERRORED_UNDISPATCHED",
        "error",
        "/disposition/verdict_class",
        'verdict_class "errored" (ran and threw, state unknown) pairs with effect_mode dispatched_unconfirmed; not_applicable falsely asserts nothing happened',
      ),
    ];
  }
  if (verdictClass === "errored" && effectMode === "confirmed") {
    return [
      issue(
        "CAPSULE_VERDICT_ERRORED_CONFIRMED",
        "warning",
        "/disposition/verdict_class",
        'verdict_class "errored" (ran and threw, state unknown) pairs with effect_mode dispatched_unconfirmed, but the effect is confirmed (an observed, bound result)',
      ),
    ];
  }
  return [];
}
