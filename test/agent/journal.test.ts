/** The journal (append, fold, compaction, torn and corrupt lines, a stage's Capsule), the lock file, backoff and error classification. */
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Hex } from "viem";
import { AgentRuntimeError, acquireLock, backoffDelay, buildStageCapsule, isTransientAgentError, openJournal } from "../../sdk/agent/index.js";
import { createCapsuleSigner, generateCapsuleKeyPair } from "../../sdk/capsule/index.js";
import { tempStateDir } from "./setup.js";

const T1 = `0x${"11".repeat(32)}` as Hex;
const T2 = `0x${"22".repeat(32)}` as Hex;
const task = (taskId: Hex) => ({
  taskId,
  handler: `0x${"aa".repeat(20)}` as Hex,
  requester: `0x${"bb".repeat(20)}` as Hex,
  agentWorkflowHash: `0x${"cc".repeat(32)}` as Hex,
  inputHash: `0x${"dd".repeat(32)}` as Hex,
  input: "0x" as Hex,
  deadline: "100",
  blockNumber: "1",
});

describe("agent journal", () => {
  it("folds records, survives reopen, compacts finished tasks to their outcome", () => {
    const path = join(tempStateDir(), "j.jsonl");
    const j = openJournal({ path });
    j.append({ t: "task", task: task(T1) });
    j.append({ t: "task", task: task(T2) });
    j.append({ t: "stage", taskId: T1, stage: 0, inputHash: T1, outputHash: T2, data: "0x", outputs: [{ node: "n", output: "0x01" }], isFinal: false });
    j.append({ t: "tx", taskId: T1, stage: 0, kind: "step", phase: "sending" });
    j.append({ t: "tx", taskId: T1, stage: 0, kind: "step", phase: "sent", hash: T2 });
    j.append({ t: "done", taskId: T2, status: "finalized" });
    j.append({ t: "cursor", block: "42" });
    j.close();
    const lines = readFileSync(path, "utf8").trim().split("\n").length;
    assert.equal(lines, 7);
    const r = openJournal({ path });
    assert.equal(r.cursor(), 42n);
    assert.equal(r.task(T1)?.txs.get("0:step")?.phase, "sent");
    assert.equal(r.task(T1)?.stages.get(0)?.outputs[0]?.output, "0x01");
    assert.equal(r.task(T2)?.done?.status, "finalized");
    r.close();
    // Compacted: cursor, T1's task + stage + latest tx, T2's outcome only.
    assert.equal(readFileSync(path, "utf8").trim().split("\n").length, 5);
  });

  it("a stage's Capsule is kept, byte for byte, through reopen and compaction (a resumed task sends the same one)", async () => {
    const { journal: capsule } = await buildStageCapsule({
      spec: undefined,
      stage: 0,
      stageDefinition: { name: "gate", nodes: ["g"], resolution: "sync", gating: true, input: "task-input", capsule: true, verifier: { kind: "wyriwe", address: `0x${"ee".repeat(20)}`, gasLimit: 200_000 } },
      chainId: 31337,
      handler: `0x${"aa".repeat(20)}`,
      taskId: T1,
      requester: `0x${"bb".repeat(20)}`,
      agentWorkflowHash: `0x${"cc".repeat(32)}`,
      outputHash: T2,
      ects: [{ jti: `${T1}:g`, iat: 1_700_000_000, iss: "agent:test" }],
      signer: createCapsuleSigner(generateCapsuleKeyPair().privateKey),
    });
    assert.equal(capsule.verdict, 1, "a default gate Capsule accepts");
    const path = join(tempStateDir(), "j.jsonl");
    const j = openJournal({ path });
    j.append({ t: "task", task: task(T1) });
    j.append({ t: "stage", taskId: T1, stage: 0, inputHash: T1, outputHash: T2, data: "0x", outputs: [{ node: "g", output: "0x01" }], isFinal: false, capsule });
    j.close();
    for (let i = 0; i < 2; i++) openJournal({ path }).close(); // two restarts, each compacting
    const r = openJournal({ path });
    assert.deepEqual(r.task(T1)?.stages.get(0)?.capsule, capsule);
    r.close();
  });

  it("ignores a torn final line, refuses a corrupt line in the middle", () => {
    const path = join(tempStateDir(), "j.jsonl");
    const j = openJournal({ path });
    j.append({ t: "task", task: task(T1) });
    j.close();
    appendFileSync(path, '{"t":"tx","taskId":"0x11');
    const r = openJournal({ path });
    assert.ok(r.task(T1)?.task);
    r.close();
    writeFileSync(path, `garbage\n${JSON.stringify({ t: "task", task: task(T1) })}\n`);
    assert.throws(() => openJournal({ path }), (e: unknown) => e instanceof AgentRuntimeError && e.code === "AGENT_JOURNAL_CORRUPT");
  });
});

describe("agent lock", () => {
  it("is exclusive while its owner lives and taken over from a dead owner", () => {
    const path = join(tempStateDir(), "x.lock");
    const a = acquireLock(path);
    assert.throws(() => acquireLock(path), (e: unknown) => e instanceof AgentRuntimeError && e.code === "AGENT_LOCKED");
    a.release();
    const b = acquireLock(path);
    b.release();
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 12345 })); // no such process
    const c = acquireLock(path);
    c.release();
  });
});

describe("agent retry", () => {
  it("backs off with jitter within bounds and classifies transient failures", () => {
    for (let i = 0; i < 10; i++) {
      const d = backoffDelay(i, { baseMs: 100, maxMs: 2_000 });
      assert.ok(d >= 50 && d <= 2_000, String(d));
    }
    assert.equal(backoffDelay(3, { random: () => 0 }), 50);
    assert.ok(isTransientAgentError(new Error("header not found")));
    assert.ok(isTransientAgentError(new Error("request timed out")));
    assert.ok(!isTransientAgentError(Object.assign(new Error("x"), { code: "CHAIN_REVERT_AgentHandlerZeroOutputHash" })));
  });
});
