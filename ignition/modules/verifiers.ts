/**
 * The reference verifiers, one Ignition module each (module id = contract name, so each has its own parameter
 * block in ignition/parameters/*.json).
 *
 * Adding a verifier is a one-line change here: an entry naming the contract and its constructor arguments, read
 * from the module's parameters (and, where a verifier needs them, the caller's or handler's address).
 * ./AgentExec.ts deploys every entry and scripts/deploy.ts records it in deployments/<chainId>.json.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ArgumentType, ContractFuture, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import AgentHandlerModule from "./AgentHandler.js";

/** What a verifier's constructor may refer to besides its own parameters. */
export type CoreFutures = { agentCaller: ContractFuture<string>; agentHandler: ContractFuture<string> };

export type VerifierEntry = {
  /** The Solidity contract name (its artifact); also the Ignition module id and parameter block. */
  readonly contract: string;
  /** Constructor arguments. */
  readonly args: (m: IgnitionModuleBuilder, core: CoreFutures) => ArgumentType[];
};

/** Attester-set verifiers: `attesters` (distinct, nonzero addresses) and `threshold` (a strict majority). */
const attesterSet = (m: IgnitionModuleBuilder): ArgumentType[] => [
  m.getParameter<string[]>("attesters"),
  m.getParameter<number>("threshold"),
];

export const VERIFIERS: readonly VerifierEntry[] = [
  { contract: "EcdsaAttestationVerifier", args: attesterSet },
  { contract: "WyriweAttestationVerifier", args: attesterSet },
];

/** An Ignition module deploying one entry (`AttesterSetVerifier` is the abstract base of two of them, not deployed). */
function verifierModule(entry: VerifierEntry) {
  return buildModule(entry.contract, (m) => {
    const { agentCaller, agentHandler } = m.useModule(AgentHandlerModule);
    const verifier = m.contract(entry.contract, entry.args(m, { agentCaller, agentHandler }));
    return { verifier };
  });
}

/** One module per entry, built once (Ignition identifies modules by id; each id must map to one module). */
export const VERIFIER_MODULES = VERIFIERS.map((entry) => ({ contract: entry.contract, module: verifierModule(entry) }));
