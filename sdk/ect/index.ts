/**
 * Execution Context Tokens (seed 000): create, verify (13 steps), DAG (5 rules), audit ledger,
 * `Execution-Context` HTTP header, whole-workflow verification on worker threads.
 *
 * Claim naming: tokens are emitted with the paper's `par` and `ext`; the later-draft names
 * `pred` and `ect_ext` are accepted on input (see claims.ts).
 */
export {
  ECT_TYP,
  ECT_DEFAULT_ALGORITHM,
  ECT_SUPPORTED_ALGORITHMS,
  ECT_EXT_MAX_BYTES,
  ECT_EXT_MAX_DEPTH,
  ECT_DAG_CLOCK_SKEW_SEC,
  ECT_DAG_MAX_NODES,
  ECT_IAT_MAX_FUTURE_SEC,
  ECT_IAT_MAX_AGE_SEC,
  ECT_DEFAULT_LIFETIME_SEC,
  ECT_MAX_TOKEN_LENGTH,
  ECT_VERIFICATION_STEPS,
  EXECUTION_CONTEXT_HEADER,
  type EctAlgorithm,
  type EctVerificationPhase,
  type EctVerificationStep,
  type EctVerificationStepInfo,
} from "./constants.js";
export * from "./errors.js";
export type { EctClaims, EctHeader, EctDagNode } from "./claims.js";
export { computeEctHash, computeEctJsonHash, isEctHash, matchesEctHash, type EctHashInput } from "./hash.js";
export { decodeEctUnverified, type DecodeEctUnverifiedReturnType } from "./jws.js";
export {
  type AgentKey,
  type AgentKeyInput,
  type AgentKeyRecord,
  type AgentKeyStore,
  type AgentPublicKeyInput,
  type EcPublicJwk,
} from "./agent-key.js";
export { MemoryAgentKeyStore, InMemoryAgentKeyStore } from "./key-store-memory.js";
export { JwksAgentKeyStore, type JsonWebKeySet, type JwksAgentKeyStoreParameters, type SkippedJwk } from "./key-store-jwks.js";
export {
  createEct,
  createEctSigner,
  type CreateEctParameters,
  type CreateEctReturnType,
  type CreateEctSignerParameters,
  type EctSigner,
} from "./create.js";
export {
  verifyEct,
  createEctVerifier,
  type CreateEctVerifierReturnType,
  type VerifyEctParameters,
  type VerifyEctReturnType,
  type VerifyEctSuccess,
  type VerifyEctFailure,
} from "./verify.js";
export { ectTrustDomain, type EctTrustDomainOptions } from "./dag-scope.js";
export {
  validateEctDag,
  type EctDagRule,
  type EctDagViolation,
  type EctDagViolationCode,
  type EctDagOptions,
  type EctDagStore,
  type EctDagSyncStore,
  type ValidateEctDagParameters,
  type ValidateEctDagReturnType,
} from "./dag.js";
export { validateEctInStore, validateEctSetInStore, type EctDagTraversal, type ValidateEctInStoreParameters } from "./dag-store.js";
export { topologicalOrder, dagDepths, dagLevels } from "./dag-order.js";
export {
  EctLedger,
  LEDGER_GENESIS_HASH,
  computeLedgerEntryHash,
  type EctLedgerRecord,
  type EctLedgerIntegrityReport,
  type EctLedgerIntegrityFailureReason,
  type OpenEctLedgerParameters,
  type VerifyLedgerIntegrityParameters,
  type VerifyLedgerIntegrityWithKeysParameters,
} from "./ledger.js";
export {
  MemoryLedgerStore,
  type EctLedgerEntry,
  type EctLedgerRecovery,
  type EctLedgerLoadResult,
  type EctLedgerStore,
} from "./ledger-store.js";
export { FileLedgerStore, type FileLedgerStoreOptions } from "./ledger-file-store.js";
export {
  buildExecutionContextHeader,
  parseExecutionContextHeader,
  verifyExecutionContext,
  EXECUTION_CONTEXT_MAX_TOKENS,
  type ExecutionContextHeaderOptions,
  type VerifyExecutionContextParameters,
  type VerifyExecutionContextReturnType,
  type VerifiedExecutionContext,
} from "./http.js";
export {
  verifyEctWorkflow,
  EctVerifierPool,
  type EctPoolVerifyOptions,
  type EctVerifierPoolParameters,
  type VerifyEctWorkflowParameters,
  type VerifyEctWorkflowReturnType,
} from "./workflow.js";
