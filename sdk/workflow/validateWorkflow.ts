/**
 * Validates an ERC-8301 workflow document: JSON → RFC 8785 canonical form → JSON Schema (ajv, draft 2020-12) →
 * the rules a schema cannot state. Never throws; every problem is a finding naming its path.
 *
 * What is validated is the canonical form: the value whose bytes are `agentWorkflow` and whose keccak256 is
 * `agentWorkflowHash`. A document that has no canonical form (a lone UTF-16 surrogate, a non-finite number, a
 * BigInt, a function) cannot be hashed reproducibly and is refused.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject } from "ajv";
import canonicalize from "canonicalize";
import { keccak256, stringToHex, zeroAddress, type Hex } from "viem";
import { validateAtdWorkflow } from "../atd/workflowDescriptor.js";
import { IDENTITY_PIPELINE_URI } from "../chain/wyriwe.js";
import { workflowDocumentSchema } from "./schema.js";
import type { WorkflowFinding, WorkflowErrorCode } from "./errors.js";
import type { WorkflowDocument } from "./types.js";

/** The default ceiling on the canonical document's size: it travels as `agentWorkflow` calldata. */
export const WORKFLOW_DEFAULT_MAX_BYTES = 64 * 1024;

export type ValidateWorkflowOptions = {
  /** Largest canonical document accepted, in bytes (default 64 KiB). */
  maxBytes?: number | undefined;
};

export type ValidateWorkflowReturnType =
  | {
      valid: true;
      document: WorkflowDocument;
      /** The RFC 8785 canonical JSON text. */
      canonical: string;
      /** Its UTF-8 bytes: the `agentWorkflow` a task carries. */
      agentWorkflow: Hex;
      /** keccak256 of those bytes: `agentWorkflowHash`. */
      workflowHash: Hex;
      findings: readonly [];
    }
  | { valid: false; findings: readonly WorkflowFinding[] };

let compiled: ReturnType<Ajv2020["compile"]> | undefined;
function schemaValidator() {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    compiled = ajv.compile(workflowDocumentSchema);
  }
  return compiled;
}

/** `/stages/0/verifier/kind` → `stages[0].verifier.kind`. */
function toPath(pointer: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  }
  return out;
}

function schemaFindings(errors: readonly ErrorObject[]): WorkflowFinding[] {
  const findings: WorkflowFinding[] = [];
  const seen = new Set<string>();
  const add = (code: WorkflowErrorCode, path: string, message: string) => {
    const key = `${code}|${path}|${message}`;
    if (!seen.has(key)) (seen.add(key), findings.push({ code, path, message }));
  };
  for (const e of errors) {
    const path = toPath(e.instancePath);
    // The union members of `agents` and `sanitisation` produce one error per branch: report the union once.
    if (path === "agents" || path.startsWith("agents.")) {
      add("WORKFLOW_SCHEMA", "agents", `must be { auth: "allowlist", allowlist: [address, …] }, { auth: "registry", registry: address } or { auth: "open" }`);
      continue;
    }
    if (path === "sanitisation" || path.startsWith("sanitisation.")) {
      add("WORKFLOW_SCHEMA", "sanitisation", "must be null or { pipeline: string, description?: string }");
      continue;
    }
    if (e.keyword === "enum" && /^stages\[\d+\]\.verifier\.kind$/.test(path)) {
      add("WORKFLOW_UNKNOWN_VERIFIER_KIND", path, `must be one of ${String((e.params as { allowedValues: unknown[] }).allowedValues.join(", "))}`);
      continue;
    }
    if (e.keyword === "maxItems" && path === "stages") {
      add("WORKFLOW_TOO_MANY_STAGES", path, `at most ${String((e.params as { limit: number }).limit)} stages`);
      continue;
    }
    if (e.keyword === "additionalProperties") {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      add("WORKFLOW_SCHEMA", path ? `${path}.${extra}` : extra, "unknown member");
      continue;
    }
    if (e.keyword === "required") {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      add("WORKFLOW_SCHEMA", path ? `${path}.${missing}` : missing, "required member missing");
      continue;
    }
    add("WORKFLOW_SCHEMA", path, e.message ?? e.keyword);
  }
  return findings;
}

/** Parses text or UTF-8 bytes; objects pass through. */
function readInput(input: unknown): { value: unknown } | WorkflowFinding {
  let text: string | undefined;
  if (typeof input === "string") text = input;
  else if (input instanceof Uint8Array) {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input);
    } catch {
      return { code: "WORKFLOW_INVALID_JSON", path: "", message: "the bytes are not UTF-8" };
    }
  }
  if (text === undefined) return { value: input };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (cause) {
    return { code: "WORKFLOW_INVALID_JSON", path: "", message: String((cause as Error).message) };
  }
}

/** RFC 8785 text of `value`, or the reason it has none. Lone surrogates have no UTF-8 form: refused. */
function canonicalText(value: unknown): string | WorkflowFinding {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    return { code: "WORKFLOW_NOT_CANONICALIZABLE", path: "", message: String((cause as Error)?.message ?? cause) };
  }
  if (typeof text !== "string") return { code: "WORKFLOW_NOT_CANONICALIZABLE", path: "", message: "the value is not a JSON document" };
  if (LONE_SURROGATE.test(text)) return { code: "WORKFLOW_NOT_CANONICALIZABLE", path: "", message: "a string holds a lone UTF-16 surrogate (no UTF-8 form)" };
  return text;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PIPELINE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\u0000-\u001f\u007f]+$/;
const MAX_PIPELINE_URI = 2048;

function semanticFindings(doc: WorkflowDocument): WorkflowFinding[] {
  const f: WorkflowFinding[] = [];
  const add = (code: WorkflowErrorCode, path: string, message: string) => f.push({ code, path, message });

  // The graph: an ATD descriptor (acyclic, unique ids, edges between declared nodes).
  const graph = validateAtdWorkflow(doc.graph);
  if (!graph.valid) {
    for (const g of graph.findings)
      add(g.code === "ATD_WF_CYCLE" ? "WORKFLOW_GRAPH_CYCLE" : "WORKFLOW_GRAPH_INVALID", g.path ? `graph.${g.path}` : "graph", `${g.code}: ${g.message}`);
  }

  // Stages: unique names; each graph node in exactly one stage; edges run forward.
  const names = new Map<string, number>();
  const stageOf = new Map<string, number>();
  const declared = new Set(Array.isArray(doc.graph.nodes) ? doc.graph.nodes.map((n) => (n as { id?: unknown })?.id) : []);
  doc.stages.forEach((stage, i) => {
    const prior = names.get(stage.name);
    if (prior !== undefined) add("WORKFLOW_DUPLICATE_STAGE_NAME", `stages[${i}].name`, `"${stage.name}" is also stage ${prior}'s name`);
    else names.set(stage.name, i);
    stage.nodes.forEach((node, j) => {
      if (!declared.has(node)) return add("WORKFLOW_UNKNOWN_NODE", `stages[${i}].nodes[${j}]`, `"${node}" is not a node of graph`);
      const other = stageOf.get(node);
      if (other !== undefined) return add("WORKFLOW_NODE_IN_TWO_STAGES", `stages[${i}].nodes[${j}]`, `"${node}" already runs in stage ${other}`);
      stageOf.set(node, i);
    });
  });
  if (graph.valid) {
    graph.workflow.nodes.forEach((node, i) => {
      if (!stageOf.has(node.id)) add("WORKFLOW_NODE_WITHOUT_STAGE", `graph.nodes[${i}]`, `"${node.id}" runs in no stage`);
    });
    graph.workflow.edges.forEach((edge, i) => {
      const a = stageOf.get(edge.from);
      const b = stageOf.get(edge.to);
      if (a !== undefined && b !== undefined && a >= b)
        add("WORKFLOW_EDGE_BACKWARDS", `graph.edges[${i}]`, `"${edge.from}" (stage ${a}) → "${edge.to}" (stage ${b}): a node's dependencies must run in earlier stages`);
    });
  }

  // Stage rules the on-chain registry also enforces (same names, found before any transaction).
  const last = doc.stages.length - 1;
  const minFinal = doc.minFinalStage ?? last;
  if (doc.minFinalStage !== undefined && doc.minFinalStage > last)
    add("WORKFLOW_MIN_FINAL_STAGE_OUT_OF_RANGE", "minFinalStage", `${doc.minFinalStage} > last stage ${last}`);
  doc.stages.forEach((stage, i) => {
    if (i === 0 && stage.input === "previous-output") add("WORKFLOW_FIRST_STAGE_CHAINS", "stages[0].input", `stage 0 must take "task-input"`);
    if (stage.gating === true && stage.resolution !== "sync") add("WORKFLOW_GATING_REQUIRES_SYNC", `stages[${i}].resolution`, `gating stage ${i} is "${stage.resolution}"`);
    if (stage.gating === true && i > minFinal && minFinal <= last)
      add("WORKFLOW_GATE_AFTER_MIN_FINAL_STAGE", `stages[${i}].gating`, `gating stage ${i} comes after minFinalStage ${minFinal}`);
    if (stage.verifier.address.toLowerCase() === zeroAddress) add("WORKFLOW_ZERO_ADDRESS", `stages[${i}].verifier.address`, "the verifier is the zero address");
  });

  // Agents and requesters.
  const addresses = (list: readonly string[], path: string) => {
    const seen = new Map<string, number>();
    list.forEach((a, i) => {
      const k = a.toLowerCase();
      if (k === zeroAddress) add("WORKFLOW_ZERO_ADDRESS", `${path}[${i}]`, "the zero address");
      const j = seen.get(k);
      if (j !== undefined) add("WORKFLOW_DUPLICATE_ADDRESS", `${path}[${i}]`, `${a} is also ${path}[${j}]`);
      else seen.set(k, i);
    });
  };
  if (doc.agents.auth === "allowlist") addresses(doc.agents.allowlist, "agents.allowlist");
  if (doc.agents.auth === "registry" && doc.agents.registry.toLowerCase() === zeroAddress)
    add("WORKFLOW_ZERO_ADDRESS", "agents.registry", "the registry is the zero address");
  if (doc.requesters) addresses(doc.requesters, "requesters");

  // The sanitisation pipeline: a content address whose UTF-8 bytes hash to the policy's pipelineHash.
  if (doc.sanitisation) {
    const uri = doc.sanitisation.pipeline;
    if (uri.length === 0 || uri.length > MAX_PIPELINE_URI || !PIPELINE_URI.test(uri))
      add("WORKFLOW_PIPELINE_UNHASHABLE", "sanitisation.pipeline", `"${uri.slice(0, 80)}" is not a URI (scheme:content, no spaces or control characters, ≤ ${MAX_PIPELINE_URI} characters)`);
  }
  return f;
}

/**
 * Validates a workflow document given as JSON text, UTF-8 bytes, or a parsed value. Never throws.
 * On success returns the canonical text, the `agentWorkflow` bytes and `agentWorkflowHash`.
 */
export function validateWorkflow(input: unknown, options: ValidateWorkflowOptions = {}): ValidateWorkflowReturnType {
  const fail = (findings: WorkflowFinding[]) => ({ valid: false as const, findings });
  const maxBytes = options?.maxBytes ?? WORKFLOW_DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    return fail([{ code: "WORKFLOW_INVALID_ARGUMENT", path: "", message: `maxBytes must be a positive integer, got ${String(maxBytes)}` }]);
  const read = readInput(input);
  if ("code" in read) return fail([read]);
  const text = canonicalText(read.value);
  if (typeof text !== "string") return fail([text]);
  const agentWorkflow = stringToHex(text);
  const size = (agentWorkflow.length - 2) / 2;
  if (size > maxBytes) return fail([{ code: "WORKFLOW_TOO_LARGE", path: "", message: `${size} bytes > ${maxBytes}` }]);
  const value = JSON.parse(text) as unknown;
  const validate = schemaValidator();
  if (!validate(value)) return fail(schemaFindings(validate.errors ?? []));
  const document = value as WorkflowDocument;
  const findings = semanticFindings(document);
  if (findings.length) return fail(findings);
  return { valid: true, document, canonical: text, agentWorkflow, workflowHash: keccak256(agentWorkflow), findings: [] };
}

/** True when the document declares no transform: no pipeline, or ERC-8299's identity pipeline. */
export function declaresNoTransform(doc: Pick<WorkflowDocument, "sanitisation">): boolean {
  return !doc.sanitisation || doc.sanitisation.pipeline === IDENTITY_PIPELINE_URI;
}
