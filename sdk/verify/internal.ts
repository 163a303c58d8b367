/** Classifies failures of reads made while verifying: transport failures throw, contract answers are findings. */
import { BaseError, HttpRequestError, TimeoutError, WebSocketRequestError, type Address, type Hex } from "viem";
import { readContract } from "viem/actions";
import { ChainRpcError, ContractRevertError, decodeRevert } from "../chain/revert.js";
import { withRpcRetry, type RetryOptions } from "../chain/retry.js";
import type { AnyClient } from "../chain/actions/internal.js";

/** Whether `error` is the transport failing (as opposed to a contract reverting or answering garbage). */
export function isTransportFailure(error: unknown): boolean {
  if (error instanceof ChainRpcError) {
    const cause = error.cause;
    return cause === undefined || isTransportFailure(cause);
  }
  if (error instanceof ContractRevertError) return false;
  if (!(error instanceof BaseError)) return !(error instanceof Error && /revert|decode|zero data|returned no data/i.test(error.message));
  if (error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof WebSocketRequestError)) return true;
  const text = `${error.shortMessage}\n${error.details ?? ""}`;
  if (/revert|returned no data|decode|out of bounds|position .* out of/i.test(text)) return false;
  return true;
}

export type SafeRead<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A view call whose revert or garbage answer is returned as a reason; transport failures throw `ChainRpcError`. */
export async function safeRead<T>(
  client: AnyClient,
  call: { address: Address; abi: readonly unknown[]; functionName: string; args?: readonly unknown[]; account?: Address | undefined },
  retry: RetryOptions | undefined,
): Promise<SafeRead<T>> {
  try {
    const value = (await withRpcRetry(
      () =>
        readContract(client, {
          address: call.address,
          abi: call.abi as never,
          functionName: call.functionName as never,
          args: (call.args ?? []) as never,
          account: call.account,
        } as never),
      retry,
    )) as T;
    return { ok: true, value };
  } catch (error) {
    if (isTransportFailure(error)) throw decodeRevert(error, { method: "eth_call" });
    const typed = decodeRevert(error);
    return { ok: false, reason: typed instanceof ContractRevertError ? (typed.details ?? typed.shortMessage) : shortText(error) };
  }
}

export function shortText(error: unknown): string {
  if (error instanceof BaseError) return error.shortMessage;
  if (error instanceof Error) return error.message.split("\n")[0] ?? error.message;
  return String(error);
}

export function lower(h: string): string {
  return h.toLowerCase();
}

export function short(h: Hex | string | undefined): string {
  if (h === undefined) return "(none)";
  return h.length > 20 ? `${h.slice(0, 10)}…${h.slice(-6)}` : h;
}

/**
 * Forgets the signature memos verifyTask relies on (secp256k1 recoveries, ECT signature verifications), so the next
 * verification pays the full cryptographic cost. For benchmarks (a first verification against a re-verification).
 */
export async function resetVerifyMemos(): Promise<void> {
  const [{ clearRecoveryMemo }, { clearJwsSignatureMemo }] = await Promise.all([import("./verifyStageProof.js"), import("../ect/jws.js")]);
  clearRecoveryMemo();
  clearJwsSignatureMemo();
}
