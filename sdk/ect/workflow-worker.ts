/**
 * Worker-thread entry of `verifyEctWorkflow` / `EctVerifierPool`: runs verification steps 1-12
 * (seed 000, Table 5) on chunks of tokens; step 13 (the DAG) runs on the calling thread over
 * the whole set. Keys arrive as plain public-JWK records (see agent-key.ts) and are imported
 * once per worker.
 *
 * Protocol (all plain data): workerData `{ records }`; in `{ type: "verify", id, tokens, options }`
 * or `{ type: "keys", records }`; out `{ type: "result", id, results }` or `{ type: "fatal", message }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { AgentKeyRecord } from "./agent-key.js";
import { MemoryAgentKeyStore } from "./key-store-memory.js";
import { verifyEct, type VerifyEctParameters } from "./verify.js";
import { ectVerificationErrorToData, type WorkerJob, type WorkerOptions, type WorkerResult } from "./workflow-protocol.js";

let store: MemoryAgentKeyStore;
try {
  store = MemoryAgentKeyStore.fromRecords((workerData as { records: AgentKeyRecord[] }).records);
} catch (err) {
  parentPort?.postMessage({ type: "fatal", message: `could not import agent keys: ${(err as Error).message}` });
  throw err;
}

function toParams(o: WorkerOptions): VerifyEctParameters {
  const now = o.now;
  return {
    keyStore: store,
    audience: o.audience,
    algorithms: o.algorithms,
    clock: () => now,
    maxFutureSkewSec: o.maxFutureSkewSec,
    maxAgeSec: o.maxAgeSec,
    expLeewaySec: o.expLeewaySec,
    dagTraversal: "skip",
  };
}

parentPort?.on("message", async (msg: WorkerJob) => {
  if (msg.type === "keys") {
    store = MemoryAgentKeyStore.fromRecords(msg.records);
    return;
  }
  const params = toParams(msg.options);
  const results: WorkerResult[] = new Array(msg.tokens.length);
  for (let i = 0; i < msg.tokens.length; i++) {
    const r = await verifyEct(msg.tokens[i], params);
    results[i] = r.ok ? { ok: true, claims: r.claims, header: r.header, payload: r.payload } : { ok: false, error: ectVerificationErrorToData(r.error) };
  }
  parentPort!.postMessage({ type: "result", id: msg.id, results });
});
