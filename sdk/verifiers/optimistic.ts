/** Off-chain arithmetic of OptimisticVerifier (contracts/interfaces/IOptimisticVerifier.sol): claim ids and proofs. */
import { encodeAbiParameters, keccak256, toHex, type Address, type Hex } from "viem";
import { ChainParameterError } from "../chain/errors.js";
import { Verdict, type SignableVerdict } from "../chain/attestation.js";
import { assertAddress, assertBytes32, assertUint } from "../chain/validate.js";

/** A claim: the step (as recorded) and the verdict it deserves. */
export type OptimisticClaim = {
  handler: Address;
  taskId: Hex;
  stage: number;
  agent: Address;
  isFinal: boolean;
  inputHash: Hex;
  outputHash: Hex;
  verdict: SignableVerdict;
};

export function assertClaim(c: OptimisticClaim): void {
  assertAddress("handler", c.handler);
  assertBytes32("taskId", c.taskId);
  assertUint("stage", c.stage, 255n);
  assertAddress("agent", c.agent);
  if (typeof c.isFinal !== "boolean") throw new ChainParameterError("isFinal", `expected a boolean, got ${String(c.isFinal)}`);
  assertBytes32("inputHash", c.inputHash);
  assertBytes32("outputHash", c.outputHash);
  if (c.verdict !== Verdict.Approved && c.verdict !== Verdict.Denied) {
    throw new ChainParameterError("verdict", `expected 1 (approved) or 2 (denied), got ${String(c.verdict)}`);
  }
}

export type OptimisticClaimIdParameters = OptimisticClaim & { chainId: number | bigint; verifier: Address };
export type OptimisticClaimIdReturnType = Hex;

/** `keccak256(abi.encode(chainId, verifier, handler, taskId, stage, agent, isFinal, inputHash, outputHash, verdict))`. */
export function optimisticClaimId(parameters: OptimisticClaimIdParameters): OptimisticClaimIdReturnType {
  assertUint("chainId", parameters.chainId, 2n ** 256n - 1n);
  assertAddress("verifier", parameters.verifier);
  assertClaim(parameters);
  const p = parameters;
  return keccak256(
    encodeAbiParameters(
      [
        { type: "uint256" },
        { type: "address" },
        { type: "address" },
        { type: "bytes32" },
        { type: "uint8" },
        { type: "address" },
        { type: "bool" },
        { type: "bytes32" },
        { type: "bytes32" },
        { type: "uint8" },
      ],
      [BigInt(p.chainId), p.verifier, p.handler, p.taskId, p.stage, p.agent, p.isFinal, p.inputHash, p.outputHash, p.verdict],
    ),
  );
}

export type EncodeOptimisticProofParameters = { verdict: SignableVerdict };

/** The verifier proof OptimisticVerifier takes: the claimed verdict, one byte. Wrap it with `encodeProveProof`. */
export function encodeOptimisticProof(parameters: EncodeOptimisticProofParameters): Hex {
  if (parameters.verdict !== Verdict.Approved && parameters.verdict !== Verdict.Denied) {
    throw new ChainParameterError("verdict", `expected 1 (approved) or 2 (denied), got ${String(parameters.verdict)}`);
  }
  return toHex(parameters.verdict, { size: 1 });
}
