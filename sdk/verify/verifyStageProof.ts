/**
 * `verifyStageProof`: checks a stage proof for the reference attestation verifiers off-chain — decodes it,
 * recovers each attester from its EIP-712 signature, and checks them against the verifier's OWN on-chain signer
 * set and threshold (read from the verifier, never taken from the caller) — and, optionally, asks the verifier.
 *
 * Asking the verifier: `verifyStage` authenticates the handler as `msg.sender`, so an `eth_call` from any other
 * account silently answers `Invalid` (the signatures were made for the handler). The on-chain check here always
 * simulates the call from the handler (`account: handler`), so a user cannot fall into that.
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import {
  getAddress,
  hashTypedData,
  hexToBytes,
  hexToNumber,
  isHex,
  keccak256,
  size,
  toHex,
  slice,
  type Address,
  type Hex,
} from "viem";
import { getChainId } from "viem/actions";
import { agentHandlerAbi, agentVerifierAbi, ecdsaAttestationVerifierAbi } from "../chain/abis.js";
import { stageAttestationTypedData, wyriweAttestationTypedData, type SignableVerdict } from "../chain/attestation.js";
import { withRpcRetry, type RetryOptions } from "../chain/retry.js";
import { attestedInputHash, isSentinelPipeline } from "../chain/wyriwe.js";
import { decodeRevert } from "../chain/revert.js";
import { stepDigest } from "../chain/step.js";
import type { AnyClient } from "../chain/actions/internal.js";
import { assertAddress, assertBytes32, assertUint } from "../chain/validate.js";
import { ChainParameterError } from "../chain/errors.js";
import { lower, safeRead, short } from "./internal.js";
import { allPass, fail, pass, skip, type VerifyCheck } from "./types.js";

/** What sdk/verify knows of a verifier: its proof system and, for attester sets, the set and threshold. */
export type VerifierInfo = {
  address: Address;
  chainId: number;
  /** `proofSystem()`, or undefined when the verifier does not answer it. */
  proofSystem: string | undefined;
  kind: "ecdsa" | "wyriwe" | "unknown";
  /** The verifier's own attester set (empty when not an attester-set verifier). */
  attesters: readonly Address[];
  threshold: number | undefined;
  /** Why the set could not be read, if it could not. */
  problem: string | undefined;
};

const PROOF_SYSTEMS: Record<string, VerifierInfo["kind"]> = {
  "attestation/eip712-ecdsa": "ecdsa",
  "attestation/wyriwe": "wyriwe",
};

/** Reads a verifier's proof system, attester set and threshold (three view calls, in parallel). */
export async function readVerifierInfo(client: AnyClient, verifier: Address, options: { chainId?: number | undefined; retry?: RetryOptions | undefined } = {}): Promise<VerifierInfo> {
  assertAddress("verifier", verifier);
  const retry = options.retry;
  const [chainId, ps, set, k] = await Promise.all([
    options.chainId ?? chainIdOf(client, retry),
    safeRead<string>(client, { address: verifier, abi: agentVerifierAbi, functionName: "proofSystem" }, retry),
    safeRead<readonly Address[]>(client, { address: verifier, abi: ecdsaAttestationVerifierAbi, functionName: "attesters" }, retry),
    safeRead<bigint>(client, { address: verifier, abi: ecdsaAttestationVerifierAbi, functionName: "threshold" }, retry),
  ]);
  const proofSystem = ps.ok ? ps.value : undefined;
  const kind = (proofSystem && PROOF_SYSTEMS[proofSystem]) || "unknown";
  let problem: string | undefined;
  if (!ps.ok) problem = `proofSystem() failed: ${ps.reason}`;
  else if (kind !== "unknown" && (!set.ok || !k.ok)) problem = `attester set unreadable: ${!set.ok ? set.reason : !k.ok ? k.reason : ""}`;
  return {
    address: verifier,
    chainId,
    proofSystem,
    kind,
    attesters: set.ok ? set.value : [],
    threshold: k.ok && k.value <= 2n ** 32n ? Number(k.value) : undefined,
    problem,
  };
}

export async function chainIdOf(client: AnyClient, retry: RetryOptions | undefined): Promise<number> {
  try {
    return await withRpcRetry(() => getChainId(client), retry);
  } catch (error) {
    throw decodeRevert(error, { method: "eth_chainId" });
  }
}

export type VerifyStageProofParameters = {
  /** The handler the proof is for (the attested `handler`, and the account the verifier is asked from). */
  handler: Address;
  /** The stage's verifier. */
  verifier: Address;
  taskId: Hex;
  stage: number;
  inputHash: Hex;
  outputHash: Hex;
  /** The proof bytes as the verifier receives them. */
  proof: Hex;
  /** The agent the step is recorded under (bound by the attestation and passed to `verifyStage`). */
  agent: Address;
  /** The step's final flag (bound by the attestation and passed to `verifyStage`). */
  isFinal: boolean;
  /** Also ask the verifier on-chain (simulated from the handler). Default false. */
  onChain?: boolean | undefined;
  /** The verifier's info, if already read (verifyTask shares it across stages). */
  verifierInfo?: VerifierInfo | undefined;
  /** The task's policy pipeline hash (WYRIWE proofs); read from the handler when omitted. */
  policyPipelineHash?: Hex | undefined;
  /**
   * The handler's record of stage 0 (`stepDigest(taskId, 0)`), which a WYRIWE proof after stage 0 must reopen with
   * its witness `outputHash0 ‖ agent0`; read from the handler when omitted.
   */
  stage0Record?: Hex | undefined;
  retry?: RetryOptions | undefined;
};

export type RecoveredSigner = {
  index: number;
  /** The recovered address, undefined when the signature is malformed. */
  address: Address | undefined;
  attester: boolean;
  problem: string | undefined;
};

export type VerifyStageProofReturnType = {
  /** Every check passed: the proof verifies with the verdict it claims. */
  ok: boolean;
  /** The verdict the proof establishes off-chain (`invalid` when it does not verify). */
  verdict: "approved" | "denied" | "invalid";
  /** The verdict byte the proof claims. */
  claimedVerdict: number | undefined;
  kind: VerifierInfo["kind"];
  proofSystem: string | undefined;
  /** The EIP-712 digest the attesters had to sign (what `AgentStageProven.digest` reports). */
  digest: Hex | undefined;
  signers: RecoveredSigner[];
  threshold: number | undefined;
  attesters: readonly Address[];
  checks: VerifyCheck[];
  /** The verifier's own answer, asked from the handler, when `onChain` was requested. */
  onChain: { verdict: "approved" | "denied" | "invalid"; digest: Hex; agrees: boolean } | undefined;
};

const VERDICTS = ["invalid", "approved", "denied"] as const;
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * Verifies a stage proof of an `EcdsaAttestationVerifier` or `WyriweAttestationVerifier` off-chain against the
 * verifier's own signer set and threshold. Never throws for a malformed proof or a hostile verifier (those are
 * failed checks); throws `ChainParameterError` for malformed parameters and `ChainRpcError` when the RPC fails.
 */
export async function verifyStageProof(client: AnyClient, parameters: VerifyStageProofParameters): Promise<VerifyStageProofReturnType> {
  const { handler, verifier, taskId, stage, inputHash, outputHash, proof } = parameters;
  assertAddress("handler", handler);
  assertAddress("verifier", verifier);
  assertBytes32("taskId", taskId);
  assertUint("stage", stage, 255n);
  assertBytes32("inputHash", inputHash);
  assertBytes32("outputHash", outputHash);
  assertAddress("agent", parameters.agent);
  if (typeof parameters.isFinal !== "boolean") throw new ChainParameterError("isFinal", "expected a boolean");
  if (typeof proof !== "string" || !isHex(proof, { strict: true }) || proof.length % 2 !== 0) {
    throw new ChainParameterError("proof", "expected 0x-prefixed hex bytes");
  }
  const info = parameters.verifierInfo ?? (await readVerifierInfo(client, verifier, { retry: parameters.retry }));
  let pipeline = parameters.policyPipelineHash;
  if (info.kind === "wyriwe" && pipeline === undefined) {
    const ctx = await safeRead<readonly [Hex, Hex]>(client, { address: handler, abi: agentHandlerAbi, functionName: "taskInputContext", args: [taskId] }, parameters.retry);
    pipeline = ctx.ok ? ctx.value[1] : undefined;
  }
  let stage0Record = parameters.stage0Record;
  if (info.kind === "wyriwe" && stage > 0 && stage0Record === undefined) {
    const rec = await safeRead<Hex>(client, { address: handler, abi: agentHandlerAbi, functionName: "stepDigest", args: [taskId, 0] }, parameters.retry);
    stage0Record = rec.ok ? rec.value : undefined;
  }
  const result = checkStageProofOffChain({ ...parameters, info, policyPipelineHash: pipeline, stage0Record });
  if (parameters.onChain) {
    result.onChain = await askVerifier(client, parameters);
    const agrees = result.onChain.verdict === result.verdict;
    result.onChain.agrees = agrees;
    result.checks.push(
      agrees
        ? pass("proof.onChain", `the verifier, asked from the handler, answers ${result.onChain.verdict}`)
        : fail("proof.onChain", `the verifier, asked from the handler, answers ${result.onChain.verdict}; off-chain: ${result.verdict}`),
    );
    result.ok = allPass(result.checks);
  }
  return result;
}

/** Asks the verifier, simulating the call from the handler (never from another account: it would answer Invalid). */
export async function askVerifier(
  client: AnyClient,
  p: Pick<VerifyStageProofParameters, "handler" | "verifier" | "taskId" | "stage" | "inputHash" | "outputHash" | "proof" | "agent" | "isFinal" | "retry">,
): Promise<{ verdict: "approved" | "denied" | "invalid"; digest: Hex; agrees: boolean }> {
  const r = await safeRead<readonly [number, Hex]>(
    client,
    {
      address: p.verifier,
      abi: agentVerifierAbi,
      functionName: "verifyStage",
      args: [p.taskId, p.stage, p.agent, p.isFinal, p.inputHash, p.outputHash, p.proof],
      account: p.handler,
    },
    p.retry,
  );
  if (!r.ok) return { verdict: "invalid", digest: `0x${"00".repeat(32)}`, agrees: false };
  return { verdict: VERDICTS[r.value[0]] ?? "invalid", digest: r.value[1], agrees: false };
}

/** The off-chain part of {@link verifyStageProof}, synchronous, given the verifier's info. Never throws. */
export function checkStageProofOffChain(
  p: Omit<VerifyStageProofParameters, "verifierInfo" | "onChain" | "retry"> & { info: VerifierInfo },
): VerifyStageProofReturnType {
  const { info } = p;
  const checks: VerifyCheck[] = [];
  const base: VerifyStageProofReturnType = {
    ok: false,
    verdict: "invalid",
    claimedVerdict: undefined,
    kind: info.kind,
    proofSystem: info.proofSystem,
    digest: undefined,
    signers: [],
    threshold: info.threshold,
    attesters: info.attesters,
    checks,
    onChain: undefined,
  };
  if (info.kind === "unknown") {
    checks.push(
      skip(
        "proof.signatures",
        info.problem ?? `proof system ${JSON.stringify(info.proofSystem)} is not an attestation verifier the SDK can recheck off-chain`,
      ),
    );
    return base;
  }
  if (info.problem || info.threshold === undefined || info.attesters.length === 0) {
    checks.push(fail("proof.verifier", info.problem ?? "the verifier has no attester set or threshold"));
    return base;
  }
  const bytes = size(p.proof);
  // WYRIWE after stage 0: the header carries stage 0's witness `outputHash0 ‖ agent0` too.
  const header = info.kind === "wyriwe" ? (p.stage > 0 ? 65 + 52 : 65) : 1;
  if (bytes < header) {
    checks.push(fail("proof.format", `proof is ${bytes} bytes, shorter than its ${header}-byte header${header === 117 ? " (with stage 0's witness)" : ""}`));
    return base;
  }
  const claimed = hexToNumber(slice(p.proof, 0, 1));
  base.claimedVerdict = claimed;
  if (claimed !== 1 && claimed !== 2) {
    checks.push(fail("proof.format", `verdict byte ${claimed} is neither 1 (approved) nor 2 (denied)`));
    return base;
  }
  const sigBytes = bytes - header;
  if (sigBytes !== info.threshold * 65) {
    checks.push(fail("proof.format", `proof carries ${sigBytes} signature bytes; the verifier's threshold ${info.threshold} needs ${info.threshold * 65}`));
    return base;
  }
  checks.push(pass("proof.format", `${info.kind} proof: verdict ${VERDICTS[claimed]}, ${info.threshold} signature(s)`));

  let digest: Hex;
  try {
    if (info.kind === "wyriwe") {
      const declared = slice(p.proof, 1, 33);
      const pipelineHash = slice(p.proof, 33, 65);
      const attested = attestedInputHash({ declaredInputHash: declared, pipelineHash });
      if (lower(attested) !== lower(p.inputHash)) {
        checks.push(fail("proof.wyriwe", `attested(declared ${short(declared)}, pipeline ${short(pipelineHash)}) = ${short(attested)} ≠ step inputHash ${short(p.inputHash)}`));
      } else if (p.policyPipelineHash === undefined) {
        checks.push(skip("proof.wyriwe", "the task's policy pipeline is unknown"));
      } else if (isSentinelPipeline(p.policyPipelineHash) ? !isSentinelPipeline(pipelineHash) : lower(pipelineHash) !== lower(p.policyPipelineHash)) {
        checks.push(fail("proof.wyriwe", `proof pipeline ${short(pipelineHash)} is not the policy's ${short(p.policyPipelineHash)}`));
      } else {
        checks.push(pass("proof.wyriwe", isSentinelPipeline(pipelineHash) ? "sentinel: attested input = declared input" : "attested input = H(declared, policy pipeline)"));
      }
      if (p.stage > 0) {
        const outputHash0 = slice(p.proof, 65, 97);
        const agent0 = getAddress(slice(p.proof, 97, 117));
        const record = stepDigest({ inputHash: p.inputHash, outputHash: outputHash0, agent: agent0, isFinal: false });
        if (p.stage0Record === undefined) checks.push(skip("proof.wyriwe.witness", "stage 0's record is unknown"));
        else if (lower(record) !== lower(p.stage0Record)) {
          checks.push(fail("proof.wyriwe.witness", `witness (${short(outputHash0)}, ${short(agent0)}) with inputHash ${short(p.inputHash)} is not stage 0's record ${short(p.stage0Record)}: the step's input is not the task's attested input`));
        } else checks.push(pass("proof.wyriwe.witness", "the step's input is stage 0's, the task's attested input"));
      }
      digest = hashTypedData(
        wyriweAttestationTypedData({
          chainId: info.chainId,
          verifier: info.address,
          handler: p.handler,
          taskId: p.taskId,
          stage: p.stage,
          agent: p.agent,
          isFinal: p.isFinal,
          declaredInputHash: declared,
          pipelineHash,
          outputHash: p.outputHash,
          verdict: claimed as SignableVerdict,
        }),
      );
    } else {
      digest = hashTypedData(
        stageAttestationTypedData({
          chainId: info.chainId,
          verifier: info.address,
          handler: p.handler,
          taskId: p.taskId,
          stage: p.stage,
          agent: p.agent,
          isFinal: p.isFinal,
          inputHash: p.inputHash,
          outputHash: p.outputHash,
          verdict: claimed as SignableVerdict,
        }),
      );
    }
  } catch (error) {
    checks.push(fail("proof.format", `cannot build the attestation: ${(error as Error).message.split("\n")[0]}`));
    return base;
  }
  base.digest = digest;

  const set = new Set(info.attesters.map(lower));
  let previous = -1n;
  let good = 0;
  const problems: string[] = [];
  for (let i = 0; i < info.threshold; i++) {
    const sig = slice(p.proof, header + i * 65, header + (i + 1) * 65);
    const s = BigInt(slice(sig, 32, 64));
    const v = hexToNumber(slice(sig, 64, 65));
    const signer: RecoveredSigner = { index: i, address: undefined, attester: false, problem: undefined };
    base.signers.push(signer);
    if (v !== 27 && v !== 28) signer.problem = `v = ${v} (expected 27 or 28)`;
    else if (s > HALF_N) signer.problem = "malleable signature (s in the upper half order)";
    else {
      try {
        signer.address = recoverAddressSync(digest, sig);
      } catch {
        signer.problem = "signature does not recover";
      }
    }
    if (signer.address) {
      signer.attester = set.has(lower(signer.address));
      const n = BigInt(signer.address);
      if (!signer.attester) signer.problem = `${signer.address} is not an attester of the verifier`;
      else if (n <= previous) signer.problem = "signers are not in strictly ascending order (or repeat)";
      else good++;
      previous = n;
    }
    if (signer.problem) problems.push(`signature ${i}: ${signer.problem}`);
  }
  if (problems.length === 0 && good === info.threshold) {
    checks.push(pass("proof.signatures", `${good} of ${info.attesters.length} attesters signed (threshold ${info.threshold})`));
    base.verdict = VERDICTS[claimed] ?? "invalid";
  } else {
    checks.push(fail("proof.signatures", problems.join("; ") || `only ${good} valid attester signature(s), threshold ${info.threshold}`));
  }
  base.ok = allPass(checks) && base.verdict !== "invalid";
  return base;
}

/**
 * Synchronous ecrecover (viem's `recoverAddress` is async), memoised: recovery is a pure function of (digest,
 * signature) and the costliest step of a stage proof's recheck (pure-JS secp256k1: Node has no native recovery).
 */
function recoverAddressSync(hash: Hex, signature: Hex): Address {
  const id = `${hash}${signature.slice(2)}`.toLowerCase();
  const known = RECOVERED.get(id);
  if (known !== undefined) return known;
  const address = recoverUncached(hash, signature);
  if (RECOVERED.size >= RECOVERED_MAX) RECOVERED.delete(RECOVERED.keys().next().value as string);
  RECOVERED.set(id, address);
  return address;
}
const RECOVERED = new Map<string, Address>();
const RECOVERED_MAX = 8192;
/** Forgets the memoised recoveries (for benchmarks measuring a first verification). Internal. */
export function clearRecoveryMemo(): void {
  RECOVERED.clear();
}

function recoverUncached(hash: Hex, signature: Hex): Address {
  const r = BigInt(slice(signature, 0, 32));
  const s = BigInt(slice(signature, 32, 64));
  const v = hexToNumber(slice(signature, 64, 65));
  const sig = new secp256k1.Signature(r, s).addRecoveryBit(v - 27);
  const pub = sig.recoverPublicKey(hexToBytes(hash)).toBytes(false);
  return `0x${keccak256(toHex(pub.slice(1))).slice(-40)}` as Address;
}
