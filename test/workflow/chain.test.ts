/**
 * registerWorkflow / checkWorkflow against a real AgentHandler on the embedded Hardhat network: a registration made
 * from the document matches; a registration that does not match its document is detected field by field.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { network } from "hardhat";
import type { Address } from "viem";
import {
  WorkflowSchemaError,
  checkWorkflow,
  deriveWorkflowPolicy,
  registerWorkflow,
  type WorkflowDocument,
} from "../../sdk/workflow/index.js";
import { deployCore, namedWallets } from "../../scripts/lib/core.js";
import { clone, sampleDocument } from "./fixtures.js";

describe("registerWorkflow / checkWorkflow on a handler", async () => {
  const { viem } = await network.create();
  const publicClient = await viem.getPublicClient();
  const { operator, agent, attester, stranger } = await namedWallets(viem);
  let core: Awaited<ReturnType<typeof deployCore>>;
  const doc = (version: string, patch: (d: WorkflowDocument) => void = () => {}): WorkflowDocument => {
    const d = clone(sampleDocument({ version, agents: { auth: "allowlist", allowlist: [agent.account.address] } }));
    d.stages[0]!.verifier.address = core.wyriwe.address;
    d.stages[1]!.verifier.address = core.ecdsa.address;
    d.stages[2]!.verifier.address = core.ecdsa.address;
    patch(d);
    return d;
  };

  before(async () => {
    core = await deployCore(viem, { owner: operator.account.address, attesters: [attester.account.address] });
  });

  it("registers the derived policy; checkWorkflow then reports a match", async () => {
    const d = doc("1.0.0");
    assert.equal((await checkWorkflow(publicClient, { handler: core.handler.address, document: d })).status, "not-registered");
    const r = await registerWorkflow(publicClient, operator, { handler: core.handler.address, document: d });
    assert.equal(r.workflowHash, deriveWorkflowPolicy(d).workflowHash);
    assert.equal(await core.handler.read.isWorkflowRegistered([r.workflowHash]), true);
    const check = await checkWorkflow(publicClient, { handler: core.handler.address, document: JSON.stringify(d) });
    assert.equal(check.status, "match");
    assert.deepEqual(check.status === "match" ? check.mismatches : null, []);
  });

  it("detects a policy registered for the document's hash that the document does not declare", async () => {
    const d = doc("1.0.1");
    const { workflowHash, policy } = deriveWorkflowPolicy(d);
    // The registrar registers a different policy under the document's hash: stage 1 becomes sync, the allowlist
    // gains a stranger, and stage 2's verifier gas changes.
    const forged = {
      ...policy,
      stages: policy.stages.map((s, i) => ({ ...s, ...(i === 1 ? { resolution: 1 } : {}), ...(i === 2 ? { verifierGasLimit: 300_000 } : {}) })),
      agents: [...policy.agents, stranger.account.address as Address],
      requesters: [...policy.requesters],
    };
    await publicClient.waitForTransactionReceipt({ hash: await core.handler.write.registerWorkflow([workflowHash, forged as never]) });
    const check = await checkWorkflow(publicClient, { handler: core.handler.address, document: d });
    assert.equal(check.status, "mismatch");
    const paths = check.status === "mismatch" ? check.mismatches.map((m) => m.path).sort() : [];
    assert.deepEqual(paths, ["agents.allowlist", "stages[1].resolution", "stages[2].verifier.gasLimit"]);
  });

  it("detects a verifier whose proofSystem() is not the declared kind", async () => {
    const d = doc("1.0.2", (x) => (x.stages[1]!.verifier.kind = "wyriwe"));
    await registerWorkflow(publicClient, operator, { handler: core.handler.address, document: d });
    const check = await checkWorkflow(publicClient, { handler: core.handler.address, document: d });
    assert.equal(check.status, "mismatch");
    assert.deepEqual(check.status === "mismatch" ? check.mismatches.map((m) => [m.path, m.chain]) : [], [["stages[1].verifier.kind", "attestation/eip712-ecdsa"]]);
    assert.equal((await checkWorkflow(publicClient, { handler: core.handler.address, document: d, checkVerifierKinds: false })).status, "match");
  });

  it("reports an invalid document as findings, and refuses to register it before any RPC", async () => {
    const bad = { ...doc("1.0.3"), extra: true };
    const check = await checkWorkflow(publicClient, { handler: core.handler.address, document: bad });
    assert.equal(check.status, "invalid-document");
    await assert.rejects(registerWorkflow(publicClient, operator, { handler: core.handler.address, document: bad }), WorkflowSchemaError);
  });

  it("surfaces the contract's own error when the registrar is not the owner", async () => {
    await assert.rejects(registerWorkflow(publicClient, stranger, { handler: core.handler.address, document: doc("1.0.4") }), (e: unknown) => (e as { code?: string }).code === "CHAIN_REVERT_OwnableUnauthorizedAccount");
  });
});
