/**
 * ATD exec_act vocabulary (draft-atd-agent-task-dag-01 §Checkpoint exec_act
 * Table and the figures of each section): validateAtdEct / assertAtdEct.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ATD_EXEC_ACTS,
  AtdClaimConflictError,
  AtdEctMalformedError,
  AtdError,
  AtdExtFieldTypeError,
  AtdExtFieldValueError,
  AtdExtMissingFieldError,
  AtdForbiddenMemberError,
  AtdParRequiredError,
  AtdUnknownExecActError,
  assertAtdEct,
  isAtdExecAct,
  compareAtdSeverity,
  requiredAtdExtFields,
  validateAtdEct,
  type AtdExecAct,
} from "../../sdk/atd/index.js";
import { AgentExecError } from "../../sdk/errors.js";
import { FIG, URI, deepNest, prng, randomValue, withExt } from "./helpers.js";

const figureOf: Record<AtdExecAct, { jti: string; ext: Record<string, unknown> }> = {
  "atd:checkpoint": FIG.checkpoint,
  "atd:error": FIG.error,
  "atd:circuit_open": FIG.circuitOpen,
  "atd:circuit_close": FIG.circuitClose,
  "atd:rollback_request": FIG.rollbackRequest,
  "atd:rollback_result": FIG.rollbackResult,
  "atd:workflow_start": FIG.workflowStart,
  "atd:workflow_complete": FIG.workflowComplete,
};

function findingsOf(value: unknown) {
  const r = validateAtdEct(value);
  assert.equal(r.valid, false, "expected findings");
  return r.findings;
}

function expectOne(value: unknown, code: string, path: string, Cls: new (...a: never[]) => AtdError) {
  const f = findingsOf(value);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0]!.code, code);
  assert.equal(f[0]!.path, path);
  assert.throws(
    () => assertAtdEct(value),
    (e: unknown) => e instanceof Cls && e instanceof AgentExecError && (e as AtdError).code === code && (e as AtdError).path === path,
  );
}

describe("ATD vocabulary: registered values", () => {
  it("registers exactly the eight exec_act values of the IANA table", () => {
    assert.deepEqual(
      [...ATD_EXEC_ACTS].sort(),
      [
        "atd:checkpoint",
        "atd:circuit_close",
        "atd:circuit_open",
        "atd:error",
        "atd:rollback_request",
        "atd:rollback_result",
        "atd:workflow_complete",
        "atd:workflow_start",
      ],
    );
    assert.ok(isAtdExecAct("atd:error"));
    assert.ok(!isAtdExecAct("atd:retry"));
    assert.ok(!isAtdExecAct(42));
  });

  it("requires the ext fields of fig-actions for each value", () => {
    const table: Record<AtdExecAct, string[]> = {
      "atd:checkpoint": ["atd.reversible", "atd.rollback_uri", "atd.ttl"],
      "atd:error": ["atd.severity", "atd.error_type", "atd.checkpoint_id"],
      "atd:circuit_open": ["atd.downstream_agent", "atd.error_rate", "atd.window_s"],
      "atd:circuit_close": ["atd.downstream_agent", "atd.cooldown_s"],
      "atd:rollback_request": ["atd.reason", "atd.cascade"],
      "atd:rollback_result": ["atd.status", "atd.checkpoint_id", "atd.cascaded"],
      "atd:workflow_start": ["atd.wf_id", "atd.description"],
      "atd:workflow_complete": ["atd.wf_id", "atd.terminal_status"],
    };
    for (const act of ATD_EXEC_ACTS) assert.deepEqual([...requiredAtdExtFields(act)].sort(), table[act].sort(), act);
  });

  it("orders severities info < warning < error < critical", () => {
    assert.ok(compareAtdSeverity("info", "warning") < 0);
    assert.ok(compareAtdSeverity("warning", "error") < 0);
    assert.ok(compareAtdSeverity("error", "critical") < 0);
    assert.equal(compareAtdSeverity("critical", "critical"), 0);
  });
});

describe("ATD vocabulary: the draft's figures are valid (golden)", () => {
  for (const act of ATD_EXEC_ACTS) {
    it(`${act} figure validates and is typed`, () => {
      const r = validateAtdEct(figureOf[act]);
      assert.ok(r.valid, JSON.stringify(r.findings));
      assert.equal(r.ect.kind, act);
      assert.equal(r.ect.fields?.act, act);
      assert.doesNotThrow(() => assertAtdEct(figureOf[act]));
    });
  }
  it("reads the checkpoint figure's fields", () => {
    const e = assertAtdEct(FIG.checkpoint);
    assert.deepEqual(e.fields, {
      act: "atd:checkpoint",
      reversible: true,
      rollback_uri: URI,
      ttl: 86400,
      target: "router-07.example.com",
      description: "Update BGP peer config",
    });
    assert.equal(e.out_hash, "sha256-of-agent-state-snapshot");
  });
  it("reads the rollback result figure's cascaded entries", () => {
    const e = assertAtdEct(FIG.rollbackResult);
    assert.equal(e.fields?.act, "atd:rollback_result");
    if (e.fields?.act === "atd:rollback_result") assert.deepEqual(e.fields.cascaded.map((c) => c.status), ["completed", "escalated"]);
  });
  it("treats an exec_act outside atd: as an ordinary task", () => {
    const r = validateAtdEct({ jti: "t", exec_act: "process_payment", par: [] });
    assert.ok(r.valid);
    assert.equal(r.ect.kind, "task");
    assert.equal(r.ect.fields, undefined);
  });
});

describe("ATD vocabulary: every required field, missing", () => {
  for (const act of ATD_EXEC_ACTS) {
    for (const field of requiredAtdExtFields(act)) {
      it(`${act} without ${field} -> ATD_EXT_MISSING_FIELD`, () => {
        expectOne(withExt(figureOf[act], { [field]: undefined }), "ATD_EXT_MISSING_FIELD", `ext[${JSON.stringify(field)}]`, AtdExtMissingFieldError);
      });
    }
  }
});

describe("ATD vocabulary: field types and values", () => {
  const cases: [AtdExecAct, string, unknown, "ATD_EXT_BAD_TYPE" | "ATD_EXT_BAD_VALUE"][] = [
    ["atd:checkpoint", "atd.reversible", "true", "ATD_EXT_BAD_TYPE"],
    ["atd:checkpoint", "atd.reversible", 1, "ATD_EXT_BAD_TYPE"],
    ["atd:checkpoint", "atd.ttl", "86400", "ATD_EXT_BAD_TYPE"],
    ["atd:checkpoint", "atd.ttl", 0, "ATD_EXT_BAD_VALUE"],
    ["atd:checkpoint", "atd.ttl", -5, "ATD_EXT_BAD_VALUE"],
    ["atd:checkpoint", "atd.ttl", 1.5, "ATD_EXT_BAD_VALUE"],
    ["atd:checkpoint", "atd.ttl", Infinity, "ATD_EXT_BAD_VALUE"],
    ["atd:checkpoint", "atd.ttl", 2 ** 60, "ATD_EXT_BAD_VALUE"],
    ["atd:checkpoint", "atd.rollback_uri", 7, "ATD_EXT_BAD_TYPE"],
    ["atd:checkpoint", "atd.rollback_uri", "not a uri", "ATD_EXT_BAD_VALUE"],
    ["atd:checkpoint", "atd.rollback_uri", "https://agent-b.example.com/rollback", "ATD_EXT_BAD_VALUE"],
    ["atd:checkpoint", "atd.rollback_uri", "https://agent-b.example.com/.well-known/atd/rollback/", "ATD_EXT_BAD_VALUE"],
    ["atd:checkpoint", "atd.rollback_uri", "ftp://agent-b.example.com/.well-known/atd/rollback", "ATD_EXT_BAD_VALUE"],
    ["atd:checkpoint", "atd.rollback_uri", "/.well-known/atd/rollback", "ATD_EXT_BAD_VALUE"],
    ["atd:checkpoint", "atd.target", 5, "ATD_EXT_BAD_TYPE"],
    ["atd:checkpoint", "atd.description", false, "ATD_EXT_BAD_TYPE"],
    ["atd:error", "atd.severity", "fatal", "ATD_EXT_BAD_VALUE"],
    ["atd:error", "atd.severity", 3, "ATD_EXT_BAD_TYPE"],
    ["atd:error", "atd.error_type", "oops", "ATD_EXT_BAD_VALUE"],
    ["atd:error", "atd.error_type", null, "ATD_EXT_BAD_TYPE"],
    ["atd:error", "atd.checkpoint_id", "", "ATD_EXT_BAD_VALUE"],
    ["atd:error", "atd.checkpoint_id", 12, "ATD_EXT_BAD_TYPE"],
    ["atd:error", "atd.upstream_errors", "e1", "ATD_EXT_BAD_TYPE"],
    ["atd:circuit_open", "atd.downstream_agent", "", "ATD_EXT_BAD_VALUE"],
    ["atd:circuit_open", "atd.error_rate", 1.5, "ATD_EXT_BAD_VALUE"],
    ["atd:circuit_open", "atd.error_rate", -0.1, "ATD_EXT_BAD_VALUE"],
    ["atd:circuit_open", "atd.error_rate", "0.75", "ATD_EXT_BAD_TYPE"],
    ["atd:circuit_open", "atd.window_s", 0, "ATD_EXT_BAD_VALUE"],
    ["atd:circuit_close", "atd.cooldown_s", "30", "ATD_EXT_BAD_TYPE"],
    ["atd:circuit_close", "atd.cooldown_s", -30, "ATD_EXT_BAD_VALUE"],
    ["atd:circuit_close", "atd.downstream_agent", {}, "ATD_EXT_BAD_TYPE"],
    ["atd:rollback_request", "atd.reason", "", "ATD_EXT_BAD_VALUE"],
    ["atd:rollback_request", "atd.cascade", "true", "ATD_EXT_BAD_TYPE"],
    ["atd:rollback_result", "atd.status", "done", "ATD_EXT_BAD_VALUE"],
    ["atd:rollback_result", "atd.checkpoint_id", null, "ATD_EXT_BAD_TYPE"],
    ["atd:rollback_result", "atd.cascaded", {}, "ATD_EXT_BAD_TYPE"],
    ["atd:workflow_start", "atd.wf_id", "", "ATD_EXT_BAD_VALUE"],
    ["atd:workflow_start", "atd.description", 5, "ATD_EXT_BAD_TYPE"],
    ["atd:workflow_start", "atd.node_count", -1, "ATD_EXT_BAD_VALUE"],
    ["atd:workflow_start", "atd.node_count", 2.5, "ATD_EXT_BAD_VALUE"],
    ["atd:workflow_complete", "atd.terminal_status", "ok", "ATD_EXT_BAD_VALUE"],
    ["atd:workflow_complete", "atd.elapsed_s", -1, "ATD_EXT_BAD_VALUE"],
    ["atd:workflow_complete", "atd.wf_id", 1, "ATD_EXT_BAD_TYPE"],
  ];
  for (const [act, field, value, code] of cases) {
    it(`${act} ${field} = ${JSON.stringify(value) ?? String(value)} -> ${code}`, () => {
      expectOne(
        withExt(figureOf[act], { [field]: value }),
        code,
        `ext[${JSON.stringify(field)}]`,
        code === "ATD_EXT_BAD_TYPE" ? AtdExtFieldTypeError : AtdExtFieldValueError,
      );
    });
  }

  it("accepts every enum value the draft lists", () => {
    for (const s of ["info", "warning", "error", "critical"]) assert.ok(validateAtdEct(withExt(FIG.error, { "atd.severity": s })).valid, s);
    for (const t of ["action_failed", "timeout", "constraint_violation", "resource_exhausted", "upstream_cascade", "unknown"])
      assert.ok(validateAtdEct(withExt(FIG.error, { "atd.error_type": t })).valid, t);
    for (const s of ["completed", "partial", "escalated", "failed"]) assert.ok(validateAtdEct(withExt(FIG.rollbackResult, { "atd.status": s })).valid, s);
    for (const s of ["success", "partial", "failed", "rolled_back", "escalated"])
      assert.ok(validateAtdEct(withExt(FIG.workflowComplete, { "atd.terminal_status": s })).valid, s);
  });

  it("accepts an http rollback URI, and a query on the well-known path", () => {
    assert.ok(validateAtdEct(withExt(FIG.checkpoint, { "atd.rollback_uri": "http://127.0.0.1:8080/.well-known/atd/rollback" })).valid);
    assert.ok(validateAtdEct(withExt(FIG.checkpoint, { "atd.rollback_uri": URI + "?ckpt=1" })).valid);
  });

  it("accepts atd.checkpoint_id = null on an error (no checkpoint existed)", () => {
    const r = validateAtdEct(withExt(FIG.error, { "atd.checkpoint_id": null }));
    assert.ok(r.valid);
    assert.equal(r.ect.fields?.act === "atd:error" && r.ect.fields.checkpoint_id, null);
  });

  it("checks atd.upstream_errors entries", () => {
    expectOne(withExt(FIG.error, { "atd.upstream_errors": ["e1", 2] }), "ATD_EXT_BAD_TYPE", 'ext["atd.upstream_errors"][1]', AtdExtFieldTypeError);
  });

  it("checks atd.cascaded entries: object, agent, status", () => {
    expectOne(withExt(FIG.rollbackResult, { "atd.cascaded": ["x"] }), "ATD_EXT_BAD_TYPE", 'ext["atd.cascaded"][0]', AtdExtFieldTypeError);
    expectOne(withExt(FIG.rollbackResult, { "atd.cascaded": [{ status: "completed" }] }), "ATD_EXT_MISSING_FIELD", 'ext["atd.cascaded"][0].agent', AtdExtMissingFieldError);
    expectOne(withExt(FIG.rollbackResult, { "atd.cascaded": [{ agent: "a", status: "ok" }] }), "ATD_EXT_BAD_VALUE", 'ext["atd.cascaded"][0].status', AtdExtFieldValueError);
    expectOne(withExt(FIG.rollbackResult, { "atd.cascaded": [{ agent: "", status: "failed" }] }), "ATD_EXT_BAD_VALUE", 'ext["atd.cascaded"][0].agent', AtdExtFieldValueError);
  });

  it("leaves unknown ext members alone (ext is an extension point)", () => {
    assert.ok(validateAtdEct(withExt(FIG.circuitClose, { "com.example.note": { any: [1, 2] }, "atd.future": 1 })).valid);
  });

  it("reports every problem, not just the first", () => {
    const f = findingsOf(withExt(FIG.checkpoint, { "atd.reversible": "y", "atd.ttl": 0, "atd.rollback_uri": undefined }));
    assert.deepEqual(f.map((x) => x.code).sort(), ["ATD_EXT_BAD_TYPE", "ATD_EXT_BAD_VALUE", "ATD_EXT_MISSING_FIELD"]);
    try {
      assertAtdEct(withExt(FIG.checkpoint, { "atd.reversible": "y", "atd.ttl": 0, "atd.rollback_uri": undefined }));
      assert.fail("no throw");
    } catch (e) {
      assert.ok(e instanceof AtdExtFieldTypeError);
      assert.ok(e.metaMessages?.some((m) => m.includes("2 more finding")));
    }
  });
});

describe("ATD vocabulary: par references", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["checkpoint without the action", FIG.checkpoint, []],
    ["error without the failed action", FIG.error, []],
    ["rollback request without a checkpoint", FIG.rollbackRequest, []],
    ["rollback request with two checkpoints", FIG.rollbackRequest, ["c1", "c2"]],
    ["rollback result without the request", FIG.rollbackResult, []],
    ["rollback result with two requests", FIG.rollbackResult, ["r1", "r2"]],
    ["workflow complete without the start", FIG.workflowComplete, []],
  ];
  for (const [name, fig, par] of cases) {
    it(`${name} -> ATD_PAR_REQUIRED`, () => {
      expectOne({ ...fig, par }, "ATD_PAR_REQUIRED", "par", AtdParRequiredError);
    });
  }
  it("hierarchical checkpoint: par may list several child checkpoints", () => {
    assert.ok(validateAtdEct({ ...FIG.checkpoint, par: ["c1", "c2", "c3"] }).valid);
  });
  it("workflow_start and circuit events need no par", () => {
    for (const fig of [FIG.workflowStart, FIG.circuitOpen, FIG.circuitClose]) assert.ok(validateAtdEct(fig).valid);
  });
});

describe("ATD vocabulary: claim spellings (par/pred, ext/ect_ext)", () => {
  it("accepts pred and ect_ext and normalises to par/ext", () => {
    const { par, ext, ...rest } = FIG.checkpoint;
    const e = assertAtdEct({ ...rest, pred: par, ect_ext: ext });
    assert.deepEqual(e.par, par);
    assert.deepEqual(e.ext, ext);
    assert.equal(e.parName, "pred");
    assert.equal(e.extName, "ect_ext");
  });
  it("names paths in the spelling the input used", () => {
    const { par, ext, ...rest } = FIG.checkpoint;
    const bad = { ...rest, pred: par, ect_ext: { ...ext, "atd.ttl": "x" } };
    expectOne(bad, "ATD_EXT_BAD_TYPE", 'ect_ext["atd.ttl"]', AtdExtFieldTypeError);
    expectOne({ ...rest, pred: [], ect_ext: ext }, "ATD_PAR_REQUIRED", "pred", AtdParRequiredError);
  });
  it("accepts both spellings when equal", () => {
    assert.ok(validateAtdEct({ ...FIG.checkpoint, pred: [...FIG.checkpoint.par], ect_ext: { ...FIG.checkpoint.ext } }).valid);
  });
  it("rejects par and pred that differ", () => {
    expectOne({ ...FIG.checkpoint, pred: ["other"] }, "ATD_CLAIM_CONFLICT", "pred", AtdClaimConflictError);
  });
  it("rejects ext and ect_ext that differ", () => {
    expectOne({ ...FIG.checkpoint, ect_ext: { "atd.reversible": false } }, "ATD_CLAIM_CONFLICT", "ect_ext", AtdClaimConflictError);
  });
});

describe("ATD vocabulary: malformed payloads", () => {
  const cases: [string, unknown, string][] = [
    ["null", null, ""],
    ["a number", 7, ""],
    ["a string", "eyJ...", ""],
    ["an array", [FIG.checkpoint], ""],
    ["missing jti", { exec_act: "x" }, "jti"],
    ["empty jti", { jti: "", exec_act: "x" }, "jti"],
    ["numeric jti", { jti: 5, exec_act: "x" }, "jti"],
    ["missing exec_act", { jti: "j" }, "exec_act"],
    ["par not an array", { jti: "j", exec_act: "x", par: "p" }, "par"],
    ["par with a number", { jti: "j", exec_act: "x", par: ["a", 2] }, "par[1]"],
    ["par with an empty string", { jti: "j", exec_act: "x", par: [""] }, "par[0]"],
    ["ext an array", { jti: "j", exec_act: "x", ext: [] }, "ext"],
    ["ect_ext null", { jti: "j", exec_act: "x", ect_ext: null }, "ect_ext"],
    ["wid a number", { jti: "j", exec_act: "x", wid: 1 }, "wid"],
    ["iat a string", { jti: "j", exec_act: "x", iat: "1" }, "iat"],
    ["iat NaN", { jti: "j", exec_act: "x", iat: Number.NaN }, "iat"],
    ["iss a number", { jti: "j", exec_act: "x", iss: 1 }, "iss"],
    ["out_hash an object", { jti: "j", exec_act: "x", out_hash: {} }, "out_hash"],
  ];
  for (const [name, value, path] of cases) {
    it(`${name} -> ATD_ECT_MALFORMED at ${path || "(root)"}`, () => {
      expectOne(value, "ATD_ECT_MALFORMED", path, AtdEctMalformedError);
    });
  }
  it("an own __proto__ member in the payload or anywhere in ext -> ATD_FORBIDDEN_MEMBER (the payload is never trusted as a merge source)", () => {
    const top = JSON.parse('{"__proto__":{"jti":"x"},"jti":"j","exec_act":"x","par":[]}');
    expectOne(top, "ATD_FORBIDDEN_MEMBER", '["__proto__"]', AtdForbiddenMemberError);
    const ext = JSON.parse('{"jti":"j","exec_act":"atd:circuit_close","par":[],"ext":{"atd.downstream_agent":"a","atd.cooldown_s":30,"x":{"__proto__":{}}}}');
    expectOne(ext, "ATD_FORBIDDEN_MEMBER", "ext.x.__proto__", AtdForbiddenMemberError);
    const inherited = JSON.parse('{"jti":"a","exec_act":"atd:checkpoint","par":["x"],"ext":{"__proto__":{"atd.reversible":true,"atd.rollback_uri":"https://a/.well-known/atd/rollback","atd.ttl":5}}}');
    const r = validateAtdEct(inherited);
    assert.equal(r.valid, false);
    assert.ok(r.findings.some((f) => f.code === "ATD_FORBIDDEN_MEMBER" && f.path === "ext.__proto__"));
    // constructor / prototype are ordinary ext data in an ECT
    assert.ok(validateAtdEct(withExt(FIG.circuitClose, { constructor: 1, prototype: { constructor: 2 } })).valid);
  });
  it("an unknown atd: exec_act -> ATD_UNKNOWN_EXEC_ACT", () => {
    expectOne({ jti: "j", exec_act: "atd:retry", par: [] }, "ATD_UNKNOWN_EXEC_ACT", "exec_act", AtdUnknownExecActError);
  });
  it("an object with a throwing getter is reported, not thrown", () => {
    const evil = {
      jti: "j",
      get exec_act(): string {
        throw new Error("boom");
      },
    };
    assert.equal(findingsOf(evil)[0]!.code, "ATD_ECT_MALFORMED");
  });
  it("a revoked proxy is reported, not thrown", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    assert.equal(findingsOf(proxy)[0]!.code, "ATD_ECT_MALFORMED");
  });
  it("deeply nested ext values and a lone surrogate are handled", () => {
    assert.ok(validateAtdEct(withExt(FIG.circuitClose, { "com.x": deepNest(100_000) })).valid);
    const both = { ...FIG.circuitClose, ect_ext: { ...FIG.circuitClose.ext, "com.x": deepNest(100_000) } };
    assert.equal(validateAtdEct(both).valid, false);
    assert.equal(validateAtdEct(withExt(FIG.checkpoint, { "atd.rollback_uri": "https://\ud800/.well-known/atd/rollback" })).valid, false);
  });
});

describe("ATD vocabulary: property tests (seeded)", () => {
  it("never throws on random values, and valid iff no findings", () => {
    const r = prng(0xa7d0001);
    for (let i = 0; i < 5000; i++) {
      const v = randomValue(r, 4);
      const res = validateAtdEct(v);
      assert.equal(res.valid, res.findings.length === 0);
      if (!res.valid) for (const f of res.findings) assert.ok(typeof f.code === "string" && typeof f.path === "string");
    }
  });

  it("single random mutations of valid figures never throw; each finding names a path", () => {
    const r = prng(0xa7d0002);
    const figs = Object.values(figureOf);
    for (let i = 0; i < 4000; i++) {
      const fig = JSON.parse(JSON.stringify(r.pick(figs))) as Record<string, unknown> & { ext: Record<string, unknown> };
      const keys = Object.keys(fig.ext);
      const target = r.int(3);
      if (target === 0 && keys.length) fig.ext[r.pick(keys)] = randomValue(r, 2);
      else if (target === 1) fig[r.pick(["jti", "exec_act", "par", "ext", "wid", "iat"])] = randomValue(r, 2);
      else if (keys.length) delete fig.ext[r.pick(keys)];
      const res = validateAtdEct(fig);
      if (!res.valid) {
        assert.ok(res.findings.length > 0);
        assert.throws(() => assertAtdEct(fig), (e: unknown) => e instanceof AtdError && e.code === res.findings[0]!.code);
      } else assert.doesNotThrow(() => assertAtdEct(fig));
    }
  });
});
