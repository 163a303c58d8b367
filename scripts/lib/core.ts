/**
 * Deploys the agent-exec core on a Hardhat network connection and names the accounts the scripts and tests play
 * with. Shared by scripts/demo.ts, scripts/bench/gas.ts and test/contracts/helpers/fixture.ts.
 */
import type { NetworkConnection } from "hardhat/types/network";
import type { Address } from "viem";

type Viem = NetworkConnection["viem"];

/** The first five accounts of a Hardhat network, by the role they play. */
export async function namedWallets(viem: Viem) {
  const wallets = await viem.getWalletClients();
  const wallet = (i: number) => {
    const w = wallets[i];
    if (!w) throw new Error(`the network has no account #${i}`);
    return w;
  };
  return { operator: wallet(0), requester: wallet(1), agent: wallet(2), attester: wallet(3), stranger: wallet(4) };
}

export type DeployCoreParameters = {
  /** Owner of the handler (registers workflow policies). */
  owner: Address;
  /** Attester set of both reference verifiers. */
  attesters: readonly Address[];
  /** Signatures required (a strict majority of `attesters`); defaults to the smallest majority. */
  threshold?: bigint;
};

/** AgentCaller, an AgentHandler trusting it, and the two reference verifiers. */
export async function deployCore(viem: Viem, p: DeployCoreParameters) {
  const threshold = p.threshold ?? BigInt(Math.floor(p.attesters.length / 2) + 1);
  const caller = await viem.deployContract("AgentCaller");
  const handler = await viem.deployContract("AgentHandler", [caller.address, p.owner]);
  const ecdsa = await viem.deployContract("EcdsaAttestationVerifier", [[...p.attesters], threshold]);
  const wyriwe = await viem.deployContract("WyriweAttestationVerifier", [[...p.attesters], threshold]);
  return { caller, handler, ecdsa, wyriwe };
}
