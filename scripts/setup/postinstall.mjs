// Hardhat 3 needs Node >= 22, but CI and many dev machines still run Node 20.
// The devDependency `node@22.x` ships a Node 22 binary that npm scripts run on.
// npm itself, though, resolved optional platform packages (EDR's native addon)
// under the *outer* Node; when that was < 22, npm skipped them. Re-run the
// install once with the bundled Node 22 so the native packages land.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ua = process.env.npm_config_user_agent ?? "";
const m = /\bnode\/v(\d+)\./.exec(ua);
const outerMajor = m ? Number(m[1]) : undefined;

if (outerMajor === undefined || outerMajor >= 22) process.exit(0);

const node22 = join(root, "node_modules", "node", "bin", "node");
if (!existsSync(node22)) {
  console.error("[postinstall] node@22 devDependency missing; cannot re-run install on Node 22");
  process.exit(1);
}
let npmCli;
try {
  npmCli = createRequire(import.meta.url).resolve("npm/bin/npm-cli.js", {
    paths: [dirname(process.env.npm_execpath ?? "")],
  });
} catch {
  npmCli = process.env.npm_execpath;
}
console.log(`[postinstall] npm ran on Node ${outerMajor}; re-running install on bundled Node 22 for native packages`);
const env = { ...process.env, npm_config_user_agent: "" };
const r = spawnSync(node22, [npmCli, "install", "--no-audit", "--no-fund"], {
  cwd: root,
  stdio: "inherit",
  env,
});
process.exit(r.status ?? 1);
