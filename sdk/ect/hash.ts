/**
 * `inp_hash` / `out_hash`: base64url SHA-256 of a task's input and output data.
 *
 * Spec: seed 000, 4.2.2 ("inp_hash / out_hash: SHA-256 hashes of input and output data,
 * providing integrity without exposing content"; the example writes
 * `base64url(SHA-256(input_data))`). A well-formed value is exactly 43 base64url
 * characters without padding, in canonical form (the unused low bits of the last
 * character are zero), which is what step 12 of `verifyEct` checks.
 */
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { EctInvalidClaimError } from "./errors.js";

/** Bytes or text to hash. Strings are hashed as their UTF-8 encoding. */
export type EctHashInput = string | Uint8Array | ArrayBuffer | ArrayBufferView;

const HASH_RE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** `base64url(SHA-256(data))`, the form of `inp_hash` / `out_hash`. */
export function computeEctHash(data: EctHashInput): string {
  const h = createHash("sha256");
  if (typeof data === "string") h.update(data, "utf8");
  else if (data instanceof ArrayBuffer) h.update(new Uint8Array(data));
  else if (ArrayBuffer.isView(data)) h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else throw new EctInvalidClaimError(12, { details: `cannot hash a value of type ${typeof data}` });
  return h.digest("base64url");
}

/**
 * Hash of a JSON value: `base64url(SHA-256(JCS(value)))` (RFC 8785 canonical JSON), so
 * that two agents holding the same structured data compute the same hash.
 * Throws `EctInvalidClaimError` for values JSON cannot represent.
 */
export function computeEctJsonHash(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    throw new EctInvalidClaimError(12, { details: `value is not canonicalisable JSON: ${(cause as Error).message}`, cause });
  }
  if (text === undefined) throw new EctInvalidClaimError(12, { details: "value has no JSON representation" });
  return computeEctHash(text);
}

/** Whether `value` is a well-formed `inp_hash` / `out_hash` (canonical base64url of 32 bytes). */
export function isEctHash(value: unknown): value is string {
  return typeof value === "string" && HASH_RE.test(value);
}

/** Whether `hash` is the ECT hash of `data` (recipients holding the data check this, seed 000 7.1). */
export function matchesEctHash(data: EctHashInput, hash: string): boolean {
  return isEctHash(hash) && computeEctHash(data) === hash;
}
