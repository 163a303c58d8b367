import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { keccak256, stringToHex, zeroAddress, zeroHash } from "viem";
import canonicalize from "canonicalize";
import { AgentAuth, InputSource, Resolution, IDENTITY_PIPELINE_URI, pipelineHashOf } from "../../sdk/chain/index.js";
import {
  WorkflowError,
  WorkflowGraphCycleError,
  WorkflowPipelineUnhashableError,
  WorkflowTooManyStagesError,
  WorkflowUnknownVerifierKindError,
  WorkflowGateAfterMinFinalStageError,
  deriveWorkflowPolicy,
  encodeWorkflow,
  hashWorkflow,
  parseWorkflow,
  validateWorkflow,
  workflowDocumentSchema,
  type WorkflowDocument,
  type WorkflowErrorCode,
} from "../../sdk/workflow/index.js";
import { AGENT, VERIFIER, clone, sampleDocument } from "./fixtures.js";

function codes(input: unknown): WorkflowErrorCode[] {
  const r = validateWorkflow(input);
  assert.equal(r.valid, false, "expected the document to be refused");
  return r.valid ? [] : r.findings.map((f) => f.code);
}

function mutate(fn: (d: WorkflowDocument & Record<string, unknown>) => void): unknown {
  const d = clone(sampleDocument()) as WorkflowDocument & Record<string, unknown>;
  fn(d);
  return d;
}

describe("validateWorkflow", () => {
  it("accepts the sample and returns the canonical bytes and their keccak256", () => {
    const r = validateWorkflow(sampleDocument());
    assert.equal(r.valid, true);
    if (!r.valid) return;
    assert.equal(r.canonical, canonicalize(sampleDocument()));
    assert.equal(r.agentWorkflow, stringToHex(r.canonical));
    assert.equal(r.workflowHash, keccak256(stringToHex(r.canonical)));
  });

  it("hashes the canonical form: member order and whitespace do not change the hash", () => {
    const doc = sampleDocument();
    const reordered = JSON.parse(JSON.stringify({ agents: doc.agents, stages: doc.stages, graph: doc.graph, version: doc.version, id: doc.id, kind: doc.kind, name: doc.name }));
    assert.equal(hashWorkflow(reordered), hashWorkflow(doc));
    assert.equal(hashWorkflow(JSON.stringify(doc, null, 4)), hashWorkflow(doc));
    assert.equal(hashWorkflow(new TextEncoder().encode(JSON.stringify(doc))), hashWorkflow(doc));
    assert.equal(encodeWorkflow(doc), stringToHex(canonicalize(doc)!));
  });

  it("any change to a hashed field changes the hash, including descriptive ones", () => {
    const base = hashWorkflow(sampleDocument());
    assert.notEqual(hashWorkflow(mutate((d) => (d.stages[1]!.agent = { model: "m-2" }))), base);
    assert.notEqual(hashWorkflow(mutate((d) => (d.version = "1.0.1"))), base);
  });

  it("refuses text that is not JSON, bytes that are not UTF-8, and values with no canonical form", () => {
    assert.deepEqual(codes("{ nope"), ["WORKFLOW_INVALID_JSON"]);
    assert.deepEqual(codes(new Uint8Array([0xff, 0xfe])), ["WORKFLOW_INVALID_JSON"]);
    assert.deepEqual(codes(mutate((d) => (d.name = "bad \ud800 surrogate"))), ["WORKFLOW_NOT_CANONICALIZABLE"]);
    assert.deepEqual(codes({ ...sampleDocument(), name: 10n }), ["WORKFLOW_NOT_CANONICALIZABLE"]);
    for (const v of [null, undefined, 42, "\"text\"", []]) assert.ok(codes(v).length > 0);
  });

  it("refuses documents above maxBytes and bad options", () => {
    assert.deepEqual(validateWorkflow(sampleDocument(), { maxBytes: 100 }).findings.map((f) => f.code), ["WORKFLOW_TOO_LARGE"]);
    assert.deepEqual(validateWorkflow(sampleDocument(), { maxBytes: 0 }).findings.map((f) => f.code), ["WORKFLOW_INVALID_ARGUMENT"]);
  });

  it("reports schema violations with JSON paths", () => {
    const r = validateWorkflow(mutate((d) => ((d as Record<string, unknown>).extra = 1, delete (d as Partial<WorkflowDocument>).version)));
    assert.equal(r.valid, false);
    const paths = r.findings.map((f) => `${f.code}@${f.path}`).sort();
    assert.deepEqual(paths, ["WORKFLOW_SCHEMA@extra", "WORKFLOW_SCHEMA@version"]);
    assert.deepEqual(codes(mutate((d) => (d.stages[0]!.verifier.gasLimit = 9_999))), ["WORKFLOW_SCHEMA"]);
    assert.deepEqual(codes(mutate((d) => (d.stages[0]!.verifier.address = "0x12" as never))), ["WORKFLOW_SCHEMA"]);
    assert.deepEqual(codes(mutate((d) => (d.agents = { auth: "allowlist" } as never))), ["WORKFLOW_SCHEMA"]);
    assert.deepEqual(codes(mutate((d) => (d.agents = { auth: "sometimes" } as never))), ["WORKFLOW_SCHEMA"]);
    assert.deepEqual(codes(mutate((d) => (d.sanitisation = { uri: "x" } as never))), ["WORKFLOW_SCHEMA"]);
    assert.deepEqual(codes(mutate((d) => (d.kind = "other" as never))), ["WORKFLOW_SCHEMA"]);
  });

  it("names an unknown verifier kind", () => {
    assert.deepEqual(codes(mutate((d) => (d.stages[2]!.verifier.kind = "zk-magic" as never))), ["WORKFLOW_UNKNOWN_VERIFIER_KIND"]);
    assert.throws(() => parseWorkflow(mutate((d) => (d.stages[2]!.verifier.kind = "zk-magic" as never))), WorkflowUnknownVerifierKindError);
  });

  it("refuses more than 64 stages", () => {
    const doc = mutate((d) => {
      d.graph.nodes = Array.from({ length: 65 }, (_, i) => ({ id: `n${i}`, reversible: true }));
      d.graph.edges = [];
      d.stages = d.graph.nodes.map((n, i) => ({ name: `s${i}`, nodes: [n.id], resolution: "async", input: "task-input", verifier: { kind: "custom", address: VERIFIER, gasLimit: 100_000 } }));
    });
    assert.deepEqual(codes(doc), ["WORKFLOW_TOO_MANY_STAGES"]);
    assert.throws(() => parseWorkflow(doc), WorkflowTooManyStagesError);
  });

  it("refuses a cyclic graph, and other invalid graphs", () => {
    const cyclic = mutate((d) => d.graph.edges.push({ from: "judge", to: "gate" }));
    assert.ok(codes(cyclic).includes("WORKFLOW_GRAPH_CYCLE"));
    assert.throws(() => parseWorkflow(cyclic), WorkflowGraphCycleError);
    assert.ok(codes(mutate((d) => d.graph.nodes.push({ id: "a", reversible: true }))).includes("WORKFLOW_GRAPH_INVALID"));
  });

  it("checks the stage ↔ node assignment and that edges run forward", () => {
    assert.deepEqual(codes(mutate((d) => d.stages[1]!.nodes.push("ghost"))), ["WORKFLOW_UNKNOWN_NODE"]);
    assert.deepEqual(codes(mutate((d) => d.stages[2]!.nodes.push("a"))), ["WORKFLOW_NODE_IN_TWO_STAGES"]);
    assert.deepEqual(codes(mutate((d) => (d.stages[1]!.nodes = ["a"]))), ["WORKFLOW_NODE_WITHOUT_STAGE"]);
    const backwards = mutate((d) => {
      d.stages[1]!.nodes = ["a"];
      d.stages[2]!.nodes = ["judge", "b"];
      d.graph.edges.push({ from: "b", to: "a" });
    });
    assert.ok(codes(backwards).includes("WORKFLOW_EDGE_BACKWARDS"));
    assert.deepEqual(codes(mutate((d) => (d.stages[2]!.name = "analyse"))), ["WORKFLOW_DUPLICATE_STAGE_NAME"]);
  });

  it("enforces the registry's stage rules before any transaction", () => {
    assert.deepEqual(codes(mutate((d) => (d.stages[0]!.input = "previous-output"))), ["WORKFLOW_FIRST_STAGE_CHAINS"]);
    assert.deepEqual(codes(mutate((d) => (d.stages[0]!.resolution = "async"))), ["WORKFLOW_GATING_REQUIRES_SYNC"]);
    assert.deepEqual(codes(mutate((d) => (d.minFinalStage = 3))), ["WORKFLOW_MIN_FINAL_STAGE_OUT_OF_RANGE"]);
    const late = mutate((d) => {
      d.minFinalStage = 0;
      d.stages[2]!.resolution = "sync";
      d.stages[2]!.gating = true;
    });
    assert.ok(codes(late).includes("WORKFLOW_GATE_AFTER_MIN_FINAL_STAGE"));
    assert.throws(() => parseWorkflow(late), (e: unknown) => e instanceof WorkflowGateAfterMinFinalStageError || (e instanceof WorkflowError && e.findings.some((f) => f.code === "WORKFLOW_GATE_AFTER_MIN_FINAL_STAGE")));
  });

  it("refuses zero and duplicate addresses", () => {
    assert.deepEqual(codes(mutate((d) => (d.stages[0]!.verifier.address = zeroAddress))), ["WORKFLOW_ZERO_ADDRESS"]);
    assert.deepEqual(codes(mutate((d) => (d.agents = { auth: "allowlist", allowlist: [AGENT, AGENT.toLowerCase() as never] }))), ["WORKFLOW_DUPLICATE_ADDRESS"]);
    assert.deepEqual(codes(mutate((d) => (d.agents = { auth: "registry", registry: zeroAddress }))), ["WORKFLOW_ZERO_ADDRESS"]);
    assert.deepEqual(codes(mutate((d) => (d.requesters = [zeroAddress]))), ["WORKFLOW_ZERO_ADDRESS"]);
  });

  it("refuses a declared pipeline that is not a hashable content address", () => {
    for (const pipeline of ["", "not a uri", "ipfs://Qm with space", "x".repeat(3000), "ipfs://\u0007"]) {
      const doc = mutate((d) => (d.sanitisation = { pipeline }));
      assert.deepEqual(codes(doc), ["WORKFLOW_PIPELINE_UNHASHABLE"], pipeline.slice(0, 20));
      assert.throws(() => parseWorkflow(doc), WorkflowPipelineUnhashableError);
    }
  });

  it("throws the first finding's class, carrying every finding", () => {
    try {
      parseWorkflow(mutate((d) => ((d.stages[0]!.input = "previous-output"), (d.stages[0]!.verifier.address = zeroAddress))));
      assert.fail("expected a throw");
    } catch (e) {
      assert.ok(e instanceof WorkflowError);
      assert.equal(e.findings.length, 2);
      assert.match(e.message, /2 findings/);
    }
  });
});

describe("deriveWorkflowPolicy", () => {
  it("maps every policy field as the table in deriveWorkflowPolicy.ts says", () => {
    const { policy, workflowHash } = deriveWorkflowPolicy(sampleDocument({ requesters: [AGENT] }));
    assert.equal(workflowHash, hashWorkflow(sampleDocument({ requesters: [AGENT] })));
    assert.deepEqual(policy, {
      stages: [
        { resolution: Resolution.Sync, gating: true, input: InputSource.AttestedTaskInput, verifier: VERIFIER, verifierGasLimit: 200_000 },
        { resolution: Resolution.Async, gating: false, input: InputSource.AttestedTaskInput, verifier: VERIFIER, verifierGasLimit: 200_000 },
        { resolution: Resolution.Async, gating: false, input: InputSource.PreviousOutput, verifier: VERIFIER, verifierGasLimit: 200_000 },
      ],
      minFinalStage: 2,
      pipelineHash: zeroHash,
      agentAuth: AgentAuth.Allowlist,
      agentRegistry: zeroAddress,
      agents: [AGENT],
      requesters: [AGENT],
    });
  });

  it("derives pipelineHash from the pipeline URI; the identity pipeline and null mean none", () => {
    const uri = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
    assert.equal(deriveWorkflowPolicy(sampleDocument({ sanitisation: { pipeline: uri } })).policy.pipelineHash, pipelineHashOf(uri));
    assert.equal(deriveWorkflowPolicy(sampleDocument({ sanitisation: { pipeline: IDENTITY_PIPELINE_URI } })).policy.pipelineHash, zeroHash);
    assert.equal(deriveWorkflowPolicy(sampleDocument({ sanitisation: null })).policy.pipelineHash, zeroHash);
  });

  it("maps registry and open auth", () => {
    const reg = deriveWorkflowPolicy(sampleDocument({ agents: { auth: "registry", registry: VERIFIER } })).policy;
    assert.deepEqual([reg.agentAuth, reg.agentRegistry, reg.agents], [AgentAuth.Registry, VERIFIER, []]);
    const open = deriveWorkflowPolicy(sampleDocument({ agents: { auth: "open" }, minFinalStage: 1 })).policy;
    assert.deepEqual([open.agentAuth, open.agentRegistry, open.agents, open.minFinalStage], [AgentAuth.Open, zeroAddress, [], 1]);
  });

  it("is deterministic", () => {
    assert.deepEqual(deriveWorkflowPolicy(sampleDocument()), deriveWorkflowPolicy(JSON.stringify(sampleDocument())));
  });
});

describe("the published schema", () => {
  it("schemas/erc8301-workflow.schema.json is the schema the validator uses", () => {
    const file = JSON.parse(readFileSync(new URL("../../schemas/erc8301-workflow.schema.json", import.meta.url), "utf8"));
    assert.deepEqual(file, JSON.parse(JSON.stringify(workflowDocumentSchema)));
  });
});
