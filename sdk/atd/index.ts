/**
 * Public surface of the Agent Task DAG (ATD) area: draft-atd-agent-task-dag-01
 * semantics on top of the ECT DAG. See each module's header for the spec
 * sections it implements.
 */
export {
  ATD_EXEC_ACTS,
  ATD_EXEC_ACT_PREFIX,
  ATD_SEVERITIES,
  ATD_ERROR_TYPES,
  ATD_TERMINAL_STATUSES,
  ATD_ROLLBACK_STATUSES,
  ATD_PRIORITIES,
  ATD_ROLLBACK_WELL_KNOWN_PATH,
  ATD_WORKFLOW_MEDIA_TYPE,
  isAtdExecAct,
  compareAtdSeverity,
  type AtdExecAct,
  type AtdSeverity,
  type AtdErrorType,
  type AtdTerminalStatus,
  type AtdRollbackStatus,
  type AtdPriority,
} from "./vocabulary.js";

export { normalizeAtdEct, type AtdEct, type AtdNormalizedEct, type NormalizeAtdEctReturnType } from "./ect.js";

export {
  validateAtdEct,
  assertAtdEct,
  requiredAtdExtFields,
  ATD_ACT_RULES,
  type AtdEctKind,
  type AtdValidatedEct,
  type ValidateAtdEctReturnType,
  type AtdFields,
  type AtdCheckpointFields,
  type AtdErrorFields,
  type AtdCircuitOpenFields,
  type AtdCircuitCloseFields,
  type AtdRollbackRequestFields,
  type AtdRollbackResultFields,
  type AtdWorkflowStartFields,
  type AtdWorkflowCompleteFields,
  type AtdCascadedEntry,
} from "./validateAtdEct.js";

export {
  buildAtdEctClaims,
  buildAtdRollbackTimeoutError,
  type AtdEctClaims,
  type BuildAtdEctClaimsParameters,
  type BuildAtdEctClaimsReturnType,
} from "./buildAtdEctClaims.js";

export {
  ATD_NODE_STATES,
  ATD_NODE_TRANSITIONS,
  isAtdNodeState,
  isTerminalAtdNodeState,
  canTransitionAtdNode,
  transitionAtdNode,
  type AtdNodeState,
  type TransitionAtdNodeParameters,
} from "./nodeState.js";

export { AtdEctIndex, ATD_DEFAULT_TRAVERSAL_LIMIT, type AtdWalk } from "./ectIndex.js";

export {
  replayAtdEcts,
  assertAtdReplay,
  type AtdNodeRecord,
  type AtdWorkflowRecord,
  type AtdRollbackRecord,
  type AtdCircuitRecord,
  type ReplayAtdEctsOptions,
  type ReplayAtdEctsReturnType,
} from "./replayAtdEcts.js";

export {
  ATD_HITL_LEVEL_NAMES,
  ATD_PERMANENT_OPEN_PROBES,
  ATD_CRITICAL_ERROR_HITL_RULE,
  atdEscalationsForError,
  atdEscalationsForRollbackResult,
  type AtdHitlLevel,
  type AtdEscalation,
  type AtdEscalationTrigger,
} from "./hitl.js";

export {
  AtdCircuitBreaker,
  AtdCircuitBreakers,
  ATD_CIRCUIT_DEFAULTS,
  atdCircuitOptionsFromConstraints,
  type AtdCircuitState,
  type AtdCircuitBreakerOptions,
  type AtdCircuitEvent,
  type AtdCircuitPermit,
  type AtdCircuitAdmission,
  type AtdCircuitSnapshot,
} from "./circuitBreaker.js";

export {
  detectAtdCoordinatedCircuitOpen,
  type DetectAtdCoordinatedCircuitOpenParameters,
  type DetectAtdCoordinatedCircuitOpenReturnType,
} from "./circuitCoordination.js";

export {
  AtdCheckpointStore,
  atdCheckpointTtlS,
  atdRollbackTimeoutS,
  atdCheckpointExpiresAtS,
  isAtdCheckpointExpired,
  type AtdCheckpointStoreOptions,
} from "./checkpoint.js";

export {
  authorizeAtdRollback,
  computeAtdBlastRadius,
  atdCascadeTargets,
  checkAtdPartialRollback,
  assertAtdPartialRollback,
  type AuthorizeAtdRollbackParameters,
  type AuthorizeAtdRollbackReturnType,
  type AtdBlastRadius,
  type CheckAtdPartialRollbackParameters,
  type CheckAtdPartialRollbackReturnType,
} from "./rollbackEligibility.js";

export {
  AtdRollbackCoordinator,
  createAtdMemoryRollbackStore,
  type AtdRollbackCoordinatorOptions,
  type AtdRollbackRestoreContext,
  type AtdRollbackRestoreOutcome,
  type AtdRollbackOutcome,
  type AtdRollbackHandleReturnType,
  type AtdRollbackResultStore,
  type AtdTimers,
} from "./rollbackCoordinator.js";

export {
  validateAtdWorkflow,
  parseAtdWorkflow,
  serializeAtdWorkflow,
  atdWorkflowTopologicalOrder,
  atdWorkflowStages,
  atdWorkflowAdjacency,
  atdWorkflowHitlGates,
  ATD_WORKFLOW_DEFAULT_MAX_NODES,
  type AtdWorkflow,
  type AtdWorkflowNode,
  type AtdWorkflowEdge,
  type ValidateAtdWorkflowOptions,
  type ValidateAtdWorkflowReturnType,
} from "./workflowDescriptor.js";

export { AtdWorkflowTracker, type AtdWorkflowTrackerOptions, type AtdTrackerTransition } from "./workflowTracker.js";

export {
  readAtdResourceConstraints,
  parseAtdResourceConstraints,
  atdResourceHintsToConstraints,
  atdPriorityQosClass,
  decideAtdUnsatisfiedHints,
  ATD_RESOURCE_HINT_NAMES,
  ATD_LOW_PRIORITY_MAX_WAIT_S,
  ATD_CRITICAL_SCHEDULING_DEADLINE_S,
  type AtdResourceHints,
  type AtdQosClass,
  type AtdUnsatisfiedHintDecision,
  type ReadAtdResourceConstraintsReturnType,
} from "./resourceHints.js";

export {
  ATD_ERROR_CODES,
  AtdError,
  AtdEctMalformedError,
  AtdClaimConflictError,
  AtdUnknownExecActError,
  AtdExtMissingFieldError,
  AtdExtFieldTypeError,
  AtdExtFieldValueError,
  AtdParRequiredError,
  AtdUnknownNodeStateError,
  AtdIllegalTransitionError,
  AtdUnknownNodeError,
  AtdDependenciesNotDoneError,
  AtdHitlApprovalRequiredError,
  AtdDuplicateJtiError,
  AtdUnknownReferenceError,
  AtdReferenceKindError,
  AtdWidMismatchError,
  AtdParentNotDoneError,
  AtdRollbackCheckpointMismatchError,
  AtdRollbackResultConflictError,
  AtdIrreversibleRolledBackError,
  AtdWorkflowDuplicateStartError,
  AtdWorkflowStartMissingError,
  AtdCircuitConfigError,
  AtdCircuitOpenError,
  AtdCircuitPermitError,
  AtdCheckpointNotFoundError,
  AtdCheckpointExpiredError,
  AtdCheckpointLimitError,
  AtdRollbackJtiConflictError,
  AtdRollbackForbiddenError,
  AtdRollbackNotEligibleError,
  AtdRollbackBadOutcomeError,
  AtdWorkflowInvalidJsonError,
  AtdWorkflowMissingFieldError,
  AtdWorkflowTypeError,
  AtdWorkflowValueError,
  AtdWorkflowUnknownFieldError,
  AtdWorkflowNoNodesError,
  AtdWorkflowTooLargeError,
  AtdWorkflowDuplicateNodeError,
  AtdWorkflowDuplicateEdgeError,
  AtdWorkflowUnknownNodeRefError,
  AtdWorkflowCycleError,
  AtdInvalidOptionError,
  AtdForbiddenMemberError,
  AtdRollbackStoreError,
  type AtdErrorCode,
  type AtdFinding,
} from "./errors.js";
