/**
 * Off-chain arithmetic of CommitRevealVerifier (contracts/interfaces/ICommitRevealVerifier.sol): round ids, the
 * result a vote counts for, commitments, and the (empty) stage proof.
 */
import { encodeAbiParameters, keccak256, type Address, type Hex } from "viem";
import { ChainParameterError } from "../chain/errors.js";
import { assertAddress, assertBytes32, assertUint } from "../chain/validate.js";

export type CommitRevealRoundIdParameters = {
  chainId: number | bigint;
  /** The CommitRevealVerifier. */
  verifier: Address;
  handler: Address;
  taskId: Hex;
  stage: number;
};
export type CommitRevealRoundIdReturnType = Hex;

/** `keccak256(abi.encode(chainId, verifier, handler, taskId, stage))`. */
export function commitRevealRoundId(parameters: CommitRevealRoundIdParameters): CommitRevealRoundIdReturnType {
  const { chainId, verifier, handler, taskId, stage } = parameters;
  assertUint("chainId", chainId, 2n ** 256n - 1n);
  assertAddress("verifier", verifier);
  assertAddress("handler", handler);
  assertBytes32("taskId", taskId);
  assertUint("stage", stage, 255n);
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "address" }, { type: "address" }, { type: "bytes32" }, { type: "uint8" }],
      [BigInt(chainId), verifier, handler, taskId, stage],
    ),
  );
}

/** The step a vote is for: what the stepping agent recorded. */
export type CommitRevealVote = { inputHash: Hex; outputHash: Hex; agent: Address; isFinal: boolean };

function assertVote(v: CommitRevealVote): void {
  assertBytes32("inputHash", v.inputHash);
  assertBytes32("outputHash", v.outputHash);
  assertAddress("agent", v.agent);
  if (typeof v.isFinal !== "boolean") throw new ChainParameterError("isFinal", `expected a boolean, got ${String(v.isFinal)}`);
}

export type CommitRevealResultParameters = CommitRevealVote;
export type CommitRevealResultReturnType = Hex;

/** The result a vote counts for: the v3 step digest `keccak256(abi.encode(inputHash, outputHash, agent, isFinal))`. */
export function commitRevealResult(parameters: CommitRevealResultParameters): CommitRevealResultReturnType {
  assertVote(parameters);
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "address" }, { type: "bool" }],
      [parameters.inputHash, parameters.outputHash, parameters.agent, parameters.isFinal],
    ),
  );
}

export type CommitRevealCommitmentParameters = CommitRevealVote & { roundId: Hex; voter: Address; salt: Hex };
export type CommitRevealCommitmentReturnType = Hex;

/** `keccak256(abi.encode(roundId, voter, inputHash, outputHash, agent, isFinal, salt))`. */
export function commitRevealCommitment(parameters: CommitRevealCommitmentParameters): CommitRevealCommitmentReturnType {
  const { roundId, voter, salt } = parameters;
  assertBytes32("roundId", roundId);
  assertAddress("voter", voter);
  assertBytes32("salt", salt);
  assertVote(parameters);
  return keccak256(
    encodeAbiParameters(
      [
        { type: "bytes32" },
        { type: "address" },
        { type: "bytes32" },
        { type: "bytes32" },
        { type: "address" },
        { type: "bool" },
        { type: "bytes32" },
      ],
      [roundId, voter, parameters.inputHash, parameters.outputHash, parameters.agent, parameters.isFinal, salt],
    ),
  );
}

/** The verifier proof CommitRevealVerifier takes: empty (it reads the round). Wrap it with `encodeProveProof`. */
export function encodeCommitRevealProof(): Hex {
  return "0x";
}
