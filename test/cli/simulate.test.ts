/**
 * `agent-exec simulate`: every usage error offline (exit 2 and its one line), an unreachable RPC (exit 3), then
 * against a real `hardhat node` process forked in-process over --rpc: a clean plan (exit 0), a plan that breaks a
 * rule (exit 1, the rule named, human and --json), the fork run once as a system-Node (20) child process — and
 * nothing ever reaches the real node (its block number, the requester's nonce and the handler's logs unchanged).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPublicClient, http, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { run, userEnv } from "../install/helpers.js";
import { DEV_KEYS, repoRoot, startHardhatNode, type HardhatNode } from "../helpers/hardhatNode.js";
import { loadDeployment } from "../../sdk/deployments/index.js";
import type { WorkflowDocument } from "../../sdk/workflow/index.js";
import { clone, sampleDocument } from "../workflow/fixtures.js";
import { cli, scratch } from "./helpers.js";

const REQUESTER = privateKeyToAccount(DEV_KEYS[1]).address;
const AGENT = privateKeyToAccount(DEV_KEYS[4]).address;
const HASH = `0x${"ab".repeat(32)}`;

describe("agent-exec simulate (usage errors, offline)", () => {
  const dir = scratch();
  const wf = join(dir, "wf.json");
  writeFileSync(wf, JSON.stringify(sampleDocument(), null, 2));
  const plan = (body: unknown) => {
    const f = join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, typeof body === "string" ? body : JSON.stringify(body));
    return f;
  };
  const args = (...extra: string[]) => ["simulate", "--workflow", wf, "--input-text", "q", "--from", REQUESTER, "--rpc", "http://127.0.0.1:1", ...extra];

  it("--help describes the command and its options, exit 0", async () => {
    const r = await cli("simulate", "--help");
    assert.equal(r.code, 0);
    for (const o of ["--plan", "--from", "--rpc", "--block", "--gas-limit", "--max-tx-bytes", "--block-time", "--deadline-in", "--workflow-hash"]) assert.match(r.out, new RegExp(o));
    assert.match((await cli("--help")).out, /\bsimulate\b/);
  });

  it("each usage error is one line and exit 2, before any RPC", async () => {
    const cases: [string[], RegExp][] = [
      [["simulate", "--input-text", "q", "--from", REQUESTER], /give exactly one of --workflow <file>, --workflow-hash <hash>/],
      [["simulate", "--workflow", wf, "--workflow-hash", HASH, "--input-text", "q", "--from", REQUESTER], /give exactly one of --workflow/],
      [["simulate", "--workflow-hash", "0x12", "--input-text", "q", "--from", REQUESTER], /--workflow-hash must be a 0x-prefixed 32-byte hex value/],
      [["simulate", "--workflow", join(dir, "nope.json"), "--input-text", "q"], /cannot read workflow document .*nope\.json: ENOENT/],
      [["simulate", "--workflow", wf, "--from", REQUESTER], /give exactly one of --input <file>, --input-text <text>, --input-hash <hash>/],
      [["simulate", "--workflow", wf, "--input-text", "q", "--input-hash", HASH, "--from", REQUESTER], /give exactly one of --input/],
      [args("--from", "0x12"), /--from 0x12 is not an address/],
      [args("--plan", plan("{not json")), /SIMULATE_INVALID_PLAN: .*not JSON/],
      [args("--plan", plan({ steps: [{ agent: AGENT }] })), /steps\[0\]: needs output, outputText or outputHash/],
      [args("--plan", plan({ steps: [{ agent: AGENT, outputText: "x", colour: 1 }] })), /steps\[0\]\.colour: unknown member/],
      [args("--plan", plan({ steps: [{ agent: AGENT, outputText: "x", prove: { attest: { keyEnv: "SIMULATE_TEST_UNSET_KEY" } } }] })), /environment variable SIMULATE_TEST_UNSET_KEY is not set/],
      [args("--plan", plan({ steps: [{ agent: AGENT, outputText: "x", atomic: true }] })), /steps\[0\]\.atomic: stepAndProve needs a prove/],
      [args("--plan", join(dir, "missing-plan.json")), /cannot read plan .*missing-plan\.json: ENOENT/],
      [args("--gas-limit", "lots"), /--gas-limit must be a positive integer, got lots/],
      [args("--gas-limit", "20000"), /--gas-limit must be at least 21000/],
      [args("--deadline-in", "-5"), /--deadline-in must be a positive integer/],
      [args("--block", "latest"), /--block must be a non-negative integer/],
      [args("--block-time", "0"), /--block-time must be a positive integer/],
      [args("--max-tx-bytes", "1.5"), /--max-tx-bytes must be a positive integer/],
      [args("--salt", "0x01"), /--salt must be a 0x-prefixed 32-byte hex value/],
      [args("--handler", "nope"), /--handler nope is not an address/],
      [args("--deployment", join(dir, "no-deployment.json")), /deployment file .*no-deployment\.json not found/],
      [args("--rpc", "ws://127.0.0.1:1"), /SIMULATE_INVALID_PARAMETER: .*the fork URL must be an http\(s\) JSON-RPC URL, got ws:\/\/127\.0\.0\.1:1/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      assert.equal(r.code, 2, `${argv.join(" ")}\n${r.err}`);
      assert.match(r.err, message, argv.join(" "));
      assert.equal(r.err.split("\n").filter((l) => l.startsWith("agent-exec:")).length, 1, r.err);
    }
  });

  it("no --from and no key: exit 2 naming both ways", async () => {
    const saved = process.env.AGENT_EXEC_PRIVATE_KEY;
    delete process.env.AGENT_EXEC_PRIVATE_KEY;
    const r = await cli("simulate", "--workflow", wf, "--input-text", "q");
    if (saved !== undefined) process.env.AGENT_EXEC_PRIVATE_KEY = saved;
    assert.equal(r.code, 2);
    assert.match(r.err, /give --from <address> \(the requester to impersonate\) or set AGENT_EXEC_PRIVATE_KEY/);
  });

  it("an attested prove needs the document: with --workflow-hash it is exit 2", async () => {
    process.env.SIMULATE_TEST_KEY = DEV_KEYS[2];
    const p = plan({ steps: [{ agent: AGENT, outputText: "x", prove: { attest: { keyEnv: "SIMULATE_TEST_KEY" } } }] });
    const r = await cli("simulate", "--workflow-hash", HASH, "--input-text", "q", "--from", REQUESTER, "--plan", p);
    delete process.env.SIMULATE_TEST_KEY;
    assert.equal(r.code, 2);
    assert.match(r.err, /an attested prove in the plan needs --workflow <file>/);
  });

  it("an unreachable RPC is exit 3 naming the endpoint", async () => {
    const r = await cli(...args());
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /^agent-exec: cannot reach JSON-RPC endpoint http:\/\/127\.0\.0\.1:1/m);
  });
});

describe("agent-exec simulate --rpc against a real hardhat node (in-process fork)", { timeout: 900_000 }, () => {
  let node: HardhatNode;
  const dir = mkdtempSync(join(tmpdir(), "agent-exec-simulate-node-"));
  const deploymentId = `simulate-test-${process.pid}`;
  let deploymentFile = "";
  const wfFile = join(dir, "workflow.json");
  const planFile = join(dir, "plan.json");
  const strangerPlan = join(dir, "stranger.json");
  const bigPlan = join(dir, "big.json");
  let handler: `0x${string}`;
  let caller: `0x${string}`;
  let handlerBlock = 0;
  const env = { SIM_ATTESTER_1: DEV_KEYS[1], SIM_ATTESTER_2: DEV_KEYS[2] };

  before(async () => {
    node = await startHardhatNode();
    const deployEnv = userEnv({ AGENT_EXEC_LOCALHOST_URL: node.url, AGENT_EXEC_DEPLOYMENT_ID: deploymentId, CI: "true" });
    await run(process.execPath, ["--import", "tsx", "cli/index.ts", "deploy", "--network", "localhost", "--deployments-dir", dir], { cwd: repoRoot, env: deployEnv, timeoutMs: 600_000 });
    const d = await loadDeployment(31337, { dir });
    deploymentFile = join(dir, readdirSync(dir).find((f) => f.endsWith(".json"))!);
    handler = d.contracts.AgentHandler!.address;
    caller = d.contracts.AgentCaller!.address;
    handlerBlock = Number(d.contracts.AgentHandler!.block);
    const doc: WorkflowDocument = {
      ...clone(sampleDocument()),
      id: "urn:agent-exec:test:simulate-node",
      graph: { wf_id: "simulate-node", nodes: [{ id: "answer", reversible: true }], edges: [] },
      stages: [{ name: "answer", nodes: ["answer"], resolution: "sync", input: "task-input", verifier: { kind: "ecdsa-attestation", address: d.contracts.EcdsaAttestationVerifier!.address, gasLimit: 200_000 } }],
      agents: { auth: "allowlist", allowlist: [AGENT] },
    };
    writeFileSync(wfFile, JSON.stringify(doc, null, 2));
    const step = { agent: AGENT, outputText: "ERC-8301 standardises agent execution.", prove: { attest: { keyEnv: ["SIM_ATTESTER_1", "SIM_ATTESTER_2"] } }, delay: 20 };
    writeFileSync(planFile, JSON.stringify({ steps: [step] }));
    writeFileSync(strangerPlan, JSON.stringify({ steps: [{ ...step, agent: privateKeyToAccount(DEV_KEYS[3]).address }] }));
    writeFileSync(bigPlan, JSON.stringify({ steps: [{ ...step, outputText: undefined, output: toHex(new Uint8Array(200 * 1024).fill(0x62)) }] }));
    process.env.AGENT_EXEC_PRIVATE_KEY = DEV_KEYS[0];
    const reg = await cli("workflow", "register", wfFile, "--rpc", node.url, "--deployment", deploymentFile);
    delete process.env.AGENT_EXEC_PRIVATE_KEY;
    assert.equal(reg.code, 0, reg.err);
    Object.assign(process.env, env);
  });

  after(async () => {
    await node?.stop();
    for (const k of Object.keys(env)) delete process.env[k];
    rmSync(join(repoRoot, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the real node holds: block number, the requester's nonce, and every log the handler / caller emitted. */
  async function realState() {
    const client = createPublicClient({ transport: http(node.url) });
    const [block, nonce, logs] = await Promise.all([
      client.getBlockNumber(),
      client.getTransactionCount({ address: REQUESTER }),
      client.getLogs({ address: [handler, caller], fromBlock: 0n }),
    ]);
    return { block, nonce, logs: logs.length };
  }

  const simulate = (...extra: string[]) =>
    cli("simulate", "--workflow", wfFile, "--input-text", "What is ERC-8301?", "--from", REQUESTER, "--rpc", node.url, "--deployment", deploymentFile, ...extra);

  it("a clean plan: every call ok, exit 0 — and the real node is untouched", async () => {
    const before = await realState();
    const r = await simulate("--plan", planFile);
    assert.equal(r.code, 0, r.out + r.err);
    const lines = r.out.split("\n");
    assert.match(lines[0]!, /^simulated on chain 31337 from block \d+ · block time \d+ s · task 0x[0-9a-f]{64}$/);
    assert.match(lines[1]!, /1\. callAgent\s+ok \(dispatched\) · gas \d+/);
    assert.match(lines[2]!, /2\. onAgentStep stage 0\s+ok \(accepted\) · gas \d+/);
    assert.match(lines[3]!, /3\. onAgentProve stage 0\s+ok \(finalized\) · gas \d+/);
    assert.match(lines[4]!, /^ok · every call would succeed and the task is finalised/);
    assert.match(r.err, /forking http:\/\/127\.0\.0\.1:\d+ at its latest block in-process/);
    assert.match(r.err, /forked chain 31337 at block \d+ in \d+ ms/);
    assert.match(r.err, /nothing was sent to/);
    // Without a plan, only the dispatch; --json carries the timings.
    const j = await simulate("--json");
    assert.equal(j.code, 0, j.err);
    const report = JSON.parse(j.out) as { ok: boolean; calls: { call: string }[]; timing: { forkMs: number; simulateMs: number } };
    assert.equal(report.ok, true);
    assert.deepEqual(report.calls.map((c) => c.call), ["callAgent"]);
    assert.ok(report.timing.forkMs > 0 && report.timing.simulateMs > 0);
    assert.deepEqual(await realState(), before);
  });

  it("a rule that would fail: exit 1 naming it (policy, output-size, deadline), human and --json", async () => {
    const before = await realState();
    const policy = await simulate("--plan", strangerPlan);
    assert.equal(policy.code, 1, policy.out + policy.err);
    assert.match(policy.out, /2\. onAgentStep stage 0\s+FAIL \[policy\] AgentHandlerUnauthorizedAgent/);
    assert.match(policy.out, /3\. onAgentProve stage 0\s+skipped/);
    assert.match(policy.err, /^agent-exec: simulate: rule policy would fail at onAgentStep stage 0 \(AgentHandlerUnauthorizedAgent\)$/m);
    const size = await simulate("--json", "--plan", bigPlan);
    assert.equal(size.code, 1);
    const sr = JSON.parse(size.out) as { ok: boolean; failure: { rule: string; error: string; call: string } };
    assert.deepEqual([sr.ok, sr.failure.rule, sr.failure.error, sr.failure.call], [false, "output-size", "TransactionTooLarge", "onAgentStep"]);
    const late = await simulate("--plan", planFile, "--deadline-in", "15", "--block-time", "12");
    assert.equal(late.code, 1);
    assert.match(late.out, /FAIL \[deadline\] AgentHandlerDeadlinePassed/);
    assert.match(late.err, /rule deadline would fail at onAgentStep stage 0/);
    const gas = await simulate("--plan", planFile, "--gas-limit", "50000");
    assert.equal(gas.code, 1);
    assert.match(gas.out, /1\. callAgent\s+FAIL \[gas\]/);
    assert.deepEqual(await realState(), before);
  });

  it("forks at an earlier --block, and refuses one beyond the chain (exit 2)", async () => {
    const before = await realState();
    // At the handler's deployment block the workflow is not registered yet.
    const early = await simulate("--block", String(handlerBlock));
    assert.equal(early.code, 1, early.out + early.err);
    assert.match(early.err, new RegExp(`forked chain 31337 at block ${handlerBlock} `));
    assert.match(early.out, /1\. callAgent\s+FAIL \[policy\] AgentCallerWorkflowNotRegistered/);
    const beyond = await simulate("--block", String(before.block + 1000n));
    assert.equal(beyond.code, 2, beyond.err);
    assert.match(beyond.err, /block \d+ is beyond the chain's latest block/);
    assert.deepEqual(await realState(), before);
  });

  it("runs on the system Node as a child process (EDR loads as a library there): same verdict", async () => {
    const before = await realState();
    const r = await run("node", ["--import", "tsx", "cli/index.ts", "simulate", "--workflow", wfFile, "--input-text", "What is ERC-8301?", "--from", REQUESTER, "--rpc", node.url, "--deployment", deploymentFile, "--plan", planFile], {
      cwd: repoRoot,
      env: userEnv(env),
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ok · every call would succeed and the task is finalised/);
    assert.deepEqual(await realState(), before);
  });
});
