/** `agent-exec capsule keygen|digest|verify|sign`: Agent Action Capsules (seed 004). */
import type { Command } from "commander";
import {
  capsulePublicKeyToJwk,
  computeCapsuleId,
  createCapsuleSigner,
  generateCapsuleKeyPair,
  signCapsuleCose,
  verifyCapsuleCose,
  verifyCapsuleJson,
  type Capsule,
} from "../../sdk/capsule/index.js";
import { capsuleVerdict } from "../../sdk/bridge/index.js";
import { CliError, EXIT, printJson, readBytes, readJson, readText, writeOut, type Io } from "../io.js";

export function registerCapsuleCommands(program: Command, io: Io): void {
  const cap = program.command("capsule").description("Agent Action Capsules: digest, verify (Class 1), sign (COSE_Sign1)");

  cap.command("keygen")
    .description("create an ES256 key for signing Capsules; writes the private key (hex), prints the public JWK")
    .requiredOption("--out <file>", "where to write the private key")
    .action((opts: { out: string }) => {
      const { privateKey, publicKey } = generateCapsuleKeyPair();
      writeOut(opts.out, Buffer.from(privateKey).toString("hex") + "\n");
      const jwk = capsulePublicKeyToJwk(publicKey);
      if (io.json) printJson(io, { privateKeyFile: opts.out, publicJwk: jwk });
      else io.out(JSON.stringify(jwk));
    });

  cap.command("digest <file>")
    .description("print the Capsule's capsule_id (JSON-DIGEST of its canonical form), its bytes32 form and gating verdict")
    .action((file: string) => {
      const capsule = readJson(file, "Capsule");
      const id = computeCapsuleId(capsule);
      const v = capsuleVerdict(capsule);
      const verdict = v.verdict === 1 ? "approved" : v.verdict === 2 ? "denied" : "undecided";
      if (io.json) printJson(io, { capsuleId: id, bytes32: `0x${id}`, verdict, reason: v.reason });
      else io.out(`${id}\nbytes32 0x${id}\nverdict ${verdict} (${v.reason})`);
    });

  cap.command("verify <file>")
    .description("verify a Capsule (JSON, Class 1) or a COSE_Sign1 statement (--cose, with --public-key); exit 1 when it fails")
    .option("--cose", "the file is a COSE_Sign1 Signed Statement")
    .option("--public-key <jwk-file>", "issuer's public JWK (COSE)")
    .action(async (file: string, opts: { cose?: boolean; publicKey?: string }) => {
      if (opts.cose) {
        if (!opts.publicKey) throw new CliError("--cose needs --public-key <jwk-file>", EXIT.usage);
        const r = await verifyCapsuleCose(readBytes(file, "COSE statement"), { publicKey: readJson(opts.publicKey, "public JWK") as never });
        if (io.json) printJson(io, { ok: r.ok, code: r.error?.code, message: r.error?.shortMessage });
        else io.out(r.ok ? "ok · COSE_Sign1 verifies and the Capsule passes Class 1" : `FAILED: ${r.error?.code}: ${r.error?.shortMessage}`);
        if (!r.ok) throw new CliError("Capsule statement verification failed", EXIT.checkFailed);
        return;
      }
      const r = await verifyCapsuleJson(readText(file, "Capsule"));
      const errors = r.findings.filter((f) => f.severity === "error");
      if (io.json) printJson(io, { ok: r.ok, findings: r.findings });
      else {
        for (const f of r.findings) io.out(`${f.severity} · check ${String(f.check)} · ${f.code}: ${f.message}`);
        io.out(r.ok ? "ok · Class 1 passes" : `FAILED: ${errors.length} error finding(s)`);
      }
      if (!r.ok) throw new CliError("Capsule verification failed", EXIT.checkFailed);
    });

  cap.command("sign <file>")
    .description("sign a Capsule into a COSE_Sign1 Signed Statement (refused unless it passes Class 1)")
    .requiredOption("--key <file>", "private key (hex, from `capsule keygen`)")
    .requiredOption("--out <file>", "where to write the statement")
    .option("--kid <kid>", "key id for the protected header")
    .action(async (file: string, opts: { key: string; out: string; kid?: string }) => {
      const hex = readText(opts.key, "private key").trim();
      if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new CliError(`${opts.key} is not a 32-byte hex private key`, EXIT.usage);
      const signer = createCapsuleSigner(Buffer.from(hex, "hex"), { kid: opts.kid });
      const bytes = await signCapsuleCose(readJson(file, "Capsule") as Capsule, { signer });
      writeOut(opts.out, bytes);
      if (io.json) printJson(io, { out: opts.out, bytes: bytes.length });
      else io.out(`wrote ${opts.out} (${bytes.length} bytes)`);
    });
}
