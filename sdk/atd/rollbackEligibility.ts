/**
 * Who may roll back what: rollback authorization, blast radius, cascade
 * targets, and the preconditions of a partial rollback.
 *
 * Spec: draft-atd-agent-task-dag-01
 * - §Rollback Authorization: only agents in the same workflow (`wid`) with
 *   checkpoint lineage SHOULD be authorized; requests from outside the
 *   originating workflow MUST be rejected (HTTP 403).
 *   §Security/Rollback Authorization: only agents that are ancestors in the
 *   ECT DAG of the checkpoint SHOULD be authorized.
 * - §Basic Rollback: with `atd.cascade: true` the receiver MUST also roll
 *   back downstream checkpoints created as a consequence of the action.
 * - §Partial Rollback and Blast Radius Containment: partial rollback MUST
 *   only proceed if (1) the checkpoints are in the same workflow and (2) no
 *   completed task depends on the output of the failed task (walk forward
 *   from the checkpoint). Blast radius = the agents holding checkpoints that
 *   descend from the failed node.
 *
 * Resolutions: the workflow of an ECT is its `wid` (the draft writes
 * `atd.wf_id`, which only the workflow boundary ECTs carry); a checkpoint
 * without `wid` cannot be shown to share a workflow. Lineage = the requester
 * (`iss`) issued the checkpoint or one of its ancestors. Condition (2) is
 * checked as: every `done` task downstream of the checkpointed tasks is
 * itself covered by one of the checkpoints being rolled back.
 */
import { AtdEctIndex } from "./ectIndex.js";
import type { AtdValidatedEct } from "./validateAtdEct.js";
import type { AtdNodeState } from "./nodeState.js";
import { atdErrorFromFinding, AtdInvalidOptionError, describe, type AtdFinding } from "./errors.js";
import { isAtdValidatedShape, isJsonObject } from "./ect.js";

function requireIndex(index: unknown): AtdEctIndex {
  if (!(index instanceof AtdEctIndex)) throw new AtdInvalidOptionError({ path: "index", details: `index must be an AtdEctIndex, got ${describe(index)}` });
  return index;
}

export type AuthorizeAtdRollbackParameters = {
  /** The validated `atd:rollback_request`. */
  request: AtdValidatedEct;
  /** The checkpoint it targets. */
  checkpoint: AtdValidatedEct;
  /** The workflow's ECTs, for the lineage check. */
  index?: AtdEctIndex | undefined;
  /** Enforce the SHOULD lineage rule (default: true when `index` is given). */
  requireLineage?: boolean | undefined;
};

export type AuthorizeAtdRollbackReturnType = { authorized: true; finding: undefined } | { authorized: false; finding: AtdFinding };

/** Decides whether the requester may roll back the checkpoint. Never throws. */
export function authorizeAtdRollback(parameters: AuthorizeAtdRollbackParameters): AuthorizeAtdRollbackReturnType {
  // Malformed arguments deny (fail closed) with a finding naming them.
  const invalid = (path: string, message: string): AuthorizeAtdRollbackReturnType => ({ authorized: false, finding: { code: "ATD_INVALID_OPTION", path, message } });
  if (!isJsonObject(parameters)) return invalid("", `parameters must be an object, got ${describe(parameters)}`);
  const { request, checkpoint, index } = parameters;
  if (!isAtdValidatedShape(request)) return invalid("request", "request must be a validated ATD ECT (validateAtdEct)");
  if (!isAtdValidatedShape(checkpoint)) return invalid("checkpoint", "checkpoint must be a validated ATD ECT (validateAtdEct)");
  if (index !== undefined && !(index instanceof AtdEctIndex)) return invalid("index", `index must be an AtdEctIndex, got ${describe(index)}`);
  const deny = (path: string, message: string): AuthorizeAtdRollbackReturnType => ({
    authorized: false,
    finding: { code: "ATD_ROLLBACK_FORBIDDEN", path, jti: request.jti, message },
  });
  if (request.wid !== checkpoint.wid)
    return deny("wid", `request workflow ${JSON.stringify(request.wid ?? null)} is not the checkpoint's ${JSON.stringify(checkpoint.wid ?? null)}`);
  const lineage = parameters.requireLineage ?? index !== undefined;
  if (lineage) {
    const who = request.iss;
    if (who === undefined) return deny("iss", "request has no iss: lineage cannot be established");
    if (checkpoint.iss === who) return { authorized: true, finding: undefined };
    if (!index) return deny("iss", "lineage required but no ECT index given");
    const anc = index.ancestors(checkpoint.jti);
    if (!anc.jtis.some((j) => index.get(j)?.iss === who))
      return deny("iss", `${JSON.stringify(who)} issued neither the checkpoint nor any of its ancestors${anc.truncated ? " (walk truncated)" : ""}`);
  }
  return { authorized: true, finding: undefined };
}

export type AtdBlastRadius = {
  /** Checkpoint jtis that descend from the failed node. */
  checkpoints: string[];
  /** Distinct issuers (`iss`) of those checkpoints; "" for a checkpoint without iss. */
  agents: string[];
  /** True when the walk hit the traversal limit. */
  truncated: boolean;
};

/** §Partial Rollback: the blast radius of a failure at `failedJti`. Throws `AtdInvalidOptionError` when `index` is not an `AtdEctIndex`. */
export function computeAtdBlastRadius(index: AtdEctIndex, failedJti: string): AtdBlastRadius {
  requireIndex(index);
  const walk = index.descendants(failedJti);
  const checkpoints = walk.jtis.filter((j) => index.get(j)?.kind === "atd:checkpoint");
  const agents = [...new Set(checkpoints.map((c) => index.get(c)?.iss ?? ""))];
  return { checkpoints, agents, truncated: walk.truncated };
}

/**
 * §Basic Rollback (cascade): checkpoints downstream of the tasks a
 * checkpoint covers, excluding its own hierarchy: what a cascading rollback
 * of `checkpointJti` must also roll back.
 */
export function atdCascadeTargets(index: AtdEctIndex, checkpointJti: string): string[] {
  requireIndex(index);
  const own = new Set(index.checkpointTree(checkpointJti).jtis);
  const tasks = index.tasksOfCheckpoint(checkpointJti);
  return index.descendants(tasks).jtis.filter((j) => !own.has(j) && index.get(j)?.kind === "atd:checkpoint");
}

export type CheckAtdPartialRollbackParameters = {
  index: AtdEctIndex;
  /** The checkpoints to roll back. */
  checkpointIds: readonly string[];
  /** Current node states (e.g. from `replayAtdEcts(...).nodes`). */
  states: ReadonlyMap<string, AtdNodeState | { state: AtdNodeState }>;
};

export type CheckAtdPartialRollbackReturnType = {
  eligible: boolean;
  findings: AtdFinding[];
  /** Tasks the rollback covers (all checkpoint hierarchies). */
  covered: string[];
};

/** §Partial Rollback: whether the given checkpoints may be rolled back alone. Never throws. */
export function checkAtdPartialRollback(parameters: CheckAtdPartialRollbackParameters): CheckAtdPartialRollbackReturnType {
  const findings: AtdFinding[] = [];
  const invalid = (path: string, message: string): CheckAtdPartialRollbackReturnType => ({
    eligible: false,
    findings: [{ code: "ATD_INVALID_OPTION", path, message }],
    covered: [],
  });
  if (!isJsonObject(parameters)) return invalid("", `parameters must be an object, got ${describe(parameters)}`);
  const { index, checkpointIds, states } = parameters;
  if (!(index instanceof AtdEctIndex)) return invalid("index", `index must be an AtdEctIndex, got ${describe(index)}`);
  if (!Array.isArray(checkpointIds)) return invalid("checkpointIds", `checkpointIds must be an array, got ${describe(checkpointIds)}`);
  if (typeof (states as { get?: unknown } | null)?.get !== "function") return invalid("states", "states must be a Map of node states");
  const ckpts: AtdValidatedEct[] = [];
  checkpointIds.forEach((id, i) => {
    const c = typeof id === "string" ? index.get(id) : undefined;
    if (!c) findings.push({ code: "ATD_REF_UNKNOWN", path: `checkpointIds[${i}]`, message: `unknown checkpoint ${JSON.stringify(id)}` });
    else if (c.kind !== "atd:checkpoint")
      findings.push({ code: "ATD_REF_KIND", path: `checkpointIds[${i}]`, jti: id, message: `${JSON.stringify(id)} is ${c.kind}, not a checkpoint` });
    else ckpts.push(c);
  });
  // (1) same workflow
  const wids = new Set(ckpts.map((c) => c.wid));
  if (ckpts.some((c) => c.wid === undefined))
    findings.push({ code: "ATD_WID_MISMATCH", path: "checkpointIds", message: "a checkpoint has no wid: same workflow cannot be established" });
  else if (wids.size > 1)
    findings.push({ code: "ATD_WID_MISMATCH", path: "checkpointIds", message: `checkpoints span workflows ${[...wids].map((w) => JSON.stringify(w)).join(", ")}` });
  // (2) no completed task outside the rollback depends on a rolled-back task
  const covered = new Set<string>();
  for (const c of ckpts) for (const t of index.tasksOfCheckpoint(c.jti)) covered.add(t);
  const stateOf = (j: string): AtdNodeState | undefined => {
    const s = states.get(j);
    return typeof s === "string" ? s : s?.state;
  };
  const walk = index.descendants([...covered]);
  for (const j of walk.jtis) {
    if (covered.has(j) || index.get(j)?.kind !== "task") continue;
    if (stateOf(j) === "done") {
      const dependsOn = index.ancestors(j).jtis.filter((a) => covered.has(a));
      findings.push({
        code: "ATD_ROLLBACK_NOT_ELIGIBLE",
        path: "checkpointIds",
        jti: j,
        message: `completed task ${JSON.stringify(j)} depends on the output of ${dependsOn.map((d) => JSON.stringify(d)).join(", ")} and is not rolled back`,
      });
    }
  }
  if (walk.truncated)
    findings.push({ code: "ATD_ROLLBACK_NOT_ELIGIBLE", path: "checkpointIds", message: "forward walk hit the traversal limit; dependants not fully checked" });
  return { eligible: findings.length === 0, findings, covered: [...covered] };
}

/** Throwing variant: the typed error of the first finding (e.g. `AtdRollbackNotEligibleError`). */
export function assertAtdPartialRollback(parameters: CheckAtdPartialRollbackParameters): CheckAtdPartialRollbackReturnType {
  const r = checkAtdPartialRollback(parameters);
  if (r.eligible) return r;
  const [first, ...rest] = r.findings;
  throw atdErrorFromFinding(first!, rest);
}
