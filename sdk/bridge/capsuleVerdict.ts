/**
 * Capsule → gating verdict. A gating stage's prove carries a verdict; when the stage's decision is recorded as an
 * Agent Action Capsule (seed 004), the verdict is read off the Capsule's disposition:
 *
 * | Capsule                                                          | verdict                          |
 * |------------------------------------------------------------------|----------------------------------|
 * | `disposition.decision` = `reject`                                | Denied (halts a trusted gate)    |
 * | `disposition.verdict_class` = `denied` or `blocked`              | Denied                           |
 * | `decision` = `accept`, `verdict_class` absent / `executed` / `resolved` | Approved                  |
 * | `decision` = `needs_input` / `deferred`, or any other `verdict_class` (`hitl_dispatched`, `deferred`, `needs_decision`, `escalated`, `timeout`, `errored`, `engine_failure`, `expired`) | none: undecided, nothing to prove yet |
 * | no `disposition`                                                 | none: the Capsule records an action, not a decision |
 *
 * Denial wins over acceptance when both are present (`accept` with `verdict_class: denied` is Denied): a gate
 * must never open on a Capsule that records a block.
 */
import { Verdict, type SignableVerdict } from "../chain/attestation.js";

export type CapsuleVerdictReturnType =
  | { verdict: SignableVerdict; reason: string }
  | { verdict: undefined; reason: string };

const DENYING = new Set(["denied", "blocked"]);
const APPROVING = new Set(["executed", "resolved"]);

/** The gating verdict a Capsule's disposition records. Never throws (a malformed Capsule is undecided). */
export function capsuleVerdict(capsule: unknown): CapsuleVerdictReturnType {
  if (!capsule || typeof capsule !== "object") return { verdict: undefined, reason: "not a Capsule" };
  const disposition = (capsule as { disposition?: unknown }).disposition;
  if (!disposition || typeof disposition !== "object") return { verdict: undefined, reason: "no disposition: the Capsule records an action, not a decision" };
  const { decision, verdict_class: vc } = disposition as { decision?: unknown; verdict_class?: unknown };
  if (decision === "reject") return { verdict: Verdict.Denied, reason: "disposition.decision is reject" };
  if (typeof vc === "string" && DENYING.has(vc)) return { verdict: Verdict.Denied, reason: `disposition.verdict_class is ${vc}` };
  if (decision === "accept" && (vc === undefined || (typeof vc === "string" && APPROVING.has(vc))))
    return { verdict: Verdict.Approved, reason: vc === undefined ? "disposition.decision is accept" : `accepted, verdict_class ${vc}` };
  return { verdict: undefined, reason: `undecided: decision ${JSON.stringify(decision)}, verdict_class ${JSON.stringify(vc)}` };
}
