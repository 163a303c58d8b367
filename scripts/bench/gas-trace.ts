/**
 * Attributes a transaction's gas to call frames and opcode classes from `debug_traceTransaction` (EDR struct logs),
 * so benchmarks/gas.md can say which rule costs what rather than guess.
 */
import { toFunctionSelector, type Abi, type AbiFunction, type Hex } from "viem";

type StructLog = { op: string; gas: number; gasCost: number; depth: number; stack?: string[]; memory?: string[] };
type Trace = { gas: number; structLogs: StructLog[] };
type Provider = { request(args: { method: string; params?: unknown[] }): Promise<unknown> };

/** Gas spent in one call frame, by opcode class (children excluded). */
export type FrameCost = {
  /** e.g. `AgentCaller.callAgent > AgentHandler.onAgentTaskDispatched`. */
  path: string;
  /** Everything the frame cost its caller, children and the CALL's own access cost included. */
  total: number;
  sstore: number;
  sload: number;
  log: number;
  keccak: number;
  /** Gas of the frame's own opcodes that are none of the above (children excluded). */
  other: number;
};

export type Attribution = { gasUsed: number; intrinsic: number; frames: FrameCost[] };

export function selectorNames(abis: readonly Abi[], contractNames: ReadonlyMap<string, string>) {
  const names = new Map<string, string>();
  for (const abi of abis) {
    for (const item of abi) {
      if (item.type === "function") names.set(toFunctionSelector(item as AbiFunction), item.name);
    }
  }
  return (address: string, selector: string, firstArg: string): string => {
    const contract = contractNames.get(address.toLowerCase()) ?? address.slice(0, 10);
    const fn = names.get(selector) ?? selector;
    return fn === "supportsInterface" ? `${contract}.supportsInterface(${firstArg.slice(0, 10)})` : `${contract}.${fn}`;
  };
}

function readMemory(memory: string[] | undefined, offset: number, length: number): string {
  if (!memory) return "";
  const hex = memory.map((w) => (w.startsWith("0x") ? w.slice(2) : w).padStart(64, "0")).join("");
  return `0x${hex.slice(offset * 2, (offset + length) * 2)}`;
}

export async function attribute(
  provider: Provider,
  txHash: Hex,
  txGasLimit: bigint,
  rootLabel: string,
  label: (address: string, selector: string, firstArg: string) => string,
): Promise<Attribution> {
  const trace = (await provider.request({
    method: "debug_traceTransaction",
    params: [txHash, { disableStorage: true, enableMemory: true, disableMemory: false, disableStack: false }],
  })) as Trace;
  const logs = trace.structLogs;
  const intrinsic = Number(txGasLimit) - (logs[0]?.gas ?? 0);
  const frames: FrameCost[] = [];
  const stack: { cost: FrameCost; childTotal: number; callIndex: number }[] = [];
  const root: FrameCost = { path: rootLabel, total: trace.gas - intrinsic, sstore: 0, sload: 0, log: 0, keccak: 0, other: 0 };
  frames.push(root);
  stack.push({ cost: root, childTotal: 0, callIndex: -1 });

  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]!;
    // Leaving frames: depth dropped below the current frame's depth.
    while (stack.length > l.depth) {
      const done = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      const call = logs[done.callIndex]!;
      done.cost.total = call.gas - l.gas;
      parent.childTotal += done.cost.total;
      done.cost.other = done.cost.total - done.childTotal - done.cost.sstore - done.cost.sload - done.cost.log - done.cost.keccak;
    }
    const frame = stack[stack.length - 1]!.cost;
    if (l.op === "SSTORE") frame.sstore += l.gasCost;
    else if (l.op === "SLOAD") frame.sload += l.gasCost;
    else if (l.op.startsWith("LOG")) frame.log += l.gasCost;
    else if (l.op === "KECCAK256") frame.keccak += l.gasCost;
    else if (["CALL", "STATICCALL", "DELEGATECALL"].includes(l.op)) {
      const next = logs[i + 1];
      if (next && next.depth === l.depth + 1) {
        const s = l.stack ?? [];
        const at = (k: number) => BigInt(s[s.length - 1 - k] ?? "0x0");
        const address = `0x${at(1).toString(16).padStart(40, "0")}`;
        const argsOffset = Number(l.op === "CALL" ? at(3) : at(2));
        const selector = readMemory(l.memory, argsOffset, 4);
        const firstArg = readMemory(l.memory, argsOffset + 4, 32);
        const child: FrameCost = {
          path: `${frame.path} > ${label(address, selector, firstArg)}`,
          total: 0,
          sstore: 0,
          sload: 0,
          log: 0,
          keccak: 0,
          other: 0,
        };
        frames.push(child);
        stack.push({ cost: child, childTotal: 0, callIndex: i });
      }
      // A call to a precompile (ecrecover) or an account without code opens no frame: it stays in `other`.
    }
  }
  root.other = root.total - stack[0]!.childTotal - root.sstore - root.sload - root.log - root.keccak;
  return { gasUsed: trace.gas, intrinsic, frames };
}
