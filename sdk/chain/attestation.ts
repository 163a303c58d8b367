/**
 * Proofs for the reference attestation verifiers (contracts/verifiers/): EIP-712 typed data to sign (both the ECDSA
 * verifier's `StageAttestation` and the WYRIWE verifier's `WyriweAttestation` bind the stepping `agent` and
 * `isFinal`, so a copy of a step under another agent or with the other final flag never verifies), and the proof
 * byte layouts `verdict ‖ signatures` (EcdsaAttestationVerifier) and
 * `verdict ‖ declared ‖ pipelineHash ‖ [stage > 0: outputHash0 ‖ agent0] ‖ signatures` (WyriweAttestationVerifier).
 * Signatures are ordered by ascending signer address, as the verifiers require.
 */
import { concat, toHex, type Address, type Hex, type TypedDataDefinition } from "viem";
import { ChainParameterError } from "./errors.js";
import { assertAddress, assertBool, assertBytes32, assertObject, assertUint } from "./validate.js";
import { attestedInputHash } from "./wyriwe.js";

/** IAgentVerifier.Verdict. */
export const Verdict = { Invalid: 0, Approved: 1, Denied: 2 } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];
/** The verdicts an attester can sign. */
export type SignableVerdict = typeof Verdict.Approved | typeof Verdict.Denied;

export const ECDSA_VERIFIER_DOMAIN = { name: "AgentExecEcdsaVerifier", version: "1" } as const;
export const WYRIWE_VERIFIER_DOMAIN = { name: "AgentExecWyriweVerifier", version: "1" } as const;

const stageAttestationTypes = {
  StageAttestation: [
    { name: "handler", type: "address" },
    { name: "taskId", type: "bytes32" },
    { name: "stage", type: "uint8" },
    { name: "agent", type: "address" },
    { name: "isFinal", type: "bool" },
    { name: "inputHash", type: "bytes32" },
    { name: "outputHash", type: "bytes32" },
    { name: "verdict", type: "uint8" },
  ],
} as const;

const wyriweAttestationTypes = {
  WyriweAttestation: [
    { name: "handler", type: "address" },
    { name: "taskId", type: "bytes32" },
    { name: "stage", type: "uint8" },
    { name: "agent", type: "address" },
    { name: "isFinal", type: "bool" },
    { name: "declaredInputHash", type: "bytes32" },
    { name: "pipelineHash", type: "bytes32" },
    { name: "attestedInputHash", type: "bytes32" },
    { name: "outputHash", type: "bytes32" },
    { name: "verdict", type: "uint8" },
  ],
} as const;

type Common = {
  chainId: number | bigint;
  /** The verifier contract (EIP-712 verifyingContract). */
  verifier: Address;
  /** The handler that will call the verifier. */
  handler: Address;
  taskId: Hex;
  stage: number;
  outputHash: Hex;
  verdict: SignableVerdict;
};

export type StageAttestationParameters = Common & {
  /** The agent the step is recorded under (the stepping agent). */
  agent: Address;
  /** The step's final flag. */
  isFinal: boolean;
  inputHash: Hex;
};
export type StageAttestationTypedData = TypedDataDefinition<typeof stageAttestationTypes, "StageAttestation">;

/** The EIP-712 typed data an EcdsaAttestationVerifier attester signs. */
export function stageAttestationTypedData(p: StageAttestationParameters): StageAttestationTypedData {
  checkCommon(p);
  assertAddress("agent", p.agent);
  assertBool("isFinal", p.isFinal);
  assertBytes32("inputHash", p.inputHash);
  return {
    domain: { ...ECDSA_VERIFIER_DOMAIN, chainId: Number(p.chainId), verifyingContract: p.verifier },
    types: stageAttestationTypes,
    primaryType: "StageAttestation",
    message: {
      handler: p.handler,
      taskId: p.taskId,
      stage: p.stage,
      agent: p.agent,
      isFinal: p.isFinal,
      inputHash: p.inputHash,
      outputHash: p.outputHash,
      verdict: p.verdict,
    },
  };
}

export type WyriweAttestationParameters = Common & {
  /** The agent the step is recorded under (the stepping agent). */
  agent: Address;
  /** The step's final flag. */
  isFinal: boolean;
  /** The task's declared input hash. */
  declaredInputHash: Hex;
  /** The pipeline the task's policy declares (zero or the identity pipeline: no transform). */
  pipelineHash: Hex;
};
export type WyriweAttestationTypedData = TypedDataDefinition<typeof wyriweAttestationTypes, "WyriweAttestation">;

/** The EIP-712 typed data a WyriweAttestationVerifier attester signs (the attested hash is derived, not given). */
export function wyriweAttestationTypedData(p: WyriweAttestationParameters): WyriweAttestationTypedData {
  checkCommon(p);
  assertAddress("agent", p.agent);
  assertBool("isFinal", p.isFinal);
  const attested = attestedInputHash({ declaredInputHash: p.declaredInputHash, pipelineHash: p.pipelineHash });
  return {
    domain: { ...WYRIWE_VERIFIER_DOMAIN, chainId: Number(p.chainId), verifyingContract: p.verifier },
    types: wyriweAttestationTypes,
    primaryType: "WyriweAttestation",
    message: {
      handler: p.handler,
      taskId: p.taskId,
      stage: p.stage,
      agent: p.agent,
      isFinal: p.isFinal,
      declaredInputHash: p.declaredInputHash,
      pipelineHash: p.pipelineHash,
      attestedInputHash: attested,
      outputHash: p.outputHash,
      verdict: p.verdict,
    },
  };
}

/** One attester's signature over the typed data. */
export type AttesterSignature = { signer: Address; signature: Hex };

export type EncodeStageProofParameters = { verdict: SignableVerdict; signatures: readonly AttesterSignature[] };

/** `verdict ‖ signatures` for EcdsaAttestationVerifier. */
export function encodeStageProof(p: EncodeStageProofParameters): Hex {
  assertObject("encodeStageProof parameters", p);
  return concat([verdictByte(p.verdict), ...orderedSignatures(p.signatures)]);
}

/**
 * Stage 0's step as a later WYRIWE stage's proof carries it: the verifier recomputes stage 0's step digest from it
 * (with the proven step's `inputHash`) and requires it to be the handler's record, so the step's input is the
 * task's attested input.
 */
export type WyriweStage0Witness = {
  /** Stage 0's recorded `outputHash`. */
  outputHash0: Hex;
  /** The agent stage 0's step is recorded under. */
  agent0: Address;
};

export type EncodeWyriweProofParameters = EncodeStageProofParameters & {
  /** The stage the proof is for: after stage 0 the proof must carry {@link WyriweStage0Witness}. */
  stage: number;
  declaredInputHash: Hex;
  pipelineHash: Hex;
  /** Required when `stage > 0`, refused at stage 0. */
  stage0Witness?: WyriweStage0Witness | undefined;
};

/**
 * `verdict ‖ declaredInputHash ‖ pipelineHash ‖ [stage > 0: outputHash0 ‖ agent0] ‖ signatures` for
 * WyriweAttestationVerifier. Throws `ChainParameterError` (parameter `stage0Witness`) when a proof after stage 0
 * has no stage-0 witness, or a stage-0 proof has one.
 */
export function encodeWyriweProof(p: EncodeWyriweProofParameters): Hex {
  assertObject("encodeWyriweProof parameters", p);
  assertUint("stage", p.stage, 255n);
  assertBytes32("declaredInputHash", p.declaredInputHash);
  assertBytes32("pipelineHash", p.pipelineHash);
  const parts: Hex[] = [verdictByte(p.verdict), p.declaredInputHash, p.pipelineHash];
  if (p.stage === 0) {
    if (p.stage0Witness !== undefined) {
      throw new ChainParameterError("stage0Witness", "a stage-0 WYRIWE proof carries no stage-0 witness");
    }
  } else {
    if (p.stage0Witness === undefined || p.stage0Witness === null) {
      throw new ChainParameterError("stage0Witness", `a WYRIWE proof of stage ${p.stage} needs stage 0's { outputHash0, agent0 }`);
    }
    assertObject("stage0Witness", p.stage0Witness);
    assertBytes32("stage0Witness.outputHash0", p.stage0Witness.outputHash0);
    assertAddress("stage0Witness.agent0", p.stage0Witness.agent0);
    parts.push(p.stage0Witness.outputHash0, p.stage0Witness.agent0);
  }
  return concat([...parts, ...orderedSignatures(p.signatures)]);
}

function verdictByte(verdict: number): Hex {
  if (verdict !== Verdict.Approved && verdict !== Verdict.Denied) {
    throw new ChainParameterError("verdict", `expected 1 (approved) or 2 (denied), got ${String(verdict)}`);
  }
  return toHex(verdict, { size: 1 });
}

function orderedSignatures(signatures: readonly AttesterSignature[]): Hex[] {
  if (!Array.isArray(signatures) || signatures.length === 0) {
    throw new ChainParameterError("signatures", "expected at least one attester signature");
  }
  const seen = new Set<string>();
  for (const [i, s] of signatures.entries()) {
    assertObject(`signatures[${i}]`, s);
    assertAddress(`signatures[${i}].signer`, s.signer);
    if (typeof s.signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(s.signature)) {
      throw new ChainParameterError(`signatures[${i}].signature`, "expected a 65-byte r‖s‖v signature");
    }
    const key = s.signer.toLowerCase();
    if (seen.has(key)) throw new ChainParameterError(`signatures[${i}].signer`, `duplicate signer ${s.signer}`);
    seen.add(key);
  }
  return [...signatures]
    .sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1))
    .map((s) => s.signature);
}

function checkCommon(p: Common): void {
  assertObject("attestation parameters", p);
  assertUint("chainId", p.chainId, 2n ** 53n - 1n);
  assertAddress("verifier", p.verifier);
  assertAddress("handler", p.handler);
  assertBytes32("taskId", p.taskId);
  assertUint("stage", p.stage, 255n);
  assertBytes32("outputHash", p.outputHash);
}
