/** `agent-exec graph`: a workflow's or a task's ECT DAG as Mermaid text and an SVG file (rendered offline). */
import type { Command } from "commander";
import { ectGraph, renderGraphSvg, toMermaid, workflowGraph, type Graph } from "../../sdk/graph/index.js";
import { parseWorkflow } from "../../sdk/workflow/index.js";
import { CliError, EXIT, printJson, readText, writeOut, type Io } from "../io.js";
import { requireBytes32 } from "../chain.js";

export function registerGraphCommand(program: Command, io: Io): void {
  program
    .command("graph")
    .description("draw a workflow (--workflow) or a task's ECT DAG (--ects + --task) as Mermaid and SVG")
    .option("--workflow <file>", "workflow document")
    .option("--ects <file>", "file with the task's compact ECTs, one per line")
    .option("--task <taskId>", "the task id the ECTs' wid names (with --ects)")
    .option("--out <base>", "write <base>.mmd and <base>.svg (default: print Mermaid only)")
    .action(async (opts: { workflow?: string; ects?: string; task?: string; out?: string }) => {
      if (!!opts.workflow === !!opts.ects) throw new CliError("give exactly one of --workflow <file> or --ects <file>", EXIT.usage);
      let graph: Graph;
      if (opts.workflow) graph = workflowGraph(parseWorkflow(readText(opts.workflow, "workflow document")).document);
      else {
        const ects = readText(opts.ects!, "ECT file").split(/\s+/).filter(Boolean);
        graph = ectGraph({ ects, taskId: requireBytes32(opts.task, "--task") });
      }
      const mermaid = toMermaid(graph);
      const files: string[] = [];
      if (opts.out) {
        writeOut(`${opts.out}.mmd`, mermaid);
        writeOut(`${opts.out}.svg`, await renderGraphSvg(graph));
        files.push(`${opts.out}.mmd`, `${opts.out}.svg`);
      }
      if (io.json) printJson(io, { mermaid, files, nodes: graph.nodes.length, edges: graph.edges.length });
      else {
        io.out(mermaid.trimEnd());
        for (const f of files) io.err(`wrote ${f}`);
      }
    });
}
