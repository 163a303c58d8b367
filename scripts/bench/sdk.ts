/**
 * `npm run bench:sdk`: prints SDK throughput figures and writes benchmarks/sdk.md.
 * Each area contributes a section (scripts/bench/sdk-*.ts exporting `run()`).
 * Figures are recorded, never asserted: tests do not depend on wall-clock time.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import type { BenchSection } from "./types.js";

const all: { name: string; file: string }[] = [
  { name: "ect", file: "./sdk-ect.js" },
  { name: "capsule", file: "./sdk-capsule.js" },
];
/** `tsx scripts/bench/sdk.ts capsule`: run only the named sections and replace just them in benchmarks/sdk.md. */
const only = process.argv.slice(2);
const sections = only.length === 0 ? all : all.filter((x) => only.includes(x.name));

function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString("en-US");
  return n.toPrecision(3);
}

function render(s: BenchSection): string {
  const out = [`## ${s.title}`, ""];
  for (const n of s.notes ?? []) out.push(`- ${n}`);
  if (s.notes?.length) out.push("");
  out.push("| measure | value | floor (same run) | ratio | target | met |", "|---|---|---|---|---|---|");
  for (const r of s.rows) {
    const ratio = r.floor ? `${(r.value / r.floor.value).toFixed(2)}x` : "";
    const floor = r.floor ? `${fmt(r.floor.value)} ${r.unit} (${r.floor.name})` : "";
    const met = r.met === undefined ? "" : r.met ? "yes" : "**no**";
    out.push(`| ${r.name} | ${fmt(r.value)} ${r.unit} | ${floor} | ${ratio} | ${r.target ?? ""} | ${met} |`);
  }
  return out.join("\n");
}

const results: BenchSection[] = [];
for (const { file } of sections) {
  const mod = (await import(file)) as { run: () => Promise<BenchSection[]> };
  for (const s of await mod.run()) {
    results.push(s);
    console.log(render(s) + "\n");
  }
}

const cpu = cpus();
const header = [
  "# SDK benchmarks",
  "",
  `Recorded by \`npm run bench:sdk\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ` +
    `${cpu.length} x ${cpu[0]?.model ?? "cpu"}. Floors are measured in the same run with the bare libraries.`,
  "",
].join("\n");
mkdirSync("benchmarks", { recursive: true });
if (only.length === 0 || !existsSync("benchmarks/sdk.md")) {
  writeFileSync("benchmarks/sdk.md", `${header}\n${results.map(render).join("\n\n")}\n`);
} else {
  // splice: each re-run section replaces its old text (from its "## title" to the next "## "), noting when
  let text = readFileSync("benchmarks/sdk.md", "utf8");
  for (const r of results) {
    const body = `${render(r).replace(/\n\n/, `\n\n- Section re-recorded on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}, 1-minute load average ${loadavg()[0]?.toFixed(2)} on ${cpu.length} cores).\n`)}`;
    const start = text.indexOf(`## ${r.title}`);
    if (start < 0) {
      text = `${text.trimEnd()}\n\n${body}\n`;
      continue;
    }
    const next = text.indexOf("\n## ", start + 3);
    text = text.slice(0, start) + body + (next < 0 ? "\n" : `\n${text.slice(next)}`);
  }
  writeFileSync("benchmarks/sdk.md", text);
}
console.log("wrote benchmarks/sdk.md");
