/** The throwing variants of `validateWorkflow`: parse a document, hash it, encode it as `agentWorkflow`. */
import type { Hex } from "viem";
import { workflowErrorFromFindings } from "./errors.js";
import type { WorkflowDocument } from "./types.js";
import { validateWorkflow, type ValidateWorkflowOptions } from "./validateWorkflow.js";

export type ParseWorkflowReturnType = {
  document: WorkflowDocument;
  canonical: string;
  agentWorkflow: Hex;
  workflowHash: Hex;
};

/** Validates and returns the document with its canonical bytes and hash. Throws the first finding's typed error. */
export function parseWorkflow(input: unknown, options: ValidateWorkflowOptions = {}): ParseWorkflowReturnType {
  const r = validateWorkflow(input, options);
  if (!r.valid) throw workflowErrorFromFindings(r.findings);
  return { document: r.document, canonical: r.canonical, agentWorkflow: r.agentWorkflow, workflowHash: r.workflowHash };
}

/**
 * `agentWorkflowHash` of a document: keccak256 of its RFC 8785 canonical UTF-8 bytes. The document must be valid
 * (a hash of an invalid document could be registered but never derives a policy); throws typed errors.
 */
export function hashWorkflow(input: unknown, options: ValidateWorkflowOptions = {}): Hex {
  return parseWorkflow(input, options).workflowHash;
}

/** The `agentWorkflow` bytes a task carries for this document (its canonical UTF-8 bytes). */
export function encodeWorkflow(input: unknown, options: ValidateWorkflowOptions = {}): Hex {
  return parseWorkflow(input, options).agentWorkflow;
}
