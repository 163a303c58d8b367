/**
 * `npm run demo`: the thread's four ERC-8301 scenarios end to end, on the embedded Hardhat network by default
 * (`npm run demo -- --network localhost` against a running `npx hardhat node`).
 *
 *   1. input provenance — a WYRIWE gate with no transform (sentinel holds), one with a declared sanitisation
 *      pipeline, and a substituted input that the handler refuses;
 *   2. node selection — only an agent chosen from an ERC-8004-style registry (and one from an allowlist) may answer;
 *   3. multi-agent orchestration — a sequential chain and a fan-out/fan-in DAG, carried as ECTs;
 *   4. output consensus — commit-reveal votes, and an optimistic stage challenged once and resolved.
 *
 * Every task is dispatched with `callAgent`, answered by the agent runtime (sdk/agent), checked with `verifyTask`,
 * and its ECT digests anchored through `DigestAnchor`. The report prints what happened, the gas of every call and
 * the verifyTask verdict per scenario, and names the SVG graphs it wrote (demo-output/).
 */
import { join } from "node:path";
import { createWorld } from "./demo/world.js";
import { inputProvenance, nodeSelection, orchestration, outputConsensus, type ScenarioResult } from "./demo/scenarios.js";

const outDir = join(process.cwd(), "demo-output");
const started = Date.now();
const w = await createWorld(outDir);
console.log(`agent-exec demo · chain ${w.chainId} · handler ${w.handler.address} · caller ${w.caller.address}\n`);

const results: ScenarioResult[] = [];
for (const scenario of [inputProvenance, nodeSelection, orchestration, outputConsensus]) {
  const r = await scenario(w);
  results.push(r);
  console.log(`■ ${r.name}`);
  for (const t of r.tasks) console.log(`  ${t.ok ? "✔" : "✘"} ${t.label}: task ${t.taskId.slice(0, 10)}… ${t.verdict}`);
  for (const x of r.refusals) console.log(`  ✔ refused — ${x.label}: ${x.error}`);
  for (const l of r.lines) console.log(l);
  const rows = w.gas.filter((g) => g.scenario === r.name);
  const width = Math.max(...rows.map((g) => g.call.length));
  console.log("  gas:");
  for (const g of rows) console.log(`    ${g.call.padEnd(width)}  ${g.gas.toLocaleString("en-US").padStart(9)}`);
  console.log(`  graphs: ${r.graphs.map((g) => g.replace(process.cwd() + "/", "")).join(", ")}\n`);
}

const failed = results.flatMap((r) => r.tasks.filter((t) => !t.ok).map((t) => `${r.name}: ${t.label}`));
console.log(`${results.length} scenarios · ${results.reduce((n, r) => n + r.tasks.length, 0)} tasks · ${results.reduce((n, r) => n + r.refusals.length, 0)} refusals · ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failed.length) {
  console.error(`demo FAILED:\n  ${failed.join("\n  ")}`);
  process.exit(1);
}
console.log("every task verified (verifyTask passed) and anchored");
