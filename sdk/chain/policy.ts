/**
 * Workflow stage policies as the on-chain registry holds them (contracts/interfaces/IWorkflowPolicyRegistry.sol).
 * `policyDigest` reproduces the `policyDigest` of the `WorkflowRegistered` event, so a client can check that the
 * policy registered for a workflow hash is the one its workflow document implies.
 */
import { encodeAbiParameters, keccak256, zeroHash, type Address, type Hex } from "viem";
import { agentHandlerAbi } from "./abis.js";
import { isSentinelPipeline } from "./wyriwe.js";

export const Resolution = { Async: 0, Sync: 1 } as const;
export type Resolution = (typeof Resolution)[keyof typeof Resolution];
export const InputSource = { AttestedTaskInput: 0, PreviousOutput: 1 } as const;
export type InputSource = (typeof InputSource)[keyof typeof InputSource];
export const AgentAuth = { Allowlist: 0, Registry: 1, Open: 2 } as const;
export type AgentAuth = (typeof AgentAuth)[keyof typeof AgentAuth];

/** The task lifecycle (IAgentExecHandler.TaskStatus). */
export const TaskStatus = { None: 0, Active: 1, Halted: 2, Finalized: 3, Expired: 4 } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** Why a prove was rejected (IAgentExecHandler.ProveRejection). */
export const ProveRejection = {
  None: 0,
  VerifierReverted: 1,
  VerifierOutOfGas: 2,
  MalformedVerdict: 3,
  InvalidProof: 4,
  Denied: 5,
} as const;
export type ProveRejection = (typeof ProveRejection)[keyof typeof ProveRejection];

/** Limits enforced by AgentHandler's registry. */
export const POLICY_LIMITS = { maxStages: 64, minVerifierGas: 10_000, maxVerifierGas: 5_000_000 } as const;

export type StagePolicy = {
  resolution: Resolution;
  gating: boolean;
  input: InputSource;
  verifier: Address;
  verifierGasLimit: number;
};

export type WorkflowPolicy = {
  stages: readonly StagePolicy[];
  minFinalStage: number;
  pipelineHash: Hex;
  agentAuth: AgentAuth;
  agentRegistry: Address;
  agents: readonly Address[];
};

const registerWorkflow = agentHandlerAbi.find((x) => x.type === "function" && x.name === "registerWorkflow");
if (!registerWorkflow || registerWorkflow.type !== "function") throw new Error("ABI: registerWorkflow missing");
const policyParameter = registerWorkflow.inputs[1];

/** The policy as the registry stores it: the identity pipeline reads as zero. */
export function normalizePolicy(policy: WorkflowPolicy): WorkflowPolicy {
  return isSentinelPipeline(policy.pipelineHash) ? { ...policy, pipelineHash: zeroHash } : policy;
}

/** `keccak256(abi.encode(policy))` of the normalised policy, as emitted in `WorkflowRegistered`. */
export function policyDigest(policy: WorkflowPolicy): Hex {
  const p = normalizePolicy(policy);
  return keccak256(
    encodeAbiParameters(
      [policyParameter],
      [
        {
          stages: p.stages.map((s) => ({ ...s })),
          minFinalStage: p.minFinalStage,
          pipelineHash: p.pipelineHash,
          agentAuth: p.agentAuth,
          agentRegistry: p.agentRegistry,
          agents: [...p.agents],
        },
      ],
    ),
  );
}
