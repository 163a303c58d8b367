import type { Account, Address, Chain, Hex } from "viem";
import { agentHandlerAbi } from "../abis.js";
import { ChainParameterError } from "../errors.js";
import type { RetryOptions } from "../retry.js";
import { assertAddress, assertBytes32, assertUint } from "../validate.js";
import { UnexpectedChainDataError } from "./errors.js";
import { accountAddress, handlerEvents, resolveAccount, simulateWriteWait, type AnyClient, type SendControl, type HandlerEvent } from "./internal.js";
import type { AcceptedStep, SentTransaction } from "./types.js";

/** The arguments of `onAgentStep` (and of `stepAndProve`'s step). */
export type StepArguments = {
  /** The handler contract. */
  handler: Address;
  taskId: Hex;
  stage: number;
  inputHash: Hex;
  outputHash: Hex;
  /** The output bytes (optional; when given, `keccak256(output)` must equal `outputHash` on-chain). */
  output?: Hex | undefined;
  /** The agent's ERC-8004 id (authenticated only under `AgentAuth.Registry`; default 0). */
  agentId?: bigint | undefined;
  isFinal: boolean;
  /** `data`: the witness (see `stepWitness`/`encodeStepData`) followed by application data. */
  data?: Hex | undefined;
};

export type SubmitStepParameters = StepArguments & {
  /** The stepping agent (must be the sender); defaults to the client's account. */
  account?: Account | Address | undefined;
  chain?: Chain | null | undefined;
  confirmations?: number | undefined;
  retry?: RetryOptions | undefined;
} & SendControl;

export type SubmitStepReturnType = SentTransaction & { status: "accepted"; step: AcceptedStep };

/**
 * Records a step (`onAgentStep`). A step either is accepted or reverts: the rule it broke is thrown as a typed
 * `ContractRevertError` from the simulation (e.g. `CHAIN_REVERT_AgentHandlerStageOutOfOrder` with
 * `{ taskId, stage, expected }`), before anything is sent.
 */
export async function submitStep(client: AnyClient, parameters: SubmitStepParameters): Promise<SubmitStepReturnType> {
  const account = resolveAccount(client, parameters.account);
  const args = stepArgs(parameters, accountAddress(account));
  const { receipt, transactionHash } = await simulateWriteWait(client, {
    address: parameters.handler,
    abi: agentHandlerAbi,
    functionName: "onAgentStep",
    args: [args.taskId, args.inputHash, args.outputHash, args.output, args.agentId, args.agent, args.stage, args.isFinal, args.data],
    account,
    chain: parameters.chain,
    confirmations: parameters.confirmations,
    retry: parameters.retry,
    nonce: parameters.nonce,
    onBeforeSend: parameters.onBeforeSend,
    onSent: parameters.onSent,
    fees: parameters.fees,
    receiptTimeoutMs: parameters.receiptTimeoutMs,
  });
  const step = acceptedStep(handlerEvents(receipt.logs, parameters.handler), args.taskId, args.stage);
  if (!step) throw new UnexpectedChainDataError(`transaction ${transactionHash} emitted no AgentStepAccepted for stage ${args.stage}`);
  return { status: "accepted", step, transactionHash, blockNumber: receipt.blockNumber, receipt };
}

/** The validated tuple of an `onAgentStep` / `AgentStep`. */
export function stepArgs(p: StepArguments, agent: Address) {
  assertAddress("handler", p.handler);
  assertBytes32("taskId", p.taskId);
  assertUint("stage", p.stage, 255n);
  assertBytes32("inputHash", p.inputHash);
  assertBytes32("outputHash", p.outputHash);
  if (typeof p.isFinal !== "boolean") throw new ChainParameterError("isFinal", "expected a boolean");
  const agentId = p.agentId ?? 0n;
  assertUint("agentId", agentId, 2n ** 256n - 1n);
  return {
    taskId: p.taskId,
    inputHash: p.inputHash,
    outputHash: p.outputHash,
    output: p.output ?? ("0x" as Hex),
    agentId: BigInt(agentId),
    agent,
    stage: Number(p.stage),
    isFinal: p.isFinal,
    data: p.data ?? ("0x" as Hex),
  };
}

/** The `AgentStepAccepted` (and `AgentStepReplaced`) of `stage` among a receipt's handler events. */
export function acceptedStep(events: readonly HandlerEvent[], taskId: Hex, stage: number): AcceptedStep | undefined {
  let replaced: AcceptedStep["replaced"];
  for (const e of events) {
    if (e.eventName === "AgentStepReplaced" && e.args.taskId === taskId && e.args.stage === stage) {
      replaced = { discardedLaterSteps: e.args.discardedLaterSteps };
    }
    if (e.eventName === "AgentStepAccepted" && e.args.taskId === taskId && e.args.stage === stage) {
      return {
        taskId,
        stage,
        agent: e.args.agent,
        agentId: e.args.agentId,
        inputHash: e.args.inputHash,
        outputHash: e.args.outputHash,
        isFinal: e.args.isFinal,
        replaced,
      };
    }
  }
  return undefined;
}
