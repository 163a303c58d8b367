/**
 * Workflow stage policies as the on-chain registry holds them (contracts/interfaces/IWorkflowPolicyRegistry.sol).
 * `policyDigest` reproduces the `policyDigest` of the `WorkflowRegistered` event, so a client can check that the
 * policy registered for a workflow hash is the one its workflow document implies.
 */
import { encodeAbiParameters, keccak256, zeroHash, type Address, type Hex } from "viem";
import { agentHandlerAbi } from "./abis.js";
import { isSentinelPipeline } from "./wyriwe.js";
import { ChainParameterError } from "./errors.js";
import { assertAddress, assertBool, assertBytes32, assertObject, assertUint } from "./validate.js";

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
  /** The verifier account has no code: it was not called (fails closed). */
  VerifierNoCode: 6,
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
  /** Who may request tasks of the workflow; empty or absent: anyone. */
  requesters?: readonly Address[] | undefined;
};

const registerWorkflow = agentHandlerAbi.find((x) => x.type === "function" && x.name === "registerWorkflow");
if (!registerWorkflow || registerWorkflow.type !== "function") throw new Error("ABI: registerWorkflow missing");
const policyParameter = registerWorkflow.inputs[1];

/**
 * The policy as the registry stores it: the identity pipeline reads as zero and an absent `requesters` as `[]`.
 * Throws {@link ChainParameterError} for a malformed policy (shape only; the registry enforces the rules).
 */
export function normalizePolicy(policy: WorkflowPolicy): WorkflowPolicy & { requesters: readonly Address[] } {
  assertPolicyShape(policy);
  const requesters = policy.requesters ?? [];
  return {
    ...policy,
    pipelineHash: isSentinelPipeline(policy.pipelineHash) ? zeroHash : policy.pipelineHash,
    requesters,
  };
}

function assertPolicyShape(policy: WorkflowPolicy): void {
  assertObject("policy", policy);
  if (!Array.isArray(policy.stages)) throw new ChainParameterError("policy.stages", "expected an array of stages");
  policy.stages.forEach((s, i) => {
    assertObject(`policy.stages[${i}]`, s);
    assertUint(`policy.stages[${i}].resolution`, s.resolution, 1n);
    assertBool(`policy.stages[${i}].gating`, s.gating);
    assertUint(`policy.stages[${i}].input`, s.input, 1n);
    assertAddress(`policy.stages[${i}].verifier`, s.verifier);
    assertUint(`policy.stages[${i}].verifierGasLimit`, s.verifierGasLimit, 2n ** 32n - 1n);
  });
  assertUint("policy.minFinalStage", policy.minFinalStage, 255n);
  assertBytes32("policy.pipelineHash", policy.pipelineHash);
  assertUint("policy.agentAuth", policy.agentAuth, 2n);
  assertAddress("policy.agentRegistry", policy.agentRegistry);
  if (!Array.isArray(policy.agents)) throw new ChainParameterError("policy.agents", "expected an array of addresses");
  policy.agents.forEach((a, i) => assertAddress(`policy.agents[${i}]`, a));
  if (policy.requesters !== undefined) {
    if (!Array.isArray(policy.requesters)) {
      throw new ChainParameterError("policy.requesters", "expected an array of addresses");
    }
    policy.requesters.forEach((a, i) => assertAddress(`policy.requesters[${i}]`, a));
  }
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
          requesters: [...p.requesters],
        },
      ],
    ),
  );
}
