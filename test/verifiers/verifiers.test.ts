import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keccak256, stringToHex, zeroHash, type Hex } from "viem";
import { TaskStatus, Verdict, ChainParameterError } from "../../sdk/chain/index.js";
import {
  ClaimStatus,
  VerifierRevertedError,
  challengeClaim,
  commitRevealCommitment,
  commitRevealResult,
  commitRevealRoundId,
  commitVote,
  encodeCommitRevealProof,
  encodeOptimisticProof,
  getClaim,
  getCommitRevealRound,
  optimisticClaimId,
  proposeClaim,
  resolveClaim,
  revealVote,
  settleClaim,
  withdrawBonds,
} from "../../sdk/verifiers/index.js";
import { deployAgentExec } from "../contracts/helpers/fixture.js";

describe("sdk/verifiers against the v3 verifiers and the real handler", async () => {
  const f = await deployAgentExec();
  const { viem, publicClient, networkHelpers } = f;
  const wallets = await viem.getWalletClients();
  const voters = [wallets[5]!, wallets[6]!, wallets[7]!];
  const arbiter = wallets[8]!;
  const agent = f.accounts.agent;
  const cr = await viem.deployContract("CommitRevealVerifier", [voters.map((w) => w.account.address), 2n, 600n, 600n]);
  const ov = await viem.deployContract("OptimisticVerifier", [arbiter.account.address, 3600n, 86400n, 10n ** 15n, 2n * 10n ** 15n]);

  it("commit-reveal helpers match the contract", async () => {
    const taskId = keccak256(stringToHex("t"));
    const roundId = commitRevealRoundId({ chainId: f.chainId, verifier: cr.address, handler: f.handler.address, taskId, stage: 3 });
    assert.equal(roundId, await cr.read.roundId([f.handler.address, taskId, 3]));
    const vote = { inputHash: zeroHash, outputHash: keccak256("0x01"), agent: agent.account.address, isFinal: true };
    const salt = keccak256("0x02");
    assert.equal(
      commitRevealCommitment({ ...vote, roundId, voter: voters[0]!.account.address, salt }),
      await cr.read.commitmentOf([roundId, voters[0]!.account.address, vote.inputHash, vote.outputHash, vote.agent, true, salt]),
    );
    assert.equal(encodeCommitRevealProof(), "0x");
    assert.throws(() => commitRevealResult({ ...vote, agent: "0x12" }), ChainParameterError);
  });

  it("a committee's consensus proves a stage: commitVote → revealVote → onAgentProve finalises", async () => {
    const { workflowHash } = await f.registerWorkflow([{ verifier: cr.address }]);
    const { taskId, inputHash } = await f.dispatch(workflowHash);
    const { output, outputHash } = f.output("consensus answer");
    await f.mined(f.handlerAsAgent.write.onAgentStep([taskId, inputHash, outputHash, output, 7n, agent.account.address, 0, true, "0x"]));
    const vote = { verifier: cr.address, handler: f.handler.address, taskId, stage: 0, inputHash, outputHash, agent: agent.account.address, isFinal: true };
    const salts: Hex[] = [];
    for (const w of voters) salts.push((await commitVote(w, vote)).salt);
    // Revealing during the commit phase is refused, by name.
    await assert.rejects(revealVote(voters[0]!, { ...vote, salt: salts[0]! }), (e: unknown) => e instanceof VerifierRevertedError && e.errorName === "CommitRevealRevealNotOpen");
    await networkHelpers.time.increase(600);
    for (const [i, w] of voters.slice(0, 2).entries()) await revealVote(w, { ...vote, salt: salts[i]! });
    const round = await getCommitRevealRound(publicClient, { verifier: cr.address, handler: f.handler.address, taskId, stage: 0 });
    assert.equal(round.commits, 3);
    assert.equal(round.reveals, 2);
    assert.equal(round.decided, commitRevealResult(vote));
    await f.mined(f.handlerAsAgent.write.onAgentProve([taskId, inputHash, outputHash, f.ph(encodeCommitRevealProof()), cr.address, 0]));
    assert.equal((await f.handler.read.taskOf([taskId])).status, TaskStatus.Finalized);
  });

  it("an unchallenged optimistic claim proves a stage; bonds come back", async () => {
    const { workflowHash } = await f.registerWorkflow([{ verifier: ov.address }]);
    const { taskId, inputHash } = await f.dispatch(workflowHash, { deadlineIn: 86_400n * 3n });
    const { output, outputHash } = f.output("optimistic answer");
    await f.mined(f.handlerAsAgent.write.onAgentStep([taskId, inputHash, outputHash, output, 7n, agent.account.address, 0, true, "0x"]));
    const claim = { verifier: ov.address, handler: f.handler.address, taskId, stage: 0, agent: agent.account.address, isFinal: true, inputHash, outputHash, verdict: Verdict.Approved } as const;
    const { claimId, bond } = await proposeClaim(agent, claim);
    assert.equal(bond, 10n ** 15n);
    assert.equal(claimId, optimisticClaimId({ ...claim, chainId: f.chainId }));
    assert.equal((await getClaim(publicClient, { verifier: ov.address, claimId })).statusName, "Pending");
    await networkHelpers.time.increase(3600);
    assert.equal((await getClaim(publicClient, { verifier: ov.address, claimId })).accepted, true);
    await f.mined(f.handlerAsAgent.write.onAgentProve([taskId, inputHash, outputHash, f.ph(encodeOptimisticProof({ verdict: Verdict.Approved })), ov.address, 0]));
    assert.equal((await f.handler.read.taskOf([taskId])).status, TaskStatus.Finalized);
    await settleClaim(f.accounts.stranger, { verifier: ov.address, claimId });
    const { amount } = await withdrawBonds(agent, { verifier: ov.address });
    assert.equal(amount, 10n ** 15n);
    await assert.rejects(withdrawBonds(agent, { verifier: ov.address }), (e: unknown) => e instanceof VerifierRevertedError && e.errorName === "OptimisticNothingToWithdraw");
  });

  it("a challenged claim rejected by the arbiter pays the challenger both bonds", async () => {
    const taskId = keccak256(stringToHex("disputed"));
    const claim = { verifier: ov.address, handler: f.handler.address, taskId, stage: 0, agent: agent.account.address, isFinal: true, inputHash: zeroHash, outputHash: zeroHash, verdict: Verdict.Denied } as const;
    const { claimId } = await proposeClaim(agent, claim);
    const { bond } = await challengeClaim(f.accounts.stranger, { verifier: ov.address, claimId });
    assert.equal(bond, 2n * 10n ** 15n);
    await assert.rejects(resolveClaim(f.accounts.stranger, { verifier: ov.address, claimId, upheld: true }), (e: unknown) => e instanceof VerifierRevertedError && e.errorName === "OptimisticNotArbiter");
    await resolveClaim(arbiter, { verifier: ov.address, claimId, upheld: false });
    const c = await getClaim(publicClient, { verifier: ov.address, claimId });
    assert.equal(c.status, ClaimStatus.Rejected);
    const { amount } = await withdrawBonds(f.accounts.stranger, { verifier: ov.address });
    assert.equal(amount, 3n * 10n ** 15n);
    assert.throws(() => encodeOptimisticProof({ verdict: 0 as unknown as typeof Verdict.Approved }), ChainParameterError);
  });
});
