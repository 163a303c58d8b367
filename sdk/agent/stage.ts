/**
 * One stage of a task: run its executor, turn each node's output into an ECT (`wid` = the task id, `out_hash` =
 * SHA-256 of the output), and derive what the step carries: `outputHash = stageOutputHash(out_hashes)` and
 * `data = witness ‖ encodeStepPayload({ ects })`. The output bytes themselves are not put on-chain (the handler
 * would check them against keccak256, and the step's hash is the ECT's SHA-256): they stay in the journal, and the
 * ECTs in the step data name them. A stage that declares `capsule: true` also gets its Agent Action Capsule
 * (./capsule.ts), carried in the same payload: `encodeStepPayload({ ects, capsules: [capsule JSON] })`.
 */
import { bytesToHex, encodeAbiParameters, isHex, stringToHex, type Address, type Hex } from "viem";
import { stageOutputHash } from "../bridge/stepPayload.js";
import { encodeStepPayload } from "../bridge/stepPayload.js";
import { encodeStepData, stepWitness } from "../chain/step.js";
import { createEct, type EctSigner } from "../ect/create.js";
import type { WorkflowDocument } from "../workflow/types.js";
import type { CapsuleCoseSigner } from "../capsule/es256.js";
import { buildStageCapsule, type StageCapsuleSpec } from "./capsule.js";
import { AgentRuntimeError } from "./errors.js";
import type { JournalStage } from "./journal.js";

/** An output as an executor may return it: hex, bytes, or text (UTF-8). */
export type StageOutputValue = Hex | Uint8Array | string;

/** A finished stage, as later stages see it. */
export type StageOutput = {
  stage: number;
  outputHash: Hex;
  /** Node outputs, in the stage's node order. */
  outputs: readonly { node: string; output: Hex }[];
};

export type StageExecutorContext = {
  taskId: Hex;
  handler: Address;
  stage: number;
  stageName: string;
  /** The ATD nodes this stage runs. */
  nodes: readonly string[];
  /**
   * The stage's declared input: the task input (`task-input`), or the previous stage's output (`previous-output`:
   * its one node's output, or `abi.encode(bytes[])` of its nodes' outputs on a fan-out).
   */
  input: Hex;
  taskInput: Hex;
  /** The outputs of every earlier stage. */
  previousOutputs: readonly StageOutput[];
  document: WorkflowDocument;
  /** Aborted when the task's deadline (less the runtime's margin) passes, or the runtime stops. */
  signal: AbortSignal;
};

/**
 * One output for a one-node stage, or an object: `outputs: { [node]: output }` for every node of the stage (or
 * `output` for a one-node stage). `final: true` ends the task at this stage (allowed from the policy's
 * `minFinalStage` on). `capsule` describes the stage's Agent Action Capsule (stages with `capsule: true` only;
 * absent members take the defaults of ./capsule.ts).
 */
export type StageExecutorResult =
  | StageOutputValue
  | {
      outputs?: Readonly<Record<string, StageOutputValue>> | undefined;
      output?: StageOutputValue | undefined;
      final?: boolean | undefined;
      capsule?: StageCapsuleSpec | undefined;
    };

export type StageExecutor = (context: StageExecutorContext) => Promise<StageExecutorResult>;

/** The ECT issuer identity and key. */
export type AgentEctIdentity = {
  signer: EctSigner;
  /** The agent's workload identity (`iss`). */
  iss: string;
  /** The audience (`aud`), e.g. the verifier service or the handler's URI. */
  aud: string | readonly string[];
};

export function toHexOutput(value: StageOutputValue): Hex {
  if (value instanceof Uint8Array) return bytesToHex(value);
  if (typeof value === "string") return isHex(value, { strict: true }) ? (value.toLowerCase() as Hex) : stringToHex(value);
  throw new AgentRuntimeError("AGENT_EXECUTOR_FAILED", { details: "an executor returned something other than hex, bytes or text" });
}

/** The declared input bytes of a stage that chains on `previous`. */
export function chainedInput(previous: StageOutput): Hex {
  if (previous.outputs.length === 1) return previous.outputs[0]!.output;
  return encodeAbiParameters([{ type: "bytes[]" }], [previous.outputs.map((o) => o.output)]);
}

/** The ECT `jti` of a node's execution in a task: unique within the task's `wid`. */
export const ectJti = (taskId: Hex, node: string) => `${taskId.toLowerCase()}:${node}`;

export type BuildStageParameters = {
  taskId: Hex;
  stage: number;
  document: WorkflowDocument;
  result: StageExecutorResult;
  /** The step's inputHash (already derived from the policy's input source). */
  inputHash: Hex;
  /** The witness the step needs (undefined for stage 0). */
  witness: Hex | undefined;
  identity: AgentEctIdentity;
  /** Milliseconds clock for `iat`. */
  clock: () => number;
  /** Whether the step ends the task. */
  isFinal: (executorSaysFinal: boolean) => boolean;
  /** What a Capsule stage (`capsule: true`) needs besides the executor's result. */
  capsule?: StageCapsuleContext | undefined;
};

/** The task and key a stage's Capsule is built and signed with. */
export type StageCapsuleContext = {
  signer: CapsuleCoseSigner;
  chainId: number;
  handler: Address;
  requester: Address;
  agentWorkflowHash: Hex;
};

/** Builds the stage's ECTs and step fields from the executor's result. */
export async function buildStage(p: BuildStageParameters): Promise<JournalStage> {
  const st = p.document.stages[p.stage];
  if (!st) throw new AgentRuntimeError("AGENT_WORKFLOW_MISMATCH", { details: `the document has no stage ${p.stage}` });
  const byNode = new Map<string, Hex>();
  let final = false;
  let capsuleSpec: StageCapsuleSpec | undefined;
  if (typeof p.result === "object" && p.result !== null && !(p.result instanceof Uint8Array)) {
    const r = p.result;
    if (r.outputs !== undefined && r.output !== undefined) throw new AgentRuntimeError("AGENT_EXECUTOR_FAILED", { details: `stage ${p.stage}: return outputs or output, not both` });
    if (r.output !== undefined) {
      if (st.nodes.length !== 1) throw new AgentRuntimeError("AGENT_EXECUTOR_FAILED", { details: `stage ${p.stage} runs ${st.nodes.length} nodes: return { outputs: { node: output } }` });
      byNode.set(st.nodes[0]!, toHexOutput(r.output));
    } else if (r.outputs && typeof r.outputs === "object") {
      for (const [node, v] of Object.entries(r.outputs)) byNode.set(node, toHexOutput(v));
    }
    final = r.final === true;
    capsuleSpec = r.capsule;
    if (capsuleSpec !== undefined && st.capsule !== true) {
      throw new AgentRuntimeError("AGENT_EXECUTOR_FAILED", { details: `stage ${p.stage} ("${st.name}") returned a capsule, but the workflow does not declare capsule: true for it` });
    }
  } else {
    if (st.nodes.length !== 1) {
      throw new AgentRuntimeError("AGENT_EXECUTOR_FAILED", { details: `stage ${p.stage} runs ${st.nodes.length} nodes: return { outputs: { node: output } }` });
    }
    byNode.set(st.nodes[0]!, toHexOutput(p.result));
  }
  for (const node of st.nodes) {
    if (!byNode.has(node)) throw new AgentRuntimeError("AGENT_EXECUTOR_FAILED", { details: `stage ${p.stage}: no output for node "${node}"` });
  }
  for (const node of byNode.keys()) {
    if (!st.nodes.includes(node)) throw new AgentRuntimeError("AGENT_EXECUTOR_FAILED", { details: `stage ${p.stage}: "${node}" is not one of its nodes` });
  }
  // Parents: the graph's predecessors of each node (they ran in earlier stages of this task).
  const edges = p.document.graph.edges ?? [];
  const wid = p.taskId.toLowerCase();
  const ects: { jti: string; token: string; outHash: string; node: string; output: Hex; iat: number }[] = [];
  for (const node of st.nodes) {
    const output = byNode.get(node)!;
    const par = edges.filter((e) => e.to === node).map((e) => ectJti(p.taskId, e.from));
    const jti = ectJti(p.taskId, node);
    const { token, claims } = await createEct({
      signer: p.identity.signer,
      iss: p.identity.iss,
      aud: p.identity.aud,
      exec_act: `${st.name}/${node}`,
      jti,
      par,
      wid,
      output: Buffer.from(output.slice(2), "hex"),
      clock: p.clock,
    });
    ects.push({ jti, token, outHash: claims.out_hash!, node, output, iat: claims.iat as number });
  }
  // Within a stage, ECTs are ordered by jti (the order their out_hashes enter stageOutputHash).
  ects.sort((a, b) => (a.jti < b.jti ? -1 : a.jti > b.jti ? 1 : 0));
  const outputHash = stageOutputHash(ects.map((e) => e.outHash));
  let capsule: JournalStage["capsule"];
  if (st.capsule === true) {
    if (!p.capsule) throw new AgentRuntimeError("AGENT_CAPSULE_KEY_MISSING", { details: `stage ${p.stage} ("${st.name}") declares capsule: true and no capsule signer was given` });
    capsule = (
      await buildStageCapsule({
        spec: capsuleSpec,
        stage: p.stage,
        stageDefinition: st,
        ...p.capsule,
        taskId: p.taskId,
        outputHash,
        ects: ects.map((e) => ({ jti: e.jti, iat: e.iat, iss: p.identity.iss })),
      })
    ).journal;
  }
  const payload = encodeStepPayload({ ects: ects.map((e) => e.token), capsules: capsule ? [capsule.json] : [] });
  return {
    stage: p.stage,
    inputHash: p.inputHash,
    outputHash,
    data: encodeStepData(p.witness, payload),
    outputs: st.nodes.map((node) => ({ node, output: byNode.get(node)! })),
    isFinal: p.isFinal(final),
    ...(capsule ? { capsule } : {}),
  };
}

export { stepWitness };
