/**
 * Public surface of sdk/capsule: the Agent Action Capsule profile for SCITT
 * (draft-mih-scitt-agent-action-capsule-01).
 *
 * Where each rule lives:
 *   §2 JSON-DIGEST ........................ jsonDigest.ts (+ parseCapsuleJson.ts for strict JSON bytes)
 *   §3.1 envelope, CWT claims ............. coseSign1.ts, cborValidity.ts, cwtClaims.ts (sub form, header/payload
 *                                           agreement), es256.ts, signCapsuleCose.ts, verifyCapsuleCose.ts
 *   §3.3 outcome statements ............... outcome.ts
 *   §4, §12 registries, vocabularies ...... vocabulary.ts, registryValues.ts (check 8)
 *   §5 capsule types ...................... types.ts
 *   §5.1 capsule_id, timestamp ............ capsuleId.ts, timestamp.ts
 *   §5.2 effect record, binding, matrix ... effectRecord.ts (checks 3, 5)
 *   §5.3 assurance ........................ assurance.ts (check 7)
 *   §5.4 disposition, honesty, expiry ..... disposition.ts (honesty: builder refuses, verifier warns "defensive")
 *   §5.4.2 orthogonality .................. verdictClass.ts (check 4)
 *   §5.4.4 chains, open items ............. chain.ts, store.ts (check 6)
 *   §6 Class 1 ............................ verifyCapsule.ts (structure.ts = check 1; read-once snapshot:
 *                                           jsonDigest.ts snapshotJson, capsuleId.ts snapshotCapsule)
 *   §8.2 Class 2 .......................... verifyCapsuleClass2.ts
 *   §9.1 namespacing ...................... namespacing.ts
 *   builder ............................... buildCapsule.ts
 */
// vocabularies and registries (the mode-rank helpers and the enum guard are internal)
export {
  CAPSULE_SPEC_VERSION,
  CAPSULE_KNOWN_SPEC_VERSIONS,
  CAPSULE_FORMAT_VERSION,
  CAPSULE_MEDIA_TYPE,
  CAPSULE_OUTCOME_MEDIA_TYPE,
  CAPSULE_SUBJECT_URN_PREFIX,
  CAPSULE_STATEMENT_TYPES,
  CAPSULE_CWT_CLAIM_NAMES,
  CAPSULE_ACTION_TYPES,
  CAPSULE_EFFECT_STATUSES,
  CAPSULE_APPROVERS,
  CAPSULE_ATTESTATION_MODES,
  CAPSULE_EFFECT_MODES,
  CAPSULE_LEDGER_MODES,
  CAPSULE_ON_EXPIRY_VALUES,
  CAPSULE_CONSTRAINT_RESULTS,
  CAPSULE_VERDICT_CLASSES,
  CAPSULE_DECISIONS,
  CAPSULE_EFFECT_TYPES,
  CAPSULE_IRREVERSIBILITY_CLASSES,
  CAPSULE_EFFECT_ATTESTATIONS,
  CAPSULE_CHAIN_RELATIONS,
  CAPSULE_REGISTRIES,
  CAPSULE_REGISTRY_NAMES,
  isCapsuleRegisteredValue,
  CAPSULE_NEVER_DISPATCH_VERDICT_CLASSES,
  CAPSULE_OPEN_ITEM_VERDICT_CLASSES,
  CAPSULE_EFFECT_ATTESTATION_GRADE,
  gradeEffectAttestation,
  type CapsuleStatementType,
  type CapsuleCwtClaimName,
  type CapsuleActionType,
  type CapsuleEffectStatus,
  type CapsuleApprover,
  type CapsuleAttestationMode,
  type CapsuleEffectMode,
  type CapsuleLedgerMode,
  type CapsuleOnExpiry,
  type CapsuleConstraintResult,
  type CapsuleVerdictClass,
  type CapsuleDecision,
  type CapsuleEffectType,
  type CapsuleIrreversibilityClass,
  type CapsuleEffectAttestation,
  type CapsuleChainRelation,
  type CapsuleRegistryName,
  type CapsuleRegistryAdditions,
  type CapsuleRegistryValue,
} from "./vocabulary.js";
export type * from "./types.js";
// errors: the area base class, its guard and codes, one class per code (for instanceof);
// the code → class mapping and the message helper are internal
export {
  CAPSULE_ERROR_CODES,
  isCapsuleError,
  CapsuleError,
  CapsuleJsonFloatError,
  CapsuleJsonUnsafeIntegerError,
  CapsuleJsonNotJsonError,
  CapsuleJsonCycleError,
  CapsuleJsonLoneSurrogateError,
  CapsuleJsonSyntaxError,
  CapsuleJsonDuplicateKeyError,
  CapsuleJsonInputTypeError,
  CapsuleJsonInvalidUtf8Error,
  CapsuleNotObjectError,
  CapsuleFieldMissingError,
  CapsuleFieldTypeError,
  CapsuleFieldValueError,
  CapsuleDigestMalformedError,
  CapsuleTimestampInvalidError,
  CapsuleFormatVersionUnsupportedError,
  CapsuleSpecVersionUnrecognizedError,
  CapsuleDispositionDishonestError,
  CapsuleExpiryPolicyInvalidError,
  CapsuleReasonDigestEmptyError,
  CapsuleSelectiveDisclosureUnsupportedError,
  CapsuleVerifierInternalError,
  CapsuleFindingsTruncatedError,
  CapsuleIdMismatchError,
  CapsuleIdUncomputableError,
  CapsuleIdNotCheckedError,
  CapsuleEffectConfirmedUnboundError,
  CapsuleEffectBindingError,
  CapsuleEffectRequestDigestMissingError,
  CapsuleVerdictEffectConflictError,
  CapsuleVerdictErroredUndispatchedError,
  CapsuleVerdictErroredConfirmedError,
  CapsuleEffectAttestationMissingError,
  CapsuleEffectAttestationForbiddenError,
  CapsuleChainParentMissingError,
  CapsuleChainParentIdMismatchError,
  CapsuleChainCycleError,
  CapsuleChainConcurrentSupersedesError,
  CapsuleChainNotCheckedError,
  CapsuleChainDepthLimitError,
  CapsuleChainStoreError,
  CapsuleAssuranceOverclaimError,
  CapsuleAssuranceUnderstatedError,
  CapsuleAssuranceUnverifiedError,
  CapsuleAssuranceUnderclaimError,
  CapsuleUnregisteredValueError,
  CapsuleBareNameError,
  CapsuleDigestInputConflictError,
  CapsuleEvidenceDigestMismatchError,
  CapsuleEvidenceSchemaError,
  CapsuleThresholdMismatchError,
  CapsuleManifestError,
  CapsuleEvidenceUnavailableError,
  CapsuleStoreDuplicateIdError,
  CapsuleStoreRejectedError,
  CapsuleOutcomeIdMismatchError,
  CapsuleOutcomeSubjectMismatchError,
  CapsuleOutcomeDecisionMismatchError,
  CapsuleCoseMalformedError,
  CapsuleCoseNotSign1Error,
  CapsuleCoseUnsupportedAlgError,
  CapsuleCoseBadSignatureError,
  CapsuleCoseHeaderInvalidError,
  CapsuleCoseContentTypeMismatchError,
  CapsuleCoseClaimsInvalidError,
  CapsuleCoseStatementTypeMismatchError,
  CapsuleCoseSubjectMismatchError,
  CapsuleCoseIssuerMismatchError,
  CapsuleCoseClaimMismatchError,
  CapsuleCoseUnknownCapsuleClaimError,
  CapsuleCosePayloadInvalidError,
  CapsuleCosePayloadRejectedError,
  CapsuleCoseKeyInvalidError,
  CapsuleCoseKeyUnresolvedError,
  CapsuleCoseSignerFailedError,
  type CapsuleErrorCode,
  type CapsuleErrorParameters,
  type CapsuleFindingSeverity,
  type CapsuleIssue,
  type CapsuleFinding,
  type CapsuleClass1Check,
  type CapsuleClass2Check,
  type CapsuleDefensiveCheck,
} from "./errors.js";

export {
  jsonDigest,
  canonicalJson,
  normalizeAbsentFields,
  findJsonDigestProblems,
  isJsonDigest,
  type CapsuleJsonProblem,
  type FindJsonDigestProblemsParameters,
  type FindJsonDigestProblemsReturnType,
} from "./jsonDigest.js";
export {
  parseCapsuleJson,
  parseCapsuleJsonDetailed,
  type ParseCapsuleJsonDetailedParameters,
  type ParseCapsuleJsonDetailedReturnType,
} from "./parseCapsuleJson.js";
export {
  CAPSULE_ID_EXCLUDED_MEMBERS,
  canonicalCapsuleForm,
  computeCapsuleId,
  setCapsuleId,
  checkCapsuleId,
  assertCapsuleId,
  type CheckCapsuleIdReturnType,
} from "./capsuleId.js";
export { isCapsuleTimestamp, capsuleTimestampToMillis, toCapsuleTimestamp } from "./timestamp.js";

export { deriveEffectMode, checkEffectBinding, checkEffectAttestationMatrix } from "./effectRecord.js";
export { isNeverDispatchVerdictClass, allowedEffectModesForVerdictClass, checkVerdictEffectOrthogonality } from "./verdictClass.js";
export {
  CAPSULE_EMPTY_REASON_DIGEST,
  createDisposition,
  checkCapsuleDisposition,
  isDeferralDisposition,
  capsuleExpiryDeadline,
  isCapsuleExpiryElapsed,
  checkDispositionHonesty,
  type CreateDispositionParameters,
} from "./disposition.js";
export {
  CAPSULE_SEEDED_BARE_NAMES,
  isNamespacedName,
  isBareUnseededName,
  isCapsuleSnakeCaseCategory,
  checkCapsuleNamespacing,
} from "./namespacing.js";
export { CAPSULE_REGISTRY_FIELDS, checkCapsuleRegistryValues } from "./registryValues.js";
export { checkCapsuleStructure } from "./structure.js";
export {
  deriveCapsuleAssurance,
  reconcileCapsuleAssurance,
  type CapsuleAnchorEvidence,
  type CapsuleChainLinkageStatus,
  type DeriveCapsuleAssuranceParameters,
} from "./assurance.js";

export { MemoryCapsuleStore, type CapsuleStore, type MemoryCapsuleStoreOptions } from "./store.js";
export {
  CAPSULE_RELATION_SUPERSEDES,
  CAPSULE_DEFAULT_MAX_CHAIN_DEPTH,
  capsuleChainOf,
  chainToCapsule,
  isSupersedingCapsule,
  capsuleSupersedes,
  resolveCapsuleParent,
  resolveCapsuleChain,
  findSupersedingCapsules,
  isOpenItemVerdictClass,
  isCapsuleOpenItem,
  listCapsuleOpenItems,
  checkCapsuleChain,
  type ResolveCapsuleParentReturnType,
  type ResolveCapsuleChainParameters,
  type ResolveCapsuleChainReturnType,
  type FindSupersedingCapsulesReturnType,
  type CheckCapsuleChainReturnType,
} from "./chain.js";

export { buildCapsule, type CapsuleDraft, type BuildCapsuleOptions } from "./buildCapsule.js";
export {
  CAPSULE_FINDINGS_PER_CHECK,
  verifyCapsule,
  verifyCapsuleSync,
  verifyCapsuleJson,
  type VerifyCapsuleParameters,
  type VerifyCapsuleSyncParameters,
  type VerifyCapsuleReturnType,
} from "./verifyCapsule.js";
export {
  verifyCapsuleClass2,
  checkCapsuleClass2,
  type CapsuleConstraintManifest,
  type CapsuleManifestConstraint,
  type CapsuleEvidenceSource,
  type CheckCapsuleClass2Parameters,
  type CheckCapsuleClass2ReturnType,
  type VerifyCapsuleClass2Parameters,
} from "./verifyCapsuleClass2.js";

export {
  CAPSULE_COSE_ALG_ES256,
  createCapsuleSigner,
  generateCapsuleKeyPair,
  getCapsulePublicKey,
  capsulePublicKeyToJwk,
  type CreateCapsuleSignerParameters,
  type GenerateCapsuleKeyPairReturnType,
  type CapsuleCoseSigner,
  type CapsulePrivateKey,
  type CapsulePublicKey,
  type CapsulePrivateJwk,
  type CapsulePublicJwk,
} from "./es256.js";
export {
  capsuleSubject,
  capsuleSubjectMatches,
  type CapsuleCwtClaims,
  type StatementClaimExpectations,
} from "./cwtClaims.js";
export { decodeCapsuleCoseSign1, type DecodedCapsuleCoseSign1, type CapsuleCoseKeyResolver } from "./coseSign1.js";
export { signCapsuleCose, type SignCapsuleCoseParameters } from "./signCapsuleCose.js";
export { verifyCapsuleCose, type VerifyCapsuleCoseParameters, type VerifyCapsuleCoseReturnType } from "./verifyCapsuleCose.js";
export {
  CAPSULE_OUTCOME_TYPES,
  buildOutcome,
  computeOutcomeId,
  verifyOutcome,
  correlateOutcome,
  signOutcomeCose,
  verifyOutcomeCose,
  type CapsuleOutcome,
  type CapsuleOutcomeDraft,
  type CapsuleOutcomeType,
  type VerifyOutcomeReturnType,
  type CorrelateOutcomeReturnType,
  type SignOutcomeCoseParameters,
  type VerifyOutcomeCoseParameters,
  type VerifyOutcomeCoseReturnType,
} from "./outcome.js";
