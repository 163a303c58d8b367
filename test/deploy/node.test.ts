/**
 * `npm run deploy -- --network localhost` against a real `hardhat node` process on a free loopback port: the node
 * is started, the deploy runs as a user would run it (the npm script, system Node on PATH), the deployments file is
 * read back with the SDK's loadDeployment and checked against the chain over JSON-RPC; a workflow is registered and
 * a second deploy (which sends no deployment transaction) records it. The node is stopped by its pid.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPublicClient, createWalletClient, http, keccak256, stringToHex, zeroAddress, zeroHash, type AbiParameter, type Address } from "viem";
import { agentHandlerAbi } from "../../sdk/chain/abis.js";
import { AgentAuth, InputSource, Resolution } from "../../sdk/chain/policy.js";
import { loadDeployment, type Deployment } from "../../sdk/deployments/index.js";
import { repoRoot, run, userEnv } from "../install/helpers.js";
import { startHardhatNode, type HardhatNode } from "../helpers/hardhatNode.js";

const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" as const;

/** A value of an ABI parameter: the given one, or the type's zero (so the policy survives fields added later). */
function withDefaults(param: AbiParameter, given: unknown): unknown {
  if (param.type.endsWith("]")) return given ?? [];
  if (param.type === "tuple") {
    const components = (param as { components: readonly AbiParameter[] }).components;
    const g = (given ?? {}) as Record<string, unknown>;
    return Object.fromEntries(components.map((c) => [c.name!, withDefaults(c, g[c.name!])]));
  }
  if (given !== undefined) return given;
  if (param.type === "address") return zeroAddress;
  if (param.type === "bool") return false;
  if (param.type.startsWith("bytes")) return zeroHash;
  return param.type.startsWith("uint") && Number(param.type.slice(4) || 256) > 48 ? 0n : 0;
}

describe("deploy to a real `hardhat node` (localhost, JSON-RPC)", { timeout: 600_000 }, () => {
  let node: HardhatNode | undefined;
  let url: string;
  let dir: string;
  const deploymentId = `test-${process.pid}`;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "agent-exec-deploy-"));
    node = await startHardhatNode();
    url = node.url;
    env = userEnv({ AGENT_EXEC_LOCALHOST_URL: url, AGENT_EXEC_DEPLOYMENTS_DIR: dir, AGENT_EXEC_DEPLOYMENT_ID: deploymentId, CI: "true" });
  });

  after(async () => {
    await node?.stop();
    rmSync(join(repoRoot, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let first: Deployment;

  it("`npm run deploy -- --network localhost` deploys everything and writes <chainId>.json", async () => {
    const r = await run("npm", ["run", "deploy", "--", "--network", "localhost"], { cwd: repoRoot, env, timeoutMs: 300_000 });
    console.log(`# npm run deploy (localhost): ${r.ms} ms`);
    first = await loadDeployment(31337, { dir });
    assert.equal(first.network, "localhost");
    assert.equal(first.deployer, DEPLOYER);
    assert.equal(first.ignition?.deploymentId, deploymentId);
    assert.deepEqual(Object.keys(first.contracts).sort(), ["AgentCaller", "AgentHandler", "EcdsaAttestationVerifier", "WyriweAttestationVerifier"]);

    const client = createPublicClient({ transport: http(url) });
    for (const [name, c] of Object.entries(first.contracts)) {
      assert.ok(((await client.getCode({ address: c.address })) ?? "0x").length > 2, `${name} has no code`);
      const receipt = await client.getTransactionReceipt({ hash: c.transactionHash! });
      assert.equal(receipt.contractAddress?.toLowerCase(), c.address.toLowerCase(), `${name}: creation transaction`);
      assert.equal(receipt.blockNumber, c.block, `${name}: creation block`);
      assert.ok(c.artifact.startsWith("artifacts/contracts/"));
    }
    assert.equal(first.deploymentBlock, Object.values(first.contracts).reduce((m, c) => (c.block < m ? c.block : m), 2n ** 64n));
    const handler = first.contracts.AgentHandler!.address;
    const caller = await client.readContract({ address: handler, abi: agentHandlerAbi, functionName: "agentCaller" });
    assert.equal(caller, first.contracts.AgentCaller!.address, "the handler trusts the deployed caller");
    assert.equal(await client.readContract({ address: handler, abi: agentHandlerAbi, functionName: "owner" }), DEPLOYER);
    assert.deepEqual(first.workflows, []);
  });

  it("a second deploy sends no deployment transaction and records the workflows registered since", async () => {
    const client = createPublicClient({ transport: http(url) });
    const wallet = createWalletClient({ account: DEPLOYER, transport: http(url) });
    const handler = first.contracts.AgentHandler!.address as Address;
    const workflowHash = keccak256(stringToHex('{"name":"deploy-test"}'));
    const registerAbi = agentHandlerAbi.find((x) => x.type === "function" && x.name === "registerWorkflow")!;
    const policy = withDefaults((registerAbi as { inputs: readonly AbiParameter[] }).inputs[1]!, {
      stages: [
        {
          resolution: Resolution.Sync,
          gating: false,
          input: InputSource.AttestedTaskInput,
          verifier: first.contracts.EcdsaAttestationVerifier!.address,
          verifierGasLimit: 200_000,
        },
      ],
      agentAuth: AgentAuth.Open,
    });
    const hash = await wallet.writeContract({
      address: handler,
      abi: agentHandlerAbi,
      functionName: "registerWorkflow",
      args: [workflowHash, policy as never],
      chain: null,
    });
    const receipt = await client.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    const blockBefore = await client.getBlockNumber();

    await run("npm", ["run", "deploy", "--", "--network", "localhost"], { cwd: repoRoot, env, timeoutMs: 300_000 });
    assert.equal(await client.getBlockNumber(), blockBefore, "Ignition reused the deployment");
    const second = await loadDeployment(31337, { dir });
    assert.deepEqual(second.contracts, first.contracts);
    assert.equal(second.workflows.length, 1);
    assert.equal(second.workflows[0]!.workflowHash, workflowHash);
    assert.equal(second.workflows[0]!.handler, handler);
    assert.equal(second.workflows[0]!.block, receipt.blockNumber);
    assert.equal(second.workflows[0]!.transactionHash, hash);
  });
});
