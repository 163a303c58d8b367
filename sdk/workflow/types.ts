/**
 * The ERC-8301 workflow document (media type `application/vnd.agent-exec.workflow+json`).
 *
 * ERC-8301 commits a task to `agentWorkflowHash = keccak256(agentWorkflow)` and leaves the document's format open
 * (seed 003: "CID or inline JSON"; the thread asks for a machine-checkable, independently recomputable schema).
 * This is our answer: a JSON document whose RFC 8785 (JCS) canonical bytes are `agentWorkflow`, so the hash is
 * recomputable from the document alone, and whose `stages`, `agents`, `requesters`, `sanitisation` and
 * `minFinalStage` determine the on-chain stage policy one to one (`deriveWorkflowPolicy`). The task graph reuses
 * the ATD declarative descriptor (`application/atd-workflow+json`, sdk/atd) instead of a second graph format:
 * every ATD node runs in exactly one stage, and every edge goes from an earlier stage to a later one.
 */
import type { Address } from "viem";
import type { AtdWorkflow } from "../atd/workflowDescriptor.js";

/** The value of the document's `kind` member. */
export const WORKFLOW_DOCUMENT_KIND = "erc8301-workflow" as const;
/** The media type of a workflow document. */
export const WORKFLOW_MEDIA_TYPE = "application/vnd.agent-exec.workflow+json" as const;
/** The `$id` of the published JSON Schema (draft 2020-12). */
export const WORKFLOW_SCHEMA_ID = "https://agent-exec.dev/schemas/erc8301-workflow/v1.json" as const;

/**
 * The verifier families a stage may name. The kind documents what the verifier is; `checkWorkflow` confirms it
 * against the verifier's own `proofSystem()` label on-chain (`custom` is not checked).
 */
export const WORKFLOW_VERIFIER_KINDS = [
  "attester-set",
  "ecdsa-attestation",
  "wyriwe",
  "commit-reveal",
  "optimistic",
  "custom",
] as const;
export type WorkflowVerifierKind = (typeof WORKFLOW_VERIFIER_KINDS)[number];

/** A stage's verifier: the ERC-8274-style contract every prove of the stage must name and pass. */
export type WorkflowVerifier = {
  kind: WorkflowVerifierKind;
  address: Address;
  /** Gas forwarded to the verifier: 10,000 to 5,000,000. */
  gasLimit: number;
};

/** Descriptive, hashed but not enforced on-chain: which model or agent runs the stage, and how. */
export type WorkflowAgentDescriptor = {
  model?: string | undefined;
  provider?: string | undefined;
  instructions?: string | undefined;
  [key: string]: string | undefined;
};

export type WorkflowStage = {
  /** A unique, human-readable stage name (used by reports and the CLI). */
  name: string;
  /** The ATD nodes (`graph.nodes[].id`) that run in this stage; several nodes = fan-out within the stage. */
  nodes: string[];
  /** `sync`: the next step waits for this stage's prove. `async`: steps chain freely; the final prove waits. */
  resolution: "sync" | "async";
  /** A gating stage halts the task on a valid non-approving verdict. Must be `sync`. Absent = false. */
  gating?: boolean | undefined;
  /** The stage's declared input: the (WYRIWE-attested) task input, or the previous stage's output. */
  input: "task-input" | "previous-output";
  verifier: WorkflowVerifier;
  /** The stage produces an Agent Action Capsule (its capsule_id travels in the step's data). Absent = false. */
  capsule?: boolean | undefined;
  agent?: WorkflowAgentDescriptor | undefined;
};

/** Who may record steps. */
export type WorkflowAgents =
  | { auth: "allowlist"; allowlist: Address[] }
  | { auth: "registry"; registry: Address }
  | { auth: "open" };

/** A declared sanitisation pipeline: the transform between the declared and the attested input (ERC-8299). */
export type WorkflowSanitisation = {
  /** The pipeline's content address (e.g. `ipfs://…`); its policy hash is keccak256 of these UTF-8 bytes. */
  pipeline: string;
  description?: string | undefined;
};

export type WorkflowDocument = {
  $schema?: string | undefined;
  kind: typeof WORKFLOW_DOCUMENT_KIND;
  /** A stable identifier of the workflow (e.g. a URN); several versions share it. */
  id: string;
  /** The document's version (semantic versioning). */
  version: string;
  name?: string | undefined;
  description?: string | undefined;
  /** The task graph, an `application/atd-workflow+json` descriptor. */
  graph: AtdWorkflow;
  stages: WorkflowStage[];
  /** The earliest stage whose step may carry `isFinal`. Absent = the last stage. */
  minFinalStage?: number | undefined;
  /** `null` or absent: no transform, and the WYRIWE sentinel applies (attested input == declared input). */
  sanitisation?: WorkflowSanitisation | null | undefined;
  agents: WorkflowAgents;
  /** Accounts allowed to open tasks on this workflow. Absent or empty: anyone. */
  requesters?: Address[] | undefined;
};
