import type { TaskReport } from "./verifyTask.js";
import type { VerifyCheck } from "./types.js";

export type RenderTaskReportOptions = {
  /** Show passing checks too (default false: failures and skips only). */
  verbose?: boolean | undefined;
};

const MARK = { pass: "✓", fail: "✗", skip: "–" } as const;

function line(c: VerifyCheck): string {
  return `${MARK[c.status]} ${c.id}: ${c.reason}`;
}

/** A human-readable rendering of a {@link TaskReport}. */
export function renderTaskReport(report: TaskReport, options: RenderTaskReportOptions = {}): string {
  const show = (c: VerifyCheck) => options.verbose || c.status !== "pass";
  const out: string[] = [];
  const failed =
    report.checks.filter((c) => c.status === "fail").length +
    report.stages.reduce((n, s) => n + s.checks.filter((c) => c.status === "fail").length, 0) +
    (report.anchor?.checks.filter((c) => c.status === "fail").length ?? 0);
  out.push(`Task ${report.taskId}`);
  out.push(`  handler ${report.handler} on chain ${report.chainId}: ${report.status}${report.eventStatus !== report.status ? ` (events: ${report.eventStatus})` : ""}`);
  out.push(`  verdict: ${report.ok ? "VERIFIED" : `NOT VERIFIED (${failed} failed check${failed === 1 ? "" : "s"})`}`);
  if (report.dispatch) out.push(`  requester ${report.dispatch.requester}, input ${report.dispatch.inputHash}, deadline ${report.dispatch.deadline}`);
  if (report.finalized) out.push(`  final output ${report.finalized.outputHash} (stage ${report.finalized.finalStage})`);
  for (const c of report.checks.filter(show)) out.push(`  ${line(c)}`);
  for (const s of report.stages) {
    const step = s.step ? `step by ${s.step.agent}${s.step.supersededSteps ? `, ${s.step.supersededSteps} superseded` : ""}${s.step.ects ? `, ${s.step.ects} ECTs` : ""}` : "no step";
    out.push(`  Stage ${s.stage}: ${s.verdict}${s.ok ? "" : " ✗"} — ${step}`);
    for (const r of s.rejectedProves) out.push(`    rejected prove ${r.transactionHash}: ${r.reason}`);
    for (const c of s.checks.filter(show)) out.push(`    ${line(c)}`);
  }
  const anchor = report.anchor;
  if (anchor) {
    const by = (st: string) => anchor.digests.filter((d) => d.status === st).length;
    out.push(
      `  Anchor ${anchor.address}: ${anchor.roots.length} root(s); ${anchor.digests.length} digest(s): ${by("anchored")} anchored, ${by("missing")} missing, ${by("mismatch")} mismatched, ${by("not-anchored")} not anchored${anchor.ok ? "" : " ✗"}`,
    );
    for (const r of anchor.roots) out.push(`    ${r.scope} root ${r.root} by ${r.anchorer} (${r.leafCount} leaves): ${r.covers ? `rebuilds from ${r.covers}` : "rebuilds from none of the task's digest sets"}`);
    for (const c of anchor.checks.filter(show)) out.push(`    ${line(c)}`);
    if (options.verbose) for (const d of anchor.digests) out.push(`    ${d.status === "anchored" ? MARK.pass : d.status === "not-anchored" ? MARK.skip : MARK.fail} stage ${d.stage} ${d.kind} ${d.index} ${d.digest}: ${d.status}${d.onChain === undefined ? "" : d.onChain ? ", confirmed on-chain" : ", NOT confirmed on-chain"}`);
  }
  out.push(`  read ${report.stats.logs} logs in ${report.stats.logRequests} request(s), ${report.stats.transactions} transactions, ${report.stats.verifiers} verifier(s), ${report.stats.ects} ECTs`);
  return out.join("\n");
}
