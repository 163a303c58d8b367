/**
 * Step records, witnesses and prove headers, as AgentHandler keeps and checks them
 * (contracts/interfaces/IAgentExecHandler.sol).
 *
 * The handler stores, per stage, the step digest `keccak256(abi.encode(inputHash, outputHash, agent, isFinal))`, so
 * a prove binds both hashes, the stepping agent and the final flag. A step proves where its input came from with a
 * 52-byte witness `hash ‖ agent` at the head of `onAgentStep`'s `data`:
 * - keyed on the attested task input (any stage but a first step of stage 0): stage 0's `outputHash` and agent;
 * - chained on the previous stage: the previous stage's `inputHash` and agent.
 * A first step of stage 0 needs no witness: its input is checked against the attested input hash in full.
 * `onAgentProve`'s `proof` starts with a 20-byte header, the agent the step is recorded under
 * ({@link encodeProveProof}); `stepAndProve` takes the bare verifier proof.
 */
import { concat, encodeAbiParameters, keccak256, type Address, type Hex } from "viem";
import { ChainParameterError } from "./errors.js";
import { assertAddress, assertBool, assertBytes32, assertHex, assertObject } from "./validate.js";

export type StepDigestParameters = { inputHash: Hex; outputHash: Hex; agent: Address; isFinal: boolean };

/** `keccak256(abi.encode(inputHash, outputHash, agent, isFinal))`: what the handler records for a step (`stepDigest`). */
export function stepDigest(p: StepDigestParameters): Hex {
  assertObject("stepDigest parameters", p);
  assertBytes32("inputHash", p.inputHash);
  assertBytes32("outputHash", p.outputHash);
  assertAddress("agent", p.agent);
  assertBool("isFinal", p.isFinal);
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "address" }, { type: "bool" }],
      [p.inputHash, p.outputHash, p.agent, p.isFinal],
    ),
  );
}

/** The records of a task's earlier steps that a witness is taken from. */
export type StepHistory = {
  /** `outputHash` of the recorded stage-0 step. */
  stage0OutputHash?: Hex | undefined;
  /** The agent the stage-0 step is recorded under. */
  stage0Agent?: Address | undefined;
  /** `inputHash` of the recorded step of `stage - 1`. */
  previousInputHash?: Hex | undefined;
  /** The agent the step of `stage - 1` is recorded under. */
  previousAgent?: Address | undefined;
};

export type StepWitnessParameters = StepHistory & {
  stage: number;
  /** Whether the stage's input is the previous stage's output (`InputSource.PreviousOutput`). */
  chained: boolean;
  /** Whether this step replaces an already recorded step (via `stepAndProve`). */
  replacing?: boolean | undefined;
};

/** The 52-byte witness `hash ‖ agent` a step needs, or `undefined` for a first step of stage 0. */
export function stepWitness(p: StepWitnessParameters): Hex | undefined {
  assertObject("stepWitness parameters", p);
  if (!Number.isInteger(p.stage) || p.stage < 0 || p.stage > 255) {
    throw new ChainParameterError("stage", `expected an integer in [0, 255], got ${String(p.stage)}`);
  }
  assertBool("chained", p.chained);
  if (p.replacing !== undefined) assertBool("replacing", p.replacing);
  if (p.stage === 0 && !p.replacing) return undefined;
  if (p.stage !== 0 && p.chained) {
    if (p.previousInputHash === undefined || p.previousInputHash === null) {
      throw new ChainParameterError("previousInputHash", "a chained step's witness is the previous stage's inputHash");
    }
    assertBytes32("previousInputHash", p.previousInputHash);
    if (p.previousAgent === undefined || p.previousAgent === null) {
      throw new ChainParameterError("previousAgent", "a chained step's witness names the previous stage's agent");
    }
    assertAddress("previousAgent", p.previousAgent);
    return concat([p.previousInputHash, p.previousAgent]);
  }
  if (p.stage0OutputHash === undefined || p.stage0OutputHash === null) {
    throw new ChainParameterError("stage0OutputHash", "a step keyed on the attested input needs stage 0's outputHash");
  }
  assertBytes32("stage0OutputHash", p.stage0OutputHash);
  if (p.stage0Agent === undefined || p.stage0Agent === null) {
    throw new ChainParameterError("stage0Agent", "a step keyed on the attested input names stage 0's agent");
  }
  assertAddress("stage0Agent", p.stage0Agent);
  return concat([p.stage0OutputHash, p.stage0Agent]);
}

/** `data` for `onAgentStep`: the witness (if any) followed by the application's bytes. */
export function encodeStepData(witness: Hex | undefined, appData: Hex = "0x"): Hex {
  assertHex("appData", appData);
  if (witness === undefined) return appData;
  if (typeof witness !== "string" || !/^0x[0-9a-fA-F]{104}$/.test(witness)) {
    throw new ChainParameterError("witness", "expected the 52-byte witness hash ‖ agent (see stepWitness)");
  }
  return concat([witness, appData]);
}

/**
 * `proof` for `onAgentProve`: the 20-byte prove header (the agent the step is recorded under) followed by the
 * verifier's proof. (`stepAndProve` takes the verifier's proof as is.)
 */
export function encodeProveProof(agent: Address, verifierProof: Hex): Hex {
  assertAddress("agent", agent);
  assertHex("verifierProof", verifierProof);
  return concat([agent, verifierProof]);
}
