/** The CLI's offline commands, in-process: every command's happy path and its error paths (exit code + message). */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { spawnSync } from "node:child_process";
import { hashWorkflow } from "../../sdk/workflow/index.js";
import { confirmedCapsule, seal } from "../capsule/fixtures.js";
import { cli, scratch } from "./helpers.js";
import { clone, sampleDocument } from "../workflow/fixtures.js";

const dir = scratch();
const wfFile = join(dir, "wf.json");
writeFileSync(wfFile, JSON.stringify(sampleDocument(), null, 2));
const badFile = join(dir, "bad.json");
writeFileSync(badFile, JSON.stringify({ ...clone(sampleDocument()), extra: 1 }));

describe("agent-exec (offline commands)", () => {
  it("--help lists every command group and exits 0", async () => {
    const r = await cli("--help");
    assert.equal(r.code, 0);
    for (const c of ["workflow", "graph", "ect", "capsule"]) assert.match(r.out, new RegExp(`\\b${c}\\b`));
  });

  it("unknown commands and missing arguments exit 2 with commander's one line", async () => {
    const r = await cli("bogus");
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command 'bogus'/);
    assert.equal((await cli("workflow", "hash")).code, 2);
  });

  it("workflow validate / hash / policy", async () => {
    const v = await cli("workflow", "validate", wfFile);
    assert.equal(v.code, 0);
    assert.match(v.out, new RegExp(hashWorkflow(sampleDocument())));
    const h = await cli("--json", "workflow", "hash", wfFile, "--bytes");
    assert.equal(h.code, 0);
    assert.equal(JSON.parse(h.out).workflowHash, hashWorkflow(sampleDocument()));
    const p = await cli("workflow", "policy", wfFile);
    assert.match(p.out, /stage 0: sync gating input=task-input/);
    assert.match(p.out, /requesters: anyone/);
  });

  it("workflow validate on an invalid document prints each finding and exits 1; hash exits 2", async () => {
    const v = await cli("workflow", "validate", badFile);
    assert.equal(v.code, 1);
    assert.match(v.out, /extra: WORKFLOW_SCHEMA: unknown member/);
    const j = await cli("--json", "workflow", "validate", badFile);
    assert.equal(JSON.parse(j.out).valid, false);
    const h = await cli("workflow", "hash", badFile);
    assert.equal(h.code, 2);
    assert.match(h.err, /^agent-exec: WORKFLOW_SCHEMA: /);
  });

  it("a missing file is one line naming it, exit 2", async () => {
    const r = await cli("workflow", "validate", join(dir, "nope.json"));
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read workflow document .*nope\.json: ENOENT/);
  });

  it("graph --workflow writes Mermaid and an SVG", async () => {
    const base = join(dir, "graph", "wf");
    const r = await cli("graph", "--workflow", wfFile, "--out", base);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^flowchart TD/);
    assert.ok(readFileSync(`${base}.svg`, "utf8").includes("<svg"));
    assert.ok(existsSync(`${base}.mmd`));
    const both = await cli("graph", "--workflow", wfFile, "--ects", wfFile);
    assert.equal(both.code, 2);
    assert.match(both.err, /exactly one of --workflow/);
  });

  it("ect keygen → create → verify → dag, and a tampered token fails verification with exit 1", async () => {
    const key = join(dir, "agent.jwk");
    const kg = await cli("--json", "ect", "keygen", "--kid", "agent-a", "--out", key);
    assert.equal(kg.code, 0, kg.err);
    const jwks = join(dir, "jwks.json");
    writeFileSync(jwks, JSON.stringify(JSON.parse(kg.out).jwks));
    const out = join(dir, "out.txt");
    writeFileSync(out, "the answer");
    const iss = "spiffe://example.org/agent/a";
    const root = await cli("ect", "create", "--key", key, "--iss", iss, "--aud", "spiffe://example.org/agent/b", "--exec-act", "summarise", "--jti", "r", "--output", out);
    assert.equal(root.code, 0, root.err);
    const child = await cli("ect", "create", "--key", key, "--iss", iss, "--aud", "spiffe://example.org/agent/b", "--exec-act", "judge", "--jti", "c", "--par", "r");
    const ok = await cli("ect", "verify", root.out, "--jwks", jwks, "--subject", `agent-a=${iss}`);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /^ok · jti r/);
    const tampered = root.out.slice(0, -4) + (root.out.endsWith("AAAA") ? "BBBB" : "AAAA");
    const bad = await cli("ect", "verify", tampered, "--jwks", jwks, "--subject", `agent-a=${iss}`);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /FAILED at step \d+/);
    const file = join(dir, "ects.txt");
    writeFileSync(file, `${child.out}\n${root.out}\n`);
    const dag = await cli("ect", "dag", file);
    assert.equal(dag.code, 0, dag.out);
    assert.match(dag.out, /order r → c/);
    writeFileSync(file, `${child.out}\n`);
    const broken = await cli("ect", "dag", file);
    assert.equal(broken.code, 1);
  });

  it("capsule keygen → digest → sign → verify (JSON and COSE)", async () => {
    const capsule = seal(confirmedCapsule()) as { capsule_id: string };
    const file = join(dir, "capsule.json");
    writeFileSync(file, JSON.stringify(capsule));
    const d = await cli("--json", "capsule", "digest", file);
    assert.equal(d.code, 0, d.err);
    assert.equal(JSON.parse(d.out).capsuleId, capsule.capsule_id);
    const v = await cli("capsule", "verify", file);
    assert.equal(v.code, 0, v.out + v.err);
    const key = join(dir, "capsule.key");
    const kg = await cli("--json", "capsule", "keygen", "--out", key);
    const pub = join(dir, "capsule.pub.json");
    writeFileSync(pub, JSON.stringify(JSON.parse(kg.out).publicJwk));
    const cose = join(dir, "capsule.cose");
    const s = await cli("capsule", "sign", file, "--key", key, "--out", cose);
    assert.equal(s.code, 0, s.err);
    const vc = await cli("capsule", "verify", cose, "--cose", "--public-key", pub);
    assert.equal(vc.code, 0, vc.out + vc.err);
    const broken = JSON.parse(readFileSync(file, "utf8"));
    broken.capsule_id = "0".repeat(64);
    writeFileSync(file, JSON.stringify(broken));
    assert.equal((await cli("capsule", "verify", file)).code, 1);
    assert.equal((await cli("capsule", "verify", cose, "--cose")).code, 2);
  });

  it("deploy outside a project directory takes the SDK path: without a key it is one line naming the variable and the missing files, exit 2 (no RPC)", async () => {
    const r = await cli("deploy", "--project", dir, "--key-env", "AGENT_EXEC_TEST_UNSET_KEY", "--rpc", "http://127.0.0.1:9");
    assert.equal(r.code, 2);
    assert.match(r.err, /^agent-exec: deploy without Hardhat sends transactions: set AGENT_EXEC_TEST_UNSET_KEY to the deployer's private key$/);
    const n = await cli("deploy", "--project", dir, "--key-env", "AGENT_EXEC_TEST_UNSET_KEY");
    assert.equal(n.code, 2);
    assert.match(n.err, /set AGENT_EXEC_TEST_UNSET_KEY .*no hardhat\.config\.ts and scripts\/deploy\.ts in .*use --project <dir>/);
    const p = await cli("deploy", "--parameters", join(dir, "missing.json"));
    assert.equal(p.code, 2);
    assert.match(p.err, /parameter file .*missing\.json not found/);
  });

  it("a malformed, missing or wrong-shaped --deployment file is one line naming it and the cause, exit 2 (read before any RPC)", async () => {
    const taskId = `0x${"ab".repeat(32)}`;
    const offline = ["--rpc", "http://127.0.0.1:9"]; // nothing listens: the file must be refused before the RPC is contacted
    const notJson = join(dir, "deployment-not-json.json");
    writeFileSync(notJson, "{ not json");
    const wrongShape = join(dir, "deployment-wrong-shape.json");
    writeFileSync(
      wrongShape,
      JSON.stringify({
        format: "agent-exec-deployment/1",
        chainId: 31337,
        network: "default",
        deploymentBlock: 1,
        contracts: { AgentHandler: { address: "0x1234", block: 1, artifact: "artifacts/contracts/AgentHandler.sol/AgentHandler.json" } },
        workflows: [],
      }),
    );
    const loose = join(dir, "deployment-loose.json");
    writeFileSync(loose, JSON.stringify({ handler: "0x" + "11".repeat(20) }));
    const cases: [string, RegExp][] = [
      [notJson, /^agent-exec: cannot read deployment .*deployment-not-json\.json: DEPLOYMENT_INVALID_JSON: /],
      [wrongShape, /^agent-exec: cannot read deployment .*deployment-wrong-shape\.json: DEPLOYMENT_INVALID: expected a 20-byte hex address, got "0x1234" at contracts\.AgentHandler\.address$/],
      [loose, /^agent-exec: cannot read deployment .*deployment-loose\.json: DEPLOYMENT_INVALID: expected "agent-exec-deployment\/1", got nothing at format$/],
      [join(dir, "no-such-deployment.json"), /^agent-exec: cannot read deployment .*no-such-deployment\.json: DEPLOYMENT_NOT_FOUND: .* does not exist/],
    ];
    // A well-formed file passes: the commands get as far as the RPC (task) or the key (agent run).
    const good = join(dir, "deployment-good.json");
    const handler = `0x${"22".repeat(20)}`;
    writeFileSync(good, JSON.stringify({ ...JSON.parse(readFileSync(wrongShape, "utf8")), contracts: { AgentHandler: { address: handler, block: 1, artifact: "a.json" } } }));
    const t = await cli("task", taskId, "--deployment", good, ...offline);
    assert.equal(t.code, 3, t.err);
    assert.match(t.err, /^agent-exec: cannot reach JSON-RPC endpoint http:\/\/127\.0\.0\.1:9/);
    const a = await cli("agent", "run", "--workflow", wfFile, "--deployment", good, "--key-env", "AGENT_EXEC_TEST_UNSET_KEY", ...offline);
    assert.equal(a.code, 2, a.err);
    assert.match(a.err, /AGENT_EXEC_TEST_UNSET_KEY is not set/);
    for (const [file, message] of cases) {
      const t = await cli("task", taskId, "--deployment", file, ...offline);
      assert.equal(t.code, 2, `${file}: ${t.err}`);
      assert.match(t.err, message);
      assert.equal(t.err.trim().split("\n").length, 1, "one line");
      const a = await cli("agent", "run", "--workflow", wfFile, "--deployment", file, ...offline);
      assert.equal(a.code, 2, `${file}: ${a.err}`);
      assert.match(a.err, message);
    }
  });

  it("the bin entry runs as a process and sets the exit code", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "cli/index.ts", "workflow", "validate", badFile], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /WORKFLOW_SCHEMA/);
  });
});
