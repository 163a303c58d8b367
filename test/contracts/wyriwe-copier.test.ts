/**
 * Trust gap 1 on WYRIWE-verified stages, end to end through the SDK: a watcher copies the honest agent's pending
 * step under its own agent (with `isFinal = true`) and submits the honest attesters' public WYRIWE attestation
 * (built with the SDK's `wyriweAttestationTypedData` / `encodeWyriweProof`). The attestation binds `agent` and
 * `isFinal`, so the copy never verifies — off-chain (`verifyStageProof`), in the verifier (asked from the handler)
 * and on the handler — at stage 0 and at a later stage (whose proof carries stage 0's witness).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hashTypedData, zeroHash, type Address, type Hex } from "viem";
import { AgentAuth, ProveRejection, TaskStatus, Verdict, wyriweAttestationTypedData } from "../../sdk/chain/index.js";
import { verifyStageProof } from "../../sdk/verify/index.js";
import { deployAgentExec } from "./helpers/fixture.js";

for (const auth of [AgentAuth.Open, AgentAuth.Allowlist] as const) {
  const label = auth === AgentAuth.Open ? "Open" : "Allowlist";
  describe(`WYRIWE copier (${label} auth): the honest attestation never proves a copied step`, async () => {
    const f = await deployAgentExec();
    const { viem, publicClient } = f;
    const agent = f.accounts.agent.account.address;
    const copier = f.accounts.stranger.account.address;
    // Three rounds that may end after round 0, every stage on the attested input and verified by WYRIWE.
    const { workflowHash } = await f.registerWorkflow([{ verifier: "wyriwe" }, { verifier: "wyriwe" }, { verifier: "wyriwe" }], {
      minFinalStage: 0,
      agentAuth: auth,
      agents: auth === AgentAuth.Allowlist ? [agent, copier] : [],
    });

    /** The EIP-712 digest the copy would need (what the verifier reports for the rejected prove). */
    const digestFor = (taskId: Hex, stage: number, by: Address, isFinal: boolean, outputHash: Hex, declaredInputHash: Hex) =>
      hashTypedData(
        wyriweAttestationTypedData({
          chainId: f.chainId,
          verifier: f.wyriwe.address,
          handler: f.handler.address,
          taskId,
          stage,
          agent: by,
          isFinal,
          declaredInputHash,
          pipelineHash: zeroHash,
          outputHash,
          verdict: Verdict.Approved,
        }),
      );

    async function assertCopyNeverVerifies(taskId: Hex, stage: number, inputHash: Hex, out: { output: Hex; outputHash: Hex }, data: Hex, stage0?: { outputHash0: Hex; agent0: Address }) {
      // The honest agent's attestation, public once its transaction is in the mempool.
      const honestProof = await f.wyriweProof(taskId, stage, inputHash, zeroHash, out.outputHash, Verdict.Approved, { stage0 });
      const common = { handler: f.handler.address, verifier: f.wyriwe.address, taskId, stage, inputHash, outputHash: out.outputHash, proof: honestProof, onChain: true };
      const honest = await verifyStageProof(publicClient, { ...common, agent, isFinal: false });
      assert.equal(honest.verdict, "approved", `the honest binding verifies: ${JSON.stringify(honest.checks)}`);
      assert.equal(honest.onChain?.verdict, "approved");

      await f.mined(f.handlerAsStranger.write.onAgentStep([taskId, inputHash, out.outputHash, out.output, 0n, copier, stage, true, data]));
      for (const [by, isFinal] of [[copier, true], [copier, false], [agent, true]] as const) {
        const r = await verifyStageProof(publicClient, { ...common, agent: by, isFinal });
        assert.equal(r.ok, false, `${by === copier ? "copier" : "honest agent"}, isFinal=${isFinal}`);
        assert.equal(r.verdict, "invalid");
        assert.equal(r.onChain?.verdict, "invalid", "the verifier agrees");
      }
      await viem.assertions.emitWithArgs(
        f.handlerAsStranger.write.onAgentProve([taskId, inputHash, out.outputHash, f.ph(honestProof, copier), f.wyriwe.address, stage]),
        f.handler,
        "AgentProveRejected",
        [taskId, stage, f.wyriwe.address, ProveRejection.InvalidProof, digestFor(taskId, stage, copier, true, out.outputHash, inputHash)],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.handlerAsStranger.write.onAgentProve([taskId, inputHash, out.outputHash, f.ph(honestProof, agent), f.wyriwe.address, stage]),
        f.handler,
        "AgentHandlerProveBindingMismatch",
        [taskId, stage, inputHash, out.outputHash],
      );
      const view = await f.handler.read.taskOf([taskId]);
      assert.equal(view.status, TaskStatus.Active, "the copy did not end the rounds");
      assert.equal(view.provenStages >> BigInt(stage), 0n, "the copy is unproven");
      return honestProof;
    }

    it("stage 0: the copy is rejected; the honest agent displaces it with its own proof and keeps the credit", async () => {
      const { taskId, inputHash } = await f.dispatch(workflowHash);
      const out0 = f.output("round 0");
      const honestProof = await assertCopyNeverVerifies(taskId, 0, inputHash, out0, "0x");
      await viem.assertions.emitWithArgs(
        f.handlerAsAgent.write.stepAndProve([
          { taskId, inputHash, outputHash: out0.outputHash, output: out0.output, agentId: 0n, agent, stage: 0, isFinal: false, data: f.witness(out0.outputHash, copier) },
          honestProof,
        ]),
        f.handler,
        "AgentStepReplaced",
        [taskId, 0, 0],
      );
      const view = await f.handler.read.taskOf([taskId]);
      assert.equal(view.provenStages, 1n);
      assert.equal(view.finalStepped, false, "the rounds go on");
    });

    it("a later stage (proof with stage 0's witness): the copy is rejected too", async () => {
      const { taskId, inputHash } = await f.dispatch(workflowHash);
      const out0 = f.output("round 0");
      const p0 = await f.wyriweProof(taskId, 0, inputHash, zeroHash, out0.outputHash);
      await f.mined(
        f.handlerAsAgent.write.stepAndProve([
          { taskId, inputHash, outputHash: out0.outputHash, output: out0.output, agentId: 0n, agent, stage: 0, isFinal: false, data: "0x" },
          p0,
        ]),
      );
      const out1 = f.output("round 1");
      const stage0 = { outputHash0: out0.outputHash, agent0: agent };
      const honestProof = await assertCopyNeverVerifies(taskId, 1, inputHash, out1, f.witness(out0.outputHash), stage0);
      // A wrong stage-0 witness fails the off-chain recheck by name.
      const wrong = await f.wyriweProof(taskId, 1, inputHash, zeroHash, out1.outputHash, Verdict.Approved, { stage0: { outputHash0: out1.outputHash, agent0: agent } });
      const r = await verifyStageProof(publicClient, { handler: f.handler.address, verifier: f.wyriwe.address, taskId, stage: 1, inputHash, outputHash: out1.outputHash, proof: wrong, agent, isFinal: false });
      assert.equal(r.checks.find((c) => c.id === "proof.wyriwe.witness")?.status, "fail");
      await f.mined(
        f.handlerAsAgent.write.stepAndProve([
          { taskId, inputHash, outputHash: out1.outputHash, output: out1.output, agentId: 0n, agent, stage: 1, isFinal: false, data: f.witness(out0.outputHash) },
          honestProof,
        ]),
      );
      const view = await f.handler.read.taskOf([taskId]);
      assert.equal(view.provenStages, 3n, "stages 0 and 1 proven, by the honest agent");
      assert.equal(view.finalStepped, false);
    });
  });
}
