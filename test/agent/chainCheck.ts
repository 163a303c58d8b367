/** What the chain recorded for a set of tasks: steps per stage (to find lost or doubled steps) and the status. */
import assert from "node:assert/strict";
import type { Address, Hex, PublicClient } from "viem";
import { agentHandlerAbi } from "../../sdk/chain/abis.js";

export async function chainRecord(publicClient: PublicClient, handler: Address, taskIds: readonly Hex[]) {
  const ids = new Set(taskIds.map((t) => t.toLowerCase()));
  const [accepted, replaced, finalized] = await Promise.all(
    (["AgentStepAccepted", "AgentStepReplaced", "AgentTaskFinalized"] as const).map((eventName) =>
      publicClient.getContractEvents({ address: handler, abi: agentHandlerAbi, eventName, fromBlock: 0n }),
    ),
  );
  const steps = new Map<string, number>();
  for (const e of accepted!) {
    const a = e.args as { taskId: Hex; stage: number };
    if (!ids.has(a.taskId.toLowerCase())) continue;
    const k = `${a.taskId.toLowerCase()}:${a.stage}`;
    steps.set(k, (steps.get(k) ?? 0) + 1);
  }
  const replacedCount = replaced!.filter((e) => ids.has((e.args as { taskId: Hex }).taskId.toLowerCase())).length;
  const finalizedIds = new Set(finalized!.map((e) => (e.args as { taskId: Hex }).taskId.toLowerCase()));
  return { steps, replaced: replacedCount, finalized: [...ids].filter((id) => finalizedIds.has(id)).length };
}

/** Every task finalised, with exactly one step per stage and no replacement. */
export async function assertExactlyOnce(publicClient: PublicClient, handler: Address, taskIds: readonly Hex[], stages = 3) {
  const r = await chainRecord(publicClient, handler, taskIds);
  assert.equal(r.finalized, taskIds.length, "every task finalised");
  assert.equal(r.replaced, 0, "no step replaced");
  for (const id of taskIds) for (let s = 0; s < stages; s++) assert.equal(r.steps.get(`${id.toLowerCase()}:${s}`), 1, `task ${id} stage ${s}: one step`);
  return r;
}
