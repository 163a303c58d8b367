/**
 * The SDK in one page: an agent records what it did as Execution Context Tokens, another verifies them and their
 * DAG; the action is sealed as an Agent Action Capsule, signed as COSE_Sign1 and verified; and the chain helpers give
 * the task id and step witness the ERC-8301 handler expects. README.md shows this file; test/examples runs it.
 *
 * Run: `npx tsx scripts/examples/sdk-quickstart.ts`.
 */
import { generateKeyPairSync } from "node:crypto";
import { keccak256, stringToHex, type Address, type Hex } from "viem";
import {
  EctLedger,
  InMemoryAgentKeyStore,
  MemoryLedgerStore,
  buildCapsule,
  computeCapsuleId,
  computeTaskId,
  createCapsuleSigner,
  createEct,
  createEctSigner,
  encodeStepData,
  generateCapsuleKeyPair,
  jsonDigest,
  signCapsuleCose,
  stepWitness,
  validateEctDag,
  verifyCapsule,
  verifyCapsuleCose,
  verifyEct,
} from "../../sdk/index.js";

export async function quickstart(log: (line: string) => void = console.log) {
  // --- Execution Context Tokens ---------------------------------------------------------------------
  const issuer = "spiffe://example.org/agent/summariser";
  const auditor = "spiffe://example.org/agent/auditor";
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signer = await createEctSigner({ kid: "summariser-1", privateKey });
  const keyStore = new InMemoryAgentKeyStore([{ kid: "summariser-1", subject: issuer, publicKey }]);

  const fetch = await createEct({ signer, iss: issuer, aud: auditor, exec_act: "fetch_document", wid: "wf-1", input: "doc-42" });
  const summarise = await createEct({
    signer, iss: issuer, aud: auditor, exec_act: "summarise", wid: "wf-1", par: [fetch.claims.jti], output: "one-line summary",
  });

  const ledger = await EctLedger.open({ store: new MemoryLedgerStore() });
  for (const token of [fetch.token, summarise.token]) {
    const result = await verifyEct(token, { keyStore, audience: auditor, store: ledger });
    if (!result.ok) throw result.error;
    await ledger.append(token);
  }
  const dag = validateEctDag([fetch.claims, summarise.claims]);
  log(`ECT: 2 tokens verified (13 steps each), DAG ok=${dag.ok}, ledger integrity ok=${ledger.verifyIntegrity().ok}`);

  // --- Agent Action Capsule ---------------------------------------------------------------------------
  // Effects are bound by JSON-DIGEST (RFC 8785 + SHA-256) of what was sent and what came back.
  const request = { order: "PO-7", lines: 3 };
  const response = { status: "accepted", ref: "ERP-991" };
  const capsule = buildCapsule({
    action_id: "po-7",
    action_type: "decide",
    operator: "example-org",
    developer: "po-agent@1",
    timestamp: "2026-11-23T12:00:00Z",
    effect: { type: "write_order", status: "confirmed", request_digest: jsonDigest(request), response_digest: jsonDigest(response), effect_attestation: "gate_executed" },
    disposition: { decision: "accept", approver: "human", human_disposed: true, verdict_class: "executed" },
  });
  const keys = generateCapsuleKeyPair();
  const statement = await signCapsuleCose(capsule, { signer: createCapsuleSigner(keys.privateKey, { kid: "ops-key-1" }) });
  const checked = await verifyCapsuleCose(statement, { publicKey: keys.publicKey });
  const class1 = await verifyCapsule(capsule);
  log(`Capsule ${computeCapsuleId(capsule).slice(0, 16)}…: Class 1 ok=${class1.ok}, COSE_Sign1 (${statement.length} B) ok=${checked.ok}`);

  // --- ERC-8301 chain helpers ----------------------------------------------------------------------
  const caller: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  const handler: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
  const requester: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  const salt: Hex = `0x${"00".repeat(31)}01`;
  const taskId = computeTaskId({ chainId: 31337, caller, requester, handler, salt });
  const stage0Output = keccak256(stringToHex("gate verdict: approve"));
  const data = encodeStepData(stepWitness({ stage: 1, chained: false, stage0OutputHash: stage0Output, stage0Agent: requester }));
  log(`task ${taskId.slice(0, 12)}…; stage 1's onAgentStep data carries its witness (${(data.length - 2) / 2} B)`);

  return { dagOk: dag.ok, capsuleOk: class1.ok && checked.ok, taskId };
}

if (import.meta.url === `file://${process.argv[1]}`) await quickstart();
