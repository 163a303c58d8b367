/**
 * Shared fixtures of the ECT tests: agents with keys, a fixed clock, a raw JWS forger (to build
 * tokens `createEct` would refuse to make) and a seeded PRNG.
 */
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { createEctSigner, InMemoryAgentKeyStore, type EctSigner } from "../../sdk/index.js";

/** 2026-01-01T00:00:00Z, in milliseconds. */
export const NOW_MS = Date.UTC(2026, 0, 1);
export const NOW = NOW_MS / 1000;
export const clock = (): number => NOW_MS;

export const TD = "spiffe://bank.example";
export const ISS = `${TD}/agent/payment-processor`;
export const AUD = `${TD}/agent/compliance-check`;

export type TestAgent = { kid: string; subject: string; publicKey: KeyObject; privateKey: KeyObject; signer: EctSigner };

export async function makeAgent(kid: string, subject: string, curve: "P-256" | "P-384" = "P-256"): Promise<TestAgent> {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: curve });
  const signer = curve === "P-256" ? await createEctSigner({ kid, privateKey }) : (undefined as unknown as EctSigner);
  return { kid, subject, publicKey, privateKey, signer };
}

export function storeOf(...agents: TestAgent[]): InMemoryAgentKeyStore {
  return new InMemoryAgentKeyStore(agents.map((a) => ({ kid: a.kid, subject: a.subject, publicKey: a.publicKey })));
}

export const b64 = (s: string | Buffer): string => Buffer.from(s).toString("base64url");

/** A valid payload at NOW, with overrides (an `undefined` override removes the claim). */
export function payload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const p: Record<string, unknown> = {
    iss: ISS,
    aud: AUD,
    iat: NOW,
    exp: NOW + 900,
    jti: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
    wid: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
    exec_act: "process_payment",
    par: [],
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete p[k];
    else p[k] = v;
  }
  return p;
}

/** Signs an arbitrary header/payload as a compact JWS with node:crypto (raw r||s). */
export function forge(options: {
  key: KeyObject;
  header?: Record<string, unknown> | string;
  payload?: Record<string, unknown> | string;
  hash?: string;
}): string {
  const header = options.header ?? { alg: "ES256", typ: "wimse-exec+jwt", kid: "agent-a" };
  const h = b64(typeof header === "string" ? header : JSON.stringify(header));
  const body = options.payload ?? payload();
  const p = b64(typeof body === "string" ? body : JSON.stringify(body));
  const sig = sign(options.hash ?? "sha256", Buffer.from(`${h}.${p}`), { key: options.key, dsaEncoding: "ieee-p1363" });
  return `${h}.${p}.${sig.toString("base64url")}`;
}

export { prng } from "../../scripts/lib/prng.js";

/** A random JSON-ish value (for never-throws fuzzing). */
export function randomValue(rnd: () => number, depth = 0): unknown {
  const k = Math.floor(rnd() * (depth > 3 ? 6 : 9));
  switch (k) {
    case 0:
      return null;
    case 1:
      return rnd() < 0.5;
    case 2:
      return [0, -1, 1e308, -0, 2 ** 53 + 1, 1.5, Number.MAX_SAFE_INTEGER][Math.floor(rnd() * 7)];
    case 3:
      return ["", ".", "..", "a.b.c", "eyJ.eyJ.", "\u0000", "💥".repeat(3), "x".repeat(100)][Math.floor(rnd() * 8)];
    case 4:
      return undefined;
    case 5:
      return Math.floor(rnd() * 1000).toString(36);
    case 6:
      return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
    case 7: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rnd() * 4); i++) o[["jti", "par", "iat", "iss", "wid", "x"][Math.floor(rnd() * 6)]!] = randomValue(rnd, depth + 1);
      return o;
    }
    default:
      return `${b64(JSON.stringify(randomValue(rnd, depth + 1)) ?? "")}.${b64(JSON.stringify(randomValue(rnd, depth + 1)) ?? "")}.${b64("sig")}`;
  }
}
