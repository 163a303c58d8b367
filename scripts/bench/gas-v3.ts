/**
 * `npm run bench:gas-v3` (`hardhat run scripts/bench/gas-v3.ts`): gas of the v3 additions on the embedded Hardhat
 * network — DigestAnchor (anchoring 1 and 1,000 digests under one root, inclusion checks), CommitRevealVerifier and
 * OptimisticVerifier (each call, and a full 1-stage task proven through each) — printed and written to
 * benchmarks/gas-v3.md. Figures are recorded, never asserted by tests.
 */
import { network } from "hardhat";
import { mkdirSync, writeFileSync } from "node:fs";
import { encodeFunctionData, keccak256, stringToHex, toHex, zeroAddress, zeroHash, type Hex } from "viem";
import { AgentAuth, InputSource, Resolution, Verdict, computeTaskId, encodeProveProof } from "../../sdk/chain/index.js";
import { buildDigestTree, getDigestProof, taskAnchorScope, batchAnchorScope } from "../../sdk/anchor/index.js";
import { commitRevealCommitment, commitRevealRoundId, encodeCommitRevealProof, encodeOptimisticProof } from "../../sdk/verifiers/index.js";
import { deployCore, namedWallets } from "../lib/core.js";

const { viem, networkHelpers } = await network.create();
const publicClient = await viem.getPublicClient();
const { operator: owner, requester, agent, attester, stranger } = await namedWallets(viem);
const wallets = await viem.getWalletClients();
const chainId = await publicClient.getChainId();
const { caller, handler } = await deployCore(viem, { owner: owner.account.address, attesters: [attester.account.address] });

async function gasOf(hash: Promise<Hex> | Hex): Promise<bigint> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
  if (receipt.status !== "success") throw new Error("transaction reverted");
  return receipt.gasUsed;
}
const rows: Array<[string, bigint | string, string]> = [];
const record = (name: string, gas: bigint | string, note = "") => {
  rows.push([name, gas, note]);
  console.log(`${name.padEnd(62)} ${String(gas).padStart(9)}  ${note}`);
};

// ---------------------------------------------------------------- DigestAnchor
const anchor = await viem.deployContract("DigestAnchor");
const authority = await viem.deployContract("MockAnchorAuthority");
const anchorAsRequester = await viem.getContractAt("DigestAnchor", anchor.address, { client: { wallet: requester } });
const digests = (n: number, tag: string) => Array.from({ length: n }, (_, i) => keccak256(stringToHex(`${tag}-${i}`)));
const taskA = keccak256(stringToHex("bench-task-1"));
const taskB = keccak256(stringToHex("bench-task-1000"));
for (const t of [taskA, taskB]) await gasOf(authority.write.setAllowed([t, requester.account.address, true]));

const tree1 = buildDigestTree({ scope: taskAnchorScope({ chainId, anchor: anchor.address, handler: authority.address, taskId: taskA }), digests: digests(1, "a") });
const tree1k = buildDigestTree({ scope: taskAnchorScope({ chainId, anchor: anchor.address, handler: authority.address, taskId: taskB }), digests: digests(1000, "b") });
record("DigestAnchor.anchorTask, 1 digest (canAnchor via ERC-165 + staticcall)", await gasOf(anchorAsRequester.write.anchorTask([authority.address, taskA, tree1.root, 1])));
record("DigestAnchor.anchorTask, 1,000 digests under one root", await gasOf(anchorAsRequester.write.anchorTask([authority.address, taskB, tree1k.root, 1000])));
record("DigestAnchor.anchorTask, 2nd root of the same task", await gasOf(anchorAsRequester.write.anchorTask([authority.address, taskB, keccak256("0x01"), 1000])));
const batchTree1 = buildDigestTree({ scope: batchAnchorScope({ chainId, anchor: anchor.address, anchorer: requester.account.address, batchId: taskA }), digests: digests(1, "c") });
const batchTree1k = buildDigestTree({ scope: batchAnchorScope({ chainId, anchor: anchor.address, anchorer: requester.account.address, batchId: taskB }), digests: digests(1000, "d") });
record("DigestAnchor.anchorBatch, 1 digest", await gasOf(anchorAsRequester.write.anchorBatch([taskA, batchTree1.root, 1])));
record("DigestAnchor.anchorBatch, 1,000 digests under one root", await gasOf(anchorAsRequester.write.anchorBatch([taskB, batchTree1k.root, 1000])));
const d1 = tree1.digests[0]!;
const d1k = tree1k.digests[500]!;
const proof1k = getDigestProof({ tree: tree1k, digest: d1k });
const est = (fn: "verifyTaskInclusion", args: readonly [Hex, Hex, Hex, Hex, Hex[]]) =>
  publicClient.estimateGas({
    to: anchor.address,
    data: encodeFunctionData({ abi: anchor.abi, functionName: fn, args }),
    account: stranger.account.address,
  });
record("verifyTaskInclusion, 1-digest tree (eth_estimateGas, incl. 21,000)", await est("verifyTaskInclusion", [authority.address, taskA, tree1.root, d1, []]));
record(`verifyTaskInclusion, 1,000-digest tree (proof of ${proof1k.length})`, await est("verifyTaskInclusion", [authority.address, taskB, tree1k.root, d1k, proof1k]));

// ---------------------------------------------------------------- tasks through the handler
let salt = 0n;
const inputHash = keccak256(stringToHex("declared input"));
const outHash = keccak256(stringToHex("the answer"));
const handlerAsAgent = await viem.getContractAt("AgentHandler", handler.address, { client: { wallet: agent } });
const callerAsRequester = await viem.getContractAt("AgentCaller", caller.address, { client: { wallet: requester } });
async function oneStageTask(verifier: Hex, name: string) {
  const workflowHash = keccak256(stringToHex(name));
  await gasOf(
    handler.write.registerWorkflow([
      workflowHash,
      {
        stages: [{ resolution: Resolution.Sync, gating: false, input: InputSource.AttestedTaskInput, verifier, verifierGasLimit: 100_000 }],
        minFinalStage: 0,
        pipelineHash: zeroHash,
        agentAuth: AgentAuth.Allowlist,
        agentRegistry: zeroAddress,
        agents: [agent.account.address],
        requesters: [],
      },
    ]),
  );
  const s = toHex(++salt, { size: 32 });
  const deadline = BigInt(await networkHelpers.time.latest()) + 7n * 86400n;
  const callGas = await gasOf(callerAsRequester.write.callAgent([{ taskId: s, agentWorkflowHash: workflowHash, agentWorkflow: "0x", handler: handler.address, deadline }, inputHash, "0x"]));
  const taskId = computeTaskId({ chainId, caller: caller.address, requester: requester.account.address, handler: handler.address, salt: s });
  const stepGas = await gasOf(handlerAsAgent.write.onAgentStep([taskId, inputHash, outHash, "0x", 1n, agent.account.address, 0, true, "0x"]));
  return { taskId, callGas, stepGas };
}

// ---------------------------------------------------------------- CommitRevealVerifier (3 voters, 2 to decide)
const voters = [wallets[5]!, wallets[6]!, wallets[7]!];
const cr = await viem.deployContract("CommitRevealVerifier", [voters.map((w) => w.account.address), 2n, 600n, 600n]);
const crTask = await oneStageTask(cr.address, "bench/commit-reveal");
const roundId = commitRevealRoundId({ chainId, verifier: cr.address, handler: handler.address, taskId: crTask.taskId, stage: 0 });
const vote = { inputHash, outputHash: outHash, agent: agent.account.address, isFinal: true };
const commitGas: bigint[] = [];
for (const [i, w] of voters.entries()) {
  const c = commitRevealCommitment({ ...vote, roundId, voter: w.account.address, salt: toHex(i + 1, { size: 32 }) });
  const asVoter = await viem.getContractAt("CommitRevealVerifier", cr.address, { client: { wallet: w } });
  commitGas.push(await gasOf(asVoter.write.commit([handler.address, crTask.taskId, 0, c])));
}
await networkHelpers.time.increase(600);
const revealGas: bigint[] = [];
for (const [i, w] of voters.slice(0, 2).entries()) {
  const asVoter = await viem.getContractAt("CommitRevealVerifier", cr.address, { client: { wallet: w } });
  revealGas.push(await gasOf(asVoter.write.reveal([handler.address, crTask.taskId, 0, inputHash, outHash, agent.account.address, true, toHex(i + 1, { size: 32 })])));
}
const crProve = await gasOf(handlerAsAgent.write.onAgentProve([crTask.taskId, inputHash, outHash, encodeProveProof(agent.account.address, encodeCommitRevealProof()), cr.address, 0]));
record("CommitReveal.commit, first (opens the round)", commitGas[0]!);
record("CommitReveal.commit, later", commitGas[1]!);
record("CommitReveal.reveal, not deciding", revealGas[0]!);
record("CommitReveal.reveal, deciding (threshold reached)", revealGas[1]!);
record("onAgentProve (final) with CommitRevealVerifier", crProve);
record("1-stage task: callAgent + step + prove (commit-reveal)", crTask.callGas + crTask.stepGas + crProve, "votes excluded");

// ---------------------------------------------------------------- OptimisticVerifier
const arbiter = wallets[8]!;
const ov = await viem.deployContract("OptimisticVerifier", [arbiter.account.address, 3600n, 86400n, 10n ** 16n, 10n ** 16n]);
const ovAsAgent = await viem.getContractAt("OptimisticVerifier", ov.address, { client: { wallet: agent } });
const ovAsStranger = await viem.getContractAt("OptimisticVerifier", ov.address, { client: { wallet: stranger } });
const ovAsArbiter = await viem.getContractAt("OptimisticVerifier", ov.address, { client: { wallet: arbiter } });
const ovTask = await oneStageTask(ov.address, "bench/optimistic");
const claimArgs = [handler.address, ovTask.taskId, 0, agent.account.address, true, inputHash, outHash, Verdict.Approved] as const;
const proposeGas = await gasOf(ovAsAgent.write.propose(claimArgs, { value: 10n ** 16n }));
const claimId = await ov.read.claimIdOf(claimArgs);
await networkHelpers.time.increase(3600);
const ovProve = await gasOf(handlerAsAgent.write.onAgentProve([ovTask.taskId, inputHash, outHash, encodeProveProof(agent.account.address, encodeOptimisticProof({ verdict: Verdict.Approved })), ov.address, 0]));
const settleGas = await gasOf(ov.write.settle([claimId]));
const withdrawGas = await gasOf(ovAsAgent.write.withdraw([agent.account.address]));
// A disputed claim, resolved by the arbiter.
const disputed = [handler.address, ovTask.taskId, 0, agent.account.address, true, inputHash, outHash, Verdict.Denied] as const;
await gasOf(ovAsAgent.write.propose(disputed, { value: 10n ** 16n }));
const disputedId = await ov.read.claimIdOf(disputed);
const challengeGas = await gasOf(ovAsStranger.write.challenge([disputedId], { value: 10n ** 16n }));
const resolveGas = await gasOf(ovAsArbiter.write.resolve([disputedId, false]));
record("Optimistic.propose (bond 0.01 ETH)", proposeGas);
record("Optimistic.challenge", challengeGas);
record("Optimistic.resolve (arbiter)", resolveGas);
record("Optimistic.settle (undisputed)", settleGas);
record("Optimistic.withdraw", withdrawGas);
record("onAgentProve (final) with OptimisticVerifier", ovProve);
record("1-stage task: callAgent + step + prove (optimistic)", ovTask.callGas + ovTask.stepGas + ovProve, "propose/settle excluded");

const md = [
  "# Gas benchmarks — v3 additions",
  "",
  "Measured by `scripts/bench/gas-v3.ts` (`npm run bench:gas-v3`) on the embedded Hardhat network (solc 0.8.30, viaIR,",
  "200 runs, cancun). Transaction figures are receipts' `gasUsed` (21,000 intrinsic included); view figures are",
  "`eth_estimateGas` of a call. The anchoring task authority is `MockAnchorAuthority` (one mapping read), standing in",
  "for the handler's `canAnchor`. Anchoring cost does not depend on the number of digests: only the root is stored.",
  "",
  "| Operation | Gas | Note |",
  "|---|---:|---|",
  ...rows.map(([n, g, note]) => `| ${n} | ${typeof g === "bigint" ? g.toLocaleString("en-US") : g} | ${note} |`),
  "",
];
mkdirSync("benchmarks", { recursive: true });
writeFileSync("benchmarks/gas-v3.md", md.join("\n"));
console.log("\nwrote benchmarks/gas-v3.md");
