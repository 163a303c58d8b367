/**
 * The one derivation rule from a workflow document to the on-chain stage policy (contracts/interfaces/
 * IWorkflowPolicyRegistry.sol). Deterministic and total on valid documents, so anyone holding the document can
 * recompute the policy and its `policyDigest` and compare with what the handler registered (`checkWorkflow`):
 *
 * | document                              | WorkflowPolicy                                             |
 * |---------------------------------------|------------------------------------------------------------|
 * | `stages[i].resolution` sync / async   | `stages[i].resolution` Sync / Async                        |
 * | `stages[i].gating` (absent = false)   | `stages[i].gating`                                         |
 * | `stages[i].input` task-input / previous-output | `stages[i].input` AttestedTaskInput / PreviousOutput |
 * | `stages[i].verifier.address`, `.gasLimit` | `stages[i].verifier`, `.verifierGasLimit`              |
 * | `minFinalStage` (absent = last stage) | `minFinalStage`                                            |
 * | `sanitisation.pipeline` (absent, null or the identity pipeline = none) | `pipelineHash` = keccak256(utf8(uri)), or zero |
 * | `agents.auth` allowlist / registry / open | `agentAuth` Allowlist / Registry / Open               |
 * | `agents.registry`                     | `agentRegistry` (zero otherwise)                           |
 * | `agents.allowlist` (in order)         | `agents` (empty otherwise)                                 |
 * | `requesters` (in order; absent = [])  | `requesters` (empty = anyone may request)                  |
 *
 * Stage names, ATD nodes, verifier kinds, capsules and agent descriptors are committed by the hash but do not
 * enter the policy: the handler cannot act on them.
 */
import { getAddress, zeroAddress, zeroHash, type Address, type Hex } from "viem";
import { AgentAuth, InputSource, Resolution, type WorkflowPolicy } from "../chain/policy.js";
import { pipelineHashOf } from "../chain/wyriwe.js";
import { parseWorkflow } from "./parseWorkflow.js";
import type { ValidateWorkflowOptions } from "./validateWorkflow.js";
import { declaresNoTransform } from "./validateWorkflow.js";

/** The registered policy: the v3 policy with its requester restriction. */
export type DerivedWorkflowPolicy = WorkflowPolicy & { requesters: readonly Address[] };

export type DeriveWorkflowPolicyReturnType = {
  workflowHash: Hex;
  agentWorkflow: Hex;
  policy: DerivedWorkflowPolicy;
};

/** Derives the stage policy a document declares. Throws the typed error of the first finding if it is invalid. */
export function deriveWorkflowPolicy(input: unknown, options: ValidateWorkflowOptions = {}): DeriveWorkflowPolicyReturnType {
  const { document: doc, workflowHash, agentWorkflow } = parseWorkflow(input, options);
  const policy: DerivedWorkflowPolicy = {
    stages: doc.stages.map((s) => ({
      resolution: s.resolution === "sync" ? Resolution.Sync : Resolution.Async,
      gating: s.gating === true,
      input: s.input === "task-input" ? InputSource.AttestedTaskInput : InputSource.PreviousOutput,
      verifier: getAddress(s.verifier.address),
      verifierGasLimit: s.verifier.gasLimit,
    })),
    minFinalStage: doc.minFinalStage ?? doc.stages.length - 1,
    pipelineHash: declaresNoTransform(doc) ? zeroHash : pipelineHashOf(doc.sanitisation!.pipeline),
    agentAuth: doc.agents.auth === "allowlist" ? AgentAuth.Allowlist : doc.agents.auth === "registry" ? AgentAuth.Registry : AgentAuth.Open,
    agentRegistry: doc.agents.auth === "registry" ? getAddress(doc.agents.registry) : zeroAddress,
    agents: doc.agents.auth === "allowlist" ? doc.agents.allowlist.map((a) => getAddress(a)) : [],
    requesters: (doc.requesters ?? []).map((a) => getAddress(a)),
  };
  return { workflowHash, agentWorkflow, policy };
}
