import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { encodeAbiParameters, hashTypedData, keccak256, stringToBytes, zeroHash, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  AgentExecError,
  ChainParameterError,
  IDENTITY_PIPELINE_HASH,
  IDENTITY_PIPELINE_URI,
  Verdict,
  attestedInputHash,
  computeTaskId,
  encodeStageProof,
  encodeWyriweProof,
  isSentinelPipeline,
  pipelineHashOf,
  stageAttestationTypedData,
  wyriweAttestationTypedData,
} from "../../sdk/index.js";
import {
  encodeProveProof,
  encodeStepData,
  stepDigest,
  stepWitness,
} from "../../sdk/chain/index.js";
import { renderAbis } from "../../scripts/gen-abis.js";

const A: Address = "0x1111111111111111111111111111111111111111";
const B: Address = "0x2222222222222222222222222222222222222222";
const H = keccak256(stringToBytes("h"));
const SIG = `0x${"ab".repeat(65)}` as Hex;

function throwsParam(fn: () => unknown, parameter: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ChainParameterError, `expected ChainParameterError, got ${String(e)}`);
    assert.ok(e instanceof AgentExecError);
    assert.equal(e.code, "CHAIN_INVALID_PARAMETER");
    assert.equal(e.parameter, parameter);
    return true;
  });
}

describe("computeTaskId", () => {
  it("is keccak256(abi.encode(chainId, caller, requester, handler, salt))", () => {
    const expected = keccak256(
      encodeAbiParameters(
        [{ type: "uint256" }, { type: "address" }, { type: "address" }, { type: "address" }, { type: "bytes32" }],
        [31337n, A, B, A, H],
      ),
    );
    assert.equal(computeTaskId({ chainId: 31337, caller: A, requester: B, handler: A, salt: H }), expected);
  });
  it("differs per requester: a front-runner's copy is another task", () => {
    const p = { chainId: 1, caller: A, handler: A, salt: H };
    assert.notEqual(computeTaskId({ ...p, requester: A }), computeTaskId({ ...p, requester: B }));
  });
  it("rejects malformed parameters naming them", () => {
    throwsParam(() => computeTaskId({ chainId: 1, caller: "0x12", requester: B, handler: A, salt: H }), "caller");
    throwsParam(() => computeTaskId({ chainId: 1, caller: A, requester: B, handler: A, salt: "0x1234" }), "salt");
    throwsParam(() => computeTaskId({ chainId: -1, caller: A, requester: B, handler: A, salt: H }), "chainId");
    throwsParam(() => computeTaskId({ chainId: 1.5, caller: A, requester: B, handler: A, salt: H }), "chainId");
  });
});

describe("WYRIWE arithmetic", () => {
  it("sentinel: no pipeline and the identity pipeline leave the declared hash unchanged", () => {
    assert.equal(IDENTITY_PIPELINE_HASH, keccak256(stringToBytes(IDENTITY_PIPELINE_URI)));
    assert.equal(attestedInputHash({ declaredInputHash: H, pipelineHash: zeroHash }), H);
    assert.equal(attestedInputHash({ declaredInputHash: H, pipelineHash: IDENTITY_PIPELINE_HASH }), H);
    assert.equal(isSentinelPipeline(zeroHash), true);
  });
  it("declared pipeline: keccak256(abi.encode(declared, pipelineHash))", () => {
    const p = pipelineHashOf("ipfs://bafy-pipeline");
    const expected = keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [H, p]));
    assert.equal(attestedInputHash({ declaredInputHash: H, pipelineHash: p }), expected);
    assert.equal(isSentinelPipeline(p), false);
  });
  it("rejects bad input", () => {
    throwsParam(() => pipelineHashOf(""), "pipelineUri");
    throwsParam(() => attestedInputHash({ declaredInputHash: "0x00", pipelineHash: zeroHash }), "declaredInputHash");
    throwsParam(() => attestedInputHash({ declaredInputHash: H, pipelineHash: "0xzz" as Hex }), "pipelineHash");
    throwsParam(() => attestedInputHash(null as never), "parameters");
    throwsParam(() => attestedInputHash({ declaredInputHash: H } as never), "pipelineHash");
    throwsParam(() => computeTaskId(null as never), "parameters");
    throwsParam(() => encodeProveProof(Object.create(null) as never, "0x"), "agent");
    // A predicate: false for anything that is not a bytes32, whatever its type.
    for (const bad of [null, undefined, 42, "0x00", {}, Object.create(null), zeroHash.slice(0, 64)]) assert.equal(isSentinelPipeline(bad as never), false);
    assert.equal(isSentinelPipeline(IDENTITY_PIPELINE_HASH.toUpperCase().replace("0X", "0x") as Hex), true);
  });
});

describe("attestation proofs", () => {
  it("orders signatures by ascending signer and prefixes the verdict", () => {
    const s1 = `0x${"11".repeat(65)}` as Hex;
    const s2 = `0x${"22".repeat(65)}` as Hex;
    const proof = encodeStageProof({ verdict: Verdict.Denied, signatures: [{ signer: B, signature: s2 }, { signer: A, signature: s1 }] });
    assert.equal(proof, `0x02${"11".repeat(65)}${"22".repeat(65)}`);
    const w = encodeWyriweProof({ verdict: Verdict.Approved, stage: 0, declaredInputHash: H, pipelineHash: zeroHash, signatures: [{ signer: A, signature: s1 }] });
    assert.equal(w, `0x01${H.slice(2)}${zeroHash.slice(2)}${"11".repeat(65)}`);
  });
  it("a WYRIWE proof after stage 0 carries stage 0's witness outputHash0 ‖ agent0 before the signatures", () => {
    const s1 = `0x${"11".repeat(65)}` as Hex;
    const out0 = keccak256(stringToBytes("stage 0 output"));
    const w = encodeWyriweProof({
      verdict: Verdict.Denied,
      stage: 2,
      declaredInputHash: H,
      pipelineHash: zeroHash,
      stage0Witness: { outputHash0: out0, agent0: B },
      signatures: [{ signer: A, signature: s1 }],
    });
    assert.equal(w, `0x02${H.slice(2)}${zeroHash.slice(2)}${out0.slice(2)}${B.slice(2)}${"11".repeat(65)}`);
    const base = { verdict: Verdict.Approved, declaredInputHash: H, pipelineHash: zeroHash, signatures: [{ signer: A, signature: s1 }] } as const;
    // missing after stage 0, present at stage 0, malformed: each a ChainParameterError naming it
    throwsParam(() => encodeWyriweProof({ ...base, stage: 1 }), "stage0Witness");
    throwsParam(() => encodeWyriweProof({ ...base, stage: 0, stage0Witness: { outputHash0: out0, agent0: B } }), "stage0Witness");
    throwsParam(() => encodeWyriweProof({ ...base, stage: 1, stage0Witness: { outputHash0: "0x12", agent0: B } }), "stage0Witness.outputHash0");
    throwsParam(() => encodeWyriweProof({ ...base, stage: 1, stage0Witness: { outputHash0: out0, agent0: "0x12" as Hex } }), "stage0Witness.agent0");
    throwsParam(() => encodeWyriweProof({ ...base, stage: 256 }), "stage");
  });
  it("refuses what the verifier would reject, naming the parameter", () => {
    throwsParam(() => encodeStageProof({ verdict: 0 as never, signatures: [{ signer: A, signature: SIG }] }), "verdict");
    throwsParam(() => encodeStageProof({ verdict: Verdict.Approved, signatures: [] }), "signatures");
    throwsParam(() => encodeStageProof({ verdict: Verdict.Approved, signatures: [{ signer: A, signature: "0x1234" }] }), "signatures[0].signature");
    throwsParam(
      () => encodeStageProof({ verdict: Verdict.Approved, signatures: [{ signer: A, signature: SIG }, { signer: A.toUpperCase().replace("0X", "0x") as Hex, signature: SIG }] }),
      "signatures[1].signer",
    );
  });
  it("typed data signs and recovers to the attester", async () => {
    const account = privateKeyToAccount(`0x${"42".repeat(32)}`);
    const typed = stageAttestationTypedData({ chainId: 1, verifier: A, handler: B, taskId: H, stage: 3, agent: A, isFinal: false, inputHash: H, outputHash: H, verdict: Verdict.Approved });
    assert.equal(typed.domain?.name, "AgentExecEcdsaVerifier");
    const sig = await account.signTypedData(typed);
    const { recoverTypedDataAddress } = await import("viem");
    assert.equal(await recoverTypedDataAddress({ ...typed, signature: sig }), account.address);
    throwsParam(() => stageAttestationTypedData({ ...typed.message, chainId: 1, verifier: A, stage: 256 } as never), "stage");
  });
});

describe("step records, witnesses and prove headers (v3)", () => {
  it("stepDigest is keccak256(abi.encode(inputHash, outputHash, agent, isFinal))", () => {
    const expected = keccak256(
      encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }, { type: "address" }, { type: "bool" }], [H, zeroHash, A, true]),
    );
    assert.equal(stepDigest({ inputHash: H, outputHash: zeroHash, agent: A, isFinal: true }), expected);
    assert.notEqual(stepDigest({ inputHash: H, outputHash: zeroHash, agent: A, isFinal: false }), expected);
    assert.notEqual(stepDigest({ inputHash: H, outputHash: zeroHash, agent: B, isFinal: true }), expected);
  });
  it("stepDigest rejects malformed and missing input", () => {
    throwsParam(() => stepDigest(undefined as never), "stepDigest parameters");
    throwsParam(() => stepDigest(null as never), "stepDigest parameters");
    throwsParam(() => stepDigest({ inputHash: H, outputHash: H, agent: A } as never), "isFinal");
    throwsParam(() => stepDigest({ inputHash: H, outputHash: H, agent: "0x12" as Address, isFinal: false }), "agent");
    throwsParam(() => stepDigest({ inputHash: "0x12" as Hex, outputHash: H, agent: A, isFinal: false }), "inputHash");
  });
  it("stepWitness is hash ‖ agent (52 bytes), none for a first step of stage 0", () => {
    assert.equal(stepWitness({ stage: 0, chained: false }), undefined);
    assert.equal(stepWitness({ stage: 1, chained: false, stage0OutputHash: H, stage0Agent: A }), `${H}${A.slice(2)}`);
    assert.equal(stepWitness({ stage: 2, chained: true, previousInputHash: H, previousAgent: B }), `${H}${B.slice(2)}`);
    assert.equal(stepWitness({ stage: 0, chained: false, replacing: true, stage0OutputHash: H, stage0Agent: A }), `${H}${A.slice(2)}`);
  });
  it("stepWitness rejects missing history and malformed input", () => {
    throwsParam(() => stepWitness(undefined as never), "stepWitness parameters");
    throwsParam(() => stepWitness(null as never), "stepWitness parameters");
    throwsParam(() => stepWitness({ stage: 1, chained: false, stage0OutputHash: H }), "stage0Agent");
    throwsParam(() => stepWitness({ stage: 1, chained: false, stage0Agent: A }), "stage0OutputHash");
    throwsParam(() => stepWitness({ stage: 1, chained: true, previousInputHash: H }), "previousAgent");
    throwsParam(() => stepWitness({ stage: 1, chained: true, previousAgent: A }), "previousInputHash");
    throwsParam(() => stepWitness({ stage: 1, chained: "no" as never }), "chained");
    throwsParam(() => stepWitness({ stage: 256, chained: false }), "stage");
  });
  it("encodeStepData prefixes a 52-byte witness and validates both parts", () => {
    const w = stepWitness({ stage: 1, chained: false, stage0OutputHash: H, stage0Agent: A })!;
    assert.equal(encodeStepData(w, "0xabcd"), `${w}abcd`);
    assert.equal(encodeStepData(undefined, "0xabcd"), "0xabcd");
    throwsParam(() => encodeStepData(H), "witness");
    throwsParam(() => encodeStepData(w, "0xabc" as Hex), "appData");
    throwsParam(() => encodeStepData(w, null as never), "appData");
  });
  it("encodeProveProof is agent ‖ verifierProof", () => {
    assert.equal(encodeProveProof(A, "0x01ff"), `${A}01ff`);
    assert.equal(encodeProveProof(A, "0x"), A);
    throwsParam(() => encodeProveProof(undefined as never, "0x"), "agent");
    throwsParam(() => encodeProveProof(A, undefined as never), "verifierProof");
    throwsParam(() => encodeProveProof(A, "0x1" as Hex), "verifierProof");
  });
  it("stage attestation typed data binds agent and isFinal", () => {
    const base = { chainId: 1, verifier: A, handler: B, taskId: H, stage: 0, inputHash: H, outputHash: H, verdict: Verdict.Approved } as const;
    const t = stageAttestationTypedData({ ...base, agent: A, isFinal: true });
    assert.equal(t.message.agent, A);
    assert.equal(t.message.isFinal, true);
    throwsParam(() => stageAttestationTypedData({ ...base, isFinal: true } as never), "agent");
    throwsParam(() => stageAttestationTypedData({ ...base, agent: A } as never), "isFinal");
    throwsParam(() => stageAttestationTypedData(null as never), "attestation parameters");
    throwsParam(() => encodeStageProof(undefined as never), "encodeStageProof parameters");
    throwsParam(() => encodeWyriweProof(null as never), "encodeWyriweProof parameters");
  });
  it("WYRIWE attestation typed data binds agent and isFinal too", () => {
    const base = { chainId: 1, verifier: A, handler: B, taskId: H, stage: 0, declaredInputHash: H, pipelineHash: zeroHash, outputHash: H, verdict: Verdict.Approved } as const;
    const t = wyriweAttestationTypedData({ ...base, agent: B, isFinal: true });
    assert.equal(t.message.agent, B);
    assert.equal(t.message.isFinal, true);
    assert.deepEqual(t.types.WyriweAttestation.slice(3, 5), [{ name: "agent", type: "address" }, { name: "isFinal", type: "bool" }]);
    assert.notEqual(hashTypedData(t), hashTypedData(wyriweAttestationTypedData({ ...base, agent: A, isFinal: true })), "another agent, another digest");
    assert.notEqual(hashTypedData(t), hashTypedData(wyriweAttestationTypedData({ ...base, agent: B, isFinal: false })), "the other flag, another digest");
    throwsParam(() => wyriweAttestationTypedData({ ...base, isFinal: true } as never), "agent");
    throwsParam(() => wyriweAttestationTypedData({ ...base, agent: A } as never), "isFinal");
  });
});

describe("generated ABIs", () => {
  it("sdk/chain/abis.ts matches the compiled artifacts (run `npm run build` after changing contracts)", () => {
    assert.equal(readFileSync(new URL("../../sdk/chain/abis.ts", import.meta.url), "utf8"), renderAbis());
  });
});
