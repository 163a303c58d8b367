/**
 * When ATD hands control to a human (HITL escalation), at which level, and
 * whether the draft says MUST or SHOULD.
 *
 * Spec: draft-atd-agent-task-dag-01
 * - §Interaction with HITL: (1) error on a checkpoint with `atd.reversible:
 *   false` MUST trigger Level 2 (approval required); (2) rollback result
 *   `failed` MUST trigger Level 3 (STOP) on the workflow; (3) a cascading
 *   rollback reaching a node with a `critical` error SHOULD trigger Level 1
 *   (PAUSE); (4) a breaker that re-opens after 3 successive HALF-OPEN probes
 *   SHOULD trigger Level 2.
 * - §HITL Escalation on Error: `critical` errors SHOULD trigger escalation
 *   (fig-error-hitl gives the recommended ACP-DAG-HITL rule).
 * - §Basic Rollback: status `escalated` = irreversible, human notified.
 * - §Checkpoint ECT Format: rollback of an irreversible checkpoint MUST be
 *   escalated per the `unreachable_human` policy.
 * - §Rollback Timeout and Escalation: not restored within ttl/2 → MUST escalate.
 * - §Coordinated Circuit Breaking: N breakers opening for one downstream agent
 *   within a short window SHOULD escalate instead of N probes.
 * - §Unsatisfiable Resource Hints: critical task unscheduled for 60 s →
 *   resource_exhausted error and escalation (no BCP 14 keyword: SHOULD here).
 *
 * Levels the draft leaves unnamed are `undefined` (the deployment's HITL rules
 * decide). Recording the escalation as an ECT linked to the HITL override ECT
 * needs the companion HITL draft's exec_act and is not built here.
 */
import type { AtdValidatedEct } from "./validateAtdEct.js";
import { isAtdValidatedShape, isJsonObject } from "./ect.js";

/** Companion HITL levels as ATD names them: 1 PAUSE, 2 approval required, 3 STOP. */
export type AtdHitlLevel = 1 | 2 | 3;
export const ATD_HITL_LEVEL_NAMES: Readonly<Record<AtdHitlLevel, string>> = Object.freeze({
  1: "PAUSE",
  2: "APPROVAL_REQUIRED",
  3: "STOP",
});

export type AtdEscalationTrigger =
  | "critical_error"
  | "irreversible_failure"
  | "rollback_failed"
  | "rollback_escalated"
  | "rollback_timeout"
  | "cascade_critical"
  | "circuit_permanent_open"
  | "coordinated_circuit_open"
  | "resource_exhausted";

/** One HITL escalation the ECTs call for. */
export type AtdEscalation = {
  trigger: AtdEscalationTrigger;
  requirement: "MUST" | "SHOULD";
  /** Undefined where the draft does not name a level. */
  level: AtdHitlLevel | undefined;
  /** "workflow" for Level 3 STOP on the whole workflow. */
  scope: "node" | "workflow";
  /** jti of the ECT that triggers it (error, rollback result/request, circuit open). */
  cause: string;
  /**
   * What the escalation concerns: task jtis (node escalations), or the
   * `atd:circuit_open` jtis of the breakers (coordinated circuit opening).
   */
  nodes: readonly string[];
  /** Workflow of the triggering ECT, when known. */
  wid?: string | undefined;
  /** Downstream agent, for circuit escalations. */
  downstreamAgent?: string | undefined;
};

/** Permanent-open rule: a breaker that re-opens after this many successive failed probes. */
export const ATD_PERMANENT_OPEN_PROBES = 3;

/**
 * Escalations an `atd:error` triggers: Level 2 MUST when the referenced
 * checkpoint is irreversible; MUST (level unnamed) for a rollback timeout
 * (error_type `timeout` whose parent is an `atd:rollback_request`); SHOULD
 * for severity `critical`.
 */
export function atdEscalationsForError(
  error: AtdValidatedEct,
  context: {
    /** The ECT named by `atd.checkpoint_id`, when known. */
    checkpoint?: AtdValidatedEct | undefined;
    /** The error's parents, when known. */
    parents?: readonly (AtdValidatedEct | undefined)[] | undefined;
  } = {},
): AtdEscalation[] {
  if (!isAtdValidatedShape(error)) return [];
  const f = error.fields;
  if (f?.act !== "atd:error") return [];
  const out: AtdEscalation[] = [];
  const base = { cause: error.jti, nodes: error.par, wid: error.wid, scope: "node" as const };
  const ctx = isJsonObject(context) ? context : {};
  const cf = isAtdValidatedShape(ctx.checkpoint) ? ctx.checkpoint.fields : undefined;
  if (cf?.act === "atd:checkpoint" && cf.reversible === false)
    out.push({ ...base, trigger: "irreversible_failure", requirement: "MUST", level: 2 });
  const parents = Array.isArray(ctx.parents) ? ctx.parents : [];
  if (f.error_type === "timeout" && parents.some((p) => isAtdValidatedShape(p) && p.kind === "atd:rollback_request"))
    out.push({ ...base, trigger: "rollback_timeout", requirement: "MUST", level: undefined });
  if (f.severity === "critical") out.push({ ...base, trigger: "critical_error", requirement: "SHOULD", level: undefined });
  return out;
}

/**
 * Escalations an `atd:rollback_result` triggers: `failed` → Level 3 STOP on
 * the workflow (MUST); `escalated` → the irreversible action is with a human
 * (MUST, per `unreachable_human`; level not named).
 */
export function atdEscalationsForRollbackResult(result: AtdValidatedEct, nodes: readonly string[] = []): AtdEscalation[] {
  if (!isAtdValidatedShape(result)) return [];
  if (!Array.isArray(nodes)) nodes = [];
  const f = result.fields;
  if (f?.act !== "atd:rollback_result") return [];
  if (f.status === "failed")
    return [{ trigger: "rollback_failed", requirement: "MUST", level: 3, scope: "workflow", cause: result.jti, nodes, wid: result.wid }];
  if (f.status === "escalated")
    return [{ trigger: "rollback_escalated", requirement: "MUST", level: undefined, scope: "node", cause: result.jti, nodes, wid: result.wid }];
  return [];
}

/**
 * The recommended ACP-DAG-HITL rule for critical errors (fig-error-hitl),
 * for deployments that configure their HITL policy from ATD.
 */
export const ATD_CRITICAL_ERROR_HITL_RULE = Object.freeze({
  id: "r-critical-error",
  trigger: Object.freeze({ kind: "keyword_match", op: "eq", value: "critical", input_ref: "atd.severity" }),
  required_role: "operator:oncall",
  action: "escalate",
  allow_override: true,
  override_action: "continue",
});
