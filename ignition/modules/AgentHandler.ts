/**
 * The reference handler (step–prove staging, workflow policy registry), trusting the AgentCaller of
 * ./AgentCaller.ts. Parameters (module "AgentHandler"):
 *   owner — the account allowed to register workflow policies (Ownable2Step); default: the deployer (account 0).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import AgentCallerModule from "./AgentCaller.js";

export default buildModule("AgentHandler", (m) => {
  const { agentCaller } = m.useModule(AgentCallerModule);
  const owner = m.getParameter("owner", m.getAccount(0));
  const agentHandler = m.contract("AgentHandler", [agentCaller, owner]);
  return { agentCaller, agentHandler };
});
