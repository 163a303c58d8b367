/**
 * `npm run bench:verify` (`hardhat run scripts/bench/verify.ts`): times `verifyTask` on a 10-stage task carrying
 * 10 ECTs per stage against the floor of reading the task's logs once, counting JSON-RPC calls, on the embedded
 * Hardhat network — with no added latency (CPU-bound) and with a simulated 25 ms RPC round trip (network-bound,
 * the public-RPC case) — and writes benchmarks/verify.md. Figures are recorded, never asserted by tests.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { cpus, loadavg } from "node:os";
import { createPublicClient, custom, type Hex } from "viem";
import { getLogsPaged } from "../../sdk/chain/logs.js";
import { verifyTask } from "../../sdk/verify/index.js";
import { resetVerifyMemos } from "../../sdk/verify/internal.js";
import { deployAgentExec } from "../../test/contracts/helpers/fixture.js";
import { buildTask, ectKit } from "../../test/verify/helpers.js";

const STAGES = 10;
const ECTS = 10;
const RUNS = 15;
const GOAL = 2;

const f = await deployAgentExec();
const kit = await ectKit();
const built = await buildTask(f, kit, { stages: STAGES, ectsPerStage: ECTS });
const provider = f.connection.provider;
const handler = f.handler.address;
const taskId: Hex = built.taskId;

function countingClient(latencyMs: number) {
  // `rounds`: sequential round trips — a request's round is one more than the latest round answered when it was sent.
  const counter = { calls: 0, byMethod: new Map<string, number>(), rounds: 0, answeredRound: 0 };
  const client = createPublicClient({
    transport: custom({
      async request({ method, params }: { method: string; params?: unknown }) {
        counter.calls++;
        counter.byMethod.set(method, (counter.byMethod.get(method) ?? 0) + 1);
        const round = counter.answeredRound + 1;
        if (round > counter.rounds) counter.rounds = round;
        if (latencyMs) await new Promise((r) => setTimeout(r, latencyMs));
        const answer = await provider.request({ method, params: params as unknown[] });
        if (round > counter.answeredRound) counter.answeredRound = round;
        return answer;
      },
    }, { retryCount: 0 }),
  });
  return { client, counter };
}

/** `cold`: the signature memos are cleared before every run (a first verification pays every recovery and ECT signature). */
async function measure(name: string, latencyMs: number, fn: (c: ReturnType<typeof countingClient>["client"]) => Promise<unknown>, cold = false) {
  const times: number[] = [];
  let calls = 0;
  let rounds = 0;
  let byMethod = new Map<string, number>();
  for (let i = 0; i < RUNS + 2; i++) {
    const { client, counter } = countingClient(latencyMs);
    if (cold) await resetVerifyMemos();
    const t0 = performance.now();
    await fn(client);
    const dt = performance.now() - t0;
    if (i >= 2) times.push(dt); // two warm-up runs
    calls = counter.calls;
    rounds = counter.rounds;
    byMethod = counter.byMethod;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  return { name, latencyMs, median, calls, rounds, byMethod };
}

const ect = { keyStore: kit.keyStore, clock: () => Date.now() };
const check = await verifyTask(countingClient(0).client, { handler, taskId, ect });
if (!check.ok || check.stats.ects !== STAGES * ECTS) throw new Error("the benchmark task does not verify");

type Row = Awaited<ReturnType<typeof measure>>;
const rows: Row[] = [];
const LATENCIES = [0, 25, 100];
for (const latency of LATENCIES) {
  const floor = await measure("floor: the task's logs, one eth_getLogs", latency, (c) => getLogsPaged(c, { topics: [null, taskId] }));
  const dataFloor = await measure("data floor: the logs, then the calldata of their transactions", latency, async (c) => {
    const { logs } = await getLogsPaged(c, { topics: [null, taskId] });
    const hashes = [...new Set(logs.map((l) => l.transactionHash).filter((h): h is Hex => h !== null))];
    await Promise.all(hashes.map((hash) => c.request({ method: "eth_getTransactionByHash", params: [hash] })));
  });
  const noKeys = await measure("verifyTask, first verification, no key store (ECT structure, bindings, DAG)", latency, (c) => verifyTask(c, { handler, taskId }), true);
  const cold = await measure("verifyTask, first verification (13-step verification of 100 ECTs, 10 proofs recovered)", latency, (c) => verifyTask(c, { handler, taskId, ect }), true);
  const full = await measure("verifyTask, re-verification (signature memos warm)", latency, (c) => verifyTask(c, { handler, taskId, ect }));
  const onChain = await measure("verifyTask, first verification + every verifier asked on-chain", latency, (c) => verifyTask(c, { handler, taskId, ect, onChain: true }), true);
  rows.push(floor, dataFloor, noKeys, cold, full, onChain);
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const lines: string[] = [];
lines.push("# verifyTask benchmark");
lines.push("");
lines.push(`Generated by \`npm run bench:verify\` (scripts/bench/verify.ts) on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, embedded Hardhat (EDR) network.`);
lines.push(`Machine: ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)} while measuring (shared with other jobs: CPU-bound times are inflated accordingly).`);
lines.push(`Task: ${STAGES} stages, each one \`stepAndProve\` carrying ${ECTS} ECTs (ES256) in its step data — ${STAGES * ECTS} ECTs, ${check.stats.logs} logs, ${check.stats.transactions} transactions.`);
lines.push(`Median of ${RUNS} runs after 2 warm-ups. "RPC calls" counts JSON-RPC requests at the transport. Goal: within ${GOAL}× of the floor (reading the task's logs once).`);
lines.push("");
for (const latency of LATENCIES) {
  const set = rows.filter((r) => r.latencyMs === latency);
  const floor = set[0];
  if (!floor) continue;
  lines.push(latency === 0 ? "## No added latency (local node: CPU-bound)" : `## ${latency} ms per RPC round trip (public endpoint: network-bound)`);
  lines.push("");
  const data = set[1] ?? floor;
  lines.push("| read | time (ms) | × floor (logs) | × data floor | RPC calls | sequential round trips |");
  lines.push("|---|---:|---:|---:|---:|---:|");
  for (const r of set) lines.push(`| ${r.name} | ${fmt(r.median)} | ${(r.median / floor.median).toFixed(2)} | ${(r.median / data.median).toFixed(2)} | ${r.calls} | ${r.rounds} |`);
  lines.push("");
}
const last = rows.find((r) => r.latencyMs === 0 && r.name.startsWith("verifyTask, first verification ("));
if (last) {
  lines.push("RPC calls of one full verifyTask, by method: " + [...last.byMethod.entries()].map(([m, n]) => `${m} ${n}`).join(", ") + ".");
  lines.push("");
}
const at100 = rows.filter((r) => r.latencyMs === 100);
const ratio = (prefix: string) => {
  const r = at100.find((x) => x.name.startsWith(prefix));
  return r && at100[0] ? (r.median / at100[0].median).toFixed(2) : "?";
};
lines.push(`Result at 100 ms per round trip: a first verification is ${ratio("verifyTask, first verification (")}× the logs floor, a re-verification`);
lines.push(`${ratio("verifyTask, re-verification")}×; the data floor (logs, then the transactions, nothing checked) is ${ratio("data floor")}×. **The goal (≤ 2× the logs`);
lines.push("floor) is not met, and cannot be with these data:** the output, the step data (its ECTs) and the proofs are in");
lines.push("calldata only, and which transactions to read is known only from the logs, so two dependent round trips are the");
lines.push("minimum — 2.0× the floor before any checking. verifyTask makes exactly two (\"sequential round trips\" column, counted");
lines.push("at the transport: a request's round is one more than the latest round answered when it was sent). What remains");
lines.push("above 2× is CPU: the 0-latency rows measure it (on a shared 2-core machine; see the load average).");
lines.push("");
lines.push("RPC plan: round 1 = chain id, `taskOf`, `agentCaller` and the task's logs (and the DigestAnchor events when an");
lines.push("anchor is checked); round 2 = the policy and its stored digest (both keyed by the workflow hash round 1 names),");
lines.push("every step/prove transaction, and every verifier's `proofSystem` / `attesters` / `threshold` (the verifiers the");
lines.push("events name at once, those only the policy names as soon as the policy is in). All reads of a round are issued");
lines.push("concurrently, so a batching transport (viem `http(url, { batch: true })`) sends each round as one HTTP request.");
lines.push("Only `onChain: true` adds a third round (asking each verifier about the proof read in round 2).");
lines.push("");
lines.push("CPU: a first verification pays 100 ES256 signature checks (Node's native `crypto.verify`) and 10 secp256k1");
lines.push("recoveries (pure JS: Node has no native recovery), plus EIP-712 hashing, ABI decoding of 10 calldatas and the DAG");
lines.push("rules. Both signature results are memoised (pure functions of key/digest and signature; ECT answers per cached");
lines.push("KeyObject), so re-verifying a task — an auditor polling, a dApp re-checking — costs the lookups only. The");
lines.push("\"first verification\" rows clear the memos before every run; the \"re-verification\" row does not.");
lines.push("");
mkdirSync("benchmarks", { recursive: true });
writeFileSync("benchmarks/verify.md", lines.join("\n"));
console.log(lines.join("\n"));
