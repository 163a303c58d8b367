/**
 * The ERC-8301 caller: stateless, no constructor arguments. Every handler trusts exactly one caller.
 *
 *   npx hardhat ignition deploy ignition/modules/AgentCaller.ts --network localhost
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("AgentCaller", (m) => {
  const agentCaller = m.contract("AgentCaller");
  return { agentCaller };
});
