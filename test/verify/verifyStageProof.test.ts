import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keccak256, stringToHex, toHex, type Hex } from "viem";
import { Verdict } from "../../sdk/chain/index.js";
import { agentVerifierAbi } from "../../sdk/chain/abis.js";
import { ChainParameterError } from "../../sdk/chain/errors.js";
import { verifyStageProof, readVerifierInfo } from "../../sdk/verify/index.js";
import { deployAgentExec } from "../contracts/helpers/fixture.js";
import { prng } from "../../scripts/lib/prng.js";

describe("verifyStageProof", async () => {
  const f = await deployAgentExec();
  const handler = f.handler.address;
  const verifier = f.ecdsa.address;
  const taskId = keccak256(stringToHex("task"));
  const inputHash = keccak256(stringToHex("in"));
  const outputHash = keccak256(stringToHex("out"));
  const agent = f.accounts.agent.account.address;
  const base = { handler, verifier, taskId, stage: 0, inputHash, outputHash, agent, isFinal: false };

  it("recovers the attesters and checks them against the verifier's own set and threshold", async () => {
    const proof = await f.stageProof(taskId, 0, inputHash, outputHash);
    const r = await verifyStageProof(f.publicClient, { ...base, proof, onChain: true });
    assert.equal(r.ok, true);
    assert.equal(r.verdict, "approved");
    assert.equal(r.kind, "ecdsa");
    assert.equal(r.threshold, 1);
    assert.equal(r.signers[0]?.address?.toLowerCase(), f.accounts.attester.account.address.toLowerCase());
    assert.equal(r.signers[0]?.attester, true);
    assert.equal(r.onChain?.verdict, "approved");
    assert.equal(r.onChain?.digest, r.digest);
    const denied = await verifyStageProof(f.publicClient, { ...base, proof: await f.stageProof(taskId, 0, inputHash, outputHash, Verdict.Denied) });
    assert.equal(denied.verdict, "denied");
    assert.equal(denied.ok, true);
  });

  it("asks the verifier from the handler: a plain eth_call from another account would answer Invalid", async () => {
    const proof = await f.stageProof(taskId, 0, inputHash, outputHash);
    const naive = (await f.publicClient.readContract({
      address: verifier,
      abi: agentVerifierAbi,
      functionName: "verifyStage",
      args: [taskId, 0, agent, false, inputHash, outputHash, proof],
    } as never)) as unknown as readonly [number, Hex];
    assert.equal(naive[0], Verdict.Invalid); // the trap
    const r = await verifyStageProof(f.publicClient, { ...base, proof, onChain: true });
    assert.equal(r.onChain?.verdict, "approved");
    assert.equal(r.onChain?.agrees, true);
  });

  it("reports what is wrong with a bad proof, on- and off-chain", async () => {
    const other = await f.stageProof(taskId, 1, inputHash, outputHash); // signed for another stage
    const r = await verifyStageProof(f.publicClient, { ...base, proof: other, onChain: true });
    assert.equal(r.ok, false);
    assert.equal(r.verdict, "invalid");
    assert.match(r.checks.find((c) => c.id === "proof.signatures")?.reason ?? "", /not an attester/);
    assert.equal(r.onChain?.verdict, "invalid");
    assert.equal(r.onChain?.agrees, true);
    const short = await verifyStageProof(f.publicClient, { ...base, proof: "0x01" });
    assert.match(short.checks.find((c) => c.id === "proof.format")?.reason ?? "", /signature bytes/);
    const verdict = await verifyStageProof(f.publicClient, { ...base, proof: `0x07${other.slice(4)}` });
    assert.match(verdict.checks.find((c) => c.id === "proof.format")?.reason ?? "", /verdict byte 7/);
  });

  it("never throws on random proofs; rejects malformed parameters with typed errors", async () => {
    const info = await readVerifierInfo(f.publicClient, verifier);
    const rnd = prng(7);
    for (let i = 0; i < 200; i++) {
      const len = Math.floor(rnd() * 140);
      const bytes = new Uint8Array(len).map(() => Math.floor(rnd() * 256));
      const r = await verifyStageProof(f.publicClient, { ...base, proof: toHex(bytes), verifierInfo: info });
      assert.equal(r.ok, false);
    }
    await assert.rejects(verifyStageProof(f.publicClient, { ...base, proof: "nope" as Hex }), ChainParameterError);
    await assert.rejects(verifyStageProof(f.publicClient, { ...base, stage: 300 }  as never), ChainParameterError);
  });

  it("a verifier that is not an attester set is reported as not rechecked off-chain", async () => {
    const r = await verifyStageProof(f.publicClient, { ...base, verifier: handler, proof: "0x01" });
    assert.equal(r.kind, "unknown");
    assert.equal(r.checks[0]?.status, "skip");
  });
});
