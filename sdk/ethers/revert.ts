/**
 * Custom errors of failed ethers v6 sends and calls, decoded into the SDK's typed errors.
 *
 * ethers decodes a revert only against the ABI of the contract object it was sent to, and
 * then reports "unknown custom error" for an error declared elsewhere (a library, the
 * verifier the handler called, the caller forwarding the handler's revert). Here the
 * revert data is found wherever ethers or the provider put it (`data`, `error.data`,
 * `info.error.data`, …) and decoded against every ABI the SDK ships (sdk/chain/abis.ts).
 */
import { type Abi, type Hex, decodeErrorResult } from "viem";
import { agentCallerAbi, agentHandlerAbi, agentVerifierAbi, ecdsaAttestationVerifierAbi, wyriweAttestationVerifierAbi } from "../chain/abis.js";
import { type AgentExecError, isAgentExecError } from "../errors.js";
import { EthersContractRevertError, EthersParameterError, EthersTransactionFailedError } from "./errors.js";

function describe(e: unknown): string {
  try {
    const m = (e as { shortMessage?: unknown; message?: unknown } | null)?.shortMessage ?? (e as { message?: unknown } | null)?.message;
    return typeof m === "string" ? m.split("\n")[0] ?? "" : String(e);
  } catch {
    return "the send or call failed";
  }
}

/** Every custom error the SDK knows, one entry per name (the standard Error/Panic are viem's). */
const ERRORS_ABI: Abi = (() => {
  const seen = new Set<string>();
  const out: Abi[number][] = [];
  for (const abi of [agentHandlerAbi, agentCallerAbi, agentVerifierAbi, ecdsaAttestationVerifierAbi, wyriweAttestationVerifierAbi] as readonly Abi[]) {
    for (const item of abi) {
      if (item.type !== "error") continue;
      const key = `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
  }
  return out;
})();

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

/** The revert data inside an ethers / provider error (breadth-first, bounded). */
export function findRevertData(error: unknown): Hex | undefined {
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  for (let steps = 0; queue.length > 0 && steps < 64; steps++) {
    const e = queue.shift();
    if (typeof e !== "object" || e === null || seen.has(e)) continue;
    seen.add(e);
    let data: unknown;
    try {
      data = (e as { data?: unknown }).data;
    } catch {
      data = undefined;
    }
    if (typeof data === "string" && HEX.test(data) && data.length >= 10) return data as Hex;
    for (const k of ["data", "error", "info", "cause", "revert", "receipt"]) {
      try {
        const v = (e as Record<string, unknown>)[k];
        if (typeof v === "object" && v !== null) queue.push(v);
      } catch {
        // a hostile getter: skip it
      }
    }
  }
  return undefined;
}

export type DecodeEthersErrorReturnType = EthersContractRevertError | EthersTransactionFailedError | AgentExecError;

/**
 * Turns what an ethers v6 send or call threw into a typed SDK error: a revert (revert data
 * or an ethers CALL_EXCEPTION) is an `EthersContractRevertError` naming the contract error
 * and its arguments; anything else (network, nonce, user rejection) is an
 * `EthersTransactionFailedError` whose `cause` is the original; an SDK error passes through
 * unchanged. Never throws.
 */
export function decodeEthersError(error: unknown): DecodeEthersErrorReturnType {
  if (isAgentExecError(error)) return error;
  const data = findRevertData(error);
  let reason: string | undefined;
  try {
    const r = (error as { reason?: unknown } | null)?.reason;
    if (typeof r === "string") reason = r;
  } catch {
    reason = undefined;
  }
  if (data === undefined) {
    if (!isCallException(error)) return new EthersTransactionFailedError(undefined, describe(error), error);
    return new EthersContractRevertError({ data: undefined, errorName: undefined, args: [], reason, cause: error });
  }
  try {
    const decoded = decodeErrorResult({ abi: ERRORS_ABI, data });
    const args = (decoded.args ?? []) as readonly unknown[];
    const name = decoded.errorName;
    if (name === "Error") return new EthersContractRevertError({ data, errorName: undefined, args, reason: String(args[0]), cause: error });
    if (name === "Panic") return new EthersContractRevertError({ data, errorName: undefined, args, reason: `Panic(${String(args[0])})`, cause: error });
    return new EthersContractRevertError({ data, errorName: name, args, reason, cause: error });
  } catch {
    return new EthersContractRevertError({ data, errorName: undefined, args: [], reason, cause: error });
  }
}

function isCallException(error: unknown): boolean {
  try {
    return (error as { code?: unknown } | null)?.code === "CALL_EXCEPTION";
  } catch {
    return false;
  }
}

/**
 * Runs an ethers send or call and rethrows its failure decoded (`decodeEthersError`).
 *
 *   const tx = await withDecodedErrors(() => handler.onAgentStep(...));
 */
export async function withDecodedErrors<T>(fn: () => Promise<T>): Promise<T> {
  if (typeof fn !== "function") throw new EthersParameterError("fn", "expected a function that sends or calls, e.g. () => handler.taskOf(taskId)");
  try {
    return await fn();
  } catch (error) {
    throw decodeEthersError(error);
  }
}
