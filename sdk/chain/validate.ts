/** Boundary checks shared by the chain helpers. Each throws {@link ChainParameterError} naming the parameter. */
import { isAddress, isHex, type Address, type Hex } from "viem";
import { ChainParameterError } from "./errors.js";

export function assertAddress(name: string, value: unknown): asserts value is Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) {
    throw new ChainParameterError(name, `expected a 20-byte hex address, got ${describe(value)}`);
  }
}

export function assertBytes32(name: string, value: unknown): asserts value is Hex {
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length !== 66) {
    throw new ChainParameterError(name, `expected a 32-byte 0x-prefixed hex string, got ${describe(value)}`);
  }
}

export function assertUint(name: string, value: unknown, max: bigint): asserts value is number | bigint {
  const ok =
    (typeof value === "bigint" && value >= 0n && value <= max) ||
    (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && BigInt(value) <= max);
  if (!ok) throw new ChainParameterError(name, `expected an integer in [0, ${max}], got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === "bigint") return `${value}n`;
  try {
    return String(value);
  } catch {
    // An object without a usable toString (null prototype, a throwing toString or Symbol.toPrimitive).
    return Array.isArray(value) ? "an array" : `an object (${typeof value})`;
  }
}

export function assertBool(name: string, value: unknown): asserts value is boolean {
  if (typeof value !== "boolean") throw new ChainParameterError(name, `expected a boolean, got ${describe(value)}`);
}

export function assertHex(name: string, value: unknown): asserts value is Hex {
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length % 2 !== 0) {
    throw new ChainParameterError(name, `expected 0x-prefixed hex bytes, got ${describe(value)}`);
  }
}

export function assertObject(name: string, value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) {
    throw new ChainParameterError(name, `expected an object, got ${describe(value)}`);
  }
}
