import { decodeFunctionData, keccak256, numberToHex, toFunctionSelector, type Address, type Hex } from "viem";
import { getTransaction } from "viem/actions";
import { agentHandlerAbi } from "../abis.js";
import { withRpcRetry, type RetryOptions } from "../retry.js";
import { decodeRevert } from "../revert.js";
import { assertAddress, assertBytes32 } from "../validate.js";
import { TaskNotFinalizedError, TaskNotFoundError, UnexpectedChainDataError } from "./errors.js";
import { eqHex, read, taskStatusName, type AnyClient } from "./internal.js";
import { lastEvent } from "./waitForTask.js";

export type GetTaskResultParameters = {
  handler: Address;
  taskId: Hex;
  /** Where to start looking for the task's events (default 0). */
  fromBlock?: bigint | undefined;
  retry?: RetryOptions | undefined;
};

export type GetTaskResultReturnType = {
  taskId: Hex;
  finalStage: number;
  /** The final output's hash, as `AgentTaskFinalized` reports it. */
  outputHash: Hex;
  /**
   * The final output bytes, decoded from the final step's transaction calldata (`onAgentStep` or `stepAndProve`);
   * `undefined` when the agent published only the hash (empty `output`), or the step was sent through a contract
   * whose calldata does not contain the call.
   */
  output: Hex | undefined;
  /** `keccak256(output) === outputHash` (false when `output` is undefined). */
  outputVerified: boolean;
  /** The transaction that recorded the final step. */
  stepTransactionHash: Hex;
  /** The transaction whose prove finalised the task. */
  finalizeTransactionHash: Hex;
};

const STEP_SELECTORS = [toFunctionSelector(fn("onAgentStep")), toFunctionSelector(fn("stepAndProve"))];

function fn(name: "onAgentStep" | "stepAndProve") {
  const item = agentHandlerAbi.find((x) => x.type === "function" && x.name === name);
  if (!item || item.type !== "function") throw new Error(`ABI: ${name} missing`);
  return item;
}

/**
 * The final output of a finalised task. The handler keeps only hashes (a step digest in storage, `outputHash` in
 * events); the output bytes travel in the calldata of the final step's transaction, the cheapest durable place on
 * an EVM chain (16 gas a byte, against ~8 a byte plus 375 a topic for a log, and 20,000 per 32 bytes of storage),
 * and `keccak256(output) == outputHash` is enforced on-chain when the bytes are given. So the action finds the
 * final `AgentStepAccepted` whose `outputHash` is the finalised one, reads its transaction and decodes the
 * `onAgentStep` / `stepAndProve` call — also when it is nested in a relayer's or smart account's calldata (the
 * call is located by its selector and accepted only if it decodes to this task, stage and output hash).
 *
 * Throws `TaskNotFoundError`, `TaskNotFinalizedError`, or typed RPC errors.
 */
export async function getTaskResult(client: AnyClient, parameters: GetTaskResultParameters): Promise<GetTaskResultReturnType> {
  const { handler, taskId, retry } = parameters;
  assertAddress("handler", handler);
  assertBytes32("taskId", taskId);
  const view = await read<{ status: number }>(client, { address: handler, abi: agentHandlerAbi, functionName: "taskOf", args: [taskId] }, retry);
  if (view.status === 0) throw new TaskNotFoundError(taskId, { handler });
  if (view.status !== 3) throw new TaskNotFinalizedError(taskId, taskStatusName(view.status));
  const fin = await lastEvent(client, handler, taskId, "AgentTaskFinalized", parameters.fromBlock, retry);
  if (!fin) throw new UnexpectedChainDataError(`task ${taskId} is finalised but emitted no AgentTaskFinalized`);
  const { finalStage, outputHash } = fin.args as { finalStage: number; outputHash: Hex };
  const step = await lastEvent(client, handler, taskId, "AgentStepAccepted", parameters.fromBlock, retry, [numberToHex(finalStage, { size: 32 })]);
  if (!step || !eqHex((step.args as { outputHash: Hex }).outputHash, outputHash)) {
    throw new UnexpectedChainDataError(`no AgentStepAccepted of stage ${finalStage} with output ${outputHash}`);
  }
  let input: Hex;
  try {
    input = (await withRpcRetry(() => getTransaction(client, { hash: step.transactionHash }), retry)).input;
  } catch (error) {
    throw decodeRevert(error, { method: "eth_getTransactionByHash" });
  }
  const output = extractStepOutput(input, taskId, finalStage, outputHash);
  return {
    taskId,
    finalStage,
    outputHash,
    output,
    outputVerified: output !== undefined && eqHex(keccak256(output), outputHash),
    stepTransactionHash: step.transactionHash,
    finalizeTransactionHash: fin.transactionHash,
  };
}

/** The decoded step call (`onAgentStep` or `stepAndProve`) of `taskId`/`stage` in `calldata`, searched by selector. */
export function findStepCall(calldata: Hex, taskId: Hex, stage: number, outputHash?: Hex) {
  const body = calldata.toLowerCase();
  for (const sel of STEP_SELECTORS) {
    let at = body.indexOf(sel.slice(2), 2);
    while (at !== -1) {
      if ((at - 2) % 2 === 0) {
        const candidate = `0x${body.slice(at)}` as Hex;
        const step = tryDecodeStep(candidate);
        if (step && eqHex(step.taskId, taskId) && step.stage === stage && (outputHash === undefined || eqHex(step.outputHash, outputHash))) {
          return step;
        }
      }
      at = body.indexOf(sel.slice(2), at + 2);
    }
  }
  return undefined;
}

function extractStepOutput(calldata: Hex, taskId: Hex, stage: number, outputHash: Hex): Hex | undefined {
  const step = findStepCall(calldata, taskId, stage, outputHash);
  if (!step || step.output === "0x") return undefined;
  return step.output;
}

/** One decoded step call. */
export type DecodedStepCall = {
  functionName: "onAgentStep" | "stepAndProve";
  taskId: Hex;
  inputHash: Hex;
  outputHash: Hex;
  output: Hex;
  agentId: bigint;
  agent: Address;
  stage: number;
  isFinal: boolean;
  data: Hex;
  /** The proof, for `stepAndProve`. */
  proof: Hex | undefined;
};

function tryDecodeStep(data: Hex): DecodedStepCall | undefined {
  try {
    const d = decodeFunctionData({ abi: agentHandlerAbi, data });
    if (d.functionName === "onAgentStep") {
      const [taskId, inputHash, outputHash, output, agentId, agent, stage, isFinal, appData] = d.args;
      return { functionName: "onAgentStep", taskId, inputHash, outputHash, output, agentId, agent, stage, isFinal, data: appData, proof: undefined };
    }
    if (d.functionName === "stepAndProve") {
      const [s, proof] = d.args;
      return { functionName: "stepAndProve", ...s, proof };
    }
  } catch {
    // not this call
  }
  return undefined;
}
