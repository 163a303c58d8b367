/** Reading and writing deployments/<chainId>.json (Node only: uses node:fs). */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseDeployment, serializeDeployment, type Deployment } from "./deployment.js";
import { DeploymentError } from "./errors.js";

/** Where deployments live by default: `deployments/` under the current directory. */
export const DEFAULT_DEPLOYMENTS_DIR = "deployments";

/** `<dir>/<chainId>.json`, resolved against the current directory. */
export function deploymentPath(chainId: number | bigint, dir: string = DEFAULT_DEPLOYMENTS_DIR): string {
  return resolve(dir, `${chainId}.json`);
}

export type LoadDeploymentOptions = {
  /** The deployments directory (default `deployments/` under the current directory). Ignored for a file path. */
  dir?: string | undefined;
};

/**
 * Loads a deployment: by chain id (`<dir>/<chainId>.json`, and the file must be for that chain) or from a file
 * path. Throws {@link DeploymentError}: `DEPLOYMENT_NOT_FOUND`, `DEPLOYMENT_UNREADABLE`, `DEPLOYMENT_INVALID_JSON`,
 * `DEPLOYMENT_INVALID`, `DEPLOYMENT_CHAIN_MISMATCH`.
 */
export async function loadDeployment(chainIdOrFile: number | bigint | string, options: LoadDeploymentOptions = {}): Promise<Deployment> {
  const byChain = typeof chainIdOrFile !== "string";
  const file = byChain ? deploymentPath(chainIdOrFile, options.dir) : resolve(chainIdOrFile);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new DeploymentError("DEPLOYMENT_NOT_FOUND", byChain ? `No deployment for chain ${chainIdOrFile}.` : "No deployments file.", {
        details: `${file} does not exist; run \`npm run deploy\` for that network first`,
        file,
        cause,
      });
    }
    throw new DeploymentError("DEPLOYMENT_UNREADABLE", "Cannot read the deployments file.", {
      details: (cause as Error).message,
      file,
      cause,
    });
  }
  const deployment = parseDeployment(text, { file });
  if (byChain && BigInt(deployment.chainId) !== BigInt(chainIdOrFile)) {
    throw new DeploymentError("DEPLOYMENT_CHAIN_MISMATCH", `The deployments file is for chain ${deployment.chainId}, not ${chainIdOrFile}.`, {
      file,
      path: "chainId",
    });
  }
  return deployment;
}

/** Writes `<dir>/<chainId>.json` atomically (temporary file, then rename) and returns its path. */
export async function writeDeployment(deployment: Deployment, options: LoadDeploymentOptions = {}): Promise<string> {
  const text = serializeDeployment(deployment);
  const file = deploymentPath(deployment.chainId, options.dir);
  await mkdir(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${deployment.chainId}.json.${process.pid}.tmp`);
  await writeFile(tmp, text);
  await rename(tmp, file);
  return file;
}
