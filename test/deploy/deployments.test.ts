import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isAgentExecError } from "../../sdk/errors.js";
import {
  DEPLOYMENT_FORMAT,
  DeploymentError,
  deployedContract,
  deploymentPath,
  loadDeployment,
  parseDeployment,
  serializeDeployment,
  writeDeployment,
  type Deployment,
} from "../../sdk/deployments/index.js";

const HASH = `0x${"ab".repeat(32)}` as const;
const sample = (): Deployment => ({
  format: DEPLOYMENT_FORMAT,
  chainId: 31337,
  network: "localhost",
  deploymentBlock: 1n,
  deployer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  ignition: { module: "AgentExec", deploymentId: "chain-31337", parameters: "ignition/parameters/local.json" },
  contracts: {
    AgentHandler: {
      address: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
      block: 2n,
      transactionHash: HASH,
      artifact: "artifacts/contracts/AgentHandler.sol/AgentHandler.json",
      abiExport: "agentHandlerAbi",
    },
    AgentCaller: {
      address: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      block: 1n,
      artifact: "artifacts/contracts/AgentCaller.sol/AgentCaller.json",
      abiExport: "agentCallerAbi",
    },
  },
  workflows: [
    { handler: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", workflowHash: HASH, policyId: 1, block: 5n, transactionHash: HASH },
  ],
  updatedAt: "2026-12-03T16:00:00.000Z",
});

function expectCode(fn: () => unknown, code: string, path?: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DeploymentError, String(e));
    assert.ok(isAgentExecError(e));
    assert.equal(e.code, code);
    if (path !== undefined) assert.equal(e.path, path);
    return true;
  });
}

describe("sdk/deployments: parse and serialize", () => {
  it("round-trips: serialize → parse gives the same deployment, bigint blocks, JSON numbers in the file", () => {
    const text = serializeDeployment(sample());
    assert.match(text, /"deploymentBlock": 1,/);
    assert.ok(text.endsWith("}\n"));
    const back = parseDeployment(text);
    assert.deepEqual(back, { ...sample(), contracts: { ...sample().contracts, AgentCaller: { ...sample().contracts.AgentCaller!, transactionHash: undefined } }, workflows: [{ ...sample().workflows[0]!, policyDigest: undefined }] });
    assert.equal(serializeDeployment(back), text, "serialization is stable");
    // contracts sorted by name in the file, whatever the insertion order
    assert.ok(text.indexOf('"AgentCaller"') < text.indexOf('"AgentHandler"'));
  });

  it("normalises addresses to checksums and hashes to lower case; accepts decimal-string blocks", () => {
    const raw = JSON.parse(serializeDeployment(sample()));
    raw.contracts.AgentCaller.address = raw.contracts.AgentCaller.address.toLowerCase();
    raw.workflows[0].workflowHash = raw.workflows[0].workflowHash.toUpperCase().replace("0X", "0x");
    raw.deploymentBlock = "1";
    const d = parseDeployment(raw);
    assert.equal(d.contracts.AgentCaller!.address, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    assert.equal(d.workflows[0]!.workflowHash, HASH);
    assert.equal(d.deploymentBlock, 1n);
  });

  it("ignores unknown fields (newer writers may add some)", () => {
    const raw = { ...JSON.parse(serializeDeployment(sample())), extra: { x: 1 } };
    assert.equal(parseDeployment(raw).chainId, 31337);
  });

  it("names the offending path for every malformed field", () => {
    const base = () => JSON.parse(serializeDeployment(sample()));
    const cases: [string, (d: any) => void, string][] = [
      ["format", (d) => (d.format = "agent-exec-deployment/0"), "format"],
      ["chainId zero", (d) => (d.chainId = 0), "chainId"],
      ["chainId float", (d) => (d.chainId = 1.5), "chainId"],
      ["network", (d) => delete d.network, "network"],
      ["deploymentBlock", (d) => (d.deploymentBlock = -1), "deploymentBlock"],
      ["contracts", (d) => (d.contracts = []), "contracts"],
      ["address", (d) => (d.contracts.AgentCaller.address = "0x1234"), "contracts.AgentCaller.address"],
      ["block", (d) => (d.contracts.AgentHandler.block = "0x10"), "contracts.AgentHandler.block"],
      ["tx hash", (d) => (d.contracts.AgentHandler.transactionHash = "0xab"), "contracts.AgentHandler.transactionHash"],
      ["artifact", (d) => (d.contracts.AgentHandler.artifact = ""), "contracts.AgentHandler.artifact"],
      ["workflows", (d) => (d.workflows = {}), "workflows"],
      ["workflow hash", (d) => (d.workflows[0].workflowHash = "0x00"), "workflows[0].workflowHash"],
      ["policy id", (d) => (d.workflows[0].policyId = 2 ** 32), "workflows[0].policyId"],
      ["ignition", (d) => (d.ignition.module = 7), "ignition.module"],
      ["deployer", (d) => (d.deployer = "me"), "deployer"],
    ];
    for (const [, mutate, path] of cases) {
      const d = base();
      mutate(d);
      expectCode(() => parseDeployment(d), "DEPLOYMENT_INVALID", path);
    }
    expectCode(() => parseDeployment(null), "DEPLOYMENT_INVALID", "$");
    expectCode(() => parseDeployment("[1,"), "DEPLOYMENT_INVALID_JSON");
  });

  it("refuses to serialize a malformed deployment", () => {
    const d = sample();
    (d.contracts.AgentCaller as { address: string }).address = "0xnope";
    expectCode(() => serializeDeployment(d), "DEPLOYMENT_INVALID", "contracts.AgentCaller.address");
  });

  it("deployedContract returns a contract or names the ones there are", () => {
    assert.equal(deployedContract(sample(), "AgentCaller").abiExport, "agentCallerAbi");
    assert.throws(() => deployedContract(sample(), "toString"), (e: unknown) => {
      assert.ok(e instanceof DeploymentError);
      assert.equal(e.code, "DEPLOYMENT_UNKNOWN_CONTRACT");
      assert.match(e.message, /AgentCaller, AgentHandler/);
      return true;
    });
  });
});

describe("sdk/deployments: files", () => {
  const dir = mkdtempSync(join(tmpdir(), "agent-exec-deployments-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes <dir>/<chainId>.json and loads it back by chain id and by path", async () => {
    const file = await writeDeployment(sample(), { dir });
    assert.equal(file, deploymentPath(31337, dir));
    const byChain = await loadDeployment(31337, { dir });
    const byPath = await loadDeployment(file);
    assert.deepEqual(byChain, byPath);
    assert.equal(byChain.contracts.AgentHandler!.block, 2n);
  });

  it("DEPLOYMENT_NOT_FOUND for a chain without a file, with the path and the fix", async () => {
    await assert.rejects(loadDeployment(11155111n, { dir }), (e: unknown) => {
      assert.ok(e instanceof DeploymentError);
      assert.equal(e.code, "DEPLOYMENT_NOT_FOUND");
      assert.equal(e.file, join(dir, "11155111.json"));
      assert.match(e.message, /npm run deploy/);
      return true;
    });
  });

  it("DEPLOYMENT_CHAIN_MISMATCH when <chainId>.json holds another chain", async () => {
    writeFileSync(join(dir, "1.json"), serializeDeployment(sample()));
    await assert.rejects(loadDeployment(1, { dir }), { code: "DEPLOYMENT_CHAIN_MISMATCH" });
  });

  it("DEPLOYMENT_INVALID_JSON and DEPLOYMENT_UNREADABLE name the file", async () => {
    writeFileSync(join(dir, "5.json"), "{ not json");
    await assert.rejects(loadDeployment(5, { dir }), (e: unknown) => e instanceof DeploymentError && e.code === "DEPLOYMENT_INVALID_JSON" && e.file === join(dir, "5.json"));
    mkdirSync(join(dir, "6.json"));
    await assert.rejects(loadDeployment(6, { dir }), { code: "DEPLOYMENT_UNREADABLE" });
  });
});
