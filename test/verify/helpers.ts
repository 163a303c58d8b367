/**
 * Builds verifiable tasks on the Hardhat network for the verify tests and the verify bench: `stages` stages, each
 * carrying `ectsPerStage` ECTs (a chain inside the stage, linked to the previous stage's last ECT) in its step data,
 * stepped and proven through the SDK's actions.
 */
import { generateKeyPairSync } from "node:crypto";
import { stringToHex, keccak256, sha256, type Hex } from "viem";
import { InputSource, Resolution, encodeStepData, stageAttestationTypedData, stepWitness } from "../../sdk/chain/index.js";
import { callAgent, stepAndProve, submitProve, submitStep } from "../../sdk/chain/actions/index.js";
import { createEct, createEctSigner, InMemoryAgentKeyStore, type EctSigner } from "../../sdk/ect/index.js";
import { encodeStepPayload } from "../../sdk/bridge/index.js";
import type { AgentExecFixture } from "../contracts/helpers/fixture.js";

export const ISS = "spiffe://agents.example/agent/worker";
export const AUD = "spiffe://agents.example/verifier";

export type EctKit = { signer: EctSigner; keyStore: InMemoryAgentKeyStore };

export async function ectKit(): Promise<EctKit> {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signer = await createEctSigner({ kid: "worker-1", privateKey });
  return { signer, keyStore: new InMemoryAgentKeyStore([{ kid: "worker-1", subject: ISS, publicKey }]) };
}

export type BuildTaskOptions = {
  stages: number;
  ectsPerStage: number;
  /** One `stepAndProve` per stage (default) or `onAgentStep` then `onAgentProve`. */
  mode?: "stepAndProve" | "separate";
  /** Sign the last ECT of this stage over another output than the step's (an agent swapping its output). */
  swapOutputAt?: number;
  /** Submit a forged prove (signed by a non-attester) before the real one at this stage (separate mode). */
  forgedProveAt?: number;
  /** Stop after stepping this stage, leaving it unproven. */
  stopAfterStepAt?: number;
};

export async function buildTask(f: AgentExecFixture, kit: EctKit, o: BuildTaskOptions) {
  const { requester, agent, stranger } = f.accounts;
  const stages = Array.from({ length: o.stages }, (_, i) => ({
    resolution: Resolution.Async,
    input: i === 0 ? InputSource.AttestedTaskInput : InputSource.PreviousOutput,
  }));
  const { workflowHash, document } = await f.registerWorkflow(stages);
  const input = stringToHex("the task input");
  const now = BigInt(await f.networkHelpers.time.latest());
  const { taskId, inputHash } = await callAgent(requester, {
    caller: f.caller.address,
    handler: f.handler.address,
    agentWorkflowHash: workflowHash,
    agentWorkflow: stringToHex(document),
    deadline: now + 36_000n,
    input,
  });
  const wid = taskId.toLowerCase();
  const iat = Number(now);
  const outputs: Hex[] = [];
  let prevInput: Hex = inputHash;
  let prevOutputHash: Hex | undefined;
  for (let s = 0; s < o.stages; s++) {
    const output = stringToHex(`output of stage ${s}`);
    const outputHash = keccak256(output);
    const stageInput = s === 0 ? inputHash : (prevOutputHash as Hex);
    const ects: string[] = [];
    for (let j = 0; j < o.ectsPerStage; j++) {
      const last = j === o.ectsPerStage - 1;
      const par = j > 0 ? [`t${s}-${j - 1}`] : s > 0 ? [`t${s - 1}-${o.ectsPerStage - 1}`] : [];
      const signedOutput = last ? (o.swapOutputAt === s ? stringToHex("an output the agent did not commit") : output) : stringToHex(`intermediate ${s}.${j}`);
      const { token } = await createEct({
        signer: kit.signer,
        iss: ISS,
        aud: AUD,
        exec_act: `stage-${s}-action-${j}`,
        jti: `t${s}-${j}`,
        par,
        wid,
        iat: iat + s,
        exp: iat + 36_000,
        out_hash: Buffer.from(sha256(signedOutput).slice(2), "hex").toString("base64url"),
      });
      ects.push(token);
    }
    const appData = encodeStepPayload({ ects });
    const witness = stepWitness({ stage: s, chained: s > 0, previousInputHash: prevInput, previousAgent: agent.account.address });
    const data = encodeStepData(witness, appData);
    const common = { handler: f.handler.address, taskId, stage: s, inputHash: stageInput, outputHash, output, isFinal: s === o.stages - 1, data };
    if (o.mode === "separate" || o.forgedProveAt !== undefined || o.stopAfterStepAt !== undefined) {
      await submitStep(agent, common);
      if (o.stopAfterStepAt === s) return { taskId, inputHash, outputs, workflowHash };
      if (o.forgedProveAt === s) {
        const isFinal = s === o.stages - 1;
        const forged = await f.stageProof(taskId, s, stageInput, outputHash, 1, { isFinal }); // valid shape, re-signed below by a stranger
        const sig = await stranger.signTypedData(
          stageAttestationTypedData({
            chainId: f.chainId,
            verifier: f.ecdsa.address,
            handler: f.handler.address,
            taskId,
            stage: s,
            agent: agent.account.address,
            isFinal,
            inputHash: stageInput,
            outputHash,
            verdict: 1,
          }),
        );
        const bad = `${forged.slice(0, 4)}${sig.slice(2)}` as Hex;
        await submitProve(stranger, { handler: f.handler.address, taskId, stage: s, inputHash: stageInput, outputHash, proof: bad, verifier: f.ecdsa.address });
      }
      await submitProve(stranger, {
        handler: f.handler.address,
        taskId,
        stage: s,
        inputHash: stageInput,
        outputHash,
        proof: await f.stageProof(taskId, s, stageInput, outputHash, 1, { isFinal: s === o.stages - 1 }),
        verifier: f.ecdsa.address,
      });
    } else {
      const r = await stepAndProve(agent, { ...common, proof: await f.stageProof(taskId, s, stageInput, outputHash, 1, { isFinal: s === o.stages - 1 }) });
      if (r.outcome.status !== "proven") throw new Error(`stage ${s} not proven: ${r.outcome.status}`);
    }
    outputs.push(output);
    prevInput = stageInput;
    prevOutputHash = outputHash;
  }
  return { taskId, inputHash, outputs, workflowHash };
}
