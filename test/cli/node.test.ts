/**
 * The CLI against a real `hardhat node` process over JSON-RPC, as a user runs it: deploy with Ignition
 * (`npm run deploy -- --network localhost`), `workflow register` / `workflow check`, `agent run` as a child process,
 * `call --wait` answered by that agent, then `verify`, `task` and `result`; error paths asserted (exit code + line).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { privateKeyToAccount } from "viem/accounts";
import { run, userEnv } from "../install/helpers.js";
import { DEV_KEYS, repoRoot, startHardhatNode, type HardhatNode } from "../helpers/hardhatNode.js";
import { loadDeployment } from "../../sdk/deployments/index.js";
import type { WorkflowDocument } from "../../sdk/workflow/index.js";
import { cli } from "./helpers.js";

const AGENT = privateKeyToAccount(DEV_KEYS[4]);

describe("agent-exec CLI against a real hardhat node", { timeout: 900_000 }, () => {
  let node: HardhatNode;
  let agentProcess: ChildProcess | undefined;
  let agentLog = "";
  const dir = mkdtempSync(join(tmpdir(), "agent-exec-cli-node-"));
  const deploymentId = `cli-test-${process.pid}`;
  let deploymentFile = "";
  const wfFile = join(dir, "workflow.json");
  let taskId = "";

  before(async () => {
    node = await startHardhatNode();
    const env = userEnv({ AGENT_EXEC_LOCALHOST_URL: node.url, AGENT_EXEC_DEPLOYMENT_ID: deploymentId, CI: "true" });
    // `agent-exec deploy`, as a process with the user's environment (system Node on PATH).
    await run(process.execPath, ["--import", "tsx", "cli/index.ts", "deploy", "--network", "localhost", "--deployments-dir", dir], { cwd: repoRoot, env, timeoutMs: 600_000 });
    const d = await loadDeployment(31337, { dir });
    deploymentFile = join(dir, readdirSync(dir).find((f) => f.endsWith(".json"))!);
    const doc: WorkflowDocument = {
      kind: "erc8301-workflow",
      id: "urn:agent-exec:test:cli-node",
      version: "1.0.0",
      graph: { wf_id: "cli-node", nodes: [{ id: "answer", reversible: true }], edges: [] },
      stages: [{ name: "answer", nodes: ["answer"], resolution: "sync", input: "task-input", verifier: { kind: "ecdsa-attestation", address: d.contracts.EcdsaAttestationVerifier!.address, gasLimit: 200_000 } }],
      agents: { auth: "allowlist", allowlist: [AGENT.address] },
    };
    writeFileSync(wfFile, JSON.stringify(doc, null, 2));
    process.env.AGENT_EXEC_PRIVATE_KEY = DEV_KEYS[0];
  });

  after(async () => {
    if (agentProcess?.pid !== undefined && agentProcess.exitCode === null) {
      agentProcess.kill("SIGKILL");
    }
    await node?.stop();
    delete process.env.AGENT_EXEC_PRIVATE_KEY;
    rmSync(join(repoRoot, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("workflow register, then check reports a match", async () => {
    const reg = await cli("workflow", "register", wfFile, "--rpc", node.url, "--deployment", deploymentFile);
    assert.equal(reg.code, 0, reg.err);
    assert.match(reg.out, /^registered 0x[0-9a-f]{64} as policy \d+/);
    const check = await cli("workflow", "check", wfFile, "--rpc", node.url, "--deployment", deploymentFile);
    assert.equal(check.code, 0, check.out + check.err);
    assert.match(check.out, /^match/);
    const again = await cli("workflow", "register", wfFile, "--rpc", node.url, "--deployment", deploymentFile);
    assert.equal(again.code, 3);
    assert.match(again.err, /^agent-exec: CHAIN_REVERT_WorkflowRegistryAlreadyRegistered/m);
  });

  it("agent run answers a task dispatched with call --wait; verify, task and result agree", async () => {
    agentProcess = spawn(
      process.execPath,
      ["--import", "tsx", "cli/index.ts", "agent", "run", "--rpc", node.url, "--deployment", deploymentFile, "--workflow", wfFile, "--attester-key-env", "A1", "--attester-key-env", "A2", "--state-dir", join(dir, "agent-state"), "--from-block", "0", "--log-level", "info"],
      { cwd: repoRoot, env: { ...process.env, AGENT_EXEC_PRIVATE_KEY: DEV_KEYS[4], A1: DEV_KEYS[1], A2: DEV_KEYS[2] }, stdio: ["ignore", "pipe", "pipe"] },
    );
    agentProcess.stdout!.on("data", (b: Buffer) => (agentLog += b.toString()));
    agentProcess.stderr!.on("data", (b: Buffer) => (agentLog += b.toString()));
    const call = await cli("--json", "call", "--workflow", wfFile, "--input-text", "What is ERC-8301?", "--rpc", node.url, "--deployment", deploymentFile, "--wait", "--timeout", "240");
    assert.equal(call.code, 0, `${call.err}\nagent:\n${agentLog}`);
    const out = JSON.parse(call.out) as { taskId: string; status: string };
    assert.equal(out.status, "Finalized");
    taskId = out.taskId;

    const verify = await cli("verify", taskId, "--rpc", node.url, "--deployment", deploymentFile);
    assert.equal(verify.code, 0, verify.out + verify.err);
    const json = await cli("--json", "verify", taskId, "--rpc", node.url, "--deployment", deploymentFile);
    assert.equal(JSON.parse(json.out).ok, true);
    const task = await cli("task", taskId, "--rpc", node.url, "--deployment", deploymentFile);
    assert.match(task.out, /Finalized/);
    const result = await cli("--json", "result", taskId, "--rpc", node.url, "--deployment", deploymentFile);
    assert.equal(result.code, 0, result.err);

    // Graceful stop on SIGINT.
    const exited = new Promise<number | null>((r) => agentProcess!.once("exit", (code) => r(code)));
    agentProcess.kill("SIGINT");
    assert.equal(await exited, 0, agentLog);
  });

  it("error paths: unknown task, bad ids, missing key, unreachable RPC", async () => {
    const unknown = `0x${"42".repeat(32)}`;
    const t = await cli("task", unknown, "--rpc", node.url, "--deployment", deploymentFile);
    assert.equal(t.code, 2);
    assert.match(t.err, /^agent-exec: CHAIN_TASK_NOT_FOUND/);
    const v = await cli("verify", unknown, "--rpc", node.url, "--deployment", deploymentFile);
    assert.equal(v.code, 1);
    const bad = await cli("task", "0x12", "--rpc", node.url);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /taskId must be a 0x-prefixed 32-byte hex value/);
    const key = process.env.AGENT_EXEC_PRIVATE_KEY;
    delete process.env.AGENT_EXEC_PRIVATE_KEY;
    const noKey = await cli("call", "--workflow", wfFile, "--input-text", "x", "--rpc", node.url, "--deployment", deploymentFile);
    process.env.AGENT_EXEC_PRIVATE_KEY = key;
    assert.equal(noKey.code, 2);
    assert.match(noKey.err, /set AGENT_EXEC_PRIVATE_KEY/);
    const down = await cli("task", unknown, "--rpc", "http://127.0.0.1:1");
    assert.equal(down.code, 3);
    assert.match(down.err, /cannot reach JSON-RPC endpoint http:\/\/127\.0\.0\.1:1/);
  });
});
