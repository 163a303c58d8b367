import {
  encodeFunctionData,
  isHex,
  keccak256,
  numberToHex,
  parseEventLogs,
  size,
  toHex,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { getBlock, getChainId, getTransactionReceipt, readContract } from "viem/actions";
import { agentCallerAbi, agentHandlerAbi } from "../chain/abis.js";
import { InputSource, type WorkflowPolicy } from "../chain/policy.js";
import { ContractRevertError, decodeRevert } from "../chain/revert.js";
import { encodeProveProof, encodeStepData, stepWitness } from "../chain/step.js";
import { assertAddress, assertBytes32, assertHex } from "../chain/validate.js";
import { handlerEvents, type AnyClient } from "../chain/actions/internal.js";
import { proveOutcome } from "../chain/actions/submitProve.js";
import { parseWorkflow } from "../workflow/parseWorkflow.js";
import type { WorkflowDocument, WorkflowVerifierKind } from "../workflow/types.js";
import type { ProofRequest } from "../agent/proof.js";
import { failureOfRevert, ruleOfRejection } from "./classify.js";
import { SimulateError } from "./errors.js";
import type { SimulatedCall, SimulatedCallName, SimulationFailure, SimulationReport, SimulationStep } from "./types.js";

/** geth's txpool limit on a transaction's encoded size (4 × 32 KiB); most public RPCs enforce it. */
export const DEFAULT_MAX_TRANSACTION_BYTES = 128 * 1024;
/** EIP-7825's per-transaction gas cap (Osaka): the default gas limit a call is checked against. */
export const TRANSACTION_GAS_CAP = 16_777_216n;
/** Bytes a signed EIP-1559 transaction adds around its calldata (nonce, fees, gas, to, value, signature, RLP). */
const TX_ENVELOPE_BYTES = 150;
/** Block time assumed when the chain has too few blocks to measure one. */
const DEFAULT_BLOCK_TIME = 12;

export type SimulateWorkflowParameters = {
  /** The AgentCaller the task is dispatched through. */
  caller: Address;
  /** The handler the task is dispatched to. */
  handler: Address;
  /** The workflow document (JSON text or object): gives the hash, the `agentWorkflow` bytes and verifier kinds. */
  workflow?: unknown;
  /** The workflow hash, when the document is not at hand (the task then carries no `agentWorkflow`). */
  agentWorkflowHash?: Hex | undefined;
  /** Whether the dispatch carries the document's bytes (default true when a document is given). */
  includeWorkflow?: boolean | undefined;
  /** The requester (impersonated). */
  requester: Address;
  /** The requester's salt; random when omitted. Give the one you will send, so the task id (and any proof bound
   * to it) matches. */
  salt?: Hex | undefined;
  input?: Hex | undefined;
  /** Defaults to keccak256(input). */
  inputHash?: Hex | undefined;
  /** Absolute deadline (Unix seconds) … */
  deadline?: bigint | undefined;
  /** … or seconds after the simulation chain's latest block. */
  deadlineIn?: number | undefined;
  /** The agents' planned steps and proves (none: only the dispatch is simulated). */
  steps?: readonly SimulationStep[] | undefined;
  /** The gas limit every call is sent with (default: the block gas limit, at most EIP-7825's 2^24). */
  gasLimit?: bigint | undefined;
  /** The network's limit on a transaction's size in bytes (default 128 KiB). */
  maxTransactionBytes?: number | undefined;
  /** Seconds per block between calls (default: measured on the last 100 blocks, at least 1). */
  blockTime?: number | undefined;
  /** Seconds between the latest block and the dispatch (default: one block time). */
  dispatchDelay?: number | undefined;
  /** Restore the chain afterwards with evm_snapshot / evm_revert (default true). */
  restore?: boolean | undefined;
  /** Give the impersonated accounts 100 ETH when they have less (default true). */
  fund?: boolean | undefined;
  /** Called after each call ran. */
  onCall?: ((call: SimulatedCall, index: number) => void) | undefined;
};

export type SimulateWorkflowReturnType = SimulationReport;

type Rpc = (method: string, params?: readonly unknown[]) => Promise<unknown>;

type Planned = { call: SimulatedCallName; stage: number | undefined; from: Address };

/**
 * Runs a workflow's calls — `callAgent`, then each planned `onAgentStep` / `onAgentProve` / `stepAndProve` — on a
 * simulation chain (an in-process fork from {@link createFork}, or any Hardhat / anvil-style development chain),
 * impersonating the requester and the agents, one block per call at the chain's block time, and reports per call
 * whether it would succeed, the gas it used and, for the first call that would fail, the rule it breaks
 * ({@link SimulationRule}): reverts are decoded and classified, rejected proves (which do not revert) are read from
 * `AgentProveRejected`. Nothing is sent anywhere else; with `restore` (default) the simulation chain is put back
 * with `evm_revert`. Throws only for bad parameters or a chain that cannot simulate ({@link SimulateError}) and
 * RPC failures (`CHAIN_RPC`).
 *
 * @example
 * const fork = await createFork({ url: "https://sepolia.example" })
 * const report = await simulateWorkflow(fork.client, { caller, handler, workflow, requester, input, deadlineIn: 3600, steps })
 * if (!report.ok) console.log(report.failure.rule) // "gas" | "output-size" | "policy" | "sentinel" | "deadline" | …
 */
export async function simulateWorkflow(client: AnyClient, parameters: SimulateWorkflowParameters): Promise<SimulateWorkflowReturnType> {
  const p = parameters;
  assertAddress("caller", p.caller);
  assertAddress("handler", p.handler);
  assertAddress("requester", p.requester);
  const parsed = p.workflow === undefined ? undefined : parseWorkflow(p.workflow);
  const workflowHash = parsed?.workflowHash ?? p.agentWorkflowHash;
  if (workflowHash === undefined) bad("give the workflow document or its agentWorkflowHash");
  assertBytes32("agentWorkflowHash", workflowHash);
  if (parsed && p.agentWorkflowHash !== undefined && p.agentWorkflowHash.toLowerCase() !== parsed.workflowHash.toLowerCase())
    bad(`agentWorkflowHash ${p.agentWorkflowHash} is not the document's hash ${parsed.workflowHash}`);
  const input = p.input ?? "0x";
  assertHex("input", input);
  const inputHash = p.inputHash ?? (input === "0x" ? undefined : keccak256(input));
  if (inputHash === undefined) bad("give the input, its hash, or both");
  assertBytes32("inputHash", inputHash);
  if ((p.deadline === undefined) === (p.deadlineIn === undefined)) bad("give exactly one of deadline and deadlineIn");
  if (p.deadlineIn !== undefined && (!Number.isSafeInteger(p.deadlineIn) || p.deadlineIn < 0)) bad(`deadlineIn must be a non-negative integer, got ${p.deadlineIn}`);
  if (p.deadline !== undefined && (typeof p.deadline !== "bigint" || p.deadline < 0n)) bad("deadline must be a non-negative bigint");
  const salt = p.salt ?? randomSalt();
  assertBytes32("salt", salt);
  for (const [k, v] of [["blockTime", p.blockTime], ["dispatchDelay", p.dispatchDelay], ["maxTransactionBytes", p.maxTransactionBytes]] as const)
    if (v !== undefined && (!Number.isSafeInteger(v) || v < (k === "dispatchDelay" ? 0 : 1))) bad(`${k} must be a positive integer, got ${v}`);
  if (p.gasLimit !== undefined && (typeof p.gasLimit !== "bigint" || p.gasLimit < 21_000n)) bad("gasLimit must be a bigint of at least 21000");
  const steps = p.steps ?? [];
  steps.forEach((s, i) => checkStep(s, i));

  const rpc: Rpc = async (method, params = []) => {
    try {
      return await client.request({ method, params } as never);
    } catch (error) {
      throw decodeRevert(error, { method });
    }
  };
  let snapshot: unknown;
  if (p.restore !== false) {
    try {
      snapshot = await client.request({ method: "evm_snapshot", params: [] } as never);
    } catch (error) {
      throw new SimulateError("SIMULATE_RPC_UNSUPPORTED", { details: `evm_snapshot failed: ${oneLine(error)}`, cause: error });
    }
  }
  try {
    const report = await run(client, rpc, p, { document: parsed?.document, agentWorkflow: parsed?.agentWorkflow, workflowHash, input, inputHash, salt, steps });
    return { ...report, restored: snapshot !== undefined };
  } finally {
    if (snapshot !== undefined) await rpc("evm_revert", [snapshot]);
  }
}

async function run(
  client: AnyClient,
  rpc: Rpc,
  p: SimulateWorkflowParameters,
  t: { document: WorkflowDocument | undefined; agentWorkflow: Hex | undefined; workflowHash: Hex; input: Hex; inputHash: Hex; salt: Hex; steps: readonly SimulationStep[] },
): Promise<Omit<SimulationReport, "restored">> {
  const chainId = await rpcCall(() => getChainId(client), "eth_chainId");
  const latest = await rpcCall(() => getBlock(client, { blockTag: "latest" }), "eth_getBlockByNumber");
  const blockTime = p.blockTime ?? (await measureBlockTime(client, latest.number, latest.timestamp));
  const gasLimit = p.gasLimit ?? (latest.gasLimit < TRANSACTION_GAS_CAP ? latest.gasLimit : TRANSACTION_GAS_CAP);
  const maxBytes = p.maxTransactionBytes ?? DEFAULT_MAX_TRANSACTION_BYTES;
  const deadline = p.deadline ?? latest.timestamp + BigInt(p.deadlineIn!);
  let policy: WorkflowPolicy | undefined;

  // Impersonate everyone who sends.
  const senders = new Set<string>([p.requester.toLowerCase()]);
  for (const s of t.steps) {
    senders.add(s.agent.toLowerCase());
    if (s.prover) senders.add(s.prover.toLowerCase());
  }
  try {
    for (const a of senders) {
      await client.request({ method: "hardhat_impersonateAccount", params: [a] } as never);
      if (p.fund !== false) {
        const balance = BigInt((await client.request({ method: "eth_getBalance", params: [a, "latest"] } as never)) as string);
        if (balance < 10n ** 20n) await client.request({ method: "hardhat_setBalance", params: [a, numberToHex(10n ** 20n)] } as never);
      }
    }
  } catch (error) {
    throw new SimulateError("SIMULATE_RPC_UNSUPPORTED", { details: `impersonation failed (hardhat_impersonateAccount / hardhat_setBalance): ${oneLine(error)}`, cause: error });
  }

  // The planned calls, so that the ones after a failure are listed as skipped.
  const planned: Planned[] = [{ call: "callAgent", stage: undefined, from: p.requester }];
  {
    let next = 0;
    for (const s of t.steps) {
      const stage = s.stage ?? next;
      next = stage + 1;
      if (s.prove && s.atomic) planned.push({ call: "stepAndProve", stage, from: s.agent });
      else {
        planned.push({ call: "onAgentStep", stage, from: s.agent });
        if (s.prove) planned.push({ call: "onAgentProve", stage, from: s.prover ?? s.agent });
      }
    }
  }

  const calls: SimulatedCall[] = [];
  let ts = latest.timestamp;
  let lastTs: bigint | undefined;
  let failed = false;

  /** Sends one call at `delay` seconds after the previous one; returns the receipt, or records the failure. */
  const exec = async (call: SimulatedCallName, stage: number | undefined, from: Address, to: Address, data: Hex, delay: number): Promise<TransactionReceipt | undefined> => {
    const rec: SimulatedCall = { call, stage, from, status: "ok", ok: true, gasUsed: undefined, gasLimit, calldataBytes: size(data), timestamp: undefined, outcome: undefined, failure: undefined };
    calls.push(rec);
    const fail = (f: SimulationFailure) => {
      rec.status = "failed";
      rec.ok = false;
      rec.failure = f;
      failed = true;
      p.onCall?.(rec, calls.length - 1);
      return undefined;
    };
    const txBytes = rec.calldataBytes + TX_ENVELOPE_BYTES;
    if (txBytes > maxBytes) {
      const what = call === "callAgent" ? "the task input and workflow" : "the step's output and data";
      return fail({
        rule: "output-size",
        error: "TransactionTooLarge",
        args: { bytes: BigInt(txBytes), limit: BigInt(maxBytes) },
        message: `the transaction would be about ${txBytes} bytes, over the network's ${maxBytes}-byte limit (${what} are too large): it would never be mined`,
      });
    }
    ts += BigInt(Math.max(1, delay));
    rec.timestamp = ts;
    lastTs = ts;
    await rpc("evm_setNextBlockTimestamp", [numberToHex(ts)]);
    let hash: Hex;
    try {
      hash = (await client.request({ method: "eth_sendTransaction", params: [{ from, to, data, gas: numberToHex(gasLimit) }] } as never)) as Hex;
    } catch (error) {
      const f = failureOfSend(error, gasLimit);
      if (!f) throw decodeRevert(error, { method: "eth_sendTransaction" });
      if (f.rule === "gas" && f.error === "OutOfGas") rec.gasUsed = gasLimit;
      return fail(f);
    }
    const receipt = await rpcCall(() => getTransactionReceipt(client, { hash }), "eth_getTransactionReceipt");
    rec.gasUsed = receipt.gasUsed;
    if (receipt.status !== "success") {
      // A chain that mines failing transactions instead of throwing (throwOnTransactionFailures off).
      return receipt.gasUsed >= gasLimit
        ? fail({ rule: "gas", error: "OutOfGas", args: { gasLimit }, message: `runs out of gas with a ${gasLimit} gas limit` })
        : fail({ rule: "revert", error: "UNKNOWN", args: {}, message: `reverted in transaction ${hash}` });
    }
    return receipt;
  };
  const done = (i: number) => p.onCall?.(calls[i]!, i);

  // 1. The dispatch.
  const task = { taskId: t.salt, agentWorkflowHash: t.workflowHash, agentWorkflow: p.includeWorkflow === false ? "0x" : (t.agentWorkflow ?? "0x"), handler: p.handler, deadline } as const;
  const dispatched = await exec(
    "callAgent",
    undefined,
    p.requester,
    p.caller,
    encodeFunctionData({ abi: agentCallerAbi, functionName: "callAgent", args: [task as never, t.inputHash, t.input] }),
    p.dispatchDelay ?? blockTime,
  );
  let taskId: Hex | undefined;
  let attested = t.inputHash;
  if (dispatched) {
    const ev = parseEventLogs({ abi: agentCallerAbi, logs: dispatched.logs.filter((l) => eq(l.address, p.caller)), eventName: "CallAgent", strict: true })[0];
    taskId = ev?.args.taskId;
    const opened = handlerEvents(dispatched.logs, p.handler).find((e) => e.eventName === "AgentTaskOpened");
    if (opened && opened.eventName === "AgentTaskOpened") attested = opened.args.attestedInputHash;
    calls[0]!.outcome = "dispatched";
    done(0);
    // The dispatch succeeded, so the workflow is registered: its policy gives the stages' inputs and verifiers.
    if (t.steps.length > 0) {
      policy = (await rpcCall(
        () => readContract(client, { address: p.handler, abi: agentHandlerAbi, functionName: "workflowPolicy", args: [t.workflowHash] }),
        "eth_call",
      )) as WorkflowPolicy;
    }
  }

  // 2. The planned steps and proves.
  const history = new Map<number, { inputHash: Hex; outputHash: Hex; agent: Address }>();
  let next = 0;
  let finalized = false;
  for (const s of t.steps) {
    if (failed || taskId === undefined || policy === undefined) break; // (only after a failed dispatch)
    const stage = s.stage ?? next;
    next = stage + 1;
    const cfg = policy.stages[stage];
    const chained = cfg?.input === InputSource.PreviousOutput;
    const inputHash = s.inputHash ?? (chained ? (history.get(stage - 1)?.outputHash ?? zeroHash) : attested);
    const output = s.output ?? "0x";
    const outputHash = s.outputHash ?? keccak256(output);
    const isFinal = s.isFinal ?? stage === policy.stages.length - 1;
    const data = s.witness === false ? (s.data ?? "0x") : encodeStepData(witnessFor(stage, chained, history), s.data ?? "0x");
    const step = { taskId, inputHash, outputHash, output, agentId: s.agentId ?? 0n, agent: s.agent, stage, isFinal, data };
    const verifier = cfg?.verifier;
    const proofFor = async (): Promise<Hex> => {
      if (s.prove?.proof !== undefined) return s.prove.proof;
      const request: ProofRequest = {
        chainId,
        handler: p.handler,
        taskId: taskId!,
        stage,
        verifier: verifier ?? zeroAddress,
        verifierKind: (t.document?.stages[stage]?.verifier.kind ?? "custom") as WorkflowVerifierKind,
        inputHash,
        outputHash,
        declaredInputHash: t.inputHash,
        pipelineHash: policy!.pipelineHash,
        agent: s.agent,
        isFinal,
      };
      try {
        return await s.prove!.producer!.produce(request, new AbortController().signal);
      } catch (error) {
        throw new SimulateError("SIMULATE_INVALID_PLAN", { details: `stage ${stage}: the proof producer failed: ${oneLine(error)}`, cause: error });
      }
    };

    if (s.prove && s.atomic) {
      const proof = await proofFor();
      const receipt = await exec("stepAndProve", stage, s.agent, p.handler, encodeFunctionData({ abi: agentHandlerAbi, functionName: "stepAndProve", args: [step, proof] }), s.delay ?? blockTime);
      if (!receipt) break;
      history.set(stage, { inputHash, outputHash, agent: s.agent });
      finalized = settle(calls.length - 1, receipt, stage) || finalized;
      continue;
    }
    const stepped = await exec(
      "onAgentStep",
      stage,
      s.agent,
      p.handler,
      encodeFunctionData({ abi: agentHandlerAbi, functionName: "onAgentStep", args: [taskId, inputHash, outputHash, output, step.agentId, s.agent, stage, isFinal, data] }),
      s.delay ?? blockTime,
    );
    if (!stepped) break;
    history.set(stage, { inputHash, outputHash, agent: s.agent });
    calls[calls.length - 1]!.outcome = "accepted";
    done(calls.length - 1);
    if (!s.prove) continue;
    const proof = encodeProveProof(s.agent, await proofFor());
    const proved = await exec(
      "onAgentProve",
      stage,
      s.prover ?? s.agent,
      p.handler,
      encodeFunctionData({ abi: agentHandlerAbi, functionName: "onAgentProve", args: [taskId, inputHash, outputHash, proof, verifier ?? p.handler, stage] }),
      s.proveDelay ?? blockTime,
    );
    if (!proved) break;
    finalized = settle(calls.length - 1, proved, stage) || finalized;
  }

  /** Reads a prove's outcome from its logs: a rejected prove does not revert, it emits AgentProveRejected. */
  function settle(i: number, receipt: TransactionReceipt, stage: number): boolean {
    const rec = calls[i]!;
    const outcome = proveOutcome(handlerEvents(receipt.logs, p.handler), taskId!, stage);
    if (outcome?.status === "proven") {
      rec.outcome = outcome.finalized ? "finalized" : "proven";
      done(i);
      return outcome.finalized !== undefined;
    }
    rec.status = "failed";
    rec.ok = false;
    failed = true;
    if (outcome?.status === "halted") {
      rec.outcome = "halted";
      rec.failure = { rule: "verifier", error: "AgentTaskHalted", args: { stage, digest: outcome.digest }, message: `the gating stage ${stage}'s verifier validly denies the step: the task halts` };
    } else if (outcome?.status === "rejected") {
      rec.failure = {
        rule: ruleOfRejection(outcome.reasonCode),
        error: outcome.reason,
        args: { stage, verifier: outcome.verifier ?? "", reason: outcome.reasonCode, detail: outcome.detail },
        message: `the prove is rejected (AgentProveRejected ${outcome.reason}${outcome.reason === "VerifierOutOfGas" ? `: the verifier used up its ${policy?.stages[stage]?.verifierGasLimit ?? "policy"} gas allowance` : ""}); nothing changes on-chain`,
      };
    } else {
      rec.failure = { rule: "revert", error: "NoOutcome", args: {}, message: `the prove emitted no outcome for stage ${stage}` };
    }
    done(i);
    return false;
  }

  for (const pl of planned.slice(calls.length)) {
    calls.push({ ...pl, status: "skipped", ok: false, gasUsed: undefined, gasLimit, calldataBytes: 0, timestamp: undefined, outcome: undefined, failure: undefined });
  }
  const index = calls.findIndex((c) => c.status === "failed");
  const first = index >= 0 ? calls[index]! : undefined;
  return {
    ok: calls.every((c) => c.status === "ok"),
    chainId,
    blockNumber: latest.number,
    blockTime,
    taskId,
    deadline,
    deadlineMargin: lastTs === undefined ? undefined : deadline - lastTs,
    finalized,
    calls,
    failure: first?.failure ? { ...first.failure, call: first.call, stage: first.stage, index } : undefined,
  };
}

/** The witness a step needs from the simulated history (none when the history lacks it: the handler names why). */
function witnessFor(stage: number, chained: boolean, history: ReadonlyMap<number, { inputHash: Hex; outputHash: Hex; agent: Address }>): Hex | undefined {
  if (stage === 0) return undefined;
  const s0 = history.get(0);
  const prev = history.get(stage - 1);
  try {
    return stepWitness({ stage, chained, stage0OutputHash: s0?.outputHash, stage0Agent: s0?.agent, previousInputHash: prev?.inputHash, previousAgent: prev?.agent });
  } catch {
    return undefined;
  }
}

/** A failed send as a rule, or undefined when it is not the call's fault (an RPC failure). */
function failureOfSend(error: unknown, gasLimit: bigint): SimulationFailure | undefined {
  const decoded = decodeRevert(error, { method: "eth_sendTransaction" });
  if (decoded instanceof ContractRevertError) return failureOfRevert(decoded);
  const text = messagesOf(error);
  if (/out of gas|OutOfGas|intrinsic gas too low/i.test(text)) return { rule: "gas", error: "OutOfGas", args: { gasLimit }, message: `runs out of gas with a ${gasLimit} gas limit` };
  if (/exceeds (the )?block gas limit|gas limit .*(exceeds|above|cap)|exceeds .*gas cap/i.test(text)) return { rule: "gas", error: "GasLimitExceeded", args: { gasLimit }, message: `a ${gasLimit} gas limit is over what the chain accepts: ${oneLine(error)}` };
  if (/revert/i.test(text)) return { rule: "revert", error: "UNKNOWN", args: {}, message: `reverts without data: ${oneLine(error)}` };
  return undefined;
}

function checkStep(s: SimulationStep, i: number): void {
  const at = `steps[${i}]`;
  if (!s || typeof s !== "object") bad(`${at} must be an object`);
  assertAddress(`${at}.agent`, s.agent);
  if (s.stage !== undefined && (!Number.isInteger(s.stage) || s.stage < 0 || s.stage > 255)) bad(`${at}.stage must be an integer in [0, 255]`);
  if (s.inputHash !== undefined) assertBytes32(`${at}.inputHash`, s.inputHash);
  if (s.outputHash !== undefined) assertBytes32(`${at}.outputHash`, s.outputHash);
  if (s.output !== undefined) assertHex(`${at}.output`, s.output);
  if (s.data !== undefined) assertHex(`${at}.data`, s.data);
  if (s.output === undefined && s.outputHash === undefined) bad(`${at} needs output bytes or an outputHash`);
  if (s.prover !== undefined) assertAddress(`${at}.prover`, s.prover);
  if (s.atomic && !s.prove) bad(`${at}: atomic (stepAndProve) needs a prove`);
  if (s.prove && s.prove.proof === undefined && s.prove.producer === undefined) bad(`${at}.prove needs a proof or a producer`);
  if (s.prove?.proof !== undefined && !isHex(s.prove.proof)) bad(`${at}.prove.proof must be hex`);
  for (const k of ["delay", "proveDelay"] as const) {
    const v = s[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) bad(`${at}.${k} must be a non-negative integer of seconds`);
  }
}

/**
 * Mean seconds per block over the last 100 blocks, genesis excluded (its timestamp is arbitrary on development
 * chains); at least 1; 12 when there are fewer than 2 blocks after genesis.
 */
async function measureBlockTime(client: AnyClient, number: bigint, timestamp: bigint): Promise<number> {
  if (number < 3n) return DEFAULT_BLOCK_TIME;
  const span = number - 1n < 100n ? number - 1n : 100n;
  const older = await rpcCall(() => getBlock(client, { blockNumber: number - span }), "eth_getBlockByNumber");
  return Math.max(1, Math.round(Number(timestamp - older.timestamp) / Number(span)));
}

async function rpcCall<T>(f: () => Promise<T>, method: string): Promise<T> {
  try {
    return await f();
  } catch (error) {
    throw decodeRevert(error, { method });
  }
}

function bad(details: string): never {
  throw new SimulateError("SIMULATE_INVALID_PARAMETER", { details });
}

function eq(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function messagesOf(error: unknown): string {
  const out: string[] = [];
  let e: unknown = error;
  const seen = new Set<unknown>();
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const o = e as { message?: unknown; shortMessage?: unknown; details?: unknown; cause?: unknown };
    for (const m of [o.message, o.shortMessage, o.details]) if (typeof m === "string") out.push(m);
    e = o.cause;
  }
  return out.join("\n");
}

function oneLine(error: unknown): string {
  const e = error as { shortMessage?: unknown; message?: unknown };
  return String(e?.shortMessage ?? e?.message ?? error).split("\n")[0] ?? "";
}

function randomSalt(): Hex {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return toHex(bytes);
}

