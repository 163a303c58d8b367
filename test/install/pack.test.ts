/**
 * The package as a consumer gets it: `npm pack` (which builds dist/ through `prepack`), then `npm install` of the
 * tarball into a fresh project with the system's Node and npm (Node 20 on CI), then a consumer script that imports
 * the SDK through every subpath export, a TypeScript file type-checked against the shipped declarations, and a
 * Solidity file that inherits the shipped contracts, its imports resolved from the consumer's node_modules.
 *
 * Takes about a minute (tsc build + an install from the npm cache). Set AGENT_EXEC_SKIP_PACK_TEST=1 to skip it
 * locally; CI runs it.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { computeTaskId } from "../../sdk/chain/taskId.js";
import { repoRoot, run, userEnv } from "./helpers.js";

const skip = process.env.AGENT_EXEC_SKIP_PACK_TEST === "1" ? "AGENT_EXEC_SKIP_PACK_TEST=1" : false;
const require = createRequire(import.meta.url);

const TASK = {
  chainId: 31337,
  caller: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  requester: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  handler: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  salt: "0x0000000000000000000000000000000000000000000000000000000000000001",
} as const;

const CONSUMER_MJS = `
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as root from "agent-exec";
import * as ect from "agent-exec/ect";
import * as atd from "agent-exec/atd";
import * as capsule from "agent-exec/capsule";
import * as chain from "agent-exec/chain";
import * as deployments from "agent-exec/deployments";
import { AgentExecError, isAgentExecError } from "agent-exec/errors";

const task = ${JSON.stringify(TASK)};
const err = new AgentExecError("TEST_CODE", "short");
const handlerSol = fileURLToPath(import.meta.resolve("agent-exec/contracts/AgentHandler.sol"));
console.log(JSON.stringify({
  node: process.version,
  rootExports: Object.keys(root).length,
  sameFunction: root.computeTaskId === chain.computeTaskId,
  taskId: chain.computeTaskId(task),
  ect: typeof ect.computeEctHash,
  atd: Object.keys(atd).length,
  capsule: Object.keys(capsule).length,
  abi: chain.agentHandlerAbi.length,
  error: isAgentExecError(err) && err.code,
  handlerSol: readFileSync(handlerSol, "utf8").includes("contract AgentHandler"),
  deployAgentExec: typeof deployments.deployAgentExec,
  bytecode: Object.keys(deployments.agentExecBytecode),
}));
`;

const CONSUMER_TS = `
import { computeTaskId, type ComputeTaskIdParameters } from "agent-exec/chain";
import { AgentExecError } from "agent-exec";
import type { EctClaims } from "agent-exec/ect";
import { deployAgentExec, type DeployAgentExecParameters, type DeployAgentExecReturnType } from "agent-exec/deployments";
export const deploy: (...a: Parameters<typeof deployAgentExec>) => Promise<DeployAgentExecReturnType> = deployAgentExec;
export const params: DeployAgentExecParameters = { threshold: 1 };
const p: ComputeTaskIdParameters = ${JSON.stringify(TASK)};
const id: \`0x\${string}\` = computeTaskId(p);
const e: AgentExecError = new AgentExecError("X", "y");
export const out: [string, string, EctClaims | undefined] = [id, e.code, undefined];
`;

const CONSUMER_SOL = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {AgentHandler} from "agent-exec/contracts/AgentHandler.sol";
import {AgentCaller} from "agent-exec/contracts/AgentCaller.sol";
import {EcdsaAttestationVerifier} from "agent-exec/contracts/verifiers/EcdsaAttestationVerifier.sol";
contract MyHandler is AgentHandler {
    constructor(address caller_) AgentHandler(caller_, msg.sender) {}
}
`;

describe("npm pack → npm install in a fresh project (system Node)", { skip, timeout: 900_000 }, () => {
  let work: string;
  let consumer: string;
  let tarball: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "agent-exec-pack-"));
    consumer = join(work, "consumer");
    const packed = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: repoRoot, timeoutMs: 600_000 });
    const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info[0]!.filename);
    console.log(`# pack (prepack builds dist/): ${packed.ms} ms, ${info[0]!.files.length} files`);

    await run("mkdir", ["-p", consumer], { cwd: work });
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
    const installed = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], {
      cwd: consumer,
      timeoutMs: 600_000,
    });
    console.log(`# npm install of the tarball: ${installed.ms} ms`);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("ships dist, the Solidity sources and the setup script, and no mocks, tests or config", () => {
    const pkgDir = join(consumer, "node_modules", "agent-exec");
    for (const f of ["dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/sdk/chain/index.js", "contracts/AgentHandler.sol",
      "contracts/verifiers/WyriweAttestationVerifier.sol", "scripts/setup/postinstall.mjs"]) {
      assert.ok(existsSync(join(pkgDir, f)), `${f} is not in the package`);
    }
    for (const f of ["contracts/mocks", "test", "hardhat.config.ts", "scripts/demo.ts", "artifacts", "ignition"]) {
      assert.ok(!existsSync(join(pkgDir, f)), `${f} must not be in the package`);
    }
    // Consumers get the runtime dependencies and the Solidity peer, not Hardhat.
    assert.ok(existsSync(join(consumer, "node_modules", "viem")));
    assert.ok(existsSync(join(consumer, "node_modules", "@openzeppelin", "contracts", "access", "Ownable2Step.sol")));
    assert.ok(!existsSync(join(consumer, "node_modules", "hardhat")), "devDependencies leaked into the consumer");
  });

  it("runs a consumer script that imports the SDK through every subpath export", async () => {
    writeFileSync(join(consumer, "consumer.mjs"), CONSUMER_MJS);
    const r = await run("node", ["consumer.mjs"], { cwd: consumer });
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    console.log(`# consumer ran on Node ${String(out.node)}`);
    assert.equal(out.taskId, computeTaskId(TASK));
    assert.equal(out.sameFunction, true);
    assert.equal(out.ect, "function");
    assert.equal(out.error, "TEST_CODE");
    assert.equal(out.handlerSol, true);
    assert.equal(out.deployAgentExec, "function", "agent-exec/deployments exports deployAgentExec");
    assert.deepEqual(out.bytecode, ["AgentCaller", "AgentHandler", "EcdsaAttestationVerifier", "WyriweAttestationVerifier"]);
    // The installed bin takes the SDK deploy path outside a Hardhat project (no node needed: the key is checked first).
    const bin = join(consumer, "node_modules", "agent-exec", "dist", "cli", "index.js");
    const d = await run("node", [bin, "deploy", "--key-env", "AGENT_EXEC_PACK_TEST_UNSET_KEY"], { cwd: consumer, allowFailure: true });
    assert.equal(d.code, 2, d.stdout + d.stderr);
    assert.match(d.stderr, /^agent-exec: deploy without Hardhat sends transactions: set AGENT_EXEC_PACK_TEST_UNSET_KEY .*no hardhat\.config\.ts and scripts\/deploy\.ts/m);
    for (const k of ["rootExports", "atd", "capsule", "abi"]) assert.ok((out[k] as number) > 0, k);
  });

  it("type-checks a TypeScript consumer against the shipped declarations (module node16)", async () => {
    writeFileSync(join(consumer, "consumer.ts"), CONSUMER_TS);
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "node16", moduleResolution: "node16", target: "es2022", strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ["consumer.ts"] }),
    );
    await run("node", [require.resolve("typescript/bin/tsc"), "-p", "."], { cwd: consumer });
  });

  it("resolves every import of a contract that inherits the shipped Solidity from the consumer's node_modules", () => {
    const solc = require("solc") as { compile(input: string, cb: { import(path: string): { contents: string } | { error: string } }): string };
    const resolveFrom = createRequire(join(consumer, "package.json"));
    const resolved: string[] = [];
    const input = {
      language: "Solidity",
      sources: { "MyHandler.sol": { content: CONSUMER_SOL } },
      // Only the AST: solc resolves every import and type-checks the inheritance, without code generation.
      settings: { evmVersion: "cancun", outputSelection: { "*": { "": ["ast"] } } },
    };
    const output = JSON.parse(
      solc.compile(JSON.stringify(input), {
        import(path) {
          try {
            const file = resolveFrom.resolve(path);
            resolved.push(path);
            return { contents: readFileSync(file, "utf8") };
          } catch (e) {
            return { error: `cannot resolve ${path} from the consumer: ${(e as Error).message}` };
          }
        },
      }),
    ) as { errors?: { severity: string; formattedMessage: string }[] };
    const errors = (output.errors ?? []).filter((e) => e.severity === "error");
    assert.deepEqual(errors.map((e) => e.formattedMessage), []);
    assert.ok(resolved.some((p) => p.startsWith("@openzeppelin/contracts/")), "OpenZeppelin imports resolved");
    assert.ok(resolved.includes("agent-exec/contracts/libraries/BoundedCall.sol"), resolved.join(", "));
  });
});
