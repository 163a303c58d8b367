/**
 * `deployAgentExec` (sdk/deployments, the consumer path: bytecode shipped in the package, no Ignition) on the embedded
 * network: what it deploys and with which constructor arguments, the Deployment it returns (parse / write / load round
 * trip), a workflow registered with the handler and checked against it, typed errors for bad parameters and failed
 * deployments; and the committed bytecode module against artifacts/.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { createWalletClient, custom, getAddress, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { agentHandlerAbi, ecdsaAttestationVerifierAbi, wyriweAttestationVerifierAbi } from "../../sdk/chain/abis.js";
import {
  DeploymentError,
  agentExecBytecode,
  deployAgentExec,
  loadDeployment,
  parseDeployment,
  serializeDeployment,
  writeDeployment,
  type Deployment,
} from "../../sdk/deployments/index.js";
import { checkWorkflow, registerWorkflow } from "../../sdk/workflow/index.js";
import { VERIFIERS } from "../../ignition/modules/verifiers.js";
import { BYTECODE_SOURCES, renderBytecode } from "../../scripts/gen-bytecode.js";
import { repoRoot } from "../../scripts/lib/deploy.js";
import { namedWallets } from "../../scripts/lib/core.js";
import { clone, sampleDocument } from "../workflow/fixtures.js";

const IGNITION_SET = ["AgentCaller", "AgentHandler", ...VERIFIERS.map((v) => v.contract)];

describe("generated sdk/deployments/bytecode.ts", () => {
  it("holds exactly the contracts Ignition deploys (ignition/modules/AgentExec.ts), no mocks", () => {
    assert.deepEqual(Object.keys(agentExecBytecode), IGNITION_SET);
    assert.deepEqual(BYTECODE_SOURCES.map(([name]) => name), IGNITION_SET);
    for (const [, rel] of BYTECODE_SOURCES) assert.ok(!rel.includes("mocks/"), rel);
  });

  const artifacts = join(repoRoot, "artifacts", "contracts", "AgentCaller.sol", "AgentCaller.json");
  it("matches the artifacts (npx hardhat build --no-tests && npx tsx scripts/gen-bytecode.ts)", { skip: !existsSync(artifacts) && "no artifacts/ (run npx hardhat build)" }, () => {
    assert.equal(readFileSync(join(repoRoot, "sdk", "deployments", "bytecode.ts"), "utf8"), renderBytecode());
  });
});

describe("deployAgentExec on the embedded network", async () => {
  const connection = await network.create();
  const { viem } = connection;
  const publicClient = await viem.getPublicClient();
  const { operator, requester, agent, attester, stranger } = await namedWallets(viem);
  const dir = mkdtempSync(join(tmpdir(), "agent-exec-sdk-deploy-"));
  let deployment: Deployment;

  before(async () => {
    const t0 = performance.now();
    deployment = await deployAgentExec(publicClient, operator);
    console.log(`# deployAgentExec (embedded network, 4 contracts): ${Math.round(performance.now() - t0)} ms`);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await connection.close();
  });

  it("deploys the caller, the handler and every verifier with the defaults: deployer owns, sole attester, threshold 1", async () => {
    const me = getAddress(operator.account.address);
    assert.deepEqual(Object.keys(deployment.contracts).sort(), [...IGNITION_SET].sort());
    assert.equal(deployment.format, "agent-exec-deployment/1");
    assert.equal(deployment.chainId, 31337);
    assert.equal(deployment.network, "chain-31337");
    assert.equal(deployment.deployer, me);
    assert.deepEqual(deployment.workflows, []);
    for (const [name, c] of Object.entries(deployment.contracts)) {
      const receipt = await publicClient.getTransactionReceipt({ hash: c.transactionHash! });
      assert.equal(receipt.contractAddress && getAddress(receipt.contractAddress), c.address, name);
      assert.equal(receipt.blockNumber, c.block, name);
      assert.ok(existsSync(join(repoRoot, c.artifact)), `${name}: ${c.artifact}`);
    }
    const blocks = Object.values(deployment.contracts).map((c) => c.block);
    assert.equal(deployment.deploymentBlock, blocks.reduce((m, b) => (b < m ? b : m)));
    assert.equal(deployment.contracts.AgentHandler!.abiExport, "agentHandlerAbi");
    const handler = deployment.contracts.AgentHandler!.address;
    assert.equal(await publicClient.readContract({ address: handler, abi: agentHandlerAbi, functionName: "agentCaller" }), deployment.contracts.AgentCaller!.address);
    assert.equal(await publicClient.readContract({ address: handler, abi: agentHandlerAbi, functionName: "owner" }), me);
    for (const [name, abi] of [["EcdsaAttestationVerifier", ecdsaAttestationVerifierAbi], ["WyriweAttestationVerifier", wyriweAttestationVerifierAbi]] as const) {
      const address = deployment.contracts[name]!.address;
      assert.deepEqual(await publicClient.readContract({ address, abi, functionName: "attesters" }), [me], name);
      assert.equal(await publicClient.readContract({ address, abi, functionName: "threshold" }), 1n, name);
    }
  });

  it("returns a Deployment that round-trips through serializeDeployment / parseDeployment and writeDeployment / loadDeployment", async () => {
    assert.deepEqual(parseDeployment(serializeDeployment(deployment)), deployment);
    const file = await writeDeployment(deployment, { dir });
    assert.equal(file, join(dir, "31337.json"));
    assert.deepEqual(await loadDeployment(31337, { dir }), deployment);
  });

  it("the handler works: a workflow using the deployed verifiers registers and checks as a match", async () => {
    const d = clone(sampleDocument({ agents: { auth: "allowlist", allowlist: [agent.account.address] } }));
    d.stages[0]!.verifier.address = deployment.contracts.WyriweAttestationVerifier!.address;
    d.stages[1]!.verifier.address = deployment.contracts.EcdsaAttestationVerifier!.address;
    d.stages[2]!.verifier.address = deployment.contracts.EcdsaAttestationVerifier!.address;
    const handler = deployment.contracts.AgentHandler!.address;
    const r = await registerWorkflow(publicClient, operator, { handler, document: d });
    assert.equal((await checkWorkflow(publicClient, { handler, document: d })).status, "match");
    assert.ok(r.blockNumber > deployment.deploymentBlock);
  });

  it("takes an owner, a common attester set and per-verifier sets", async () => {
    const set = [requester, agent, attester].map((w) => getAddress(w.account.address));
    const d = await deployAgentExec(publicClient, operator, {
      owner: stranger.account.address,
      attesters: set,
      threshold: 2,
      verifiers: { WyriweAttestationVerifier: { attesters: [attester.account.address], threshold: 1 } },
      network: "localhost",
    });
    assert.equal(d.network, "localhost");
    assert.equal(await publicClient.readContract({ address: d.contracts.AgentHandler!.address, abi: agentHandlerAbi, functionName: "owner" }), getAddress(stranger.account.address));
    const ecdsa = d.contracts.EcdsaAttestationVerifier!.address;
    assert.deepEqual(await publicClient.readContract({ address: ecdsa, abi: ecdsaAttestationVerifierAbi, functionName: "attesters" }), set);
    assert.equal(await publicClient.readContract({ address: ecdsa, abi: ecdsaAttestationVerifierAbi, functionName: "threshold" }), 2n);
    const wyriwe = d.contracts.WyriweAttestationVerifier!.address;
    assert.deepEqual(await publicClient.readContract({ address: wyriwe, abi: wyriweAttestationVerifierAbi, functionName: "attesters" }), [getAddress(attester.account.address)]);
    // Threshold defaults to a bare majority when attesters are given without one.
    const maj = await deployAgentExec(publicClient, operator, { attesters: set });
    assert.equal(await publicClient.readContract({ address: maj.contracts.EcdsaAttestationVerifier!.address, abi: ecdsaAttestationVerifierAbi, functionName: "threshold" }), 2n);
  });

  it("bad parameters throw DEPLOYMENT_INVALID_PARAMETERS naming the path, before anything is sent", async () => {
    const a = requester.account.address;
    const b = agent.account.address;
    const cases: [Parameters<typeof deployAgentExec>[2], string, RegExp][] = [
      [{ owner: "0x1234" as Address }, "owner", /20-byte hex address/],
      [{ owner: "0x0000000000000000000000000000000000000000" }, "owner", /zero address/],
      [{ attesters: [] }, "attesters", /non-empty array/],
      [{ attesters: [a, a.toLowerCase() as Address] }, "attesters[1]", /duplicate attester/],
      [{ attesters: [a, b], threshold: 1 }, "threshold", /n\/2 < threshold <= n for n = 2/],
      [{ attesters: [a], threshold: 2 }, "threshold", /for n = 1 attesters, got 2/],
      [{ threshold: 1.5 }, "threshold", /got 1.5/],
      [{ verifiers: { EcdsaAttestationVerifier: { attesters: [a, b, operator.account.address], threshold: 1 } } }, "verifiers.EcdsaAttestationVerifier.threshold", /got 1/],
      [{ verifiers: { Nope: { attesters: [a], threshold: 1 } } as never }, "verifiers.Nope", /unknown verifier Nope/],
    ];
    const nonce = await publicClient.getTransactionCount({ address: operator.account.address });
    for (const [params, path, details] of cases) {
      await assert.rejects(deployAgentExec(publicClient, operator, params), (e: unknown) => {
        assert.ok(e instanceof DeploymentError, String(e));
        assert.equal(e.code, "DEPLOYMENT_INVALID_PARAMETERS");
        assert.equal(e.path, path);
        assert.match(e.details ?? "", details);
        return true;
      }, path);
    }
    const noAccount = createWalletClient({ transport: custom({ request: async () => null }) });
    await assert.rejects(deployAgentExec(publicClient, noAccount), { code: "DEPLOYMENT_INVALID_PARAMETERS", path: "account" });
    assert.equal(await publicClient.getTransactionCount({ address: operator.account.address }), nonce, "nothing was sent");
  });

  it("a failed deployment throws DEPLOYMENT_FAILED naming the contract", async () => {
    const poor = createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), chain: operator.chain, transport: custom(connection.provider) });
    await assert.rejects(deployAgentExec(publicClient, poor), (e: unknown) => {
      assert.ok(e instanceof DeploymentError, String(e));
      assert.equal(e.code, "DEPLOYMENT_FAILED");
      assert.equal(e.contract, "AgentCaller");
      assert.match(e.shortMessage, /Deploying AgentCaller failed/);
      assert.match(e.details ?? "", /sending the creation transaction/);
      return true;
    });
  });
});
