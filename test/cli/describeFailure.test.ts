/** cli/io.ts describeFailure: one line per error, and the exit code that says whose fault it is. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CliError, EXIT, describeFailure } from "../../cli/io.js";
import { DeploymentError } from "../../sdk/deployments/index.js";

describe("describeFailure", () => {
  it("a deployment that failed on the chain exits 3; a wrong deployment file or parameter exits 2", () => {
    const failed = describeFailure(new DeploymentError("DEPLOYMENT_FAILED", "AgentCaller was not deployed", { contract: "AgentCaller", details: "insufficient funds" }));
    assert.equal(failed.exitCode, EXIT.runtime);
    assert.match(failed.line, /^DEPLOYMENT_FAILED: /);
    for (const code of ["DEPLOYMENT_INVALID", "DEPLOYMENT_INVALID_JSON", "DEPLOYMENT_INVALID_PARAMETERS", "DEPLOYMENT_NOT_FOUND", "DEPLOYMENT_CHAIN_MISMATCH", "DEPLOYMENT_UNKNOWN_CONTRACT"] as const) {
      const d = describeFailure(new DeploymentError(code, "bad input", { details: "first line\nsecond line" }));
      assert.equal(d.exitCode, EXIT.usage, code);
      assert.equal(d.line, `${code}: bad input: first line`, "one line");
    }
  });

  it("a CliError keeps its own exit code and message", () => {
    assert.deepEqual(describeFailure(new CliError("nope", EXIT.checkFailed)), { line: "nope", exitCode: EXIT.checkFailed });
  });
});
