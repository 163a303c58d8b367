/**
 * `npm run bench:gas`: measures the gas of ERC-8301 calls on the embedded Hardhat network, compares each figure with
 * the floor measured with minimal contracts (../shared/REFERENCE.md) and Chainlink Functions, attributes every
 * transaction's gas to call frames and opcode classes, prints it all and writes benchmarks/gas.md.
 * Figures are recorded, never asserted by tests.
 */
import { network } from "hardhat";
import { writeFileSync, mkdirSync } from "node:fs";
import { concat, keccak256, stringToHex, toFunctionSelector, toHex, zeroAddress, zeroHash, type Abi, type Hex } from "viem";
import {
  AgentAuth,
  InputSource,
  Resolution,
  Verdict,
  agentCallerAbi,
  agentHandlerAbi,
  computeTaskId,
  ecdsaAttestationVerifierAbi,
  encodeStageProof,
  encodeStepData,
  encodeProveProof,
  stageAttestationTypedData,
} from "../../sdk/chain/index.js";
import { attribute, selectorNames, type Attribution } from "./gas-trace.js";
import { deployCore, namedWallets } from "../lib/core.js";

/** Floors measured with minimal contracts (REFERENCE.md): one packed task word, one slot per step, nothing else. */
const FLOOR = {
  callAgent0: 73_900,
  callAgent1k: 99_000,
  step0: 41_100,
  stepLater: 58_000,
  proveFinal: 42_700,
  proveLater: 44_900,
  task1: 157_700,
  task5: 588_600,
} as const;
const CHAINLINK_REQUEST_PLUS_FULFIL = 178_588 + 199_381;
const TARGET_RATIO = 1.25;
/** ERC-165 id of IAgentTaskReceiver (XOR of its three selectors). */
const RECEIVER_ID = toHex(
  ["agentCaller()", "checkDispatch(bytes32,bytes32)", "onAgentTaskDispatched(bytes32,address,bytes32,bytes32,uint256)"]
    .map((s) => Number.parseInt(toFunctionSelector(s).slice(2), 16))
    .reduce((a, b) => (a ^ b) >>> 0, 0),
  { size: 4 },
);

const { viem, networkHelpers, provider } = await network.create();
const publicClient = await viem.getPublicClient();
const { operator: owner, requester, agent, attester } = await namedWallets(viem);
const chainId = await publicClient.getChainId();

const { caller, handler, ecdsa } = await deployCore(viem, { owner: owner.account.address, attesters: [attester.account.address] });
const registry = await viem.deployContract("MockIdentityRegistry");
const callerAsRequester = await viem.getContractAt("AgentCaller", caller.address, { client: { wallet: requester } });
const handlerAsAgent = await viem.getContractAt("AgentHandler", handler.address, { client: { wallet: agent } });

const label = selectorNames(
  [agentCallerAbi, agentHandlerAbi, ecdsaAttestationVerifierAbi] as unknown as Abi[],
  new Map([
    [caller.address.toLowerCase(), "AgentCaller"],
    [handler.address.toLowerCase(), "AgentHandler"],
    [ecdsa.address.toLowerCase(), "EcdsaAttestationVerifier"],
    [registry.address.toLowerCase(), "IdentityRegistry"],
  ]),
);

async function register(name: string, stages: number, auth: number = AgentAuth.Allowlist): Promise<Hex> {
  const workflowHash = keccak256(stringToHex(name));
  const stage = { resolution: Resolution.Async, gating: false, input: InputSource.AttestedTaskInput, verifier: ecdsa.address, verifierGasLimit: 100_000 };
  await publicClient.waitForTransactionReceipt({
    hash: await handler.write.registerWorkflow([
      workflowHash,
      {
        stages: Array.from({ length: stages }, () => stage),
        minFinalStage: stages - 1,
        pipelineHash: zeroHash,
        agentAuth: auth,
        agentRegistry: auth === AgentAuth.Registry ? registry.address : zeroAddress,
        agents: auth === AgentAuth.Allowlist ? [agent.account.address] : [],
        requesters: [],
      },
    ]),
  });
  return workflowHash;
}

type Measured = { gas: bigint; hash: Hex; attribution: Attribution };
async function measure(hashP: Promise<Hex>, rootLabel: string): Promise<Measured> {
  const hash = await hashP;
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${rootLabel} reverted`);
  const tx = await publicClient.getTransaction({ hash });
  return { gas: receipt.gasUsed, hash, attribution: await attribute(provider, hash, tx.gas, rootLabel, label) };
}

let salt = 0n;
const inputHash = keccak256(stringToHex("declared input"));
async function dispatch(workflowHash: Hex, input: Hex = "0x") {
  const s = toHex(++salt, { size: 32 });
  const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
  const ih = input === "0x" ? inputHash : keccak256(input);
  const m = await measure(
    callerAsRequester.write.callAgent([{ taskId: s, agentWorkflowHash: workflowHash, agentWorkflow: "0x", handler: handler.address, deadline }, ih, input]),
    "AgentCaller.callAgent",
  );
  const taskId = computeTaskId({ chainId, caller: caller.address, requester: requester.account.address, handler: handler.address, salt: s });
  return { ...m, taskId, inputHash: ih };
}
const out = toHex(new Uint8Array(32).fill(0x2a));
const outHash = keccak256(out);
/** Every stage here takes the attested task input: stages after 0 carry stage 0's outputHash as witness. */
const step = (taskId: Hex, ih: Hex, stage: number, isFinal: boolean, agentId = 1n) =>
  measure(
    handlerAsAgent.write.onAgentStep([taskId, ih, outHash, out, agentId, agent.account.address, stage, isFinal, stage === 0 ? "0x" : encodeStepData(concat([outHash, agent.account.address]))]),
    "AgentHandler.onAgentStep",
  );
async function proofFor(taskId: Hex, ih: Hex, stage: number, isFinal: boolean) {
  const signature = await attester.signTypedData(
    stageAttestationTypedData({ chainId, verifier: ecdsa.address, handler: handler.address, taskId, stage, agent: agent.account.address, isFinal, inputHash: ih, outputHash: outHash, verdict: Verdict.Approved }),
  );
  return encodeStageProof({ verdict: Verdict.Approved, signatures: [{ signer: attester.account.address, signature }] });
}
async function prove(taskId: Hex, ih: Hex, stage: number, isFinal: boolean) {
  const proof = encodeProveProof(agent.account.address, await proofFor(taskId, ih, stage, isFinal));
  return measure(handlerAsAgent.write.onAgentProve([taskId, ih, outHash, proof, ecdsa.address, stage]), "AgentHandler.onAgentProve");
}

// ---------------------------------------------------------------- scenarios
const wf1 = await register("bench/1-stage", 1);
const wf5 = await register("bench/5-stage-async", 5);
const wfReg = await register("bench/registry-auth", 2, AgentAuth.Registry);
await publicClient.waitForTransactionReceipt({ hash: await registry.write.setOwner([7n, agent.account.address]) });

// The handler interns each requester on its first task (a 32-bit id in the task word instead of a second slot per
// task): measured once here, every figure below is a requester's later task.
const firstOfRequester = await dispatch(wf1);
const t1 = await dispatch(wf1);
const call1k = await dispatch(wf1, toHex(new Uint8Array(1024).fill(7)));
const step0 = await step(t1.taskId, t1.inputHash, 0, true);
const proveFinal = await prove(t1.taskId, t1.inputHash, 0, true);
const task1 = t1.gas + step0.gas + proveFinal.gas;

const t5 = await dispatch(wf5);
let task5 = t5.gas;
const steps5: Measured[] = [];
for (let s = 0; s < 5; s++) {
  const m = await step(t5.taskId, t5.inputHash, s, s === 4);
  steps5.push(m);
  task5 += m.gas;
}
const proves5: Measured[] = [];
for (let s = 0; s < 5; s++) {
  const m = await prove(t5.taskId, t5.inputHash, s, s === 4);
  proves5.push(m);
  task5 += m.gas;
}
const tAtomic = await dispatch(wf1);
const stepAndProve1 = await measure(
  handlerAsAgent.write.stepAndProve([
    { taskId: tAtomic.taskId, inputHash: tAtomic.inputHash, outputHash: outHash, output: out, agentId: 1n, agent: agent.account.address, stage: 0, isFinal: true, data: "0x" },
    await proofFor(tAtomic.taskId, tAtomic.inputHash, 0, true),
  ]),
  "AgentHandler.stepAndProve",
);
const task1Atomic = tAtomic.gas + stepAndProve1.gas;
const tReg = await dispatch(wfReg);
await step(tReg.taskId, tReg.inputHash, 0, false, 7n);
const stepRegistry = await step(tReg.taskId, tReg.inputHash, 1, true, 7n);

// ---------------------------------------------------------------- report
/**
 * The v2 contracts' figures (benchmarks/gas.md at commit 4a1f32a, before the v3 trust-gap fixes): issue 9's gas
 * budget is at most +5 % on each of them.
 */
const V2: Record<string, number> = {
  "callAgent, 0 B input": 84_015,
  "callAgent, 1 KiB input": 109_530,
  "onAgentStep, 32 B output, stage 0": 44_954,
  "onAgentStep, 32 B output, later stage (stage 1)": 64_848,
  "onAgentProve, ECDSA verifier, final (1-stage task)": 51_303,
  "onAgentProve, ECDSA verifier, non-final (stage 1 of 5)": 49_383,
  "full 1-stage task (callAgent + step + prove)": 180_272,
  "5-stage async task (callAgent + 5 steps + 5 proves)": 637_256,
  "full 1-stage task vs Chainlink Functions request + fulfil": 180_272,
  "full 1-stage task with stepAndProve (callAgent + one atomic step+prove)": 149_074,
  "onAgentStep, later stage, ERC-8004 registry auth (extra external call)": 70_172,
};
const V2_BUDGET = 0.05;
type Row = { name: string; gas: bigint; floor?: number; target?: string; met?: boolean; note?: string };
const ratioRow = (name: string, gas: bigint, floor: number, note?: string): Row => {
  const ratio = Number(gas) / floor;
  return { name, gas, floor, target: `≤ ${TARGET_RATIO.toFixed(2)}× floor`, met: ratio <= TARGET_RATIO, ...(note ? { note } : {}) };
};
const rows: Row[] = [
  ratioRow("callAgent, 0 B input", t1.gas, FLOOR.callAgent0),
  ratioRow("callAgent, 1 KiB input", call1k.gas, FLOOR.callAgent1k),
  { name: "callAgent, a requester's first task here (one-time requester interning)", gas: firstOfRequester.gas, target: "no target; once per requester" },
  ratioRow("onAgentStep, 32 B output, stage 0", step0.gas, FLOOR.step0),
  ratioRow("onAgentStep, 32 B output, later stage (stage 1)", steps5[1]!.gas, FLOOR.stepLater),
  ratioRow("onAgentProve, ECDSA verifier, final (1-stage task)", proveFinal.gas, FLOOR.proveFinal),
  ratioRow("onAgentProve, ECDSA verifier, non-final (stage 1 of 5)", proves5[1]!.gas, FLOOR.proveLater),
  ratioRow("full 1-stage task (callAgent + step + prove)", task1, FLOOR.task1),
  ratioRow("5-stage async task (callAgent + 5 steps + 5 proves)", task5, FLOOR.task5),
];
const chainlinkRatio = Number(task1) / CHAINLINK_REQUEST_PLUS_FULFIL;
rows.push({
  name: "full 1-stage task vs Chainlink Functions request + fulfil",
  gas: task1,
  floor: CHAINLINK_REQUEST_PLUS_FULFIL,
  target: "< 0.50× Chainlink",
  met: chainlinkRatio < 0.5,
});
rows.push({
  name: "full 1-stage task with stepAndProve (callAgent + one atomic step+prove)",
  gas: task1Atomic,
  floor: FLOOR.task1,
  target: "no target; agents may batch step and prove",
});
rows.push({ name: "onAgentStep, later stage, ERC-8004 registry auth (extra external call)", gas: stepRegistry.gas, note: "no target; Allowlist is the measured default" });

const fmt = (n: number | bigint) => Number(n).toLocaleString("en-US");
const vsV2 = (r: Row) => {
  const v2 = V2[r.name];
  if (v2 === undefined) return { v2: "", delta: "" };
  const d = Number(r.gas) / v2 - 1;
  const text = `${d >= 0 ? "+" : ""}${(d * 100).toFixed(2)} %`;
  return { v2: fmt(v2), delta: d > V2_BUDGET ? `**${text}**` : text };
};
const table = [
  "| measure | gas | floor | ratio | target | met | v2 | vs v2 (budget ≤ +5 %) |",
  "|---|---:|---:|---:|---|---|---:|---:|",
  ...rows.map((r) => {
    const c = vsV2(r);
    return `| ${r.name} | ${fmt(r.gas)} | ${r.floor ? fmt(r.floor) : ""} | ${r.floor ? `${(Number(r.gas) / r.floor).toFixed(2)}×` : ""} | ${r.target ?? r.note ?? ""} | ${r.met === undefined ? "" : r.met ? "yes" : "**no**"} | ${c.v2} | ${c.delta} |`;
  }),
];

function breakdown(title: string, m: Measured): string[] {
  const a = m.attribution;
  const lines = [
    `### ${title} — ${fmt(m.gas)} gas`,
    "",
    "| frame | total | SSTORE | SLOAD | LOG | KECCAK | other own opcodes |",
    "|---|---:|---:|---:|---:|---:|---:|",
    `| intrinsic (21,000 + calldata) | ${fmt(a.intrinsic)} | | | | | |`,
  ];
  for (const f of a.frames) {
    lines.push(`| ${f.path} | ${fmt(f.total)} | ${fmt(f.sstore)} | ${fmt(f.sload)} | ${fmt(f.log)} | ${fmt(f.keccak)} | ${fmt(f.other)} |`);
  }
  return [...lines, ""];
}

const frameTotal = (m: Measured, suffix: string) =>
  m.attribution.frames.filter((f) => f.path.endsWith(suffix)).reduce((s, f) => s + f.total, 0);
const root = (m: Measured) => m.attribution.frames[0]!;
const ruleRows = [
  ["callAgent", "handler must declare IAgentHandler (ERC-165, gas-capped staticcall)", frameTotal(t1, "supportsInterface(0x9346f8a8)")],
  ["callAgent", "enforcing handler detected (ERC-165 IAgentTaskReceiver)", frameTotal(t1, `supportsInterface(${RECEIVER_ID})`)],
  ["callAgent", "reused task id / unregistered workflow rejected with the caller's errors (checkDispatch; its 2 cold SLOADs make the dispatch's reads warm)", frameTotal(t1, "AgentHandler.checkDispatch")],
  ["callAgent", "handler's `AgentTaskOpened` event (events for every state change)", t1.attribution.frames.find((f) => f.path.endsWith("onAgentTaskDispatched"))?.log ?? 0],
  ["callAgent", "requester-bound task id + hash checks (KECCAK, caller frame)", root(t1).keccak],
  ["onAgentStep", "task word + stage policy word + allowlist entry + stage 0's record (input proven with the 52 B witness): 4 cold SLOADs, stage 1", root(steps5[1]!).sload],
  ["onAgentStep", "the 52 B witness in calldata (stage 1 vs stage 0 intrinsic)", steps5[1]!.attribution.intrinsic - step0.attribution.intrinsic],
  ["onAgentStep", "ERC-8004 registry auth instead of the allowlist (gas-capped isAuthorizedOrOwner staticcall; getAgentWallet only as fallback); the per-task stepper flag for canAnchor is not re-read when the witness shows the agent's own step", Number(stepRegistry.gas - steps5[1]!.gas)],
  ["onAgentStep", "`keccak256(output) == outputHash`, witness check and step digest (KECCAK, stage 1)", root(steps5[1]!).keccak],
  ["onAgentProve", "stage verifier via bounded call (gas cap, ≤ 64 B return read), incl. EIP-712 + ecrecover", frameTotal(proveFinal, "EcdsaAttestationVerifier.verifyStage")],
  ["onAgentProve", "prove bound to the recorded step (SLOADs of task word, stage word, step digest)", root(proveFinal).sload],
  ["onAgentProve", "`AgentStageProven` + `AgentTaskFinalized` events", root(proveFinal).log],
] as const;

const md = [
  "# Gas benchmarks",
  "",
  `Recorded by \`npm run bench:gas\` (Hardhat ${"3"} embedded network, solc 0.8.30, optimizer 200 runs, viaIR, evm cancun).`,
  "Transaction `gasUsed`, 21,000 intrinsic included. Floors: minimal contracts storing one packed task word and one slot per",
  "step and nothing else (../shared/REFERENCE.md); Chainlink Functions: its published sendRequest (178,588) + fulfill (199,381).",
  "Agent auth: Allowlist. Verifier: EcdsaAttestationVerifier, 1-of-1 attester. The v2 column is the v2 contracts' figure",
  "(this file at commit 4a1f32a); closing issue 9's trust gaps may cost at most +5 % on each.",
  "",
  ...table,
  "",
  "## Where the gas above the floor goes",
  "",
  "Measured from the opcode trace of the transactions above (`debug_traceTransaction`), not estimated.",
  "",
  "| call | rule | gas |",
  "|---|---|---:|",
  ...ruleRows.map(([c, r, g]) => `| ${c} | ${r} | ${fmt(g)} |`),
  "",
  "Storage layout that keeps these near the floor: one task word (policy id, deadline, proven bitmap, stage counter,",
  "status, flags) plus one record per stage, the step digest `keccak256(abi.encode(inputHash, outputHash, agent,",
  "isFinal))`. Stage 0's record is",
  "written at dispatch with the attested input, so the WYRIWE sentinel is checked against the full hash and the first",
  "step rewrites a slot instead of creating one; later steps prove their input with a 52-byte witness (hash ‖ agent)",
  "against a record. Under Open / Registry auth the per-task stepper flag (for canAnchor) is read only when the",
  "witness does not already show the stepping agent's own recorded step.",
  "The caller stores nothing for enforcing handlers.",
  "",
  "## Per-transaction breakdown",
  "",
  ...breakdown("callAgent, 0 B input", t1),
  ...breakdown("onAgentStep, stage 0", step0),
  ...breakdown("onAgentStep, stage 1 (later stage, new slot)", steps5[1]!),
  ...breakdown("onAgentStep, stage 1, ERC-8004 registry auth", stepRegistry),
  ...breakdown("onAgentProve, final", proveFinal),
  ...breakdown("onAgentProve, non-final (stage 1 of 5)", proves5[1]!),
].join("\n");

console.log(table.join("\n"));
console.log();
console.log(ruleRows.map(([c, r, g]) => `${c.padEnd(13)} ${fmt(g).padStart(7)}  ${r}`).join("\n"));
mkdirSync("benchmarks", { recursive: true });
writeFileSync("benchmarks/gas.md", md + "\n");
const overBudget = rows.filter((r) => V2[r.name] !== undefined && Number(r.gas) / V2[r.name]! - 1 > V2_BUDGET);
if (overBudget.length) console.log(`\nover the +5 % v2 budget: ${overBudget.map((r) => r.name).join("; ")}`);
console.log("\nwrote benchmarks/gas.md");
