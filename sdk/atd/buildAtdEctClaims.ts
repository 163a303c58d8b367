/**
 * Builds the ATD-specific claims (`exec_act`, `par`, `ext`, optional
 * `out_hash`) of one of the eight ATD ECTs, validated against the vocabulary.
 * Merge the result into the ECT area's create parameters (which add iss, aud,
 * iat, exp, jti, wid and sign).
 *
 * Spec: draft-atd-agent-task-dag-01 §Checkpoint `exec_act` Table and the
 * figures of §Workflow Boundary ECTs, §Checkpoint ECT Format, §Error
 * Signaling, §Circuit Breaker Pattern, §Basic Rollback, §Rollback Timeout.
 *
 * Emits the ECT paper's claim names `par` and `ext` (not `pred`/`ect_ext`).
 */
import type { AtdFields } from "./validateAtdEct.js";
import { assertAtdEct } from "./validateAtdEct.js";
import { AtdExtFieldValueError } from "./errors.js";
import type { AtdSeverity } from "./vocabulary.js";

/** The claims ATD contributes to an ECT. */
export type AtdEctClaims = {
  exec_act: string;
  par: string[];
  ext: Record<string, unknown>;
  out_hash?: string | undefined;
};

export type BuildAtdEctClaimsParameters = AtdFields & {
  /** Parent jtis (see the draft for what each exec_act references). Default `[]`. */
  par?: readonly string[] | undefined;
  /** base64url SHA-256 of the state snapshot (checkpoint) or restored state (rollback result). */
  out_hash?: string | undefined;
  /** Further ext members (e.g. your own reverse-domain keys); may not override ATD fields. */
  extra?: Readonly<Record<string, unknown>> | undefined;
};

export type BuildAtdEctClaimsReturnType = AtdEctClaims;

/**
 * Builds and validates the claims. Throws the typed error of the first rule
 * broken (e.g. `AtdExtFieldValueError` for `atd.severity: "fatal"`).
 */
export function buildAtdEctClaims(parameters: BuildAtdEctClaimsParameters): BuildAtdEctClaimsReturnType {
  const { act, par, out_hash, extra, ...fields } = parameters;
  const ext: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (k.startsWith("atd.") && Object.prototype.hasOwnProperty.call(fields, k.slice(4)))
      throw new AtdExtFieldValueError({ path: `ext[${JSON.stringify(k)}]`, details: `extra may not override ATD field ${k}` });
    ext[k] = v;
  }
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) ext[`atd.${k}`] = v;
  const claims: AtdEctClaims = { exec_act: act, par: [...(par ?? [])], ext, ...(out_hash !== undefined ? { out_hash } : {}) };
  // jti is assigned by the ECT builder; a placeholder lets the shared validator run.
  assertAtdEct({ jti: "(unassigned)", ...claims });
  return claims;
}

/**
 * §Rollback Timeout and Escalation: the `atd:error` an agent MUST emit when a
 * rollback is not completed within `atd.ttl / 2` seconds.
 */
export function buildAtdRollbackTimeoutError(parameters: {
  /** The rollback request that timed out (its jti is the error's parent). */
  rollbackRequestJti: string;
  /** The checkpoint being restored. */
  checkpointId: string;
  /** Seconds waited (ttl / 2). */
  timeoutS: number;
  /** Default `critical` (a timed-out rollback leaves state unknown). */
  severity?: AtdSeverity | undefined;
}): AtdEctClaims {
  return buildAtdEctClaims({
    act: "atd:error",
    par: [parameters.rollbackRequestJti],
    severity: parameters.severity ?? "critical",
    error_type: "timeout",
    checkpoint_id: parameters.checkpointId,
    description: `rollback timeout: checkpoint ${parameters.checkpointId} not restored within ${parameters.timeoutS} s (atd.ttl / 2)`,
  });
}
