/**
 * The published JSON Schema (draft 2020-12) of the ERC-8301 workflow document. `schemas/erc8301-workflow.schema.json`
 * is this object, written by `npx tsx scripts/gen-workflow-schema.ts` (a test keeps the two identical).
 *
 * The schema is the structural half of validation; `validateWorkflow` adds what a schema cannot say (the graph is
 * acyclic, every node runs in exactly one stage, edges run forward, gating stages are sync and not after
 * `minFinalStage`, …) and reports both halves with the same finding shape.
 */
import { POLICY_LIMITS } from "../chain/policy.js";
import { WORKFLOW_DOCUMENT_KIND, WORKFLOW_SCHEMA_ID, WORKFLOW_VERIFIER_KINDS } from "./types.js";

const address = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;
const name = { type: "string", minLength: 1, maxLength: 256 } as const;

export const workflowDocumentSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: WORKFLOW_SCHEMA_ID,
  title: "ERC-8301 workflow document (agent-exec)",
  description:
    "The document committed by agentWorkflowHash = keccak256(JCS(document)). Its stages, agents, requesters, " +
    "sanitisation and minFinalStage determine the handler's stage policy one to one.",
  type: "object",
  additionalProperties: false,
  required: ["kind", "id", "version", "graph", "stages", "agents"],
  properties: {
    $schema: { type: "string" },
    kind: { const: WORKFLOW_DOCUMENT_KIND },
    id: name,
    version: { type: "string", pattern: "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?$" },
    name,
    description: { type: "string", maxLength: 4096 },
    graph: {
      description: "An application/atd-workflow+json descriptor (draft-atd-agent-task-dag, declarative workflow format).",
      type: "object",
      required: ["wf_id", "nodes", "edges"],
      properties: {
        wf_id: { type: "string", minLength: 1 },
        description: { type: "string" },
        nodes: { type: "array", minItems: 1 },
        edges: { type: "array" },
      },
    },
    stages: {
      type: "array",
      minItems: 1,
      maxItems: POLICY_LIMITS.maxStages,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "nodes", "resolution", "input", "verifier"],
        properties: {
          name,
          nodes: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
          resolution: { enum: ["sync", "async"] },
          gating: { type: "boolean" },
          input: { enum: ["task-input", "previous-output"] },
          verifier: {
            type: "object",
            additionalProperties: false,
            required: ["kind", "address", "gasLimit"],
            properties: {
              kind: { enum: [...WORKFLOW_VERIFIER_KINDS] },
              address,
              gasLimit: { type: "integer", minimum: POLICY_LIMITS.minVerifierGas, maximum: POLICY_LIMITS.maxVerifierGas },
            },
          },
          capsule: { type: "boolean" },
          agent: { type: "object", additionalProperties: { type: "string" } },
        },
      },
    },
    minFinalStage: { type: "integer", minimum: 0, maximum: POLICY_LIMITS.maxStages - 1 },
    sanitisation: {
      oneOf: [
        { type: "null" },
        {
          type: "object",
          additionalProperties: false,
          required: ["pipeline"],
          properties: { pipeline: { type: "string" }, description: { type: "string" } },
        },
      ],
    },
    agents: {
      type: "object",
      required: ["auth"],
      properties: { auth: { enum: ["allowlist", "registry", "open"] } },
      oneOf: [
        {
          additionalProperties: false,
          required: ["auth", "allowlist"],
          properties: { auth: { const: "allowlist" }, allowlist: { type: "array", minItems: 1, items: address } },
        },
        {
          additionalProperties: false,
          required: ["auth", "registry"],
          properties: { auth: { const: "registry" }, registry: address },
        },
        { additionalProperties: false, required: ["auth"], properties: { auth: { const: "open" } } },
      ],
    },
    requesters: { type: "array", items: address },
  },
} as const;
