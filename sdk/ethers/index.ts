/**
 * The ethers v6 path ("agent-exec/ethers"; `ethers` is an optional peer dependency, and
 * nothing else in the SDK imports it):
 *
 *   connect*            typed contract objects over the SDK's ABIs and the committed
 *                       typechain bindings (./typechain, types only)
 *   ethers*TypedData    the reference attestation verifiers' EIP-712 data in the shape
 *                       `signer.signTypedData(domain, types, value)` takes
 *   decodeEthersError   a failed send or call → `EthersContractRevertError` naming the
 *                       contract error and its arguments (ethers: "unknown custom error")
 *   sendAndWait         send → receipt → status check, failures typed
 *
 * Proof encoders, ids and digests are the chain-agnostic ones of "agent-exec/chain".
 */
export { EthersContractRevertError, EthersParameterError, EthersTransactionFailedError, type EthersContractRevertErrorParameters } from "./errors.js";
export { decodeEthersError, findRevertData, withDecodedErrors } from "./revert.js";
export { sendAndWait, type SendAndWaitParameters } from "./send.js";
export {
  toEthersTypedData,
  ethersStageAttestationTypedData,
  ethersWyriweAttestationTypedData,
  type EthersTypedData,
  type ToEthersTypedDataParameters,
} from "./typedData.js";
export {
  connectAgentCaller,
  connectAgentHandler,
  connectAgentVerifier,
  connectEcdsaAttestationVerifier,
  connectWyriweAttestationVerifier,
} from "./contracts.js";
export type { AgentCaller } from "./typechain/AgentCaller.js";
export type { AgentHandler, IAgentExecHandler, IWorkflowPolicyRegistry } from "./typechain/AgentHandler.js";
export type { IAgentVerifier } from "./typechain/interfaces/IAgentVerifier.js";
export type { EcdsaAttestationVerifier } from "./typechain/verifiers/EcdsaAttestationVerifier.js";
export type { WyriweAttestationVerifier } from "./typechain/verifiers/WyriweAttestationVerifier.js";
