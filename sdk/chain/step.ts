/**
 * Step records and witnesses, as AgentHandler keeps and checks them (contracts/interfaces/IAgentExecHandler.sol).
 *
 * The handler stores, per stage, the digest `keccak256(abi.encode(inputHash, outputHash))`, so a prove binds both
 * hashes. A step proves where its input came from with a 32-byte witness at the head of `onAgentStep`'s `data`:
 * - keyed on the attested task input (any stage but a first step of stage 0): witness = stage 0's `outputHash`;
 * - chained on the previous stage: witness = the previous stage's `inputHash`.
 * A first step of stage 0 needs no witness: its input is checked against the attested input hash in full.
 */
import { concat, encodeAbiParameters, keccak256, type Hex } from "viem";
import { ChainParameterError } from "./errors.js";
import { assertBytes32 } from "./validate.js";

/** `keccak256(abi.encode(inputHash, outputHash))`: what the handler records for a step (`stepDigest`). */
export function stepDigest(inputHash: Hex, outputHash: Hex): Hex {
  assertBytes32("inputHash", inputHash);
  assertBytes32("outputHash", outputHash);
  return keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [inputHash, outputHash]));
}

/** The records of a task's earlier steps that a witness is taken from. */
export type StepHistory = {
  /** `outputHash` of the recorded stage-0 step. */
  stage0OutputHash?: Hex | undefined;
  /** `inputHash` of the recorded step of `stage - 1`. */
  previousInputHash?: Hex | undefined;
};

export type StepWitnessParameters = StepHistory & {
  stage: number;
  /** Whether the stage's input is the previous stage's output (`InputSource.PreviousOutput`). */
  chained: boolean;
  /** Whether this step replaces an already recorded step (via `stepAndProve`). */
  replacing?: boolean | undefined;
};

/** The witness a step needs, or `undefined` for a first step of stage 0. */
export function stepWitness(p: StepWitnessParameters): Hex | undefined {
  if (!Number.isInteger(p.stage) || p.stage < 0 || p.stage > 255) {
    throw new ChainParameterError("stage", `expected an integer in [0, 255], got ${String(p.stage)}`);
  }
  if (p.stage === 0 && !p.replacing) return undefined;
  if (p.stage !== 0 && p.chained) {
    if (p.previousInputHash === undefined) {
      throw new ChainParameterError("previousInputHash", "a chained step's witness is the previous stage's inputHash");
    }
    assertBytes32("previousInputHash", p.previousInputHash);
    return p.previousInputHash;
  }
  if (p.stage0OutputHash === undefined) {
    throw new ChainParameterError("stage0OutputHash", "a step keyed on the attested input needs stage 0's outputHash");
  }
  assertBytes32("stage0OutputHash", p.stage0OutputHash);
  return p.stage0OutputHash;
}

/** `data` for `onAgentStep`: the witness (if any) followed by the application's bytes. */
export function encodeStepData(witness: Hex | undefined, appData: Hex = "0x"): Hex {
  if (witness === undefined) return appData;
  assertBytes32("witness", witness);
  return concat([witness, appData]);
}
