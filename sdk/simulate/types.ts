/** Shapes of a workflow simulation: the planned calls going in, the per-call report coming out. */
import type { Address, Hex } from "viem";
import type { RevertArgument } from "../chain/revert.js";
import type { ProofProducer } from "../agent/proof.js";

/**
 * The rule a call would break, in the distinction users of oracle networks ask for:
 * - `gas`: the call runs out of gas (the `gasLimit` it would be sent with, or the block's), a stage verifier
 *   exhausts its policy gas allowance (`ProveRejection.VerifierOutOfGas`), or the handler cannot forward it.
 * - `output-size`: the call's bytes (a step's output and data, or the task input) exceed the network's
 *   transaction size limit (`maxTransactionBytes`, 128 KiB by default — geth's txpool limit), so it is never mined.
 * - `policy`: the workflow's registered policy or the staging rules refuse it (agent not authorised, requester not
 *   allowed, stage out of order, sync stage unproven, final flag, gate lock, workflow not registered, …).
 * - `sentinel`: input provenance (WYRIWE): stage 0 declares an input other than the attested one, a later step's
 *   input is neither the attested input nor the previous output, its witness is missing, or the input bytes do
 *   not hash to the declared input hash.
 * - `deadline`: the call lands at or after the task's deadline (given the chain's block time and the planned
 *   delays), or the deadline is not in the future / too far when dispatched.
 * - `verifier`: the stage verifier rejects the proof (invalid, denied, reverted, malformed verdict), or a gate's
 *   valid denial halts the task.
 * - `revert`: any other revert, named by its error (a malformed call: hash mismatches, ids reused, …).
 */
export type SimulationRule = "gas" | "output-size" | "policy" | "sentinel" | "deadline" | "verifier" | "revert";

/** Why a simulated call would fail. */
export type SimulationFailure = {
  rule: SimulationRule;
  /** The contract error (`AgentHandlerUnauthorizedAgent`), the prove rejection (`VerifierOutOfGas`), or the
   * simulator's own check (`GasLimitExceeded`, `TransactionTooLarge`, `OutOfGas`, `AgentTaskHalted`). */
  error: string;
  /** The error's arguments by name. */
  args: Readonly<Record<string, RevertArgument>>;
  /** One line naming the cause. */
  message: string;
};

/** The calls a workflow makes. */
export type SimulatedCallName = "callAgent" | "onAgentStep" | "onAgentProve" | "stepAndProve";

export type SimulatedCall = {
  call: SimulatedCallName;
  /** The stage the call is for (`undefined` for `callAgent`). */
  stage: number | undefined;
  /** The sender (impersonated on the simulation chain). */
  from: Address;
  /** `ok`: would succeed; `failed`: would fail (see `failure`); `skipped`: not run because an earlier call failed. */
  status: "ok" | "failed" | "skipped";
  ok: boolean;
  /** Gas the call used on the simulation chain (undefined when it was not mined: size check, skipped). */
  gasUsed: bigint | undefined;
  /** The gas limit it was checked against (`gasLimit` given, else the block gas limit). */
  gasLimit: bigint | undefined;
  /** Calldata size in bytes. */
  calldataBytes: number;
  /** The block timestamp the call was simulated at. */
  timestamp: bigint | undefined;
  /** For proves: `proven`, `finalized` or `halted`; for steps: `accepted`. */
  outcome: "dispatched" | "accepted" | "proven" | "finalized" | "halted" | undefined;
  failure: SimulationFailure | undefined;
};

/** How a planned stage is proven. */
export type SimulationProve =
  /** A ready verifier proof (without the 20-byte prove header: the simulator adds it for `onAgentProve`). */
  | { proof: Hex; producer?: undefined }
  /** Produced on the simulation chain, e.g. `localAttesterProofProducer` signing with local attester keys. */
  | { producer: ProofProducer; proof?: undefined };

/** One planned step of an agent, and optionally its prove. */
export type SimulationStep = {
  /** The stage (default: the next one). */
  stage?: number | undefined;
  /** The stepping agent (impersonated). */
  agent: Address;
  /** The agent's ERC-8004 id (default 0). */
  agentId?: bigint | undefined;
  /** Default: the task's attested input (stage input `task-input`) or the previous stage's output (`previous-output`). */
  inputHash?: Hex | undefined;
  /** The output bytes; `outputHash` defaults to their keccak256. */
  output?: Hex | undefined;
  outputHash?: Hex | undefined;
  /** Application data; the 52-byte witness is prepended unless `witness` is `false`. */
  data?: Hex | undefined;
  /** Prepend the witness computed from the simulated history (default true). */
  witness?: boolean | undefined;
  /** Default: whether the stage is the workflow's last. */
  isFinal?: boolean | undefined;
  /** How the stage is proven (absent: only the step is simulated). */
  prove?: SimulationProve | undefined;
  /** Record and prove in one `stepAndProve` (default false: `onAgentStep`, then `onAgentProve`). */
  atomic?: boolean | undefined;
  /** Who submits `onAgentProve` (default: the agent). */
  prover?: Address | undefined;
  /** Seconds between the previous call and this step (default: one block time). */
  delay?: number | undefined;
  /** Seconds between the step and its prove (default: one block time). */
  proveDelay?: number | undefined;
};

export type SimulationReport = {
  /** Every call would succeed. */
  ok: boolean;
  chainId: number;
  /** The simulation chain's latest block when it started (a fork from `createFork` is one empty local block on
   * top of the forked block). */
  blockNumber: bigint;
  /** Seconds per block assumed between calls. */
  blockTime: number;
  /** The effective task id the dispatch produced on the simulation chain (undefined if it failed). */
  taskId: Hex | undefined;
  deadline: bigint;
  /** Seconds left before the deadline at the last call that ran. */
  deadlineMargin: bigint | undefined;
  /** Whether the planned calls finalise the task. */
  finalized: boolean;
  calls: SimulatedCall[];
  /** The first failure (also on its call). */
  failure: (SimulationFailure & { call: SimulatedCallName; stage: number | undefined; index: number }) | undefined;
  /** Whether the simulation chain was restored afterwards (`evm_revert`). */
  restored: boolean;
};
