/**
 * The ATD vocabulary: registered `exec_act` values, the enums their `ext`
 * fields draw from, and the fixed names of draft-atd-agent-task-dag-01.
 *
 * Spec: §Checkpoint `exec_act` Table (fig-actions), §IANA Considerations
 * (exec_act values, well-known URI, media type), §Workflow Boundary ECTs
 * (terminal status), §Error Signaling (severity, error types), §Basic
 * Rollback (status values), §Priority Levels.
 */

/** The eight `exec_act` values ATD registers. */
export const ATD_EXEC_ACTS = [
  "atd:checkpoint",
  "atd:error",
  "atd:circuit_open",
  "atd:circuit_close",
  "atd:rollback_request",
  "atd:rollback_result",
  "atd:workflow_start",
  "atd:workflow_complete",
] as const;
export type AtdExecAct = (typeof ATD_EXEC_ACTS)[number];

/** Prefix of every ATD `exec_act`; any other value is an ordinary task ECT. */
export const ATD_EXEC_ACT_PREFIX = "atd:";

/** §Error Signaling: severity levels, in increasing order. */
export const ATD_SEVERITIES = ["info", "warning", "error", "critical"] as const;
export type AtdSeverity = (typeof ATD_SEVERITIES)[number];

/** §Error Signaling: error types. */
export const ATD_ERROR_TYPES = [
  "action_failed",
  "timeout",
  "constraint_violation",
  "resource_exhausted",
  "upstream_cascade",
  "unknown",
] as const;
export type AtdErrorType = (typeof ATD_ERROR_TYPES)[number];

/** §Workflow Boundary ECTs: terminal status values of `atd:workflow_complete`. */
export const ATD_TERMINAL_STATUSES = ["success", "partial", "failed", "rolled_back", "escalated"] as const;
export type AtdTerminalStatus = (typeof ATD_TERMINAL_STATUSES)[number];

/** §Basic Rollback: status values of `atd:rollback_result` (also used per `atd.cascaded` entry). */
export const ATD_ROLLBACK_STATUSES = ["completed", "partial", "escalated", "failed"] as const;
export type AtdRollbackStatus = (typeof ATD_ROLLBACK_STATUSES)[number];

/** §Priority Levels: `atd.resource_priority` / descriptor `resource_hints.priority`. */
export const ATD_PRIORITIES = ["critical", "high", "normal", "low"] as const;
export type AtdPriority = (typeof ATD_PRIORITIES)[number];

/** §Checkpoint ECT Format + RFC 8615: the rollback endpoint's path. */
export const ATD_ROLLBACK_WELL_KNOWN_PATH = "/.well-known/atd/rollback";

/** §Media Type: the declarative workflow descriptor. */
export const ATD_WORKFLOW_MEDIA_TYPE = "application/atd-workflow+json";

/** True when `value` is one of the eight registered ATD exec_act values. */
export function isAtdExecAct(value: unknown): value is AtdExecAct {
  return typeof value === "string" && (ATD_EXEC_ACTS as readonly string[]).includes(value);
}

/** Compares severities by the draft's order; negative when `a` is less severe than `b`. */
export function compareAtdSeverity(a: AtdSeverity, b: AtdSeverity): number {
  return ATD_SEVERITIES.indexOf(a) - ATD_SEVERITIES.indexOf(b);
}
