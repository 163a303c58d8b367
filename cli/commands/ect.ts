/** `agent-exec ect keygen|create|verify|dag`: Execution Context Tokens (seed 000). */
import { generateKeyPairSync } from "node:crypto";
import type { Command } from "commander";
import { computeEctHash, createEct, createEctSigner, JwksAgentKeyStore, validateEctDag, verifyEct, decodeEctUnverified } from "../../sdk/ect/index.js";
import type { EctDagNode } from "../../sdk/ect/claims.js";
import { CliError, EXIT, printJson, readBytes, readJson, readText, writeOut, type Io } from "../io.js";

const list = (v: string | undefined) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : []);

export function registerEctCommands(program: Command, io: Io): void {
  const ect = program.command("ect").description("Execution Context Tokens: keys, create, verify (13 steps), DAG (5 rules)");

  ect.command("keygen")
    .description("create a P-256 agent key: writes the private JWK, prints the public JWK Set entry")
    .requiredOption("--kid <kid>", "key id")
    .requiredOption("--out <file>", "where to write the private JWK")
    .action((opts: { kid: string; out: string }) => {
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      writeOut(opts.out, JSON.stringify({ ...privateKey.export({ format: "jwk" }), kid: opts.kid, alg: "ES256" }, null, 2) + "\n");
      const jwks = { keys: [{ ...publicKey.export({ format: "jwk" }), kid: opts.kid, alg: "ES256", use: "sig" }] };
      if (io.json) printJson(io, { privateKeyFile: opts.out, jwks });
      else io.out(JSON.stringify(jwks, null, 2));
    });

  ect.command("create")
    .description("create and sign an ECT; prints the compact JWS")
    .requiredOption("--key <file>", "private JWK (from `ect keygen`)")
    .requiredOption("--iss <id>", "issuing agent's workload identity (the key's subject at verifiers)")
    .requiredOption("--aud <ids>", "receiving agent(s), comma-separated")
    .requiredOption("--exec-act <action>", "the action performed")
    .option("--par <jtis>", "parent task ids, comma-separated")
    .option("--jti <id>", "task id (default: a random UUID)")
    .option("--wid <id>", "workflow id (agent-exec: the on-chain task id, lowercase 0x-hex)")
    .option("--input <file>", "input data to hash into inp_hash")
    .option("--output <file>", "output data to hash into out_hash")
    .option("--ext <json>", "extension object (JSON)")
    .action(async (opts: Record<string, string | undefined>) => {
      const jwk = readJson(opts.key!, "private JWK") as Record<string, unknown>;
      if (typeof jwk.kid !== "string") throw new CliError(`${opts.key} has no "kid"`, EXIT.usage);
      const signer = await createEctSigner({ kid: jwk.kid, privateKey: jwk });
      let ext: Record<string, unknown> | undefined;
      if (opts.ext) {
        try {
          ext = JSON.parse(opts.ext) as Record<string, unknown>;
        } catch (e) {
          throw new CliError(`--ext is not JSON: ${(e as Error).message}`, EXIT.usage);
        }
      }
      const aud = list(opts.aud);
      const r = await createEct({
        signer,
        iss: opts.iss!,
        aud: aud.length === 1 ? aud[0]! : aud,
        exec_act: opts.execAct!,
        par: list(opts.par),
        jti: opts.jti,
        wid: opts.wid,
        input: opts.input ? readBytes(opts.input, "input") : undefined,
        output: opts.output ? readBytes(opts.output, "output") : undefined,
        ext,
      });
      if (io.json) printJson(io, { token: r.token, claims: r.claims });
      else io.out(r.token);
    });

  ect.command("verify <token>")
    .description("verify an ECT (the 13 steps); <token> is a compact JWS or @file; exit 1 when it fails")
    .requiredOption("--jwks <file>", "the agents' public JWK Set; a key's subject is its `sub` member or --subject")
    .option("--subject <kid=identity...>", "map kid to workload identity (repeatable: kid=spiffe://…)", (v: string, acc: string[] = []) => [...acc, v])
    .option("--audience <ids>", "this verifier's identities, comma-separated (default: audit mode, any audience)")
    .action(async (tokenArg: string, opts: { jwks: string; subject?: string[]; audience?: string }) => {
      const token = tokenArg.startsWith("@") ? readText(tokenArg.slice(1), "token file").trim() : tokenArg;
      const jwks = readJson(opts.jwks, "JWK Set") as { keys?: Record<string, unknown>[] };
      const subjects = new Map((opts.subject ?? []).map((s) => s.split("=", 2) as [string, string]));
      const keys = (jwks.keys ?? []).map((k) => ({ ...k, sub: subjects.get(String(k.kid)) ?? k.sub }));
      const keyStore = new JwksAgentKeyStore({ jwks: { keys } as never });
      const audience = opts.audience ? list(opts.audience) : null;
      const r = await verifyEct(token, { keyStore, audience });
      if (io.json) printJson(io, r.ok ? { ok: true, claims: r.claims } : { ok: false, step: r.step, code: r.error.code, message: r.error.shortMessage, details: r.error.details });
      else io.out(r.ok ? `ok · jti ${r.claims.jti} · exec_act ${r.claims.exec_act}` : `FAILED at step ${r.step}: ${r.error.code}: ${r.error.shortMessage}${r.error.details ? ` (${r.error.details})` : ""}`);
      if (!r.ok) throw new CliError(`ECT verification failed at step ${r.step}`, EXIT.checkFailed);
    });

  ect.command("dag <file>")
    .description("check the 5 DAG rules over a file of compact ECTs (one per line); exit 1 on a violation")
    .action((file: string) => {
      const tokens = readText(file, "ECT file").split(/\s+/).filter(Boolean);
      const nodes = tokens.map((t, i) => {
        const d = decodeEctUnverified(t);
        if (d instanceof Error) throw new CliError(`${file}: token ${i + 1} is not an ECT: ${d.shortMessage}`, EXIT.usage);
        return d.payload as unknown as EctDagNode;
      });
      const r = validateEctDag(nodes);
      const order = r.order?.map((i) => nodes[i]!.jti);
      if (io.json) printJson(io, { ok: r.ok, order, violations: r.violations });
      else if (r.ok) io.out(`ok · ${nodes.length} ECTs · order ${order?.join(" → ")}`);
      else for (const v of r.violations) io.out(`rule ${v.rule}: ${v.code} (jti ${v.jti}): ${v.details ?? ""}`);
      if (!r.ok) throw new CliError(`${r.violations.length} DAG violation(s)`, EXIT.checkFailed);
    });

  ect.command("hash <file>")
    .description("print base64url(SHA-256(file)), the form of inp_hash / out_hash")
    .action((file: string) => io.out(computeEctHash(readBytes(file))));
}
