/**
 * `agent-exec deploy --rpc <url> --key-env <VAR>` as a consumer runs it: a process started in a temporary directory
 * that is not the project (no hardhat.config.ts, no scripts/deploy.ts), so the SDK path (`deployAgentExec`, bytecode
 * shipped in the package) is taken against a real `hardhat node`; the file it writes is read back with
 * loadDeployment, and `workflow register` / `workflow check` against the deployed handler and verifiers prove the
 * addresses work. Error paths: exit code and one line.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPublicClient, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { agentHandlerAbi, ecdsaAttestationVerifierAbi } from "../../sdk/chain/abis.js";
import { loadDeployment, type Deployment } from "../../sdk/deployments/index.js";
import type { WorkflowDocument } from "../../sdk/workflow/index.js";
import { run } from "../install/helpers.js";
import { DEV_KEYS, repoRoot, startHardhatNode, type HardhatNode } from "../helpers/hardhatNode.js";
import { cli } from "./helpers.js";

const DEPLOYER = privateKeyToAccount(DEV_KEYS[0]).address;
const OWNER = privateKeyToAccount(DEV_KEYS[1]).address;
const A = [DEV_KEYS[2], DEV_KEYS[3], DEV_KEYS[4]].map((k) => privateKeyToAccount(k).address);
const tsx = import.meta.resolve("tsx");
const cliEntry = join(repoRoot, "cli", "index.ts");

describe("agent-exec deploy --rpc from a directory that is not the project (SDK path, real hardhat node)", { timeout: 600_000 }, () => {
  let node: HardhatNode;
  const work = mkdtempSync(join(tmpdir(), "agent-exec-consumer-deploy-"));
  const dir = join(work, "out");
  let deployment: Deployment;

  /** The CLI as a child process in `work` (Hardhat's Node, tsx loaded by URL: the directory has no node_modules). */
  const agentExec = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ["--import", tsx, cliEntry, ...args], { cwd: work, env: { ...process.env, ...env }, timeoutMs: 300_000, allowFailure: true });

  before(async () => {
    node = await startHardhatNode();
  });
  after(async () => {
    await node?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("deploys the four contracts and writes <deployments-dir>/<chainId>.json", async () => {
    assert.ok(!existsSync(join(work, "hardhat.config.ts")));
    const r = await agentExec(["deploy", "--rpc", node.url, "--key-env", "MY_DEPLOYER_KEY", "--deployments-dir", dir], { MY_DEPLOYER_KEY: DEV_KEYS[0] });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    console.log(`# agent-exec deploy --rpc (hardhat node, process incl. startup): ${r.ms} ms; ${r.stdout.trim().split("\n").at(-1)}`);
    assert.doesNotMatch(r.stderr, /npx hardhat/, "the Ignition path was not taken");
    assert.deepEqual(readdirSync(dir), ["31337.json"]);
    deployment = await loadDeployment(31337, { dir });
    assert.deepEqual(Object.keys(deployment.contracts).sort(), ["AgentCaller", "AgentHandler", "EcdsaAttestationVerifier", "WyriweAttestationVerifier"]);
    assert.equal(deployment.deployer, DEPLOYER);
    assert.equal(deployment.ignition, undefined);
    assert.match(r.stdout, /^AgentHandler\s+0x[0-9a-fA-F]{40}\s+\(block \d+\)$/m);
    const client = createPublicClient({ transport: http(node.url) });
    const handler = deployment.contracts.AgentHandler!.address;
    assert.equal(await client.readContract({ address: handler, abi: agentHandlerAbi, functionName: "owner" }), DEPLOYER, "default owner: the deployer");
    const ecdsa = deployment.contracts.EcdsaAttestationVerifier!.address;
    assert.deepEqual(await client.readContract({ address: ecdsa, abi: ecdsaAttestationVerifierAbi, functionName: "attesters" }), [DEPLOYER], "default: sole attester");
    assert.equal(await client.readContract({ address: ecdsa, abi: ecdsaAttestationVerifierAbi, functionName: "threshold" }), 1n);
  });

  it("the addresses work: workflow register, then workflow check reports a match", async () => {
    const file = join(dir, "31337.json");
    const doc: WorkflowDocument = {
      kind: "erc8301-workflow",
      id: "urn:agent-exec:test:consumer-deploy",
      version: "1.0.0",
      graph: { wf_id: "consumer-deploy", nodes: [{ id: "answer", reversible: true }], edges: [] },
      stages: [{ name: "answer", nodes: ["answer"], resolution: "sync", input: "task-input", verifier: { kind: "ecdsa-attestation", address: deployment.contracts.EcdsaAttestationVerifier!.address, gasLimit: 200_000 } }],
      agents: { auth: "allowlist", allowlist: [A[0]!] },
    };
    const wf = join(work, "workflow.json");
    writeFileSync(wf, JSON.stringify(doc));
    process.env.AGENT_EXEC_PRIVATE_KEY = DEV_KEYS[0];
    try {
      const reg = await cli("workflow", "register", wf, "--rpc", node.url, "--deployment", file);
      assert.equal(reg.code, 0, reg.err);
      assert.match(reg.out, /^registered 0x[0-9a-f]{64} as policy \d+/);
      const check = await cli("workflow", "check", wf, "--rpc", node.url, "--deployment", file);
      assert.equal(check.code, 0, check.out + check.err);
      assert.match(check.out, /^match/);
    } finally {
      delete process.env.AGENT_EXEC_PRIVATE_KEY;
    }
  });

  it("--owner, --attester, --threshold; --json prints the file and the deployment", async () => {
    const other = join(work, "other");
    const args = ["--json", "deploy", "--rpc", node.url, "--key-env", "K", "--deployments-dir", other, "--owner", OWNER, ...A.flatMap((a) => ["--attester", a]), "--threshold", "2"];
    process.env.K = DEV_KEYS[0];
    const r = await cli(...args, "--project", work).finally(() => delete process.env.K);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as { file: string; deployment: { contracts: Record<string, { address: `0x${string}` }> } };
    assert.equal(out.file, join(other, "31337.json"));
    const client = createPublicClient({ transport: http(node.url) });
    assert.equal(await client.readContract({ address: out.deployment.contracts.AgentHandler!.address, abi: agentHandlerAbi, functionName: "owner" }), OWNER);
    const ecdsa = out.deployment.contracts.EcdsaAttestationVerifier!.address;
    assert.deepEqual(await client.readContract({ address: ecdsa, abi: ecdsaAttestationVerifierAbi, functionName: "attesters" }), A);
    assert.equal(await client.readContract({ address: ecdsa, abi: ecdsaAttestationVerifierAbi, functionName: "threshold" }), 2n);
    assert.deepEqual(await loadDeployment(out.file), await loadDeployment(31337, { dir: other }));
  });

  it("a stale or malformed deployments/<chainId>.json in the working directory does not block a new deploy", async () => {
    mkdirSync(join(work, "deployments"), { recursive: true });
    writeFileSync(join(work, "deployments", "31337.json"), "{ not json");
    const fresh = join(work, "fresh");
    process.env.K = DEV_KEYS[0];
    const r = await cli("deploy", "--rpc", node.url, "--key-env", "K", "--deployments-dir", fresh, "--project", work).finally(() => delete process.env.K);
    assert.equal(r.code, 0, r.err);
    const written = await loadDeployment(31337, { dir: fresh });
    assert.ok(written.contracts.AgentHandler?.address);
    rmSync(join(work, "deployments"), { recursive: true, force: true });
  });

  it("error paths: one line, exit 2 for usage, 3 for the chain", async () => {
    const base = ["deploy", "--rpc", node.url, "--deployments-dir", join(work, "never"), "--project", work];
    const noKey = await cli(...base, "--key-env", "AGENT_EXEC_TEST_UNSET_KEY");
    assert.equal(noKey.code, 2);
    assert.match(noKey.err, /^agent-exec: deploy without Hardhat sends transactions: set AGENT_EXEC_TEST_UNSET_KEY/);
    process.env.K = DEV_KEYS[0];
    try {
      const t = await cli(...base, "--key-env", "K", "--attester", A[0]!, "--attester", A[1]!, "--threshold", "1");
      assert.equal(t.code, 2);
      assert.match(t.err, /^agent-exec: --threshold: threshold must be an integer with n\/2 < threshold <= n for n = 2 attesters, got 1$/m);
      const dup = await cli(...base, "--key-env", "K", "--attester", A[0]!, "--attester", A[0]!.toLowerCase());
      assert.equal(dup.code, 2);
      assert.match(dup.err, /^agent-exec: --attester: duplicate attester/m);
      const bad = await cli(...base, "--key-env", "K", "--owner", "0x12");
      assert.equal(bad.code, 2);
      assert.match(bad.err, /^agent-exec: --owner 0x12 is not an address$/);
      const net = await cli("deploy", "--network", "localhost", "--project", work);
      assert.equal(net.code, 2);
      assert.match(net.err, /--network needs the project's Hardhat Ignition deploy/);
      const netRpc = await cli(...base, "--key-env", "K", "--network", "localhost");
      assert.equal(netRpc.code, 2);
      assert.match(netRpc.err, /--network is for the project \(Ignition\) deploy/);
      process.env.POOR = generatePrivateKey();
      const poor = await cli(...base, "--key-env", "POOR");
      assert.equal(poor.code, 3);
      assert.match(poor.err, /^agent-exec: deploy failed: Deploying AgentCaller failed\. sending the creation transaction: .*fund/im);
      const down = await cli("deploy", "--rpc", "http://127.0.0.1:1", "--key-env", "K", "--project", work);
      assert.equal(down.code, 3);
      assert.match(down.err, /cannot reach JSON-RPC endpoint http:\/\/127\.0\.0\.1:1/);
    } finally {
      delete process.env.K;
      delete process.env.POOR;
    }
    assert.ok(!existsSync(join(work, "never")), "nothing written on failure");
    for (const r of [noKey]) assert.equal(r.err.trim().split("\n").length, 1, r.err);
  });
});
