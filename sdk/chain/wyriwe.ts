/**
 * WYRIWE (ERC-8299) input provenance as ERC-8301 v0.1 adopts it — mirrors contracts/libraries/Wyriwe.sol.
 * Sentinel: with no transform, attested inputHash == declared inputHash. With a declared sanitisation pipeline,
 * attested = keccak256(abi.encode(declared, pipelineHash)), where pipelineHash = keccak256(utf8(pipeline URI)).
 */
import { encodeAbiParameters, keccak256, stringToBytes, zeroHash, type Hex } from "viem";
import { ChainParameterError } from "./errors.js";
import { assertBytes32, assertObject } from "./validate.js";

/** ERC-8299's identity pipeline: declaring it is the same as declaring no pipeline. */
export const IDENTITY_PIPELINE_URI = "ipfs://QmccvoM6aRVgZ2dtFWvT6Wm3DmTvoAUHHotK7uQufnStVR";
export const IDENTITY_PIPELINE_HASH: Hex = keccak256(stringToBytes(IDENTITY_PIPELINE_URI));

/** The `pipelineHash` a workflow policy commits to for a pipeline URI (e.g. an IPFS CID URI). */
export function pipelineHashOf(pipelineUri: string): Hex {
  if (typeof pipelineUri !== "string" || pipelineUri.length === 0) {
    throw new ChainParameterError("pipelineUri", "expected a non-empty pipeline URI");
  }
  return keccak256(stringToBytes(pipelineUri));
}

/** Whether `pipelineHash` means "no transform" (zero or the identity pipeline); false for anything not a bytes32. */
export function isSentinelPipeline(pipelineHash: Hex): boolean {
  if (typeof pipelineHash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(pipelineHash)) return false;
  return pipelineHash.toLowerCase() === zeroHash || pipelineHash.toLowerCase() === IDENTITY_PIPELINE_HASH;
}

export type AttestedInputHashParameters = { declaredInputHash: Hex; pipelineHash: Hex };

/** The input hash the model must be attested to have received. */
export function attestedInputHash(parameters: AttestedInputHashParameters): Hex {
  assertObject("parameters", parameters);
  const { declaredInputHash, pipelineHash } = parameters;
  assertBytes32("declaredInputHash", declaredInputHash);
  assertBytes32("pipelineHash", pipelineHash);
  if (isSentinelPipeline(pipelineHash)) return declaredInputHash;
  return keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [declaredInputHash, pipelineHash]));
}
