/**
 * Reverts of the agent-exec contracts as typed SDK errors.
 *
 * Every custom error declared by AgentCaller, AgentHandler (with its registry and the OpenZeppelin errors it
 * inherits) and the reference verifiers decodes to a {@link ContractRevertError} whose `code` is
 * `CHAIN_REVERT_<ErrorName>` and whose `args` names each argument as the Solidity declaration does. A revert whose
 * data matches no known error is `CHAIN_REVERT_UNKNOWN` (with the raw data); `Error(string)` and `Panic(uint256)`
 * are `CHAIN_REVERT_Error` and `CHAIN_REVERT_Panic`. Anything that is not a revert (transport, timeout, node error)
 * is a {@link ChainRpcError} (`CHAIN_RPC`).
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  isHex,
  toFunctionSelector,
  type Abi,
  type Hex,
} from "viem";
import { AgentExecError } from "../errors.js";
import {
  agentCallerAbi,
  agentHandlerAbi,
  ecdsaAttestationVerifierAbi,
  wyriweAttestationVerifierAbi,
} from "./abis.js";

/** An error item of an ABI. */
export type AbiError = Extract<Abi[number], { type: "error" }>;

/** A value decoded from revert data: ABI types map to viem's (bigint, Hex, boolean, string, arrays, records). */
export type RevertArgument = bigint | number | boolean | string | readonly RevertArgument[] | { readonly [k: string]: RevertArgument };

/** Every custom error the agent-exec contracts can revert with, deduplicated by selector. */
export const agentExecErrorsAbi: readonly AbiError[] = (() => {
  const seen = new Map<Hex, AbiError>();
  for (const abi of [agentHandlerAbi, agentCallerAbi, ecdsaAttestationVerifierAbi, wyriweAttestationVerifierAbi] as readonly Abi[]) {
    for (const item of abi) {
      if (item.type !== "error") continue;
      const selector = errorSelector(item);
      if (!seen.has(selector)) seen.set(selector, item);
    }
  }
  return [...seen.values()];
})();

function errorSelector(item: AbiError): Hex {
  return toFunctionSelector(`${item.name}(${item.inputs.map((i) => canonicalType(i)).join(",")})`);
}

function canonicalType(p: { type: string; components?: readonly { type: string }[] }): string {
  if (p.type.startsWith("tuple")) return `(${(p.components ?? []).map((c) => canonicalType(c)).join(",")})${p.type.slice(5)}`;
  return p.type;
}

export type ContractRevertErrorParameters = {
  /** The Solidity error name (`AgentHandlerTaskNotActive`), `Error`, `Panic` or `UNKNOWN`. */
  errorName: string;
  /** Arguments by declared name (positional `arg0`, `arg1`, … where the declaration has none). */
  args: Readonly<Record<string, RevertArgument>>;
  /** The raw revert data. */
  data: Hex | undefined;
  /** The 4-byte selector, when the data has one. */
  selector: Hex | undefined;
  cause?: unknown;
};

/** A contract call reverted. `code` is `CHAIN_REVERT_<errorName>`; `args` names the error's arguments. */
export class ContractRevertError extends AgentExecError {
  override name = "ContractRevertError";
  readonly errorName: string;
  readonly args: Readonly<Record<string, RevertArgument>>;
  readonly data: Hex | undefined;
  readonly selector: Hex | undefined;
  constructor(p: ContractRevertErrorParameters) {
    const rendered = Object.entries(p.args)
      .map(([k, v]) => `${k}: ${renderArgument(v)}`)
      .join(", ");
    super(
      `CHAIN_REVERT_${p.errorName}`,
      p.errorName === "UNKNOWN" ? "The contract reverted with an unknown error." : `The contract reverted with ${p.errorName}.`,
      { details: p.errorName === "UNKNOWN" ? `revert data ${p.data ?? "(none)"}` : `${p.errorName}(${rendered})`, cause: p.cause },
    );
    this.errorName = p.errorName;
    this.args = p.args;
    this.data = p.data;
    this.selector = p.selector;
  }
}

/** A JSON-RPC request failed for a reason other than a revert (transport, timeout, node error, bad answer). */
export class ChainRpcError extends AgentExecError {
  override name = "ChainRpcError";
  /** The JSON-RPC method, when known. */
  readonly method: string | undefined;
  constructor(details: string, parameters: { method?: string | undefined; cause?: unknown } = {}) {
    super("CHAIN_RPC", parameters.method ? `The RPC request ${parameters.method} failed.` : "An RPC request failed.", {
      details,
      cause: parameters.cause,
    });
    this.method = parameters.method;
  }
}

function renderArgument(v: RevertArgument): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return v;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

const PANIC_SELECTOR = "0x4e487b71";
const ERROR_SELECTOR = "0x08c379a0";

/** Decodes raw revert data against the agent-exec errors (and `Error(string)` / `Panic(uint256)`). */
export function decodeRevertData(data: Hex | undefined, parameters: { abi?: Abi | undefined; cause?: unknown } = {}): ContractRevertError {
  const cause = parameters.cause;
  if (data === undefined || !isHex(data) || data.length < 10) {
    return new ContractRevertError({ errorName: "UNKNOWN", args: {}, data, selector: undefined, cause });
  }
  const selector = data.slice(0, 10).toLowerCase() as Hex;
  const abi = [...(parameters.abi ?? []), ...agentExecErrorsAbi] as Abi;
  try {
    const decoded = decodeErrorResult({ abi, data });
    const item = decoded.abiItem as AbiError;
    const values = (decoded.args ?? []) as readonly RevertArgument[];
    const args: Record<string, RevertArgument> = {};
    const inputs = item.inputs ?? [];
    values.forEach((v, i) => {
      args[inputs[i]?.name || (selector === ERROR_SELECTOR ? "message" : selector === PANIC_SELECTOR ? "code" : `arg${i}`)] = v;
    });
    return new ContractRevertError({ errorName: decoded.errorName, args, data, selector, cause });
  } catch {
    return new ContractRevertError({ errorName: "UNKNOWN", args: {}, data, selector, cause });
  }
}

/**
 * Turns whatever a viem contract call threw into a typed SDK error: a {@link ContractRevertError} for a revert
 * (decoded against the agent-exec errors even when the ABI used for the call did not know the error), a
 * {@link ChainRpcError} otherwise. SDK errors pass through unchanged.
 */
export function decodeRevert(error: unknown, parameters: { abi?: Abi | undefined; method?: string | undefined } = {}): AgentExecError {
  if (error instanceof AgentExecError) return error;
  const data = findRevertData(error);
  if (data !== undefined) return decodeRevertData(data, { abi: parameters.abi, cause: error });
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      if (reverted.data?.errorName) {
        const item = reverted.data.abiItem as AbiError;
        const args: Record<string, RevertArgument> = {};
        (reverted.data.args ?? []).forEach((v, i) => {
          args[item.inputs?.[i]?.name || `arg${i}`] = v as RevertArgument;
        });
        return new ContractRevertError({ errorName: reverted.data.errorName, args, data: reverted.raw, selector: reverted.signature, cause: error });
      }
      if (reverted.reason !== undefined) {
        return new ContractRevertError({ errorName: "Error", args: { message: reverted.reason }, data: reverted.raw, selector: ERROR_SELECTOR, cause: error });
      }
      return new ContractRevertError({ errorName: "UNKNOWN", args: {}, data: reverted.raw, selector: undefined, cause: error });
    }
    return new ChainRpcError(error.shortMessage, { method: parameters.method, cause: error });
  }
  return new ChainRpcError(error instanceof Error ? error.message : String(error), { method: parameters.method, cause: error });
}

/** The revert data carried anywhere in a viem error's cause chain (`ContractFunctionRevertedError.raw`, `RawContractError.data`, `{ data }`). */
export function findRevertData(error: unknown): Hex | undefined {
  let e: unknown = error;
  const seen = new Set<unknown>();
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const o = e as { raw?: unknown; data?: unknown; cause?: unknown };
    if (e instanceof ContractFunctionRevertedError && typeof o.raw === "string" && isHex(o.raw) && o.raw.length >= 10) return o.raw;
    if (typeof o.data === "string" && isHex(o.data) && o.data.length >= 10) return o.data;
    if (o.data && typeof o.data === "object") {
      const inner = (o.data as { data?: unknown }).data;
      if (typeof inner === "string" && isHex(inner) && inner.length >= 10) return inner;
    }
    e = o.cause;
  }
  return undefined;
}

/** Whether `error` is a decoded revert of the named contract error. */
export function isContractRevert(error: unknown, errorName?: string): error is ContractRevertError {
  return error instanceof ContractRevertError && (errorName === undefined || error.errorName === errorName);
}
