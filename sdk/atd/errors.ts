/**
 * Typed errors of the Agent Task DAG (ATD) area (draft-atd-agent-task-dag-01).
 *
 * Every class extends the SDK's one base class `AgentExecError` (through the
 * thin `AtdError`), carries a stable `code` (`ATD_*`) and names the offending
 * field, path, state or jti in `details` and in a typed property.
 *
 * Validators (`validateAtdEct`, `validateAtdWorkflow`, `replayAtdEcts`,
 * `checkAtdPartialRollback`, …) never throw: they return `AtdFinding`s that
 * carry the same codes. `atdErrorFromFinding` turns a finding into the
 * matching error class, which is what the throwing `assert…`/`parse…`
 * variants throw.
 */
import { AgentExecError, type AgentExecErrorParameters } from "../errors.js";

/** Every stable code an ATD error or finding can carry. */
export const ATD_ERROR_CODES = [
  // ECT shape and the exec_act vocabulary (§Checkpoint exec_act Table)
  "ATD_ECT_MALFORMED",
  "ATD_CLAIM_CONFLICT",
  "ATD_UNKNOWN_EXEC_ACT",
  "ATD_EXT_MISSING_FIELD",
  "ATD_EXT_BAD_TYPE",
  "ATD_EXT_BAD_VALUE",
  "ATD_PAR_REQUIRED",
  // node states (§Node States) and execution order (§Topological Order)
  "ATD_UNKNOWN_STATE",
  "ATD_ILLEGAL_TRANSITION",
  "ATD_UNKNOWN_NODE",
  "ATD_DEPENDENCIES_NOT_DONE",
  "ATD_HITL_APPROVAL_REQUIRED",
  // replay of an ECT stream (cross-ECT consistency)
  "ATD_DUPLICATE_JTI",
  "ATD_REF_UNKNOWN",
  "ATD_REF_KIND",
  "ATD_WID_MISMATCH",
  "ATD_PARENT_NOT_DONE",
  "ATD_ROLLBACK_CHECKPOINT_MISMATCH",
  "ATD_ROLLBACK_RESULT_CONFLICT",
  "ATD_IRREVERSIBLE_ROLLED_BACK",
  "ATD_WORKFLOW_DUPLICATE_START",
  "ATD_WORKFLOW_START_MISSING",
  // circuit breaker (§Circuit Breaker Pattern)
  "ATD_CIRCUIT_BAD_OPTION",
  "ATD_CIRCUIT_OPEN",
  "ATD_CIRCUIT_PERMIT_INVALID",
  // checkpoints and rollback (§Checkpoint Mechanism, §Rollback Protocol)
  "ATD_CHECKPOINT_NOT_FOUND",
  "ATD_CHECKPOINT_EXPIRED",
  "ATD_CHECKPOINT_LIMIT",
  "ATD_ROLLBACK_JTI_CONFLICT",
  "ATD_ROLLBACK_FORBIDDEN",
  "ATD_ROLLBACK_NOT_ELIGIBLE",
  "ATD_ROLLBACK_BAD_OUTCOME",
  // workflow descriptor (§Optional Declarative Workflow Format)
  "ATD_WF_INVALID_JSON",
  "ATD_WF_MISSING_FIELD",
  "ATD_WF_BAD_TYPE",
  "ATD_WF_BAD_VALUE",
  "ATD_WF_UNKNOWN_FIELD",
  "ATD_WF_NO_NODES",
  "ATD_WF_TOO_LARGE",
  "ATD_WF_DUPLICATE_NODE",
  "ATD_WF_DUPLICATE_EDGE",
  "ATD_WF_UNKNOWN_NODE_REF",
  "ATD_WF_CYCLE",
  // shared
  "ATD_INVALID_OPTION",
  "ATD_FORBIDDEN_MEMBER",
  "ATD_ROLLBACK_STORE_FAILED",
] as const;

export type AtdErrorCode = (typeof ATD_ERROR_CODES)[number];

/**
 * One problem found by a non-throwing ATD validator.
 * `path` points into the input (e.g. `ext["atd.ttl"]`, `nodes[2].id`, `ects[7]`).
 */
export type AtdFinding = {
  code: AtdErrorCode;
  /** One line, human readable. */
  message: string;
  /** Where in the input, JSONPath-like; "" for the whole input. */
  path: string;
  /** The ECT the finding is about, when there is one. */
  jti?: string | undefined;
  /** For `ATD_ILLEGAL_TRANSITION`: the node and the refused transition. */
  transition?: { node: string; from: string; to: string } | undefined;
};

/** Intermediate base of every ATD error (itself an `AgentExecError`). */
export class AtdError extends AgentExecError {
  override name = "AtdError";
  declare readonly code: AtdErrorCode;
  /** Where in the input the problem is ("" when not about an input). */
  readonly path: string;
  constructor(code: AtdErrorCode, shortMessage: string, path: string, parameters: AgentExecErrorParameters = {}) {
    super(code, shortMessage, {
      ...parameters,
      metaMessages: [...(path ? [`Path: ${path}`] : []), ...(parameters.metaMessages ?? [])],
    });
    this.path = path;
  }
}

type FindingParameters = { path?: string; details?: string; metaMessages?: readonly string[]; cause?: unknown };

// ---------------------------------------------------------------- ECT vocabulary

/** The value is not an ECT payload ATD can read (not an object; jti/exec_act/par/ext of the wrong shape). */
export class AtdEctMalformedError extends AtdError {
  override name = "AtdEctMalformedError";
  constructor(p: FindingParameters = {}) {
    super("ATD_ECT_MALFORMED", "Malformed ECT payload.", p.path ?? "", p);
  }
}

/** Both spellings of a claim (`par`/`pred`, `ext`/`ect_ext`) are present with different values. */
export class AtdClaimConflictError extends AtdError {
  override name = "AtdClaimConflictError";
  constructor(p: FindingParameters = {}) {
    super("ATD_CLAIM_CONFLICT", "Conflicting claim spellings.", p.path ?? "", p);
  }
}

/** `exec_act` is in the `atd:` namespace but is not one of the eight registered values. */
export class AtdUnknownExecActError extends AtdError {
  override name = "AtdUnknownExecActError";
  constructor(p: FindingParameters = {}) {
    super("ATD_UNKNOWN_EXEC_ACT", "Unknown ATD exec_act.", p.path ?? "exec_act", p);
  }
}

/** A required `ext` field of the exec_act is absent. */
export class AtdExtMissingFieldError extends AtdError {
  override name = "AtdExtMissingFieldError";
  constructor(p: FindingParameters = {}) {
    super("ATD_EXT_MISSING_FIELD", "Missing required ext field.", p.path ?? "ext", p);
  }
}

/** An `ext` field has the wrong JSON type. */
export class AtdExtFieldTypeError extends AtdError {
  override name = "AtdExtFieldTypeError";
  constructor(p: FindingParameters = {}) {
    super("ATD_EXT_BAD_TYPE", "Ext field has the wrong type.", p.path ?? "ext", p);
  }
}

/** An `ext` field has the right type but a value outside its enum or range. */
export class AtdExtFieldValueError extends AtdError {
  override name = "AtdExtFieldValueError";
  constructor(p: FindingParameters = {}) {
    super("ATD_EXT_BAD_VALUE", "Ext field has an invalid value.", p.path ?? "ext", p);
  }
}

/** The exec_act requires `par` to reference a specific number of ECTs. */
export class AtdParRequiredError extends AtdError {
  override name = "AtdParRequiredError";
  constructor(p: FindingParameters = {}) {
    super("ATD_PAR_REQUIRED", "Wrong number of par references.", p.path ?? "par", p);
  }
}

// ---------------------------------------------------------------- node states

/** A string that is not one of the six node states. */
export class AtdUnknownNodeStateError extends AtdError {
  override name = "AtdUnknownNodeStateError";
  readonly state: unknown;
  constructor(state: unknown, p: FindingParameters = {}) {
    super("ATD_UNKNOWN_STATE", "Unknown node state.", p.path ?? "", {
      ...p,
      details: p.details ?? `${describe(state)} is not a node state`,
    });
    this.state = state;
  }
}

/** A transition the node state machine does not allow; names `from` and `to`. */
export class AtdIllegalTransitionError extends AtdError {
  override name = "AtdIllegalTransitionError";
  readonly from: string;
  readonly to: string;
  readonly node: string | undefined;
  constructor(from: string, to: string, p: FindingParameters & { node?: string | undefined } = {}) {
    super("ATD_ILLEGAL_TRANSITION", `Illegal node transition ${from} -> ${to}.`, p.path ?? "", {
      ...p,
      details: p.details ?? `${p.node === undefined ? "node" : `node ${JSON.stringify(p.node)}`}: ${from} -> ${to}`,
    });
    this.from = from;
    this.to = to;
    this.node = p.node;
  }
}

/** A node id the tracker does not know. */
export class AtdUnknownNodeError extends AtdError {
  override name = "AtdUnknownNodeError";
  readonly node: string;
  constructor(node: string, p: FindingParameters = {}) {
    super("ATD_UNKNOWN_NODE", "Unknown node.", p.path ?? "", { ...p, details: p.details ?? `node ${JSON.stringify(node)}` });
    this.node = node;
  }
}

/** §Topological Order: a task may not begin until every predecessor is `done`. */
export class AtdDependenciesNotDoneError extends AtdError {
  override name = "AtdDependenciesNotDoneError";
  readonly node: string;
  readonly blocking: readonly string[];
  constructor(node: string, blocking: readonly string[], p: FindingParameters = {}) {
    super("ATD_DEPENDENCIES_NOT_DONE", "Predecessors are not done.", p.path ?? "", {
      ...p,
      details: p.details ?? `node ${JSON.stringify(node)} waits for ${blocking.map((b) => JSON.stringify(b)).join(", ")}`,
    });
    this.node = node;
    this.blocking = blocking;
  }
}

/** A `hitl_required` node was started without an approval. */
export class AtdHitlApprovalRequiredError extends AtdError {
  override name = "AtdHitlApprovalRequiredError";
  readonly node: string;
  constructor(node: string, p: FindingParameters = {}) {
    super("ATD_HITL_APPROVAL_REQUIRED", "Node requires a human approval gate.", p.path ?? "", {
      ...p,
      details: p.details ?? `node ${JSON.stringify(node)} has hitl_required: true`,
    });
    this.node = node;
  }
}

// ---------------------------------------------------------------- replay findings (also thrown by strict replay)

/** Two ECTs share a jti. */
export class AtdDuplicateJtiError extends AtdError {
  override name = "AtdDuplicateJtiError";
  constructor(p: FindingParameters = {}) {
    super("ATD_DUPLICATE_JTI", "Duplicate jti.", p.path ?? "", p);
  }
}

/** A reference (par, checkpoint_id, upstream_errors) names an ECT that is not known (yet). */
export class AtdUnknownReferenceError extends AtdError {
  override name = "AtdUnknownReferenceError";
  constructor(p: FindingParameters = {}) {
    super("ATD_REF_UNKNOWN", "Reference to an unknown ECT.", p.path ?? "", p);
  }
}

/** A reference names an ECT of the wrong kind (e.g. a rollback request whose par is not a checkpoint). */
export class AtdReferenceKindError extends AtdError {
  override name = "AtdReferenceKindError";
  constructor(p: FindingParameters = {}) {
    super("ATD_REF_KIND", "Reference to an ECT of the wrong kind.", p.path ?? "", p);
  }
}

/** A reference crosses workflows (`wid` differs). */
export class AtdWidMismatchError extends AtdError {
  override name = "AtdWidMismatchError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WID_MISMATCH", "Reference outside the workflow.", p.path ?? "", p);
  }
}

/** A task ECT lists a parent task that is not `done` (failed, rolled back, escalated). */
export class AtdParentNotDoneError extends AtdError {
  override name = "AtdParentNotDoneError";
  constructor(p: FindingParameters = {}) {
    super("ATD_PARENT_NOT_DONE", "Task started after a parent that is not done.", p.path ?? "", p);
  }
}

/** A rollback result's `atd.checkpoint_id` is not the checkpoint its request targeted. */
export class AtdRollbackCheckpointMismatchError extends AtdError {
  override name = "AtdRollbackCheckpointMismatchError";
  constructor(p: FindingParameters = {}) {
    super("ATD_ROLLBACK_CHECKPOINT_MISMATCH", "Rollback result names another checkpoint.", p.path ?? "", p);
  }
}

/** Two rollback results for one request disagree (idempotency broken). */
export class AtdRollbackResultConflictError extends AtdError {
  override name = "AtdRollbackResultConflictError";
  constructor(p: FindingParameters = {}) {
    super("ATD_ROLLBACK_RESULT_CONFLICT", "Conflicting rollback results for one request.", p.path ?? "", p);
  }
}

/** A checkpoint declared `atd.reversible: false` was reported rolled back instead of escalated. */
export class AtdIrreversibleRolledBackError extends AtdError {
  override name = "AtdIrreversibleRolledBackError";
  constructor(p: FindingParameters = {}) {
    super("ATD_IRREVERSIBLE_ROLLED_BACK", "Irreversible checkpoint reported as rolled back.", p.path ?? "", p);
  }
}

/** Two `atd:workflow_start` ECTs for one `atd.wf_id`. */
export class AtdWorkflowDuplicateStartError extends AtdError {
  override name = "AtdWorkflowDuplicateStartError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WORKFLOW_DUPLICATE_START", "Workflow started twice.", p.path ?? "", p);
  }
}

/** `atd:workflow_complete` does not reference the `atd:workflow_start` of its `atd.wf_id`. */
export class AtdWorkflowStartMissingError extends AtdError {
  override name = "AtdWorkflowStartMissingError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WORKFLOW_START_MISSING", "Workflow complete without its start.", p.path ?? "", p);
  }
}

// ---------------------------------------------------------------- circuit breaker

/** A circuit breaker option (threshold, window, cooldown, …) is out of range. */
export class AtdCircuitConfigError extends AtdError {
  override name = "AtdCircuitConfigError";
  constructor(p: FindingParameters = {}) {
    super("ATD_CIRCUIT_BAD_OPTION", "Invalid circuit breaker option.", p.path ?? "", p);
  }
}

/** The breaker rejected the request (OPEN, or HALF-OPEN with the probe already out). */
export class AtdCircuitOpenError extends AtdError {
  override name = "AtdCircuitOpenError";
  readonly downstreamAgent: string;
  /**
   * Milliseconds until a probe may be allowed (always > 0): while OPEN, the rest of the
   * cooldown; while HALF-OPEN with the probe out, until that probe times out.
   */
  readonly retryAfterMs: number;
  constructor(downstreamAgent: string, retryAfterMs: number, p: FindingParameters = {}) {
    super("ATD_CIRCUIT_OPEN", "Circuit breaker is open.", p.path ?? "", {
      ...p,
      details: p.details ?? `downstream ${JSON.stringify(downstreamAgent)}, retry after ${retryAfterMs} ms`,
    });
    this.downstreamAgent = downstreamAgent;
    this.retryAfterMs = retryAfterMs;
  }
}

/** A permit was reported twice or does not belong to this breaker. */
export class AtdCircuitPermitError extends AtdError {
  override name = "AtdCircuitPermitError";
  constructor(p: FindingParameters = {}) {
    super("ATD_CIRCUIT_PERMIT_INVALID", "Invalid circuit breaker permit.", p.path ?? "", p);
  }
}

// ---------------------------------------------------------------- checkpoints and rollback

/** The checkpoint a rollback request targets is not known. */
export class AtdCheckpointNotFoundError extends AtdError {
  override name = "AtdCheckpointNotFoundError";
  constructor(p: FindingParameters = {}) {
    super("ATD_CHECKPOINT_NOT_FOUND", "Checkpoint not found.", p.path ?? "", p);
  }
}

/** The checkpoint is past its `atd.ttl` (it MUST have been purged). */
export class AtdCheckpointExpiredError extends AtdError {
  override name = "AtdCheckpointExpiredError";
  constructor(p: FindingParameters = {}) {
    super("ATD_CHECKPOINT_EXPIRED", "Checkpoint expired.", p.path ?? "", p);
  }
}

/** §Checkpoint Flooding: the per-workflow checkpoint limit is reached. */
export class AtdCheckpointLimitError extends AtdError {
  override name = "AtdCheckpointLimitError";
  constructor(p: FindingParameters = {}) {
    super("ATD_CHECKPOINT_LIMIT", "Checkpoint limit reached for the workflow.", p.path ?? "", p);
  }
}

/** A rollback request jti was reused with different content. */
export class AtdRollbackJtiConflictError extends AtdError {
  override name = "AtdRollbackJtiConflictError";
  readonly jti: string;
  constructor(jti: string, p: FindingParameters = {}) {
    super("ATD_ROLLBACK_JTI_CONFLICT", "Rollback request jti reused with different content.", p.path ?? "jti", {
      ...p,
      details: p.details ?? `jti ${JSON.stringify(jti)} was first seen with other claims`,
    });
    this.jti = jti;
  }
}

/** §Rollback Authorization: the requester is outside the workflow or has no lineage (HTTP 403). */
export class AtdRollbackForbiddenError extends AtdError {
  override name = "AtdRollbackForbiddenError";
  /** The HTTP status the draft prescribes for this rejection. */
  readonly httpStatus = 403;
  constructor(p: FindingParameters = {}) {
    super("ATD_ROLLBACK_FORBIDDEN", "Rollback request not authorized.", p.path ?? "", p);
  }
}

/** §Partial Rollback: the conditions for a partial rollback do not hold. */
export class AtdRollbackNotEligibleError extends AtdError {
  override name = "AtdRollbackNotEligibleError";
  constructor(p: FindingParameters = {}) {
    super("ATD_ROLLBACK_NOT_ELIGIBLE", "Partial rollback not allowed.", p.path ?? "", p);
  }
}

/** The restore callback returned something that is not a restore outcome. */
export class AtdRollbackBadOutcomeError extends AtdError {
  override name = "AtdRollbackBadOutcomeError";
  constructor(p: FindingParameters = {}) {
    super("ATD_ROLLBACK_BAD_OUTCOME", "Restore callback returned an invalid outcome.", p.path ?? "", p);
  }
}

/**
 * The rollback result store or the checkpoint lookup failed (threw or rejected). `cause` holds
 * the original error. Thrown before restore runs; a failing `set` after restore ran is not
 * thrown (the outcome is kept in memory, see `AtdRollbackCoordinator`).
 */
export class AtdRollbackStoreError extends AtdError {
  override name = "AtdRollbackStoreError";
  constructor(p: FindingParameters = {}) {
    super("ATD_ROLLBACK_STORE_FAILED", "Rollback store or checkpoint lookup failed.", p.path ?? "", p);
  }
}

// ---------------------------------------------------------------- shared

/** An option passed to an ATD function is invalid (not an object, a limit that is not a positive integer, …). */
export class AtdInvalidOptionError extends AtdError {
  override name = "AtdInvalidOptionError";
  constructor(p: FindingParameters = {}) {
    super("ATD_INVALID_OPTION", "Invalid ATD option.", p.path ?? "options", p);
  }
}

/**
 * A member name that would rewrite an object's prototype when copied (`__proto__`, and in
 * workflow descriptors also `constructor` and `prototype`): refused wherever ATD copies
 * untrusted members into its own objects. `path` names where it was found.
 */
export class AtdForbiddenMemberError extends AtdError {
  override name = "AtdForbiddenMemberError";
  constructor(p: FindingParameters = {}) {
    super("ATD_FORBIDDEN_MEMBER", "Forbidden member name.", p.path ?? "", p);
  }
}

/** Member names refused by `AtdForbiddenMemberError` in descriptors and builders. */
export const ATD_FORBIDDEN_MEMBER_NAMES: readonly string[] = Object.freeze(["__proto__", "constructor", "prototype"]);

/** Whether a member name is refused (see `ATD_FORBIDDEN_MEMBER_NAMES`). */
export function isAtdForbiddenMemberName(name: string): boolean {
  return name === "__proto__" || name === "constructor" || name === "prototype";
}

// ---------------------------------------------------------------- workflow descriptor

/** The descriptor text is not JSON. */
export class AtdWorkflowInvalidJsonError extends AtdError {
  override name = "AtdWorkflowInvalidJsonError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_INVALID_JSON", "Workflow descriptor is not valid JSON.", p.path ?? "", p);
  }
}

/** A required descriptor member is absent. */
export class AtdWorkflowMissingFieldError extends AtdError {
  override name = "AtdWorkflowMissingFieldError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_MISSING_FIELD", "Workflow descriptor field missing.", p.path ?? "", p);
  }
}

/** A descriptor member has the wrong JSON type. */
export class AtdWorkflowTypeError extends AtdError {
  override name = "AtdWorkflowTypeError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_BAD_TYPE", "Workflow descriptor field has the wrong type.", p.path ?? "", p);
  }
}

/** A descriptor member has an invalid value (enum, range, empty string). */
export class AtdWorkflowValueError extends AtdError {
  override name = "AtdWorkflowValueError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_BAD_VALUE", "Workflow descriptor field has an invalid value.", p.path ?? "", p);
  }
}

/** A descriptor member the format does not define (rejected unless `unknownFields: "preserve"`). */
export class AtdWorkflowUnknownFieldError extends AtdError {
  override name = "AtdWorkflowUnknownFieldError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_UNKNOWN_FIELD", "Unknown workflow descriptor field.", p.path ?? "", p);
  }
}

/** The descriptor declares no nodes. */
export class AtdWorkflowNoNodesError extends AtdError {
  override name = "AtdWorkflowNoNodesError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_NO_NODES", "Workflow descriptor has no nodes.", p.path ?? "nodes", p);
  }
}

/** More nodes than `maxNodes`. */
export class AtdWorkflowTooLargeError extends AtdError {
  override name = "AtdWorkflowTooLargeError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_TOO_LARGE", "Workflow descriptor too large.", p.path ?? "nodes", p);
  }
}

/** Two nodes share an id. */
export class AtdWorkflowDuplicateNodeError extends AtdError {
  override name = "AtdWorkflowDuplicateNodeError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_DUPLICATE_NODE", "Duplicate node id.", p.path ?? "", p);
  }
}

/** The same edge appears twice. */
export class AtdWorkflowDuplicateEdgeError extends AtdError {
  override name = "AtdWorkflowDuplicateEdgeError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_DUPLICATE_EDGE", "Duplicate edge.", p.path ?? "", p);
  }
}

/** An edge names a node id that is not declared. */
export class AtdWorkflowUnknownNodeRefError extends AtdError {
  override name = "AtdWorkflowUnknownNodeRefError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_UNKNOWN_NODE_REF", "Edge references an unknown node.", p.path ?? "", p);
  }
}

/** The edges form a cycle (including a self-loop); details list one cycle. */
export class AtdWorkflowCycleError extends AtdError {
  override name = "AtdWorkflowCycleError";
  constructor(p: FindingParameters = {}) {
    super("ATD_WF_CYCLE", "Workflow descriptor has a cycle.", p.path ?? "edges", p);
  }
}

// ---------------------------------------------------------------- finding -> error

const FINDING_CLASSES: Partial<Record<AtdErrorCode, new (p: FindingParameters) => AtdError>> = {
  ATD_ECT_MALFORMED: AtdEctMalformedError,
  ATD_CLAIM_CONFLICT: AtdClaimConflictError,
  ATD_UNKNOWN_EXEC_ACT: AtdUnknownExecActError,
  ATD_EXT_MISSING_FIELD: AtdExtMissingFieldError,
  ATD_EXT_BAD_TYPE: AtdExtFieldTypeError,
  ATD_EXT_BAD_VALUE: AtdExtFieldValueError,
  ATD_PAR_REQUIRED: AtdParRequiredError,
  ATD_DUPLICATE_JTI: AtdDuplicateJtiError,
  ATD_REF_UNKNOWN: AtdUnknownReferenceError,
  ATD_REF_KIND: AtdReferenceKindError,
  ATD_WID_MISMATCH: AtdWidMismatchError,
  ATD_PARENT_NOT_DONE: AtdParentNotDoneError,
  ATD_ROLLBACK_CHECKPOINT_MISMATCH: AtdRollbackCheckpointMismatchError,
  ATD_ROLLBACK_RESULT_CONFLICT: AtdRollbackResultConflictError,
  ATD_IRREVERSIBLE_ROLLED_BACK: AtdIrreversibleRolledBackError,
  ATD_WORKFLOW_DUPLICATE_START: AtdWorkflowDuplicateStartError,
  ATD_WORKFLOW_START_MISSING: AtdWorkflowStartMissingError,
  ATD_CIRCUIT_BAD_OPTION: AtdCircuitConfigError,
  ATD_ROLLBACK_NOT_ELIGIBLE: AtdRollbackNotEligibleError,
  ATD_ROLLBACK_FORBIDDEN: AtdRollbackForbiddenError,
  ATD_ROLLBACK_BAD_OUTCOME: AtdRollbackBadOutcomeError,
  ATD_CHECKPOINT_NOT_FOUND: AtdCheckpointNotFoundError,
  ATD_CHECKPOINT_EXPIRED: AtdCheckpointExpiredError,
  ATD_CHECKPOINT_LIMIT: AtdCheckpointLimitError,
  ATD_CIRCUIT_PERMIT_INVALID: AtdCircuitPermitError,
  ATD_WF_INVALID_JSON: AtdWorkflowInvalidJsonError,
  ATD_WF_MISSING_FIELD: AtdWorkflowMissingFieldError,
  ATD_WF_BAD_TYPE: AtdWorkflowTypeError,
  ATD_WF_BAD_VALUE: AtdWorkflowValueError,
  ATD_WF_UNKNOWN_FIELD: AtdWorkflowUnknownFieldError,
  ATD_WF_NO_NODES: AtdWorkflowNoNodesError,
  ATD_WF_TOO_LARGE: AtdWorkflowTooLargeError,
  ATD_WF_DUPLICATE_NODE: AtdWorkflowDuplicateNodeError,
  ATD_WF_DUPLICATE_EDGE: AtdWorkflowDuplicateEdgeError,
  ATD_WF_UNKNOWN_NODE_REF: AtdWorkflowUnknownNodeRefError,
  ATD_WF_CYCLE: AtdWorkflowCycleError,
  ATD_INVALID_OPTION: AtdInvalidOptionError,
  ATD_FORBIDDEN_MEMBER: AtdForbiddenMemberError,
  ATD_ROLLBACK_STORE_FAILED: AtdRollbackStoreError,
};

/**
 * The typed error for a finding: the class registered for its code, with the
 * finding's message as details and its path. `others` (the remaining findings)
 * are listed in the error's meta lines so nothing is lost.
 */
export function atdErrorFromFinding(finding: AtdFinding, others: readonly AtdFinding[] = []): AtdError {
  if (typeof finding !== "object" || finding === null)
    return new AtdEctMalformedError({ details: `atdErrorFromFinding needs a finding, got ${describe(finding)}` });
  others = Array.isArray(others) ? others.filter((f) => typeof f === "object" && f !== null) : [];
  const meta = others.length
    ? [`${others.length} more finding(s):`, ...others.map((f) => `  ${f.code} at ${f.path || "(root)"}: ${f.message}`)]
    : undefined;
  const params = { path: finding.path, details: finding.message, metaMessages: meta };
  if (finding.code === "ATD_ILLEGAL_TRANSITION") {
    const t = finding.transition;
    return new AtdIllegalTransitionError(t?.from ?? "unknown", t?.to ?? "unknown", { ...params, node: t?.node });
  }
  // Own-property lookup: a code such as "__proto__" or "toString" must not reach Object.prototype.
  const Cls = typeof finding.code === "string" && Object.prototype.hasOwnProperty.call(FINDING_CLASSES, finding.code) ? FINDING_CLASSES[finding.code] : undefined;
  if (Cls) return new Cls(params);
  return new AtdError(finding.code, finding.message, finding.path, { details: finding.message, metaMessages: meta });
}

/** Short, safe rendering of an arbitrary value for messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return value.length > 80 ? `${JSON.stringify(value.slice(0, 77))}...` : JSON.stringify(value);
    case "number":
    case "boolean":
      return String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
      return "undefined";
    case "object":
      return "an object";
    default:
      return `a ${typeof value}`;
  }
}
