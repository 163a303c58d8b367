/**
 * Typed ethers v6 contract objects for the deployed core, over the SDK's committed ABIs
 * (sdk/chain/abis.ts) and the committed typechain bindings (./typechain: types only, no
 * bytecode). `connect*` never deploys; deployment is the Ignition module's job.
 */
import { Contract, type ContractRunner, isAddress } from "ethers";
import { agentCallerAbi, agentHandlerAbi, agentVerifierAbi, ecdsaAttestationVerifierAbi, wyriweAttestationVerifierAbi } from "../chain/abis.js";
import { EthersParameterError } from "./errors.js";
import type { AgentCaller } from "./typechain/AgentCaller.js";
import type { AgentHandler } from "./typechain/AgentHandler.js";
import type { IAgentVerifier } from "./typechain/interfaces/IAgentVerifier.js";
import type { EcdsaAttestationVerifier } from "./typechain/verifiers/EcdsaAttestationVerifier.js";
import type { WyriweAttestationVerifier } from "./typechain/verifiers/WyriweAttestationVerifier.js";

function connect(what: string, address: string, abi: readonly unknown[], runner: ContractRunner | null | undefined): Contract {
  if (typeof address !== "string" || !isAddress(address)) throw new EthersParameterError("address", `${what}: expected a 20-byte hex address, got ${typeof address === "string" ? JSON.stringify(address) : typeof address}`);
  if (runner !== undefined && runner !== null && typeof runner !== "object") throw new EthersParameterError("runner", `${what}: expected an ethers Signer or Provider`);
  return new Contract(address, abi as never, runner ?? null);
}

/** AgentCaller at `address` (callAgent). */
export function connectAgentCaller(address: string, runner?: ContractRunner | null): AgentCaller {
  return connect("AgentCaller", address, agentCallerAbi, runner) as unknown as AgentCaller;
}
/** AgentHandler at `address` (registerWorkflow, onAgentStep, onAgentProve, stepAndProve, taskOf, …). */
export function connectAgentHandler(address: string, runner?: ContractRunner | null): AgentHandler {
  return connect("AgentHandler", address, agentHandlerAbi, runner) as unknown as AgentHandler;
}
/** Any IAgentVerifier at `address`. */
export function connectAgentVerifier(address: string, runner?: ContractRunner | null): IAgentVerifier {
  return connect("IAgentVerifier", address, agentVerifierAbi, runner) as unknown as IAgentVerifier;
}
/** The reference EcdsaAttestationVerifier at `address`. */
export function connectEcdsaAttestationVerifier(address: string, runner?: ContractRunner | null): EcdsaAttestationVerifier {
  return connect("EcdsaAttestationVerifier", address, ecdsaAttestationVerifierAbi, runner) as unknown as EcdsaAttestationVerifier;
}
/** The reference WyriweAttestationVerifier at `address`. */
export function connectWyriweAttestationVerifier(address: string, runner?: ContractRunner | null): WyriweAttestationVerifier {
  return connect("WyriweAttestationVerifier", address, wyriweAttestationVerifierAbi, runner) as unknown as WyriweAttestationVerifier;
}
