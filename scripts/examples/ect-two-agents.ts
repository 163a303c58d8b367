/**
 * Two agents passing Execution Context Tokens over real HTTP on loopback (node:http).
 *
 * Spec: seed 000, 4.5 (the `Execution-Context` header, several tokens for fan-in, "Receivers
 * must individually verify each ECT and reject the request if any fails"), 4.4 (401/403),
 * 4.6 (each agent keeps an audit ledger), 7.1 (recipients holding the data check
 * `inp_hash` / `out_hash`); seed 001 ("a two-agent demo").
 *
 *   orchestrator ──POST /tasks, Execution-Context: ECT1 (fetch_data), ECT2 (analyze_risk, par [ECT1])──▶ compliance
 *   compliance verifies both (13 steps, DAG over the request), records them, checks inp_hash, does the work,
 *   compliance ──POST /results, Execution-Context: ECT3 (verify_compliance, par [ECT2])──▶ orchestrator
 *   orchestrator verifies ECT3 against its ledger (the parent ECT2 is there) and checks out_hash.
 * Then two rejections: a token with a forged signature (401) and a replay of ECT1 (403, DAG rule 1).
 *
 * Verify-then-record is one atomic step per agent (`Agent.exclusive`): a fresh token replayed
 * concurrently is verified the second time against a ledger that already holds it, so the
 * replay is a 403 (DAG rule 1), never a 500 from the ledger's duplicate refusal.
 *
 * Run: `npx tsx scripts/examples/ect-two-agents.ts`. `runTwoAgentDemo()` is also exercised by
 * test/ect/two-agents.test.ts.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import {
  buildExecutionContextHeader,
  computeEctHash,
  createEct,
  createEctSigner,
  EctLedger,
  EctLedgerDuplicateError,
  EXECUTION_CONTEXT_HEADER,
  InMemoryAgentKeyStore,
  MemoryLedgerStore,
  verifyExecutionContext,
  type AgentKeyStore,
  type EctLedgerStore,
  type EctSigner,
} from "../../sdk/index.js";

export type Agent = {
  name: string;
  /** Workload identity (SPIFFE ID). */
  id: string;
  signer: EctSigner;
  ledger: EctLedger;
  server: Server;
  url: string;
  /** jtis this agent verified on incoming requests, in order. */
  verified: string[];
  /** Rejections it answered: status and error code. */
  rejected: { status: number; code: string }[];
  /** Runs `fn` after every earlier call on this agent finished (verify + record as one step). */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Records a token in the agent's ledger, in turn with incoming requests. */
  record: (token: string) => Promise<void>;
};

/** A FIFO lock: each call runs after the previous one settled. */
function serialQueue(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

type Handler = (agent: Agent, body: string, tokens: { token: string; claims: import("../../sdk/index.js").EctClaims }[]) => Promise<{ status: number; body: unknown }>;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** POSTs a body with one `Execution-Context` header line per token. */
export function post(url: string, body: string, tokens: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      readBody(res).then((b) => resolve({ status: res.statusCode ?? 0, body: b }), reject);
    });
    // Several header lines (fan-in); a single comma-joined line would parse the same.
    req.setHeader(EXECUTION_CONTEXT_HEADER, tokens.map((t) => buildExecutionContextHeader(t)));
    req.on("error", reject);
    req.end(body);
  });
}

/** Starts an agent's HTTP server on a free loopback port. Incoming ECTs are verified before `handler` runs. */
export async function startAgent(options: {
  name: string;
  id: string;
  privateKey: KeyObject;
  kid: string;
  keyStore: AgentKeyStore;
  handler: Handler;
  /** Where the agent's audit ledger lives (default in memory; a `FileLedgerStore` makes it durable). */
  ledgerStore?: EctLedgerStore | undefined;
}): Promise<Agent> {
  const ledger = await EctLedger.open({ store: options.ledgerStore ?? new MemoryLedgerStore() });
  const signer = await createEctSigner({ kid: options.kid, privateKey: options.privateKey });
  const exclusive = serialQueue();
  const agent = { name: options.name, id: options.id, signer, ledger, verified: [], rejected: [], exclusive } as unknown as Agent;
  agent.record = (token) => exclusive(async () => void (await ledger.append(token)));
  const reject = (res: import("node:http").ServerResponse, status: number, code: string, body: Record<string, unknown>) => {
    agent.rejected.push({ status, code });
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: code, ...body }));
  };
  agent.server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      // Verify and record atomically: no other request of this agent runs in between.
      const result = await exclusive(async () => {
        const r = await verifyExecutionContext(req.headersDistinct["execution-context"], {
          keyStore: options.keyStore,
          audience: options.id,
          store: ledger,
        });
        if (!r.ok) return r;
        try {
          // Record in topological order (parents first), as the ledger requires.
          for (const t of r.tokens) {
            await ledger.append(t.token);
            agent.verified.push(t.claims.jti);
          }
        } catch (err) {
          // Unreachable while every append goes through `exclusive`; a replay is still a 403, not a 500.
          if (err instanceof EctLedgerDuplicateError) return { ok: false as const, httpStatus: 403 as const, error: err };
          throw err;
        }
        return r;
      });
      if (!result.ok) {
        const step = "failure" in result ? result.failure?.step : undefined;
        reject(res, result.httpStatus, result.error.code, { step, message: result.error.shortMessage });
        return;
      }
      const out = await options.handler(agent, body, result.tokens);
      res.writeHead(out.status, { "content-type": "application/json" });
      res.end(JSON.stringify(out.body));
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String((err as Error)?.message ?? err));
    });
  });
  await new Promise<void>((resolve) => agent.server.listen(0, "127.0.0.1", resolve));
  agent.url = `http://127.0.0.1:${(agent.server.address() as AddressInfo).port}`;
  return agent;
}

export type TwoAgentDemoReport = {
  orchestrator: { url: string; ledger: string[]; verified: string[]; rejected: { status: number; code: string }[] };
  compliance: { url: string; ledger: string[]; verified: string[]; rejected: { status: number; code: string }[] };
  /** The three task ids: fetch_data, analyze_risk, verify_compliance. */
  jtis: [string, string, string];
  /** Whether the compliance agent found ECT2's inp_hash matching the request body. */
  inputHashMatched: boolean;
  /** Whether the orchestrator found ECT3's out_hash matching the result body. */
  outputHashMatched: boolean;
  /** Status of the forged-signature request and of the replay. */
  forgedStatus: number;
  replayStatus: number;
  /** Both ledgers' integrity checks. */
  ledgersIntact: boolean;
};

/** Runs the whole exchange on two loopback servers (port 0) and shuts them down. */
export async function runTwoAgentDemo(): Promise<TwoAgentDemoReport> {
  const ORCH = "spiffe://demo.example/agent/orchestrator";
  const COMP = "spiffe://demo.example/agent/compliance";
  const orchKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const compKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  // The shared trust registry standing in for WIMSE: kid → public key, alg, subject.
  const keyStore = new InMemoryAgentKeyStore([
    { kid: "orchestrator-1", subject: ORCH, publicKey: orchKeys.publicKey },
    { kid: "compliance-1", subject: COMP, publicKey: compKeys.publicKey },
  ]);

  let inputHashMatched = false;
  let outputHashMatched = false;
  let ect3 = "";

  const orchestrator = await startAgent({
    name: "orchestrator",
    id: ORCH,
    privateKey: orchKeys.privateKey,
    kid: "orchestrator-1",
    keyStore,
    handler: async (_agent, body, tokens) => {
      const last = tokens[tokens.length - 1]!.claims;
      outputHashMatched = last.out_hash === computeEctHash(body);
      return { status: 200, body: { received: last.jti } };
    },
  });
  const compliance = await startAgent({
    name: "compliance",
    id: COMP,
    privateKey: compKeys.privateKey,
    kid: "compliance-1",
    keyStore,
    handler: async (agent, body, tokens) => {
      const task = tokens[tokens.length - 1]!.claims;
      inputHashMatched = task.inp_hash === computeEctHash(body);
      const request = JSON.parse(body) as { amount: number };
      const output = JSON.stringify({ compliant: request.amount <= 5000, checked: request.amount });
      const done = await createEct({
        signer: agent.signer,
        iss: agent.id,
        aud: ORCH,
        wid: task.wid,
        exec_act: "verify_compliance",
        par: [task.jti],
        input: body,
        output,
      });
      ect3 = done.claims.jti;
      await agent.record(done.token);
      const callback = await post(`${orchestrator.url}/results`, output, [done.token]);
      return { status: 200, body: { accepted: true, ect: done.claims.jti, callbackStatus: callback.status } };
    },
  });

  try {
    const wid = "wf-demo-1";
    const input = JSON.stringify({ amount: 4200, currency: "EUR" });
    const ect1 = await createEct({ signer: orchestrator.signer, iss: ORCH, aud: COMP, wid, exec_act: "fetch_data", output: input });
    const ect2 = await createEct({ signer: orchestrator.signer, iss: ORCH, aud: COMP, wid, exec_act: "analyze_risk", par: [ect1.claims.jti], input });
    await orchestrator.record(ect1.token);
    await orchestrator.record(ect2.token);

    const res = await post(`${compliance.url}/tasks`, input, [ect1.token, ect2.token]);
    if (res.status !== 200) throw new Error(`compliance agent answered ${res.status}: ${res.body}`);

    // A forged token: ECT2's payload with another signature.
    const other = await createEct({ signer: orchestrator.signer, iss: ORCH, aud: COMP, wid, exec_act: "analyze_risk", par: [] });
    const forged = `${ect2.token.slice(0, ect2.token.lastIndexOf("."))}.${other.token.slice(other.token.lastIndexOf(".") + 1)}`;
    const forgedRes = await post(`${compliance.url}/tasks`, input, [forged]);
    // A replay of an already recorded task.
    const replayRes = await post(`${compliance.url}/tasks`, input, [ect1.token]);

    const ledgerJtis = (a: Agent) => a.ledger.entries().map((e) => e.jti);
    return {
      orchestrator: { url: orchestrator.url, ledger: ledgerJtis(orchestrator), verified: orchestrator.verified, rejected: orchestrator.rejected },
      compliance: { url: compliance.url, ledger: ledgerJtis(compliance), verified: compliance.verified, rejected: compliance.rejected },
      jtis: [ect1.claims.jti, ect2.claims.jti, ect3],
      inputHashMatched,
      outputHashMatched,
      forgedStatus: forgedRes.status,
      replayStatus: replayRes.status,
      ledgersIntact: orchestrator.ledger.verifyIntegrity().ok && compliance.ledger.verifyIntegrity().ok,
    };
  } finally {
    await Promise.all([orchestrator, compliance].map((a) => new Promise<void>((r) => a.server.close(() => r()))));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await runTwoAgentDemo();
  console.log(JSON.stringify(report, null, 2));
}
