/**
 * Exact conversions between the off-chain digests and the chain's `bytes32`:
 * - ECT `inp_hash` / `out_hash` are base64url (no padding) of a 32-byte SHA-256 digest (seed 000 §4.2.2); as a
 *   step's `outputHash` they are the same 32 bytes, hex-encoded. The conversion is lossless both ways.
 * - A Capsule's `capsule_id` is 64 lowercase hex characters (seed 004 §5.1, JSON-DIGEST); as `bytes32` it is the
 *   same 32 bytes with a `0x` prefix.
 */
import { bytesToHex, hexToBytes, isHex, type Hex } from "viem";
import { BridgeError } from "./errors.js";

const B64URL_43 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** `out_hash` (base64url SHA-256) → `bytes32`. Throws `BridgeError` (BRIDGE_INVALID_ECT_HASH) on anything else. */
export function ectHashToBytes32(ectHash: string): Hex {
  if (typeof ectHash !== "string" || !B64URL_43.test(ectHash))
    throw new BridgeError("BRIDGE_INVALID_ECT_HASH", { details: `got ${typeof ectHash === "string" ? JSON.stringify(ectHash.slice(0, 60)) : String(ectHash)}` });
  return bytesToHex(Buffer.from(ectHash, "base64url"));
}

/** `bytes32` → the base64url form ECTs carry. Inverse of `ectHashToBytes32`. */
export function bytes32ToEctHash(value: Hex): string {
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length !== 66)
    throw new BridgeError("BRIDGE_INVALID_BYTES32", { details: `got ${String(value).slice(0, 80)}` });
  return Buffer.from(hexToBytes(value)).toString("base64url");
}

/** `capsule_id` → `bytes32`. */
export function capsuleIdToBytes32(capsuleId: string): Hex {
  if (typeof capsuleId !== "string" || !/^[0-9a-f]{64}$/.test(capsuleId))
    throw new BridgeError("BRIDGE_INVALID_CAPSULE_ID", { details: `got ${typeof capsuleId === "string" ? JSON.stringify(capsuleId.slice(0, 80)) : String(capsuleId)}` });
  return `0x${capsuleId}`;
}

/** `bytes32` → `capsule_id`. */
export function bytes32ToCapsuleId(value: Hex): string {
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length !== 66)
    throw new BridgeError("BRIDGE_INVALID_BYTES32", { details: `got ${String(value).slice(0, 80)}` });
  return value.slice(2).toLowerCase();
}
