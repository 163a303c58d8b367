/**
 * Resource hints: their format (as workflow-descriptor `resource_hints` and as
 * ACP-DAG-HITL node constraints `atd.resource_*`), the priority → scheduling
 * class mapping, and the policy for unsatisfiable hints.
 *
 * Spec: draft-atd-agent-task-dag-01 §Resource Hints:
 * - §Resource Claim Format: `atd.resource_cpu` ("2"), `atd.resource_memory_mb`
 *   (4096), `atd.resource_timeout_s` (300), `atd.resource_priority` ("high"),
 *   `atd.resource_gpu` ("0"), `atd.resource_network_mbps` (100). The
 *   descriptor (§Optional Declarative Workflow Format) uses the same hints
 *   without the `atd.resource_` prefix (`priority`, `timeout_s`, …).
 * - §Priority Levels: priority MUST be one of critical, high, normal, low;
 *   SHOULD map to QoS classes (critical → Guaranteed, high/normal → Burstable,
 *   low → BestEffort).
 * - §Fair-Share Scheduling: low-priority starvation bound, default 300 s.
 * - §Unsatisfiable Resource Hints: hints are advisory; critical → pre-empt,
 *   and if still unscheduled after 60 s → `atd:error` resource_exhausted +
 *   HITL; other priorities → proceed degraded, log an `atd:error` warning.
 *
 * Resolutions: cpu accepts a number or a Kubernetes-style quantity string
 * ("2", "0.5", "500m"); gpu a number or an integer string; memory_mb and
 * network_mbps are numbers ≥ 0; timeout_s a number > 0.
 */
import { ATD_PRIORITIES, type AtdPriority } from "./vocabulary.js";
import { describe, atdErrorFromFinding, AtdInvalidOptionError, isAtdForbiddenMemberName, type AtdErrorCode, type AtdFinding } from "./errors.js";
import { defineMember, findForbiddenMember, isJsonObject, memberPath, own } from "./ect.js";

export type AtdResourceHints = {
  priority?: AtdPriority | undefined;
  timeout_s?: number | undefined;
  cpu?: string | number | undefined;
  memory_mb?: number | undefined;
  gpu?: string | number | undefined;
  network_mbps?: number | undefined;
};

/** Hint names, in the order the draft lists them. */
export const ATD_RESOURCE_HINT_NAMES = ["cpu", "memory_mb", "timeout_s", "priority", "gpu", "network_mbps"] as const;

/** §Fair-Share Scheduling: default maximum wait before a `low` task must be scheduled. */
export const ATD_LOW_PRIORITY_MAX_WAIT_S = 300;
/** §Unsatisfiable Resource Hints: how long a `critical` task may stay unscheduled before erroring. */
export const ATD_CRITICAL_SCHEDULING_DEADLINE_S = 60;

type Problem = { kind: "type" | "value"; message: string };

const CPU_RE = /^(?:\d+(?:\.\d+)?|\d+m)$/;
const GPU_RE = /^\d+$/;

function checkHint(name: (typeof ATD_RESOURCE_HINT_NAMES)[number], v: unknown): Problem | undefined {
  const num = (min: number, exclusive: boolean): Problem | undefined => {
    if (typeof v !== "number") return { kind: "type", message: `expected a number, got ${describe(v)}` };
    if (!Number.isFinite(v) || (exclusive ? v <= min : v < min))
      return { kind: "value", message: `${describe(v)} must be a finite number ${exclusive ? ">" : ">="} ${min}` };
    return undefined;
  };
  switch (name) {
    case "priority":
      if (typeof v !== "string") return { kind: "type", message: `expected one of ${ATD_PRIORITIES.join(", ")}, got ${describe(v)}` };
      return (ATD_PRIORITIES as readonly string[]).includes(v)
        ? undefined
        : { kind: "value", message: `${describe(v)} is not one of ${ATD_PRIORITIES.join(", ")}` };
    case "timeout_s":
      return num(0, true);
    case "memory_mb":
    case "network_mbps":
      return num(0, false);
    case "cpu":
    case "gpu": {
      if (typeof v === "number") return num(0, false);
      if (typeof v !== "string") return { kind: "type", message: `expected a number or quantity string, got ${describe(v)}` };
      const re = name === "cpu" ? CPU_RE : GPU_RE;
      return re.test(v) ? undefined : { kind: "value", message: `${describe(v)} is not a valid ${name} quantity` };
    }
  }
}

/**
 * Checks a descriptor `resource_hints` object, pushing findings with the
 * given codes. Returns the hints (known members only, plus unknown ones when
 * `preserveUnknown`) or undefined when invalid.
 */
export function checkAtdResourceHints(
  value: unknown,
  path: string,
  findings: AtdFinding[],
  codes: { type: AtdErrorCode; value: AtdErrorCode; unknown: AtdErrorCode; forbidden: AtdErrorCode },
  preserveUnknown: boolean,
): AtdResourceHints | undefined {
  if (!isJsonObject(value)) {
    findings.push({ code: codes.type, path, message: `${path} must be an object, got ${describe(value)}` });
    return undefined;
  }
  const before = findings.length;
  const out: Record<string, unknown> = {};
  const forbidden = (p: string) =>
    findings.push({ code: codes.forbidden, path: p, message: `${p} uses a forbidden member name (__proto__, constructor and prototype would rewrite an object's prototype when copied)` });
  for (const key of Object.keys(value)) {
    const v = own(value, key);
    const p = `${path}.${key}`;
    if (!(ATD_RESOURCE_HINT_NAMES as readonly string[]).includes(key)) {
      if (isAtdForbiddenMemberName(key)) forbidden(memberPath(path, key));
      else if (!preserveUnknown) findings.push({ code: codes.unknown, path: p, message: `${p} is not a resource hint (${ATD_RESOURCE_HINT_NAMES.join(", ")})` });
      else {
        const deep = findForbiddenMember(v, memberPath(path, key), isAtdForbiddenMemberName);
        if (deep !== undefined) forbidden(deep);
        else defineMember(out, key, v);
      }
      continue;
    }
    const problem = checkHint(key as (typeof ATD_RESOURCE_HINT_NAMES)[number], v);
    if (problem) findings.push({ code: problem.kind === "type" ? codes.type : codes.value, path: p, message: `${p}: ${problem.message}` });
    else out[key] = v;
  }
  return findings.length === before ? (out as AtdResourceHints) : undefined;
}

export type ReadAtdResourceConstraintsReturnType =
  | { valid: true; hints: AtdResourceHints; findings: readonly [] }
  | { valid: false; hints: undefined; findings: readonly AtdFinding[] };

/**
 * Reads the `atd.resource_*` members of an ACP-DAG-HITL node `constraints`
 * object (other members are ignored). Never throws.
 */
export function readAtdResourceConstraints(constraints: unknown): ReadAtdResourceConstraintsReturnType {
  const findings: AtdFinding[] = [];
  if (!isJsonObject(constraints)) {
    findings.push({ code: "ATD_EXT_BAD_TYPE", path: "constraints", message: `constraints must be an object, got ${describe(constraints)}` });
    return { valid: false, hints: undefined, findings };
  }
  const hints: Record<string, unknown> = {};
  for (const name of ATD_RESOURCE_HINT_NAMES) {
    const key = `atd.resource_${name}`;
    const v = own(constraints, key);
    if (v === undefined) continue;
    const problem = checkHint(name, v);
    const p = `constraints[${JSON.stringify(key)}]`;
    if (problem) findings.push({ code: problem.kind === "type" ? "ATD_EXT_BAD_TYPE" : "ATD_EXT_BAD_VALUE", path: p, message: `${key}: ${problem.message}` });
    else hints[name] = v;
  }
  if (findings.length) return { valid: false, hints: undefined, findings };
  return { valid: true, hints: hints as AtdResourceHints, findings: [] };
}

/** Throwing variant of `readAtdResourceConstraints`. */
export function parseAtdResourceConstraints(constraints: unknown): AtdResourceHints {
  const r = readAtdResourceConstraints(constraints);
  if (r.valid) return r.hints;
  const [first, ...rest] = r.findings;
  throw atdErrorFromFinding(first!, rest);
}

/** Writes hints back as `atd.resource_*` constraint members. */
export function atdResourceHintsToConstraints(hints: AtdResourceHints): Record<string, unknown> {
  if (!isJsonObject(hints)) throw new AtdInvalidOptionError({ path: "hints", details: `hints must be an object, got ${describe(hints)}` });
  const out: Record<string, unknown> = {};
  for (const name of ATD_RESOURCE_HINT_NAMES) if (hints[name] !== undefined) out[`atd.resource_${name}`] = hints[name];
  return out;
}

/** §Priority Levels: the Kubernetes QoS class the draft suggests for a priority. */
export type AtdQosClass = "Guaranteed" | "Burstable" | "BestEffort";
export function atdPriorityQosClass(priority: AtdPriority): AtdQosClass {
  if (!(ATD_PRIORITIES as readonly unknown[]).includes(priority))
    throw new AtdInvalidOptionError({ path: "priority", details: `priority must be one of ${ATD_PRIORITIES.join(", ")}, got ${describe(priority)}` });
  switch (priority) {
    case "critical":
      return "Guaranteed";
    case "high":
    case "normal":
      return "Burstable";
    case "low":
      return "BestEffort";
  }
}

export type AtdUnsatisfiedHintDecision =
  /** critical, within the 60 s deadline: pre-empt lower-priority tasks (SHOULD). */
  | { action: "preempt"; deadlineInS: number }
  /** critical, past 60 s: emit atd:error resource_exhausted and escalate to HITL. */
  | { action: "error_and_escalate"; error: { severity: "critical"; error_type: "resource_exhausted" } }
  /** other priorities: proceed degraded and log an atd:error with severity warning. */
  | { action: "proceed_degraded"; error: { severity: "warning"; error_type: "resource_exhausted" } };

/**
 * §Unsatisfiable Resource Hints: what to do with a task whose hints cannot
 * be satisfied, given how long it has waited to be scheduled. A missing
 * priority counts as `normal`.
 */
export function decideAtdUnsatisfiedHints(parameters: { priority?: AtdPriority | undefined; waitedS: number }): AtdUnsatisfiedHintDecision {
  if (!isJsonObject(parameters)) throw new AtdInvalidOptionError({ path: "", details: `parameters must be an object, got ${describe(parameters)}` });
  if (parameters.priority !== undefined && !(ATD_PRIORITIES as readonly unknown[]).includes(parameters.priority))
    throw new AtdInvalidOptionError({ path: "priority", details: `priority must be one of ${ATD_PRIORITIES.join(", ")}, got ${describe(parameters.priority)}` });
  if (typeof parameters.waitedS !== "number" || !Number.isFinite(parameters.waitedS) || parameters.waitedS < 0)
    throw new AtdInvalidOptionError({ path: "waitedS", details: `waitedS must be a finite number of seconds >= 0, got ${describe(parameters.waitedS)}` });
  const priority = parameters.priority ?? "normal";
  if (priority === "critical") {
    if (parameters.waitedS >= ATD_CRITICAL_SCHEDULING_DEADLINE_S)
      return { action: "error_and_escalate", error: { severity: "critical", error_type: "resource_exhausted" } };
    return { action: "preempt", deadlineInS: ATD_CRITICAL_SCHEDULING_DEADLINE_S - parameters.waitedS };
  }
  return { action: "proceed_degraded", error: { severity: "warning", error_type: "resource_exhausted" } };
}
