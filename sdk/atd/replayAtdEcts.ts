/**
 * Replays a workflow's ECTs (in recorded order, e.g. audit-ledger order) into
 * per-node states, workflow boundaries, rollback records, circuit-breaker
 * history and the HITL escalations they call for; every inconsistency is a
 * finding. Never throws.
 *
 * Spec: draft-atd-agent-task-dag-01
 * - §Node States: a task's state derives from the ECTs that follow it —
 *   its own ECT → running; a later ECT listing it in `par` → done;
 *   `atd:error` listing it → failed; `atd:rollback_result` for its
 *   checkpoint → rolled_back (status completed/partial) or escalated
 *   (escalated/failed, both of which hand the node to a human).
 *   Transitions follow `nodeState.ts`; an illegal one is a finding.
 * - §Topological Order: a task may start only when the tasks in its `par`
 *   are done (`ATD_PARENT_NOT_DONE` otherwise).
 * - §Checkpoint ECT Format / §Hierarchical Checkpoints: checkpoint `par` =
 *   the action or child checkpoints; irreversible checkpoints MUST NOT be
 *   reported rolled back (`ATD_IRREVERSIBLE_ROLLED_BACK`).
 * - §Error Signaling + §False Error Injection: error `par` = failed actions
 *   within the same workflow (`wid`); `atd.upstream_errors` name errors.
 * - §Basic Rollback: request `par` = checkpoint; result `par` = request and
 *   `atd.checkpoint_id` = that checkpoint; one result per request
 *   (idempotency, `ATD_ROLLBACK_RESULT_CONFLICT`).
 * - §Rollback Authorization: requests from outside the checkpoint's workflow
 *   (`wid`) MUST be rejected (`ATD_WID_MISMATCH`).
 * - §Workflow Boundary ECTs: one start per `atd.wf_id`; the complete ECT
 *   references its start.
 * - §Interaction with HITL: escalations via `hitl.ts`; MUST-level ones move
 *   the nodes to `escalated`, SHOULD-level ones are listed only.
 *
 * ECTs whose exec_act is outside `atd:` are task nodes. References to ECTs
 * not (yet) seen are findings: pass parents before children.
 */
import { validateAtdEct, type AtdValidatedEct, type AtdCascadedEntry } from "./validateAtdEct.js";
import { AtdEctIndex } from "./ectIndex.js";
import { ATD_NODE_TRANSITIONS, type AtdNodeState } from "./nodeState.js";
import { atdErrorFromFinding, describe, type AtdFinding } from "./errors.js";
import { ATD_PERMANENT_OPEN_PROBES, atdEscalationsForError, atdEscalationsForRollbackResult, type AtdEscalation } from "./hitl.js";
import { sameJson } from "./ect.js";
import type { AtdRollbackStatus, AtdSeverity, AtdTerminalStatus } from "./vocabulary.js";
import { compareAtdSeverity } from "./vocabulary.js";

export type AtdNodeRecord = {
  /** The task ECT's jti. */
  jti: string;
  exec_act: string;
  wid: string | undefined;
  state: AtdNodeState;
  /** Every state the node entered, with the jti of the ECT that caused it. */
  history: { state: AtdNodeState; cause: string }[];
  /** Checkpoints taken for this task (directly). */
  checkpoints: string[];
  /** Error ECTs that reference this task. */
  errors: string[];
  /** Highest severity among those errors. */
  maxSeverity: AtdSeverity | undefined;
};

export type AtdWorkflowRecord = {
  wf_id: string;
  startJti: string;
  description: string;
  completeJti: string | undefined;
  terminalStatus: AtdTerminalStatus | undefined;
};

export type AtdRollbackRecord = {
  requestJti: string;
  checkpointId: string;
  cascade: boolean;
  resultJti: string | undefined;
  status: AtdRollbackStatus | undefined;
  cascaded: readonly AtdCascadedEntry[] | undefined;
};

export type AtdCircuitRecord = {
  /** Issuer of the circuit ECTs (the agent holding the breaker), "" when absent. */
  agent: string;
  downstreamAgent: string;
  state: "open" | "closed";
  /** circuit_open ECTs since the last circuit_close (1 = opened once, no failed probe yet). */
  consecutiveOpens: number;
  events: string[];
};

export type ReplayAtdEctsOptions = {
  /** Bound for DAG walks (default 10,000, the ECT traversal limit). */
  traversalLimit?: number | undefined;
};

export type ReplayAtdEctsReturnType = {
  /** True when there are no findings. */
  valid: boolean;
  /** Task nodes by jti, in first-seen order. */
  nodes: Map<string, AtdNodeRecord>;
  workflows: Map<string, AtdWorkflowRecord>;
  /** Rollback requests by request jti. */
  rollbacks: Map<string, AtdRollbackRecord>;
  /** Breakers by `${agent} ${downstream}`. */
  circuits: Map<string, AtdCircuitRecord>;
  escalations: AtdEscalation[];
  /** Every valid ECT seen, for further queries (blast radius, eligibility). */
  index: AtdEctIndex;
  findings: AtdFinding[];
};

/** The traversal limit of the options, or the option problem. Never throws. */
function readTraversalLimit(options: unknown): number | undefined | string {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null || Array.isArray(options)) return `options must be an object, got ${describe(options)}`;
  try {
    const t = (options as ReplayAtdEctsOptions).traversalLimit;
    if (t === undefined) return undefined;
    if (typeof t === "number" && Number.isSafeInteger(t) && t >= 1) return t;
    return `traversalLimit must be a positive integer, got ${describe(t)}`;
  } catch (cause) {
    return `options could not be read: ${describe(String((cause as Error)?.message ?? cause))}`;
  }
}

/**
 * Replays `ects` (any values; each is validated) in the given order. Invalid
 * options (not an object, a `traversalLimit` that is not a positive integer)
 * are one `ATD_INVALID_OPTION` finding and nothing is replayed.
 */
export function replayAtdEcts(ects: readonly unknown[], options: ReplayAtdEctsOptions = {}): ReplayAtdEctsReturnType {
  const nodes = new Map<string, AtdNodeRecord>();
  const workflows = new Map<string, AtdWorkflowRecord>();
  const rollbacks = new Map<string, AtdRollbackRecord>();
  const circuits = new Map<string, AtdCircuitRecord>();
  const escalations: AtdEscalation[] = [];
  const findings: AtdFinding[] = [];
  const limit = readTraversalLimit(options);
  if (typeof limit === "string") {
    findings.push({ code: "ATD_INVALID_OPTION", path: "options", message: limit });
    return { valid: false, nodes, workflows, rollbacks, circuits, escalations, index: new AtdEctIndex(), findings };
  }
  const index = new AtdEctIndex({ traversalLimit: limit });
  const list: readonly unknown[] = Array.isArray(ects) ? ects : [];
  if (!Array.isArray(ects)) findings.push({ code: "ATD_ECT_MALFORMED", path: "", message: "ects must be an array" });

  for (let i = 0; i < list.length; i++) {
    const at = `ects[${i}]`;
    const res = validateAtdEct(list[i]);
    if (!res.valid) {
      for (const f of res.findings) findings.push({ ...f, path: f.path ? `${at}.${f.path}` : at });
      continue;
    }
    const ect = res.ect;
    const push = (code: AtdFinding["code"], path: string, message: string, extra: Partial<AtdFinding> = {}) =>
      findings.push({ code, path: path ? `${at}.${path}` : at, jti: ect.jti, message, ...extra });

    if (index.has(ect.jti)) {
      push("ATD_DUPLICATE_JTI", "jti", `jti ${JSON.stringify(ect.jti)} was already used`);
      continue;
    }
    // Parents must be known; ATD nodes must stay within their workflow.
    const parents: (AtdValidatedEct | undefined)[] = ect.par.map((p, k) => {
      const pe = index.get(p);
      if (!pe) push("ATD_REF_UNKNOWN", `${ect.parName}[${k}]`, `${ect.parName}[${k}] references unknown ECT ${JSON.stringify(p)}`);
      else if (ect.kind !== "task" && ect.wid !== undefined && pe.wid !== undefined && pe.wid !== ect.wid)
        push("ATD_WID_MISMATCH", `${ect.parName}[${k}]`, `${ect.kind} in workflow ${JSON.stringify(ect.wid)} references ${JSON.stringify(p)} of workflow ${JSON.stringify(pe.wid)}`);
      return pe;
    });
    index.add(ect);

    const move = (taskJti: string, to: AtdNodeState, path: string) => {
      const node = nodes.get(taskJti);
      if (!node || node.state === to) return;
      if (!ATD_NODE_TRANSITIONS[node.state].includes(to)) {
        push("ATD_ILLEGAL_TRANSITION", path, `node ${JSON.stringify(taskJti)}: ${node.state} -> ${to} is not a legal transition`, {
          transition: { node: taskJti, from: node.state, to },
        });
        return;
      }
      node.state = to;
      node.history.push({ state: to, cause: ect.jti });
    };
    const escalate = (list: AtdEscalation[], path: string) => {
      for (const e of list) {
        escalations.push(e);
        if (e.requirement === "MUST") for (const n of e.nodes) if (nodes.has(n)) move(n, "escalated", path);
      }
    };

    const f = ect.fields;
    switch (f?.act) {
      case undefined: {
        // A task ECT: running; its task parents are done (the "next par-linked ECT").
        ect.par.forEach((p, k) => {
          const parent = nodes.get(p);
          if (!parent) return;
          if (parent.state === "running") move(p, "done", `${ect.parName}[${k}]`);
          else if (parent.state !== "done")
            push("ATD_PARENT_NOT_DONE", `${ect.parName}[${k}]`, `task starts after ${JSON.stringify(p)}, which is ${parent.state}`);
        });
        nodes.set(ect.jti, {
          jti: ect.jti,
          exec_act: ect.exec_act,
          wid: ect.wid,
          state: "running",
          history: [{ state: "running", cause: ect.jti }],
          checkpoints: [],
          errors: [],
          maxSeverity: undefined,
        });
        break;
      }
      case "atd:checkpoint": {
        parents.forEach((pe, k) => {
          if (!pe) return;
          if (pe.kind === "task") nodes.get(pe.jti)?.checkpoints.push(ect.jti);
          else if (pe.kind !== "atd:checkpoint")
            push("ATD_REF_KIND", `${ect.parName}[${k}]`, `a checkpoint's par must be an action or a child checkpoint, ${JSON.stringify(pe.jti)} is ${pe.kind}`);
        });
        break;
      }
      case "atd:error": {
        parents.forEach((pe, k) => {
          if (!pe) return;
          if (pe.kind === "task") {
            const node = nodes.get(pe.jti)!;
            node.errors.push(ect.jti);
            if (node.maxSeverity === undefined || compareAtdSeverity(f.severity, node.maxSeverity) > 0) node.maxSeverity = f.severity;
            move(pe.jti, "failed", `${ect.parName}[${k}]`);
          } else if (pe.kind !== "atd:rollback_request")
            push("ATD_REF_KIND", `${ect.parName}[${k}]`, `an error's par must be the failed action, ${JSON.stringify(pe.jti)} is ${pe.kind}`);
        });
        let checkpoint: AtdValidatedEct | undefined;
        if (f.checkpoint_id !== null) {
          checkpoint = index.get(f.checkpoint_id);
          const p = `${ect.extName}["atd.checkpoint_id"]`;
          if (!checkpoint) push("ATD_REF_UNKNOWN", p, `atd.checkpoint_id references unknown ECT ${JSON.stringify(f.checkpoint_id)}`);
          else if (checkpoint.kind !== "atd:checkpoint")
            push("ATD_REF_KIND", p, `atd.checkpoint_id ${JSON.stringify(f.checkpoint_id)} is ${checkpoint.kind}, not a checkpoint`);
        }
        (f.upstream_errors ?? []).forEach((u, k) => {
          const ue = index.get(u);
          const p = `${ect.extName}["atd.upstream_errors"][${k}]`;
          if (!ue) push("ATD_REF_UNKNOWN", p, `upstream error ${JSON.stringify(u)} is unknown`);
          else if (ue.kind !== "atd:error") push("ATD_REF_KIND", p, `upstream error ${JSON.stringify(u)} is ${ue.kind}`);
        });
        const taskParents = parents.filter((pe) => pe?.kind === "task").map((pe) => pe!.jti);
        const found = atdEscalationsForError(ect, {
          checkpoint: checkpoint?.kind === "atd:checkpoint" ? checkpoint : undefined,
          parents,
        }).map((e) => ({ ...e, nodes: e.trigger === "rollback_timeout" ? rollbackTargets(parents) : taskParents }));
        escalate(found, "");
        break;
      }
      case "atd:rollback_request": {
        const ckpt = parents[0];
        if (ckpt && ckpt.kind !== "atd:checkpoint")
          push("ATD_REF_KIND", `${ect.parName}[0]`, `a rollback request's par must be a checkpoint, ${JSON.stringify(ckpt.jti)} is ${ckpt.kind}`);
        if (ckpt?.kind === "atd:checkpoint" && ect.wid === undefined && ckpt.wid !== undefined)
          push("ATD_WID_MISMATCH", "wid", `rollback request has no wid; checkpoint ${JSON.stringify(ckpt.jti)} is in workflow ${JSON.stringify(ckpt.wid)}`);
        rollbacks.set(ect.jti, {
          requestJti: ect.jti,
          checkpointId: ect.par[0]!,
          cascade: f.cascade,
          resultJti: undefined,
          status: undefined,
          cascaded: undefined,
        });
        if (f.cascade && ckpt?.kind === "atd:checkpoint") {
          // §Interaction with HITL (3): cascade reaching a node with a critical error.
          const own = new Set(index.tasksOfCheckpoint(ckpt.jti));
          const reached = index
            .descendants([...own])
            .jtis.filter((j) => !own.has(j) && nodes.get(j)?.maxSeverity === "critical");
          if (reached.length)
            escalations.push({ trigger: "cascade_critical", requirement: "SHOULD", level: 1, scope: "node", cause: ect.jti, nodes: reached, wid: ect.wid });
        }
        break;
      }
      case "atd:rollback_result": {
        const req = parents[0];
        if (req && req.kind !== "atd:rollback_request") {
          push("ATD_REF_KIND", `${ect.parName}[0]`, `a rollback result's par must be a rollback request, ${JSON.stringify(req.jti)} is ${req.kind}`);
          break;
        }
        const record = req ? rollbacks.get(req.jti) : undefined;
        if (record && record.checkpointId !== f.checkpoint_id)
          push("ATD_ROLLBACK_CHECKPOINT_MISMATCH", `${ect.extName}["atd.checkpoint_id"]`, `result names checkpoint ${JSON.stringify(f.checkpoint_id)}, the request targeted ${JSON.stringify(record.checkpointId)}`);
        if (record?.resultJti !== undefined) {
          if (record.status !== f.status || !sameJson(record.cascaded, f.cascaded))
            push("ATD_ROLLBACK_RESULT_CONFLICT", "", `request ${JSON.stringify(record.requestJti)} already has result ${JSON.stringify(record.resultJti)} with status ${record.status}`);
          break; // a repeated identical result changes nothing
        }
        if (record) Object.assign(record, { resultJti: ect.jti, status: f.status, cascaded: f.cascaded });
        const ckpt = index.get(f.checkpoint_id);
        if (!ckpt) {
          push("ATD_REF_UNKNOWN", `${ect.extName}["atd.checkpoint_id"]`, `atd.checkpoint_id references unknown ECT ${JSON.stringify(f.checkpoint_id)}`);
          break;
        }
        if (ckpt.kind !== "atd:checkpoint") {
          push("ATD_REF_KIND", `${ect.extName}["atd.checkpoint_id"]`, `atd.checkpoint_id ${JSON.stringify(f.checkpoint_id)} is ${ckpt.kind}`);
          break;
        }
        const tree = index.checkpointTree(ckpt.jti).jtis.map((j) => index.get(j)!);
        const rootIrreversible = ckpt.fields?.act === "atd:checkpoint" && !ckpt.fields.reversible;
        const anyIrreversible = tree.some((c) => c.fields?.act === "atd:checkpoint" && !c.fields.reversible);
        if ((rootIrreversible && (f.status === "completed" || f.status === "partial")) || (anyIrreversible && f.status === "completed"))
          push("ATD_IRREVERSIBLE_ROLLED_BACK", `${ect.extName}["atd.status"]`, `checkpoint ${JSON.stringify(ckpt.jti)} (or a child) is irreversible; rollback must be escalated, not ${f.status}`);
        const tasks = index.tasksOfCheckpoint(ckpt.jti);
        if (f.status === "completed" || f.status === "partial") for (const t of tasks) move(t, "rolled_back", "");
        escalate(atdEscalationsForRollbackResult(ect, tasks), "");
        break;
      }
      case "atd:workflow_start": {
        const prev = workflows.get(f.wf_id);
        if (prev) {
          push("ATD_WORKFLOW_DUPLICATE_START", `${ect.extName}["atd.wf_id"]`, `workflow ${JSON.stringify(f.wf_id)} already started by ${JSON.stringify(prev.startJti)}`);
          break;
        }
        workflows.set(f.wf_id, { wf_id: f.wf_id, startJti: ect.jti, description: f.description, completeJti: undefined, terminalStatus: undefined });
        break;
      }
      case "atd:workflow_complete": {
        const wf = workflows.get(f.wf_id);
        if (!wf || !ect.par.includes(wf.startJti)) {
          push("ATD_WORKFLOW_START_MISSING", ect.parName, wf ? `par must include the workflow_start ${JSON.stringify(wf.startJti)}` : `no atd:workflow_start seen for wf_id ${JSON.stringify(f.wf_id)}`);
          break;
        }
        wf.completeJti = ect.jti;
        wf.terminalStatus = f.terminal_status;
        break;
      }
      case "atd:circuit_open":
      case "atd:circuit_close": {
        const agent = ect.iss ?? "";
        const key = `${agent} ${f.downstream_agent}`;
        const rec = circuits.get(key) ?? { agent, downstreamAgent: f.downstream_agent, state: "closed" as const, consecutiveOpens: 0, events: [] };
        circuits.set(key, rec);
        rec.events.push(ect.jti);
        if (f.act === "atd:circuit_close") {
          rec.state = "closed";
          rec.consecutiveOpens = 0;
        } else {
          rec.state = "open";
          rec.consecutiveOpens++;
          // §Interaction with HITL (4): re-opened after 3 successive HALF-OPEN probes.
          if (rec.consecutiveOpens === ATD_PERMANENT_OPEN_PROBES + 1)
            escalations.push({ trigger: "circuit_permanent_open", requirement: "SHOULD", level: 2, scope: "node", cause: ect.jti, nodes: [], wid: ect.wid, downstreamAgent: f.downstream_agent });
        }
        break;
      }
    }
  }
  return { valid: findings.length === 0, nodes, workflows, rollbacks, circuits, escalations, index, findings };

  function rollbackTargets(parents: readonly (AtdValidatedEct | undefined)[]): string[] {
    const out: string[] = [];
    for (const p of parents) if (p?.kind === "atd:rollback_request" && p.par[0]) out.push(...index.tasksOfCheckpoint(p.par[0]));
    return out;
  }
}

/** Like `replayAtdEcts` but throws the typed error of the first finding. */
export function assertAtdReplay(ects: readonly unknown[], options: ReplayAtdEctsOptions = {}): ReplayAtdEctsReturnType {
  const r = replayAtdEcts(ects, options);
  if (r.valid) return r;
  const [first, ...rest] = r.findings;
  throw atdErrorFromFinding(first!, rest);
}
