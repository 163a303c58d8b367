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
 * `extra` members are copied as own data properties; a member named
 * `__proto__` (at any depth) is refused with `AtdForbiddenMemberError`: a
 * verifier would refuse such an ECT anyway (ECT step 12).
 */
import type { AtdFields } from "./validateAtdEct.js";
import { assertAtdEct } from "./validateAtdEct.js";
import { AtdExtFieldValueError, AtdForbiddenMemberError, AtdInvalidOptionError, describe } from "./errors.js";
import { defineMember, findForbiddenMember, isJsonObject, isProtoMember } from "./ect.js";
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
  if (!isJsonObject(parameters)) throw new AtdInvalidOptionError({ path: "", details: `parameters must be an object, got ${describe(parameters)}` });
  const { act, par, out_hash, extra, ...fields } = parameters;
  if (extra !== undefined && !isJsonObject(extra)) throw new AtdInvalidOptionError({ path: "extra", details: `extra must be an object, got ${describe(extra)}` });
  if (par !== undefined && !Array.isArray(par)) throw new AtdInvalidOptionError({ path: "par", details: `par must be an array of jtis, got ${describe(par)}` });
  const ext: Record<string, unknown> = {};
  const bad = findForbiddenMember(extra ?? {}, "ext", isProtoMember);
  if (bad !== undefined) throw new AtdForbiddenMemberError({ path: bad, details: `${bad}: a member named "__proto__" is not allowed in ext` });
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (k.startsWith("atd.") && Object.prototype.hasOwnProperty.call(fields, k.slice(4)))
      throw new AtdExtFieldValueError({ path: `ext[${JSON.stringify(k)}]`, details: `extra may not override ATD field ${k}` });
    defineMember(ext, k, v);
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
  if (!isJsonObject(parameters)) throw new AtdInvalidOptionError({ path: "", details: `parameters must be an object, got ${describe(parameters)}` });
  return buildAtdEctClaims({
    act: "atd:error",
    par: [parameters.rollbackRequestJti],
    severity: parameters.severity ?? "critical",
    error_type: "timeout",
    checkpoint_id: parameters.checkpointId,
    description: `rollback timeout: checkpoint ${parameters.checkpointId} not restored within ${parameters.timeoutS} s (atd.ttl / 2)`,
  });
}
