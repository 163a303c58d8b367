/**
 * The declarative workflow descriptor, media type `application/atd-workflow+json`:
 * validate, parse, serialise, and graph helpers (topological order, stages).
 *
 * Spec: draft-atd-agent-task-dag-01 §Optional Declarative Workflow Format
 * (fig-workflow) and §Media Type; §Topological Order (a task starts only when
 * its predecessors are done; cycles are prohibited); §Resource Hints;
 * design principle 1 (consequential actions are undoable or declared
 * irreversible upfront).
 *
 * Format (members the draft shows):
 *   { wf_id, description, nodes: [{ id, label, reversible, hitl_required,
 *     resource_hints: { priority, timeout_s, … } }], edges: [{ from, to }] }
 * An edge `{from: a, to: b}` means b depends on a (b's ECT lists a's in `par`).
 *
 * Resolutions (the draft gives an example, not a schema):
 * - required: `wf_id`, `nodes` (≥ 1), `edges` (may be empty), node `id`,
 *   node `reversible` (principle 1: declared upfront); optional: `description`,
 *   `label`, `hitl_required` (absent = false), `resource_hints`.
 * - unknown members are rejected (`ATD_WF_UNKNOWN_FIELD`) unless
 *   `unknownFields: "preserve"`, which keeps them through a round trip.
 * - the member names `__proto__`, `constructor` and `prototype` are refused at
 *   any level, in both modes (`ATD_FORBIDDEN_MEMBER`, naming the path): a
 *   preserved `__proto__` would otherwise replace the prototype of the node it
 *   is copied onto (and smuggle in inherited `hitl_required`, `label`, …).
 *   Preserved members are copied as own data properties.
 * - invalid options (`unknownFields` other than "reject"/"preserve", a
 *   `maxNodes` that is not a positive integer, options that are not an
 *   object) are one `ATD_INVALID_OPTION` finding; nothing is validated.
 * - node ids unique; edges reference declared ids; no duplicate edges; no
 *   self-loops or cycles (checked iteratively, Kahn's algorithm); at most
 *   `maxNodes` nodes (default 10,000, the ECT traversal limit).
 */
import { defineMember, findForbiddenMember, isJsonObject, memberPath, own } from "./ect.js";
import { atdErrorFromFinding, AtdWorkflowCycleError, AtdWorkflowTypeError, describe, isAtdForbiddenMemberName, type AtdFinding } from "./errors.js";
import { checkAtdResourceHints, type AtdResourceHints } from "./resourceHints.js";
import { ATD_WORKFLOW_MEDIA_TYPE } from "./vocabulary.js";

export type AtdWorkflowNode = {
  id: string;
  label?: string | undefined;
  /** false: the node's action cannot be undone automatically (rollback escalates). */
  reversible: boolean;
  /** true: the node MUST have a HITL approval gate. Absent means false. */
  hitl_required?: boolean | undefined;
  resource_hints?: AtdResourceHints | undefined;
};

export type AtdWorkflowEdge = { from: string; to: string };

/** A parsed `application/atd-workflow+json` document. */
export type AtdWorkflow = {
  wf_id: string;
  description?: string | undefined;
  nodes: AtdWorkflowNode[];
  edges: AtdWorkflowEdge[];
};

export type ValidateAtdWorkflowOptions = {
  /** "reject" (default): unknown members are findings. "preserve": kept as they are. */
  unknownFields?: "reject" | "preserve" | undefined;
  /** Maximum number of nodes (default 10,000). */
  maxNodes?: number | undefined;
};

export type ValidateAtdWorkflowReturnType =
  | { valid: true; workflow: AtdWorkflow; findings: readonly [] }
  | { valid: false; workflow: undefined; findings: readonly AtdFinding[] };

export const ATD_WORKFLOW_DEFAULT_MAX_NODES = 10_000;
export { ATD_WORKFLOW_MEDIA_TYPE };

const TOP_FIELDS = ["wf_id", "description", "nodes", "edges"];
const NODE_FIELDS = ["id", "label", "reversible", "hitl_required", "resource_hints"];
const EDGE_FIELDS = ["from", "to"];

/**
 * Validates a descriptor (JSON text or an already-parsed value). Never
 * throws; returns every finding, each naming its path (e.g. `nodes[2].id`,
 * `edges[4].to`).
 */
/** Reads the options; a string is the option problem. Never throws. */
function readOptions(options: unknown): { preserve: boolean; maxNodes: number } | string {
  if (options === undefined) return { preserve: false, maxNodes: ATD_WORKFLOW_DEFAULT_MAX_NODES };
  if (!isJsonObject(options)) return `options must be an object, got ${describe(options)}`;
  try {
    const { unknownFields, maxNodes } = options as ValidateAtdWorkflowOptions;
    if (unknownFields !== undefined && unknownFields !== "reject" && unknownFields !== "preserve")
      return `unknownFields must be "reject" or "preserve", got ${describe(unknownFields)}`;
    if (maxNodes !== undefined && !(typeof maxNodes === "number" && Number.isSafeInteger(maxNodes) && maxNodes >= 1))
      return `maxNodes must be a positive integer, got ${describe(maxNodes)}`;
    return { preserve: unknownFields === "preserve", maxNodes: maxNodes ?? ATD_WORKFLOW_DEFAULT_MAX_NODES };
  } catch (cause) {
    return `options could not be read: ${describe(String((cause as Error)?.message ?? cause))}`;
  }
}

export function validateAtdWorkflow(input: unknown, options: ValidateAtdWorkflowOptions = {}): ValidateAtdWorkflowReturnType {
  const findings: AtdFinding[] = [];
  const fail = () => ({ valid: false as const, workflow: undefined, findings });
  const opts = readOptions(options);
  if (typeof opts === "string") {
    findings.push({ code: "ATD_INVALID_OPTION", path: "options", message: opts });
    return fail();
  }
  const { preserve, maxNodes } = opts;
  try {
    let value: unknown = input;
    if (typeof input === "string") {
      try {
        value = JSON.parse(input);
      } catch (e) {
        findings.push({ code: "ATD_WF_INVALID_JSON", path: "", message: `not JSON: ${(e as Error).message}` });
        return fail();
      }
    }
    if (!isJsonObject(value)) {
      findings.push({ code: "ATD_WF_BAD_TYPE", path: "", message: `descriptor must be a JSON object, got ${describe(value)}` });
      return fail();
    }
    const out: Record<string, unknown> = {};
    const unknown = (obj: Record<string, unknown>, allowed: readonly string[], path: string, target: Record<string, unknown>) => {
      for (const k of Object.keys(obj)) {
        if (allowed.includes(k)) continue;
        if (isAtdForbiddenMemberName(k)) {
          findings.push(forbidden(memberPath(path, k)));
          continue;
        }
        if (!preserve) {
          findings.push({ code: "ATD_WF_UNKNOWN_FIELD", path: path ? `${path}.${k}` : k, message: `unknown member ${JSON.stringify(k)}` });
          continue;
        }
        const v = obj[k];
        const deep = findForbiddenMember(v, memberPath(path, k), isAtdForbiddenMemberName);
        if (deep !== undefined) findings.push(forbidden(deep));
        else defineMember(target, k, v);
      }
    };
    const str = (obj: Record<string, unknown>, k: string, path: string, required: boolean, nonEmpty: boolean): string | undefined => {
      const v = own(obj, k);
      const p = path ? `${path}.${k}` : k;
      if (v === undefined) {
        if (required) findings.push({ code: "ATD_WF_MISSING_FIELD", path: p, message: `${p} is required` });
        return undefined;
      }
      if (typeof v !== "string") {
        findings.push({ code: "ATD_WF_BAD_TYPE", path: p, message: `${p} must be a string, got ${describe(v)}` });
        return undefined;
      }
      if (nonEmpty && v.length === 0) {
        findings.push({ code: "ATD_WF_BAD_VALUE", path: p, message: `${p} must not be empty` });
        return undefined;
      }
      return v;
    };
    const bool = (obj: Record<string, unknown>, k: string, path: string, required: boolean): boolean | undefined => {
      const v = own(obj, k);
      const p = `${path}.${k}`;
      if (v === undefined) {
        if (required) findings.push({ code: "ATD_WF_MISSING_FIELD", path: p, message: `${p} is required` });
        return undefined;
      }
      if (typeof v !== "boolean") {
        findings.push({ code: "ATD_WF_BAD_TYPE", path: p, message: `${p} must be a boolean, got ${describe(v)}` });
        return undefined;
      }
      return v;
    };

    const wfId = str(value, "wf_id", "", true, true);
    const description = str(value, "description", "", false, false);
    unknown(value, TOP_FIELDS, "", out);

    // nodes
    const nodesRaw = own(value, "nodes");
    const nodes: AtdWorkflowNode[] = [];
    const index = new Map<string, number>();
    let idsOk = false;
    let uniqueIds = true;
    if (nodesRaw === undefined) findings.push({ code: "ATD_WF_MISSING_FIELD", path: "nodes", message: "nodes is required" });
    else if (!Array.isArray(nodesRaw)) findings.push({ code: "ATD_WF_BAD_TYPE", path: "nodes", message: `nodes must be an array, got ${describe(nodesRaw)}` });
    else if (nodesRaw.length === 0) findings.push({ code: "ATD_WF_NO_NODES", path: "nodes", message: "a workflow needs at least one node" });
    else if (nodesRaw.length > maxNodes)
      findings.push({ code: "ATD_WF_TOO_LARGE", path: "nodes", message: `${nodesRaw.length} nodes exceed the limit of ${maxNodes}` });
    else {
      idsOk = true;
      for (let i = 0; i < nodesRaw.length; i++) {
        const n: unknown = nodesRaw[i];
        const path = `nodes[${i}]`;
        if (!isJsonObject(n)) {
          findings.push({ code: "ATD_WF_BAD_TYPE", path, message: `${path} must be an object, got ${describe(n)}` });
          idsOk = false;
          continue;
        }
        const node: Record<string, unknown> = {};
        const id = str(n, "id", path, true, true);
        const label = str(n, "label", path, false, false);
        const reversible = bool(n, "reversible", path, true);
        const hitl = bool(n, "hitl_required", path, false);
        let hints: AtdResourceHints | undefined;
        const hintsRaw = own(n, "resource_hints");
        if (hintsRaw !== undefined)
          hints = checkAtdResourceHints(
            hintsRaw,
            `${path}.resource_hints`,
            findings,
            { type: "ATD_WF_BAD_TYPE", value: "ATD_WF_BAD_VALUE", unknown: "ATD_WF_UNKNOWN_FIELD", forbidden: "ATD_FORBIDDEN_MEMBER" },
            preserve,
          );
        if (id === undefined) idsOk = false;
        else {
          const first = index.get(id);
          if (first !== undefined) uniqueIds = false;
          if (first !== undefined)
            findings.push({ code: "ATD_WF_DUPLICATE_NODE", path: `${path}.id`, message: `node id ${JSON.stringify(id)} already declared at nodes[${first}]` });
          else index.set(id, i);
        }
        node.id = id;
        if (label !== undefined) node.label = label;
        node.reversible = reversible;
        if (hitl !== undefined) node.hitl_required = hitl;
        if (hints !== undefined) node.resource_hints = hints;
        unknown(n, NODE_FIELDS, path, node);
        nodes.push(node as AtdWorkflowNode);
      }
    }

    // edges
    const edgesRaw = own(value, "edges");
    const edges: AtdWorkflowEdge[] = [];
    let edgesOk = false;
    if (edgesRaw === undefined) findings.push({ code: "ATD_WF_MISSING_FIELD", path: "edges", message: "edges is required (use [] for none)" });
    else if (!Array.isArray(edgesRaw)) findings.push({ code: "ATD_WF_BAD_TYPE", path: "edges", message: `edges must be an array, got ${describe(edgesRaw)}` });
    else {
      edgesOk = true;
      const seen = new Map<string, number>();
      for (let i = 0; i < edgesRaw.length; i++) {
        const e: unknown = edgesRaw[i];
        const path = `edges[${i}]`;
        if (!isJsonObject(e)) {
          findings.push({ code: "ATD_WF_BAD_TYPE", path, message: `${path} must be an object, got ${describe(e)}` });
          edgesOk = false;
          continue;
        }
        const before = findings.length;
        const from = str(e, "from", path, true, true);
        const to = str(e, "to", path, true, true);
        const edge: Record<string, unknown> = { from, to };
        unknown(e, EDGE_FIELDS, path, edge);
        if (idsOk) {
          if (from !== undefined && !index.has(from))
            findings.push({ code: "ATD_WF_UNKNOWN_NODE_REF", path: `${path}.from`, message: `${path}.from references undeclared node ${JSON.stringify(from)}` });
          if (to !== undefined && !index.has(to))
            findings.push({ code: "ATD_WF_UNKNOWN_NODE_REF", path: `${path}.to`, message: `${path}.to references undeclared node ${JSON.stringify(to)}` });
        }
        if (from !== undefined && to !== undefined) {
          if (from === to) findings.push({ code: "ATD_WF_CYCLE", path, message: `${path} is a self-loop on ${JSON.stringify(from)}` });
          const key = `${from}\u0000${to}`;
          const first = seen.get(key);
          if (first !== undefined)
            findings.push({ code: "ATD_WF_DUPLICATE_EDGE", path, message: `${path} repeats edges[${first}] (${from} -> ${to})` });
          else seen.set(key, i);
        }
        if (findings.length !== before) edgesOk = false;
        edges.push(edge as AtdWorkflowEdge);
      }
    }

    if (idsOk && uniqueIds && edgesOk) {
      const cycle = findCycle(nodes, edges);
      if (cycle) findings.push({ code: "ATD_WF_CYCLE", path: `edges[${cycle.edgeIndex}]`, message: `cycle: ${cycle.ids.join(" -> ")}` });
    }
    if (findings.length > 0 || wfId === undefined) return fail();
    const workflow: Record<string, unknown> = { wf_id: wfId };
    if (description !== undefined) workflow.description = description;
    workflow.nodes = nodes;
    workflow.edges = edges;
    for (const k of Object.keys(out)) defineMember(workflow, k, out[k]);
    return { valid: true, workflow: workflow as AtdWorkflow, findings: [] };
  } catch (cause) {
    findings.push({ code: "ATD_WF_BAD_TYPE", path: "", message: `descriptor could not be read: ${String((cause as Error)?.message ?? cause)}` });
    return fail();
  }
}

function forbidden(path: string): AtdFinding {
  return {
    code: "ATD_FORBIDDEN_MEMBER",
    path,
    message: `${path} uses a forbidden member name (__proto__, constructor and prototype would rewrite an object's prototype when copied)`,
  };
}

/**
 * Parses and validates a descriptor; throws the typed error of the first
 * finding (e.g. `AtdWorkflowUnknownNodeRefError` at `edges[1].to`,
 * `AtdForbiddenMemberError`, `AtdInvalidOptionError`), listing the others in
 * the error's meta lines.
 */
export function parseAtdWorkflow(input: unknown, options: ValidateAtdWorkflowOptions = {}): AtdWorkflow {
  const r = validateAtdWorkflow(input, options);
  if (r.valid) return r.workflow;
  const [first, ...rest] = r.findings;
  throw atdErrorFromFinding(first!, rest);
}

/**
 * Serialises a descriptor as `application/atd-workflow+json` with a stable
 * member order (wf_id, description, nodes, edges; id, label, reversible,
 * hitl_required, resource_hints). Validates first (throws typed errors).
 * `parseAtdWorkflow(serializeAtdWorkflow(w))` deep-equals `w`.
 */
export function serializeAtdWorkflow(workflow: AtdWorkflow, options: ValidateAtdWorkflowOptions & { space?: number } = {}): string {
  const wf = parseAtdWorkflow(workflow, options);
  return JSON.stringify(wf, null, options.space);
}

// ------------------------------------------------------------------ graph helpers

/** The graph helpers take a parsed descriptor; anything else is `AtdWorkflowTypeError`. */
function checkGraphInput(workflow: unknown, needEdges: boolean): void {
  const bad = (path: string, what: string) => {
    throw new AtdWorkflowTypeError({ path, details: `${path || "workflow"} must be ${what} (use parseAtdWorkflow first)` });
  };
  if (!isJsonObject(workflow)) bad("", "a parsed workflow descriptor");
  const { nodes, edges } = workflow as { nodes?: unknown; edges?: unknown };
  if (!Array.isArray(nodes)) bad("nodes", "an array");
  (nodes as unknown[]).forEach((n, i) => {
    if (!isJsonObject(n) || typeof n.id !== "string") bad(`nodes[${i}]`, "an object with a string id");
  });
  if (!needEdges) return;
  if (!Array.isArray(edges)) bad("edges", "an array");
  (edges as unknown[]).forEach((e, i) => {
    if (!isJsonObject(e) || typeof e.from !== "string" || typeof e.to !== "string") bad(`edges[${i}]`, "an object with string from and to");
  });
}

type Graph = { ids: string[]; succ: number[][]; pred: number[][] };

function buildGraph(nodes: readonly AtdWorkflowNode[], edges: readonly AtdWorkflowEdge[]): Graph & { edgeAt: Map<string, number> } {
  const ids = nodes.map((n) => n.id);
  const idx = new Map<string, number>();
  ids.forEach((id, i) => idx.set(id, i));
  const succ: number[][] = ids.map(() => []);
  const pred: number[][] = ids.map(() => []);
  const edgeAt = new Map<string, number>();
  edges.forEach((e, k) => {
    const a = idx.get(e.from);
    const b = idx.get(e.to);
    if (a === undefined || b === undefined) return;
    succ[a]!.push(b);
    pred[b]!.push(a);
    edgeAt.set(`${a},${b}`, k);
  });
  return { ids, succ, pred, edgeAt };
}

/**
 * Kahn's algorithm with a min-heap on declaration index, so that among the
 * nodes ready at any point the earliest declared goes first. Returns node
 * indices in order (fewer than all nodes when there is a cycle).
 */
function kahn(g: Graph): number[] {
  const indeg = g.pred.map((p) => p.length);
  const heap: number[] = [];
  const push = (v: number) => {
    let i = heap.push(v) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (heap[up]! <= v) break;
      heap[i] = heap[up]!;
      i = up;
    }
    heap[i] = v;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const c = l + 1 < heap.length && heap[l + 1]! < heap[l]! ? l + 1 : l;
        if (heap[c]! >= last) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  for (let i = 0; i < indeg.length; i++) if (indeg[i] === 0) push(i);
  const order: number[] = [];
  while (heap.length) {
    const v = pop();
    order.push(v);
    for (const w of g.succ[v]!) if (--indeg[w]! === 0) push(w);
  }
  return order;
}

/** One cycle among the nodes Kahn could not order (iterative walk), or undefined. */
function findCycle(nodes: readonly AtdWorkflowNode[], edges: readonly AtdWorkflowEdge[]): { ids: string[]; edgeIndex: number } | undefined {
  const g = buildGraph(nodes, edges);
  const order = kahn(g);
  if (order.length === g.ids.length) return undefined;
  const ordered = new Uint8Array(g.ids.length);
  for (const v of order) ordered[v] = 1;
  // Every remaining node has a remaining predecessor: walk predecessors until a node repeats.
  let start = 0;
  while (ordered[start]) start++;
  const pos = new Map<number, number>();
  const walk: number[] = [];
  let v = start;
  while (!pos.has(v)) {
    pos.set(v, walk.length);
    walk.push(v);
    v = g.pred[v]!.find((p) => !ordered[p])!;
  }
  const raw = walk.slice(pos.get(v)!).reverse(); // predecessor walk reversed = edge direction
  const first = raw.indexOf(Math.min(...raw));
  const loop = [...raw.slice(first), ...raw.slice(0, first)]; // start at the earliest declared node
  const ids = [...loop, loop[0]!].map((i) => g.ids[i]!);
  const edgeIndex = g.edgeAt.get(`${loop[0]!},${loop[1] ?? loop[0]!}`) ?? 0;
  return { ids, edgeIndex };
}

/**
 * Node ids in a topological order (every edge's `from` before its `to`);
 * among nodes ready together the earliest declared comes first (so an
 * already-ordered declaration is returned unchanged). Throws
 * `AtdWorkflowCycleError` on a cycle.
 */
export function atdWorkflowTopologicalOrder(workflow: Pick<AtdWorkflow, "nodes" | "edges">): string[] {
  checkGraphInput(workflow, true);
  const g = buildGraph(workflow.nodes, workflow.edges);
  const order = kahn(g);
  if (order.length !== g.ids.length) {
    const c = findCycle(workflow.nodes, workflow.edges);
    throw new AtdWorkflowCycleError({ path: c ? `edges[${c.edgeIndex}]` : "edges", details: c ? `cycle: ${c.ids.join(" -> ")}` : undefined });
  }
  return order.map((i) => g.ids[i]!);
}

/**
 * Stages: stage k holds the nodes whose longest path from a root has k edges;
 * every node of a stage can run concurrently once earlier stages are done.
 * Throws `AtdWorkflowCycleError` on a cycle.
 */
export function atdWorkflowStages(workflow: Pick<AtdWorkflow, "nodes" | "edges">): string[][] {
  const order = atdWorkflowTopologicalOrder(workflow);
  const g = buildGraph(workflow.nodes, workflow.edges);
  const idx = new Map<string, number>();
  g.ids.forEach((id, i) => idx.set(id, i));
  const depth = new Array<number>(g.ids.length).fill(0);
  const stages: string[][] = [];
  for (const id of order) {
    const v = idx.get(id)!;
    let d = 0;
    for (const p of g.pred[v]!) d = Math.max(d, depth[p]! + 1);
    depth[v] = d;
    (stages[d] ??= []).push(id);
  }
  return stages;
}

/** Predecessors and successors of every node, in edge order. */
export function atdWorkflowAdjacency(workflow: Pick<AtdWorkflow, "nodes" | "edges">): {
  predecessors: Map<string, string[]>;
  successors: Map<string, string[]>;
} {
  checkGraphInput(workflow, true);
  const predecessors = new Map<string, string[]>();
  const successors = new Map<string, string[]>();
  for (const n of workflow.nodes) {
    predecessors.set(n.id, []);
    successors.set(n.id, []);
  }
  for (const e of workflow.edges) {
    successors.get(e.from)?.push(e.to);
    predecessors.get(e.to)?.push(e.from);
  }
  return { predecessors, successors };
}

/** Ids of the nodes that need a HITL approval gate (`hitl_required: true`). */
export function atdWorkflowHitlGates(workflow: Pick<AtdWorkflow, "nodes">): string[] {
  checkGraphInput(workflow, false);
  return workflow.nodes.filter((n) => n.hitl_required === true).map((n) => n.id);
}
