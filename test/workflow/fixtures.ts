import type { Address } from "viem";
import type { WorkflowDocument } from "../../sdk/workflow/index.js";

export const VERIFIER: Address = "0x1000000000000000000000000000000000000001";
export const AGENT: Address = "0x2000000000000000000000000000000000000002";

/** A valid 3-stage document: a sync WYRIWE input gate, a fan-out of two analysts, a judge that fans in. */
export function sampleDocument(overrides: Partial<WorkflowDocument> = {}): WorkflowDocument {
  return {
    kind: "erc8301-workflow",
    id: "urn:agent-exec:test:review",
    version: "1.0.0",
    name: "Review",
    graph: {
      wf_id: "review",
      nodes: [
        { id: "gate", reversible: true },
        { id: "a", reversible: true },
        { id: "b", reversible: true },
        { id: "judge", reversible: false },
      ],
      edges: [
        { from: "gate", to: "a" },
        { from: "gate", to: "b" },
        { from: "a", to: "judge" },
        { from: "b", to: "judge" },
      ],
    },
    stages: [
      { name: "input-gate", nodes: ["gate"], resolution: "sync", gating: true, input: "task-input", verifier: { kind: "wyriwe", address: VERIFIER, gasLimit: 200_000 } },
      { name: "analyse", nodes: ["a", "b"], resolution: "async", input: "task-input", verifier: { kind: "attester-set", address: VERIFIER, gasLimit: 200_000 }, agent: { model: "m-1" } },
      { name: "judge", nodes: ["judge"], resolution: "async", input: "previous-output", verifier: { kind: "attester-set", address: VERIFIER, gasLimit: 200_000 }, capsule: true },
    ],
    agents: { auth: "allowlist", allowlist: [AGENT] },
    ...overrides,
  };
}

/** A deep copy to mutate. */
export const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
