/**
 * Validation of one ECT against the ATD `exec_act` vocabulary: the required
 * `ext` fields of each of the eight values, their JSON types, enums and
 * ranges, and the `par` shape each value prescribes.
 *
 * Spec: draft-atd-agent-task-dag-01
 * - §Checkpoint `exec_act` Table (fig-actions): required ext fields per value.
 * - §Checkpoint ECT Format: `atd.reversible` MUST be present; the rollback URI
 *   MUST be at `/.well-known/atd/rollback` (RFC 8615); `par` = the action.
 * - §Hierarchical Checkpoints: a parent checkpoint's `par` lists its children.
 * - §Error Signaling: severity and error-type enums; `par` = the failed action;
 *   `atd.upstream_errors` chains error jtis.
 * - §Circuit Breaker Pattern: circuit_open / circuit_close fields.
 * - §Basic Rollback: request `par` = the checkpoint; result `par` = the request;
 *   status enum; `atd.cascaded` entries `{agent, status}`.
 * - §Workflow Boundary ECTs: wf_id, description, node_count, terminal status,
 *   elapsed_s; workflow_complete's `par` references the workflow_start.
 *
 * Resolutions of under-specified points (documented in the README of the area):
 * - `atd.ttl` is a positive integer of seconds; `atd.window_s`/`atd.cooldown_s`
 *   positive numbers; `atd.error_rate` in [0, 1]; `atd.elapsed_s` ≥ 0.
 * - `atd.checkpoint_id` of `atd:error` must be present; `null` is accepted to
 *   state that the failed action had no checkpoint (exempt actions, §Checkpoint
 *   Placement Policy). On `atd:rollback_result` it must be a jti string.
 * - `atd:rollback_request` and `atd:rollback_result` reference exactly one
 *   ECT in `par` (the draft names "the checkpoint" / "the request", singular);
 *   checkpoint, error and workflow_complete need at least one.
 * - The rollback URI scheme must be `https` or `http`.
 * - Optional ATD fields (description, target, upstream_errors, node_count,
 *   elapsed_s) are type-checked when present; other `ext` members are left
 *   alone (ext is an extension point).
 */
import {
  ATD_ERROR_TYPES,
  ATD_EXEC_ACT_PREFIX,
  ATD_ROLLBACK_STATUSES,
  ATD_ROLLBACK_WELL_KNOWN_PATH,
  ATD_SEVERITIES,
  ATD_TERMINAL_STATUSES,
  isAtdExecAct,
  type AtdErrorType,
  type AtdExecAct,
  type AtdRollbackStatus,
  type AtdSeverity,
  type AtdTerminalStatus,
} from "./vocabulary.js";
import { extPath, hasOwn, isJsonObject, normalizeAtdEct, own, type AtdNormalizedEct } from "./ect.js";
import { atdErrorFromFinding, AtdUnknownExecActError, describe, type AtdFinding } from "./errors.js";

// ------------------------------------------------------------------ typed views

export type AtdCheckpointFields = {
  act: "atd:checkpoint";
  reversible: boolean;
  rollback_uri: string;
  ttl: number;
  target?: string | undefined;
  description?: string | undefined;
};
export type AtdErrorFields = {
  act: "atd:error";
  severity: AtdSeverity;
  error_type: AtdErrorType;
  /** `null` when the failed action had no checkpoint. */
  checkpoint_id: string | null;
  description?: string | undefined;
  upstream_errors?: readonly string[] | undefined;
};
export type AtdCircuitOpenFields = {
  act: "atd:circuit_open";
  downstream_agent: string;
  error_rate: number;
  window_s: number;
};
export type AtdCircuitCloseFields = {
  act: "atd:circuit_close";
  downstream_agent: string;
  cooldown_s: number;
};
export type AtdRollbackRequestFields = {
  act: "atd:rollback_request";
  reason: string;
  cascade: boolean;
};
export type AtdCascadedEntry = { agent: string; status: AtdRollbackStatus };
export type AtdRollbackResultFields = {
  act: "atd:rollback_result";
  status: AtdRollbackStatus;
  checkpoint_id: string;
  cascaded: readonly AtdCascadedEntry[];
};
export type AtdWorkflowStartFields = {
  act: "atd:workflow_start";
  wf_id: string;
  description: string;
  node_count?: number | undefined;
};
export type AtdWorkflowCompleteFields = {
  act: "atd:workflow_complete";
  wf_id: string;
  terminal_status: AtdTerminalStatus;
  elapsed_s?: number | undefined;
};

/** The ATD `ext` fields of an ECT, read and typed (names without the `atd.` prefix). */
export type AtdFields =
  | AtdCheckpointFields
  | AtdErrorFields
  | AtdCircuitOpenFields
  | AtdCircuitCloseFields
  | AtdRollbackRequestFields
  | AtdRollbackResultFields
  | AtdWorkflowStartFields
  | AtdWorkflowCompleteFields;

/** `task` for an ordinary ECT (exec_act outside the `atd:` namespace). */
export type AtdEctKind = AtdExecAct | "task";

/** A validated ECT: normalised claims plus its typed ATD fields (`undefined` for tasks). */
export type AtdValidatedEct = AtdNormalizedEct & { readonly kind: AtdEctKind; readonly fields: AtdFields | undefined };

export type ValidateAtdEctReturnType =
  | { valid: true; ect: AtdValidatedEct; findings: readonly [] }
  | { valid: false; ect: undefined; findings: readonly AtdFinding[] };

// ------------------------------------------------------------------ field rules

type Check = (value: unknown) => { ok: true; value: unknown } | { ok: false; code: "ATD_EXT_BAD_TYPE" | "ATD_EXT_BAD_VALUE"; message: string };

const bad = (code: "ATD_EXT_BAD_TYPE" | "ATD_EXT_BAD_VALUE", message: string) => ({ ok: false as const, code, message });
const good = (value: unknown) => ({ ok: true as const, value });

const isBoolean: Check = (v) => (typeof v === "boolean" ? good(v) : bad("ATD_EXT_BAD_TYPE", `expected a boolean, got ${describe(v)}`));
const isString: Check = (v) => (typeof v === "string" ? good(v) : bad("ATD_EXT_BAD_TYPE", `expected a string, got ${describe(v)}`));
const isNonEmptyString: Check = (v) =>
  typeof v !== "string"
    ? bad("ATD_EXT_BAD_TYPE", `expected a string, got ${describe(v)}`)
    : v.length === 0
      ? bad("ATD_EXT_BAD_VALUE", "must not be empty")
      : good(v);
const isEnum =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v !== "string"
      ? bad("ATD_EXT_BAD_TYPE", `expected one of ${values.join(", ")}, got ${describe(v)}`)
      : values.includes(v)
        ? good(v)
        : bad("ATD_EXT_BAD_VALUE", `${describe(v)} is not one of ${values.join(", ")}`);
const isNumber =
  (opts: { integer?: boolean; min?: number; minExclusive?: boolean; max?: number }): Check =>
  (v) => {
    if (typeof v !== "number") return bad("ATD_EXT_BAD_TYPE", `expected a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) return bad("ATD_EXT_BAD_VALUE", `${describe(v)} is not finite`);
    if (opts.integer && !Number.isSafeInteger(v)) return bad("ATD_EXT_BAD_VALUE", `${v} is not a safe integer`);
    if (opts.min !== undefined && (opts.minExclusive ? v <= opts.min : v < opts.min))
      return bad("ATD_EXT_BAD_VALUE", `${v} must be ${opts.minExclusive ? ">" : ">="} ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) return bad("ATD_EXT_BAD_VALUE", `${v} must be <= ${opts.max}`);
    return good(v);
  };
const positiveInteger = isNumber({ integer: true, min: 0, minExclusive: true });
const positiveNumber = isNumber({ min: 0, minExclusive: true });
const nonNegativeNumber = isNumber({ min: 0 });
const nonNegativeInteger = isNumber({ integer: true, min: 0 });
const ratio = isNumber({ min: 0, max: 1 });

/** §Checkpoint ECT Format: an http(s) URI whose path is exactly `/.well-known/atd/rollback`. */
const isRollbackUri: Check = (v) => {
  if (typeof v !== "string") return bad("ATD_EXT_BAD_TYPE", `expected a URI string, got ${describe(v)}`);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return bad("ATD_EXT_BAD_VALUE", `${describe(v)} is not an absolute URI`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return bad("ATD_EXT_BAD_VALUE", `${describe(v)} must use https (or http)`);
  if (url.pathname !== ATD_ROLLBACK_WELL_KNOWN_PATH)
    return bad("ATD_EXT_BAD_VALUE", `${describe(v)} must be the well-known URI ${ATD_ROLLBACK_WELL_KNOWN_PATH} (RFC 8615)`);
  return good(v);
};

const isCheckpointIdOrNull: Check = (v) => (v === null ? good(null) : isNonEmptyString(v));

type ArrayCheck = (value: unknown, path: string, out: AtdFinding[], jti: string) => unknown;

const stringArray: ArrayCheck = (v, path, out, jti) => {
  if (!Array.isArray(v)) {
    out.push({ code: "ATD_EXT_BAD_TYPE", path, jti, message: `${path}: expected an array of jti strings, got ${describe(v)}` });
    return undefined;
  }
  const res: string[] = [];
  v.forEach((e: unknown, i) => {
    if (typeof e === "string" && e.length > 0) res.push(e);
    else out.push({ code: "ATD_EXT_BAD_TYPE", path: `${path}[${i}]`, jti, message: `${path}[${i}]: expected a non-empty jti string, got ${describe(e)}` });
  });
  return res;
};

const cascadedArray: ArrayCheck = (v, path, out, jti) => {
  if (!Array.isArray(v)) {
    out.push({ code: "ATD_EXT_BAD_TYPE", path, jti, message: `${path}: expected an array of {agent, status}, got ${describe(v)}` });
    return undefined;
  }
  const res: AtdCascadedEntry[] = [];
  v.forEach((e: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!isJsonObject(e)) {
      out.push({ code: "ATD_EXT_BAD_TYPE", path: p, jti, message: `${p}: expected an object {agent, status}, got ${describe(e)}` });
      return;
    }
    let ok = true;
    for (const [k, check] of [
      ["agent", isNonEmptyString],
      ["status", isEnum(ATD_ROLLBACK_STATUSES)],
    ] as const) {
      if (!hasOwn(e, k)) {
        out.push({ code: "ATD_EXT_MISSING_FIELD", path: `${p}.${k}`, jti, message: `${p}.${k} is required` });
        ok = false;
        continue;
      }
      const r = check(own(e, k));
      if (!r.ok) {
        out.push({ code: r.code, path: `${p}.${k}`, jti, message: `${p}.${k}: ${r.message}` });
        ok = false;
      }
    }
    if (ok) res.push({ agent: own(e, "agent") as string, status: own(e, "status") as AtdRollbackStatus });
  });
  return res;
};

type FieldRule = { name: string; required: boolean; check?: Check; array?: ArrayCheck };
type ActRule = { fields: readonly FieldRule[]; par: { min: number; max?: number; what: string } | undefined };

const f = (name: string, required: boolean, check: Check): FieldRule => ({ name, required, check });
const fa = (name: string, required: boolean, array: ArrayCheck): FieldRule => ({ name, required, array });

/** The rule table: §Checkpoint exec_act Table plus the field definitions of each section. */
export const ATD_ACT_RULES: Readonly<Record<AtdExecAct, ActRule>> = {
  "atd:checkpoint": {
    fields: [
      f("reversible", true, isBoolean),
      f("rollback_uri", true, isRollbackUri),
      f("ttl", true, positiveInteger),
      f("target", false, isString),
      f("description", false, isString),
    ],
    par: { min: 1, what: "the action being checkpointed (or, hierarchically, the child checkpoints)" },
  },
  "atd:error": {
    fields: [
      f("severity", true, isEnum(ATD_SEVERITIES)),
      f("error_type", true, isEnum(ATD_ERROR_TYPES)),
      f("checkpoint_id", true, isCheckpointIdOrNull),
      f("description", false, isString),
      fa("upstream_errors", false, stringArray),
    ],
    par: { min: 1, what: "the failed action" },
  },
  "atd:circuit_open": {
    fields: [f("downstream_agent", true, isNonEmptyString), f("error_rate", true, ratio), f("window_s", true, positiveNumber)],
    par: undefined,
  },
  "atd:circuit_close": {
    fields: [f("downstream_agent", true, isNonEmptyString), f("cooldown_s", true, positiveNumber)],
    par: undefined,
  },
  "atd:rollback_request": {
    fields: [f("reason", true, isNonEmptyString), f("cascade", true, isBoolean)],
    par: { min: 1, max: 1, what: "the checkpoint to roll back to" },
  },
  "atd:rollback_result": {
    fields: [
      f("status", true, isEnum(ATD_ROLLBACK_STATUSES)),
      f("checkpoint_id", true, isNonEmptyString),
      fa("cascaded", true, cascadedArray),
    ],
    par: { min: 1, max: 1, what: "the rollback request" },
  },
  "atd:workflow_start": {
    fields: [f("wf_id", true, isNonEmptyString), f("description", true, isString), f("node_count", false, nonNegativeInteger)],
    par: undefined,
  },
  "atd:workflow_complete": {
    fields: [
      f("wf_id", true, isNonEmptyString),
      f("terminal_status", true, isEnum(ATD_TERMINAL_STATUSES)),
      f("elapsed_s", false, nonNegativeNumber),
    ],
    par: { min: 1, what: "the atd:workflow_start ECT" },
  },
};

/** The `ext` member names (with the `atd.` prefix) an exec_act requires. */
export function requiredAtdExtFields(act: AtdExecAct): readonly string[] {
  // isAtdExecAct is an own-list check: "__proto__" or "toString" never reach a prototype.
  if (!isAtdExecAct(act)) throw new AtdUnknownExecActError({ path: "exec_act", details: `${describe(act)} is not one of the eight ATD exec_act values` });
  return ATD_ACT_RULES[act].fields.filter((r) => r.required).map((r) => `atd.${r.name}`);
}

// ------------------------------------------------------------------ validator

/**
 * Validates one ECT payload against the ATD vocabulary. Never throws, for
 * any input: every problem is returned as a finding (all of them, not just
 * the first). Ordinary task ECTs (exec_act outside `atd:`) are valid with
 * `kind: "task"` and no fields; an unknown `atd:` value is a finding.
 */
export function validateAtdEct(value: unknown): ValidateAtdEctReturnType {
  const norm = normalizeAtdEct(value);
  if (!norm.ok) return { valid: false, ect: undefined, findings: norm.findings };
  const ect = norm.ect;
  const findings: AtdFinding[] = [];
  try {
    if (!ect.exec_act.startsWith(ATD_EXEC_ACT_PREFIX)) {
      return { valid: true, ect: { ...ect, kind: "task", fields: undefined }, findings: [] };
    }
    if (!isAtdExecAct(ect.exec_act)) {
      findings.push({
        code: "ATD_UNKNOWN_EXEC_ACT",
        path: "exec_act",
        jti: ect.jti,
        message: `${describe(ect.exec_act)} is not a registered ATD exec_act`,
      });
      return { valid: false, ect: undefined, findings };
    }
    const act = ect.exec_act;
    const rule = ATD_ACT_RULES[act];
    const fields: Record<string, unknown> = { act };
    for (const r of rule.fields) {
      const key = `atd.${r.name}`;
      const path = extPath(ect, key);
      if (!hasOwn(ect.ext, key) || own(ect.ext, key) === undefined) {
        if (r.required)
          findings.push({ code: "ATD_EXT_MISSING_FIELD", path, jti: ect.jti, message: `${act} requires ${ect.extName} field ${key}` });
        continue;
      }
      const v = own(ect.ext, key);
      if (r.check) {
        const res = r.check(v);
        if (res.ok) fields[r.name] = res.value;
        else findings.push({ code: res.code, path, jti: ect.jti, message: `${key}: ${res.message}` });
      } else if (r.array) {
        const before = findings.length;
        const res = r.array(v, path, findings, ect.jti);
        if (findings.length === before) fields[r.name] = res;
      }
    }
    if (rule.par) {
      const n = ect.par.length;
      if (n < rule.par.min || (rule.par.max !== undefined && n > rule.par.max)) {
        const want = rule.par.max === rule.par.min ? `exactly ${rule.par.min}` : `at least ${rule.par.min}`;
        findings.push({
          code: "ATD_PAR_REQUIRED",
          path: ect.parName,
          jti: ect.jti,
          message: `${act} must reference ${want} ECT in ${ect.parName} (${rule.par.what}), got ${n}`,
        });
      }
    }
    if (findings.length > 0) return { valid: false, ect: undefined, findings };
    return { valid: true, ect: { ...ect, kind: act, fields: fields as AtdFields }, findings: [] };
  } catch (cause) {
    findings.push({ code: "ATD_ECT_MALFORMED", path: "", jti: ect.jti, message: `ECT could not be read: ${String((cause as Error)?.message ?? cause)}` });
    return { valid: false, ect: undefined, findings };
  }
}

/**
 * Like `validateAtdEct` but throws the typed error of the first finding
 * (e.g. `AtdExtMissingFieldError` naming `ext["atd.ttl"]`); the remaining
 * findings are listed in the error's meta lines.
 */
export function assertAtdEct(value: unknown): AtdValidatedEct {
  const res = validateAtdEct(value);
  if (res.valid) return res.ect;
  const [first, ...rest] = res.findings;
  throw atdErrorFromFinding(first!, rest);
}
