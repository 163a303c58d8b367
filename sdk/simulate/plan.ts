/**
 * The simulation plan file: what the agents would send, stage by stage, as JSON (the CLI's `--plan`). Keys never
 * appear in it: an attested prove names the environment variables holding the attester keys.
 *
 * ```json
 * { "steps": [
 *   { "stage": 0, "agent": "0x…", "outputText": "the answer", "isFinal": true,
 *     "prove": { "attest": { "keyEnv": ["ATTESTER_1", "ATTESTER_2"], "verdict": "approve" } }, "atomic": false,
 *     "delay": 30 } ] }
 * ```
 * Per step: `agent` (required); `stage` (default: the next); `agentId`; `inputHash` (default: the attested task
 * input, or the previous output for a chained stage); `output` (hex) or `outputText` (UTF-8) and/or `outputHash`;
 * `data` (hex application data; the witness is prepended unless `"witness": false`); `isFinal` (default: last
 * stage); `prove`: `{ "proof": "0x…" }` (the bare verifier proof) or `{ "attest": { "keyEnv": [...], "verdict" } }`
 * (signed on the fork with those keys, for ecdsa-attestation / attester-set / wyriwe stages); `atomic` (one
 * `stepAndProve`); `prover`; `delay` / `proveDelay` (seconds).
 */
import { isAddress, isHex, stringToHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Verdict } from "../chain/attestation.js";
import { localAttesterProofProducer } from "../agent/proof.js";
import { SimulateError } from "./errors.js";
import type { SimulationProve, SimulationStep } from "./types.js";

export type ParseSimulationPlanOptions = {
  /** Where `keyEnv` names are looked up (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
};

const STEP_KEYS = new Set(["stage", "agent", "agentId", "inputHash", "output", "outputText", "outputHash", "data", "witness", "isFinal", "prove", "atomic", "prover", "delay", "proveDelay"]);

/** Parses a plan (JSON text or value) into `simulateWorkflow` steps. Throws `SIMULATE_INVALID_PLAN` naming the path. */
export function parseSimulationPlan(plan: unknown, options: ParseSimulationPlanOptions = {}): SimulationStep[] {
  const env = options.env ?? process.env;
  let value = plan;
  if (typeof plan === "string") {
    try {
      value = JSON.parse(plan) as unknown;
    } catch (e) {
      fail("", `not JSON: ${(e as Error).message}`);
    }
  }
  const list = Array.isArray(value) ? value : (value as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(list)) fail("", 'expected { "steps": [ … ] } or an array of steps');
  if (!Array.isArray(value)) for (const k of Object.keys(value as object)) if (k !== "steps" && k !== "$comment") fail(k, "unknown member");
  return list.map((raw, i) => {
    const at = `steps[${i}]`;
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) fail(at, "expected an object");
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!STEP_KEYS.has(k) && k !== "$comment") fail(`${at}.${k}`, "unknown member");
    const step: SimulationStep = { agent: address(r.agent, `${at}.agent`) };
    if (r.stage !== undefined) step.stage = int(r.stage, `${at}.stage`, 255);
    if (r.agentId !== undefined) step.agentId = uint(r.agentId, `${at}.agentId`);
    if (r.inputHash !== undefined) step.inputHash = bytes32(r.inputHash, `${at}.inputHash`);
    if (r.output !== undefined && r.outputText !== undefined) fail(`${at}.output`, "give output or outputText, not both");
    if (r.output !== undefined) step.output = hex(r.output, `${at}.output`);
    if (r.outputText !== undefined) {
      if (typeof r.outputText !== "string") fail(`${at}.outputText`, "expected a string");
      step.output = stringToHex(r.outputText);
    }
    if (r.outputHash !== undefined) step.outputHash = bytes32(r.outputHash, `${at}.outputHash`);
    if (step.output === undefined && step.outputHash === undefined) fail(at, "needs output, outputText or outputHash");
    if (r.data !== undefined) step.data = hex(r.data, `${at}.data`);
    if (r.witness !== undefined) step.witness = bool(r.witness, `${at}.witness`);
    if (r.isFinal !== undefined) step.isFinal = bool(r.isFinal, `${at}.isFinal`);
    if (r.atomic !== undefined) step.atomic = bool(r.atomic, `${at}.atomic`);
    if (r.prover !== undefined) step.prover = address(r.prover, `${at}.prover`);
    if (r.delay !== undefined) step.delay = int(r.delay, `${at}.delay`, Number.MAX_SAFE_INTEGER);
    if (r.proveDelay !== undefined) step.proveDelay = int(r.proveDelay, `${at}.proveDelay`, Number.MAX_SAFE_INTEGER);
    if (r.prove !== undefined) step.prove = prove(r.prove, `${at}.prove`, env);
    if (step.atomic && !step.prove) fail(`${at}.atomic`, "stepAndProve needs a prove");
    return step;
  });
}

function prove(v: unknown, at: string, env: Readonly<Record<string, string | undefined>>): SimulationProve {
  if (!v || typeof v !== "object" || Array.isArray(v)) fail(at, 'expected { "proof": "0x…" } or { "attest": { "keyEnv": [...] } }');
  const o = v as Record<string, unknown>;
  if ((o.proof === undefined) === (o.attest === undefined)) fail(at, "give exactly one of proof and attest");
  if (o.proof !== undefined) return { proof: hex(o.proof, `${at}.proof`) };
  const a = o.attest as Record<string, unknown> | null;
  if (!a || typeof a !== "object" || Array.isArray(a)) fail(`${at}.attest`, "expected an object");
  for (const k of Object.keys(a)) if (k !== "keyEnv" && k !== "verdict") fail(`${at}.attest.${k}`, "unknown member");
  const names = typeof a.keyEnv === "string" ? [a.keyEnv] : a.keyEnv;
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== "string")) fail(`${at}.attest.keyEnv`, "expected an environment variable name or a non-empty list of them");
  const attesters = (names as string[]).map((n) => {
    const key = env[n];
    if (!key) fail(`${at}.attest.keyEnv`, `environment variable ${n} is not set`);
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) fail(`${at}.attest.keyEnv`, `${n} is not a 0x-prefixed 32-byte private key`);
    return privateKeyToAccount(key as Hex);
  });
  const verdict = a.verdict ?? "approve";
  if (verdict !== "approve" && verdict !== "deny") fail(`${at}.attest.verdict`, 'expected "approve" or "deny"');
  return { producer: localAttesterProofProducer({ attesters, verdict: () => (verdict === "approve" ? Verdict.Approved : Verdict.Denied) }) };
}

function fail(path: string, message: string): never {
  throw new SimulateError("SIMULATE_INVALID_PLAN", { details: `${path || "(plan)"}: ${message}` });
}
function address(v: unknown, at: string): Address {
  if (typeof v !== "string" || !isAddress(v, { strict: false })) fail(at, `expected an address, got ${JSON.stringify(v)}`);
  return v as Address;
}
function hex(v: unknown, at: string): Hex {
  if (typeof v !== "string" || !isHex(v) || v.length % 2 !== 0) fail(at, "expected 0x-prefixed hex bytes");
  return v as Hex;
}
function bytes32(v: unknown, at: string): Hex {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(v)) fail(at, "expected a 0x-prefixed 32-byte hex value");
  return v as Hex;
}
function bool(v: unknown, at: string): boolean {
  if (typeof v !== "boolean") fail(at, "expected true or false");
  return v;
}
function int(v: unknown, at: string, max: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > max) fail(at, `expected an integer in [0, ${max}]`);
  return v;
}
function uint(v: unknown, at: string): bigint {
  if ((typeof v === "number" && Number.isSafeInteger(v) && v >= 0) || (typeof v === "string" && /^\d+$/.test(v))) return BigInt(v);
  fail(at, "expected a non-negative integer (a decimal string for large ids)");
}
