/**
 * Proof producers: where a stage's proof comes from. The runtime asks for a proof once the stage's step is
 * settled (recorded on-chain, or about to be sent with `stepAndProve` when the producer has proofs at hand).
 *
 * `localAttesterProofProducer` is the development producer: it signs the reference verifiers' EIP-712 typed data
 * (sdk/chain/attestation.ts) with local keys and encodes the proof those verifiers take. A production deployment
 * plugs in a producer that asks an attester service (the same shape: an async function of the request).
 */
import type { Address, Hex, LocalAccount } from "viem";
import {
  Verdict,
  encodeStageProof,
  encodeWyriweProof,
  stageAttestationTypedData,
  wyriweAttestationTypedData,
  type SignableVerdict,
  type WyriweStage0Witness,
} from "../chain/attestation.js";
import type { Capsule } from "../capsule/types.js";
import type { WorkflowVerifierKind } from "../workflow/types.js";
import { AgentRuntimeError } from "./errors.js";

/** What a proof is for. */
export type ProofRequest = {
  chainId: number;
  handler: Address;
  taskId: Hex;
  stage: number;
  verifier: Address;
  /** The verifier family the workflow document names for the stage. */
  verifierKind: WorkflowVerifierKind;
  inputHash: Hex;
  outputHash: Hex;
  /** The task's declared input hash and the policy's pipeline hash (what WYRIWE verifiers attest). */
  declaredInputHash: Hex;
  pipelineHash: Hex;
  /** The stepping agent and whether the step is final (bound by v3 verifiers). */
  agent: Address;
  isFinal: boolean;
  /** The stage's Agent Action Capsule (stages with `capsule: true`), as the step carries it. */
  capsule?: Capsule | undefined;
  /**
   * The verdict the stage's Capsule records (gating Capsule stages: sdk/bridge `capsuleVerdict` of its
   * disposition — Denied for reject / denied / blocked). A producer signs this verdict: a gate must not open on a
   * Capsule that records a refusal, nor halt on one that records an acceptance.
   */
  verdict?: SignableVerdict | undefined;
  /**
   * Stage 0's recorded `outputHash` and agent, for a stage after 0 (a WYRIWE proof after stage 0 carries them, so the
   * verifier can check the step's input is stage 0's, the task's attested input). Unset at stage 0.
   */
  stage0?: WyriweStage0Witness | undefined;
};

export type ProofProducer = {
  readonly name: string;
  /**
   * Proofs come back without waiting on anyone else (a local key): the runtime then records a stage with one
   * `stepAndProve` instead of a step and a later prove.
   */
  readonly atHand: boolean;
  /** The verifier's proof (without the prove header: the runtime adds it for `onAgentProve`). */
  produce(request: ProofRequest, signal: AbortSignal): Promise<Hex>;
};

export type LocalAttesterProofProducerParameters = {
  /** The attester keys (a majority of the verifier's attester set). */
  attesters: readonly LocalAccount[];
  /** The verdict to sign when the stage's Capsule records none (default: approve). A Capsule's verdict wins. */
  verdict?: ((request: ProofRequest) => SignableVerdict) | undefined;
  /** Whether to report proofs as at hand (default true). `false` makes the runtime step first, prove after. */
  atHand?: boolean | undefined;
};

/** Signs reference-verifier attestations with local keys (development and tests). */
export function localAttesterProofProducer(parameters: LocalAttesterProofProducerParameters): ProofProducer {
  const { attesters } = parameters;
  if (!Array.isArray(attesters) || attesters.length === 0 || attesters.some((a) => typeof a?.signTypedData !== "function")) {
    throw new AgentRuntimeError("AGENT_INVALID_OPTION", { details: "localAttesterProofProducer needs at least one local account with signTypedData" });
  }
  return {
    name: "local-attester",
    atHand: parameters.atHand ?? true,
    async produce(request) {
      const verdict = request.verdict ?? parameters.verdict?.(request) ?? Verdict.Approved;
      const common = {
        chainId: request.chainId,
        verifier: request.verifier,
        handler: request.handler,
        taskId: request.taskId,
        stage: request.stage,
        outputHash: request.outputHash,
        verdict,
      };
      switch (request.verifierKind) {
        case "wyriwe": {
          const typed = wyriweAttestationTypedData({
            ...common,
            agent: request.agent,
            isFinal: request.isFinal,
            declaredInputHash: request.declaredInputHash,
            pipelineHash: request.pipelineHash,
          });
          const signatures = await Promise.all(attesters.map(async (a) => ({ signer: a.address, signature: await a.signTypedData(typed) })));
          return encodeWyriweProof({
            verdict,
            stage: request.stage,
            declaredInputHash: request.declaredInputHash,
            pipelineHash: request.pipelineHash,
            stage0Witness: request.stage > 0 ? request.stage0 : undefined,
            signatures,
          });
        }
        case "ecdsa-attestation":
        case "attester-set": {
          const typed = stageAttestationTypedData({ ...common, inputHash: request.inputHash, agent: request.agent, isFinal: request.isFinal });
          const signatures = await Promise.all(attesters.map(async (a) => ({ signer: a.address, signature: await a.signTypedData(typed) })));
          return encodeStageProof({ verdict, signatures });
        }
        default:
          throw new AgentRuntimeError("AGENT_PROOF_FAILED", {
            details: `the local attester signs attester-set / ecdsa-attestation / wyriwe proofs, not "${request.verifierKind}" (stage ${request.stage})`,
          });
      }
    },
  };
}
