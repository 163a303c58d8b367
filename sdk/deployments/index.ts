// Public surface of sdk/deployments: the deployments/<chainId>.json files a deploy writes.
export {
  DEPLOYMENT_FORMAT,
  parseDeployment,
  serializeDeployment,
  deployedContract,
  type Deployment,
  type DeployedContract,
  type RegisteredWorkflow,
  type ParseDeploymentOptions,
} from "./deployment.js";
export { loadDeployment, writeDeployment, deploymentPath, DEFAULT_DEPLOYMENTS_DIR, type LoadDeploymentOptions } from "./files.js";
export { DeploymentError, type DeploymentErrorCode } from "./errors.js";
export {
  deployAgentExec,
  type DeployAgentExecParameters,
  type DeployAgentExecReturnType,
  type AttesterSetParameters,
  type AgentExecVerifierName,
} from "./deployAgentExec.js";
export { agentExecBytecode, type AgentExecContractName } from "./bytecode.js";
