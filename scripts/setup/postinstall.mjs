// Hardhat 3 needs Node >= 22, but CI and many dev machines still run Node 20.
// The devDependency `node@22.x` ships a Node 22 binary that npm scripts run on.
// npm itself, though, skips optional platform packages whose `engines` exclude
// the Node it runs on (EDR's native addon says node >= 22). When the outer npm
// ran on Node < 22, re-run the install once on the bundled Node 22, from the
// lockfile and without touching it, so the native packages land.
//
// This only matters inside a checkout of the agent-exec repository. When the
// package is installed as a dependency (no Hardhat config, or inside
// node_modules), there is nothing to do: consumers never need Hardhat.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const isCheckout = existsSync(join(root, "hardhat.config.ts")) && !root.split(sep).includes("node_modules");
if (!isCheckout || process.env.AGENT_EXEC_SKIP_POSTINSTALL) process.exit(0);

const ua = process.env.npm_config_user_agent ?? "";
const m = /\bnode\/v(\d+)\./.exec(ua);
const outerMajor = m ? Number(m[1]) : Number(process.versions.node.split(".")[0]);
if (outerMajor >= 22) process.exit(0);

const node22 = join(root, "node_modules", "node", "bin", "node");
if (!existsSync(node22)) {
  console.error("[postinstall] the node@22 devDependency is missing (installed with --omit=dev?); Hardhat will not run");
  process.exit(0);
}
let npmCli;
try {
  npmCli = createRequire(import.meta.url).resolve("npm/bin/npm-cli.js", {
    paths: [dirname(process.env.npm_execpath ?? "")],
  });
} catch {
  npmCli = process.env.npm_execpath;
}
if (!npmCli) {
  console.error("[postinstall] cannot locate npm's CLI; run `npm install` once with Node >= 22 for EDR's native addon");
  process.exit(1);
}
console.log(`[postinstall] npm ran on Node ${outerMajor}; re-running the install on the bundled Node 22 for native packages`);
// --no-save: the lockfile already lists every platform's package; never rewrite it (keeps `npm ci` reproducible).
// --ignore-scripts: the outer install already ran every install script, this one included (no recursion).
const r = spawnSync(node22, [npmCli, "install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, npm_config_user_agent: "" },
});
process.exit(r.status ?? 1);
