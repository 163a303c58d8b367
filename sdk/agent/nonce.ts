/**
 * A nonce manager for one sending account shared by concurrent tasks. Sends are serialised only for the moment
 * between picking a nonce and handing the signed transaction to the node (the chain actions call `acquire` after
 * their simulation and `commit` as soon as the hash is known). After any send whose fate is unknown the next
 * nonce is re-read from the node's pending count, so a transaction that did reach the node is never overwritten
 * and a gap is never left.
 */
import type { Address, Client } from "viem";
import { getTransactionCount } from "viem/actions";

export type NonceManager = {
  /** Waits for the send slot and returns the nonce to sign with. */
  acquire(): Promise<number>;
  /** The transaction was accepted by the node: advance and free the slot. */
  commit(): void;
  /** Nothing (known to be) sent: free the slot; `resync` re-reads the pending count before the next send. */
  release(resync: boolean): void;
  /** Forget the local counter (e.g. after a reorg). */
  reset(): void;
};

export type CreateNonceManagerParameters = {
  client: Client;
  address: Address;
};

export function createNonceManager({ client, address }: CreateNonceManagerParameters): NonceManager {
  let next: number | undefined;
  let held = false;
  const waiters: (() => void)[] = [];
  const wake = () => {
    held = false;
    const w = waiters.shift();
    if (w) {
      held = true;
      w();
    }
  };
  return {
    async acquire() {
      if (held) await new Promise<void>((r) => waiters.push(r));
      else held = true;
      try {
        if (next === undefined) next = await getTransactionCount(client, { address, blockTag: "pending" });
      } catch (error) {
        wake();
        throw error;
      }
      return next;
    },
    commit() {
      if (next !== undefined) next++;
      wake();
    },
    release(resync) {
      if (resync) next = undefined;
      wake();
    },
    reset() {
      next = undefined;
    },
  };
}
