/** Names and outcome shapes shared by the chain actions. */
import type { Address, Hex, TransactionReceipt } from "viem";

/** `IAgentExecHandler.TaskStatus` by name. */
export type TaskStatusName = "None" | "Active" | "Halted" | "Finalized" | "Expired";

/** `IAgentExecHandler.ProveRejection` by name. */
export type ProveRejectionName =
  | "None"
  | "VerifierReverted"
  | "VerifierOutOfGas"
  | "MalformedVerdict"
  | "InvalidProof"
  | "Denied"
  | "VerifierNoCode";

/** A recorded step, as `AgentStepAccepted` reports it. */
export type AcceptedStep = {
  taskId: Hex;
  stage: number;
  agent: Address;
  agentId: bigint;
  inputHash: Hex;
  outputHash: Hex;
  isFinal: boolean;
  /** Set when this step replaced an unproven one (through `stepAndProve`): how many later steps were discarded. */
  replaced: { discardedLaterSteps: number } | undefined;
};

/** The on-chain outcome of a prove. A rejected prove does not revert: it is data, with its named reason. */
export type ProveOutcome =
  | {
      /** The stage was proven (and, if it was the final stage, the task finalised). */
      status: "proven";
      stage: number;
      verifier: Address;
      /** What the verifier verified (e.g. the EIP-712 digest the attesters signed). */
      digest: Hex;
      /** Set when this prove finalised the task. */
      finalized: { finalStage: number; outputHash: Hex } | undefined;
    }
  | {
      /** A gating stage's valid non-approving verdict halted the task for good. */
      status: "halted";
      stage: number;
      digest: Hex;
    }
  | {
      /** The prove was rejected; nothing changed on-chain (it may be retried until the deadline). */
      status: "rejected";
      stage: number;
      verifier: Address | undefined;
      reason: Exclude<ProveRejectionName, "None">;
      /** `IAgentExecHandler.ProveRejection` code. */
      reasonCode: number;
      /** The verifier's digest (InvalidProof, Denied) or the first 4 bytes of its revert data (VerifierReverted). */
      detail: Hex;
    };

/** Where a transaction landed. */
export type SentTransaction = {
  transactionHash: Hex;
  blockNumber: bigint;
  receipt: TransactionReceipt;
};
