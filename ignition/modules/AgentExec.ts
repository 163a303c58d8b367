/**
 * Everything agent-exec deploys: the caller, the reference handler and every verifier of ./verifiers.ts.
 * `npm run deploy` runs this module and writes deployments/<chainId>.json; parameters come from
 * ignition/parameters/<network>.json (see README "Deploy").
 *
 *   npx hardhat ignition deploy ignition/modules/AgentExec.ts --network localhost --parameters ignition/parameters/localhost.json
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import AgentHandlerModule from "./AgentHandler.js";
import { VERIFIER_MODULES } from "./verifiers.js";

export default buildModule("AgentExec", (m) => {
  const { agentCaller, agentHandler } = m.useModule(AgentHandlerModule);
  const verifiers = Object.fromEntries(VERIFIER_MODULES.map(({ contract, module }) => [contract, m.useModule(module).verifier]));
  // Result keys are contract names: scripts/lib/deploy.ts records each under its key in deployments/<chainId>.json.
  return { AgentCaller: agentCaller, AgentHandler: agentHandler, ...verifiers };
});
