/** The deploy on the embedded network (no node, no journal): every contract, its creation block, the ABI locations. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { network } from "hardhat";
import * as chain from "../../sdk/chain/index.js";
import { loadDeployment } from "../../sdk/deployments/index.js";
import { deployAgentExec, repoRoot, resolveParametersFile } from "../../scripts/lib/deploy.js";
import { VERIFIERS } from "../../ignition/modules/verifiers.js";

describe("deployAgentExec on the embedded network", () => {
  const dir = mkdtempSync(join(tmpdir(), "agent-exec-embedded-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("deploys the caller, the handler and every verifier of the catalogue, and writes <chainId>.json", async () => {
    const connection = await network.create();
    const { deployment, file } = await deployAgentExec({ connection, deploymentsDir: dir });
    assert.equal(file, join(dir, "31337.json"));
    assert.deepEqual(await loadDeployment(31337, { dir }), deployment);
    assert.deepEqual(Object.keys(deployment.contracts).sort(), ["AgentCaller", "AgentHandler", ...VERIFIERS.map((v) => v.contract)].sort());
    const client = await connection.viem.getPublicClient();
    for (const [name, c] of Object.entries(deployment.contracts)) {
      const receipt = await client.getTransactionReceipt({ hash: c.transactionHash! });
      assert.equal(receipt.contractAddress?.toLowerCase(), c.address.toLowerCase(), name);
      assert.equal(receipt.blockNumber, c.block, name);
      assert.ok(existsSync(join(repoRoot, c.artifact)), `${name}: ${c.artifact}`);
      if (c.abiExport) assert.ok(Array.isArray((chain as Record<string, unknown>)[c.abiExport]), `${name}: agent-exec/chain exports ${c.abiExport}`);
    }
    assert.equal(deployment.contracts.AgentHandler!.abiExport, "agentHandlerAbi");
    const attesters = await client.readContract({
      address: deployment.contracts.EcdsaAttestationVerifier!.address,
      abi: chain.ecdsaAttestationVerifierAbi,
      functionName: "threshold",
    });
    assert.equal(attesters, 2n, "parameters from ignition/parameters/local.json");
    await connection.close();
  });

  it("names the parameter file to create for a network without one", () => {
    assert.throws(() => resolveParametersFile("sepolia", 11155111), /copy ignition\/parameters\/testnet\.example\.json to ignition\/parameters\/sepolia\.json/);
    assert.throws(() => resolveParametersFile("sepolia", 11155111, join(repoRoot, "ignition/parameters/testnet.example.json")), /is a template/);
    assert.equal(resolveParametersFile("localhost", 31337), join(repoRoot, "ignition", "parameters", "local.json"));
  });
});
