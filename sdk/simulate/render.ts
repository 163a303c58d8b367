/** The human-readable simulation report: one line per call, the failing rule named. */
import type { SimulatedCall, SimulationReport } from "./types.js";

/** One line per call, then a verdict line. */
export function renderSimulationReport(report: SimulationReport): string {
  const lines = [`simulated on chain ${report.chainId} from block ${report.blockNumber} · block time ${report.blockTime} s · task ${report.taskId ?? "(not dispatched)"}`];
  report.calls.forEach((c, i) => lines.push(renderCall(c, i)));
  const margin = report.deadlineMargin === undefined ? "" : ` · ${report.deadlineMargin} s before the deadline at the last call`;
  if (report.ok) lines.push(`ok · every call would succeed${report.finalized ? " and the task is finalised" : ""}${margin}`);
  else if (report.failure) lines.push(`FAIL · rule ${report.failure.rule} at ${report.failure.call}${report.failure.stage === undefined ? "" : ` (stage ${report.failure.stage})`}: ${report.failure.message}`);
  return lines.join("\n") + "\n";
}

function renderCall(c: SimulatedCall, i: number): string {
  const name = `${String(i + 1).padStart(2)}. ${c.call}${c.stage === undefined ? "" : ` stage ${c.stage}`}`.padEnd(26);
  if (c.status === "skipped") return `${name} skipped`;
  const gas = c.gasUsed === undefined ? "" : ` · gas ${c.gasUsed}`;
  if (c.status === "ok") return `${name} ok${c.outcome ? ` (${c.outcome})` : ""}${gas}`;
  return `${name} FAIL [${c.failure?.rule}] ${c.failure?.error}${gas} — ${c.failure?.message}`;
}
