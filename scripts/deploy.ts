/**
 * `npm run deploy [-- --network <name>]`: deploys the caller, the reference handler and every reference verifier
 * with Hardhat Ignition (ignition/modules/AgentExec.ts) and writes deployments/<chainId>.json (README "Deploy").
 *
 * Environment (all optional):
 *   AGENT_EXEC_PARAMETERS       Ignition parameter file (default ignition/parameters/<network>.json, or local.json
 *                               on chain 31337)
 *   AGENT_EXEC_DEPLOYMENTS_DIR  where <chainId>.json is written (default deployments/)
 *   AGENT_EXEC_DEPLOYMENT_ID    Ignition deployment id (default chain-<chainId>)
 */
import { network } from "hardhat";
import { deployAgentExec } from "./lib/deploy.js";

const connection = await network.create();
try {
  const { deployment } = await deployAgentExec({
    connection,
    parametersFile: process.env.AGENT_EXEC_PARAMETERS,
    deploymentsDir: process.env.AGENT_EXEC_DEPLOYMENTS_DIR,
    deploymentId: process.env.AGENT_EXEC_DEPLOYMENT_ID,
    displayUi: !process.env.CI,
    log: (line) => console.log(line),
  });
  for (const [name, c] of Object.entries(deployment.contracts)) console.log(`  ${name.padEnd(28)} ${c.address}  (block ${c.block})`);
  console.log(`  workflows registered: ${deployment.workflows.length}`);
} catch (err) {
  console.error(`deploy failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await connection.close();
}
