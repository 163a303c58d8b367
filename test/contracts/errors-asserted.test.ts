/**
 * Custom-error audit: every `error Name(` declared under contracts/ (mocks excluded) is triggered and asserted by
 * at least one test. An assertion is
 * - Solidity: a `vm.expectRevert(...)` whose argument names `Name.selector` (bare, or inside
 *   `abi.encodeWithSelector(X.Name.selector, ...)`), or names a local `bytes` value built from `Name.selector`; a
 *   call of a test helper that passes its `bytes` parameter to `vm.expectRevert` (e.g. `_expectRegistryError(
 *   abi.encodeWithSelector(X.Name.selector, …), p)`); or, for a low-level call that must revert (gas-starved
 *   calls), `assertEq(bytes4(returnData), X.Name.selector, …)`;
 * - TypeScript: a viem revert assertion naming it (`revertWithCustomError(…, "Name")`,
 *   `revertWithCustomErrorWithArgs(…, "Name", …)`), the SDK's decoded revert (`CHAIN_REVERT_Name`,
 *   `errorName === "Name"`, `errorName, "Name"`).
 * A name that is only mentioned (an import, a comment, a helper) does not count.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

const ROOT = process.cwd();

function walk(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name === "node_modules") continue;
      out.push(...walk(path, keep));
    } else if (keep(path)) out.push(path);
  }
  return out;
}

/** `error Name(` declarations (not in comments) of every non-mock contract source, with where they are. */
function declaredErrors(): Map<string, string> {
  const errors = new Map<string, string>();
  const isMock = (p: string) => relative(join(ROOT, "contracts"), p).split(sep).includes("mocks");
  for (const file of walk(join(ROOT, "contracts"), (p) => p.endsWith(".sol") && !isMock(p))) {
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(/^[ \t]*error[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(/gm)) {
      errors.set(m[1]!, relative(ROOT, file));
    }
  }
  return errors;
}

/** The text of the balanced `( … )` that opens at `open` (strings and comments are not special-cased: none of
 * the asserted arguments contain parentheses in them). */
function balanced(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** Every argument text of `callee(` calls in `text`. */
function callArguments(text: string, callee: RegExp): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(callee)) out.push(balanced(text, m.index! + m[0].length - 1));
  return out;
}

/** The error names one Solidity test source asserts. */
function solidityAsserted(source: string): Set<string> {
  const names = new Set<string>();
  const add = (name: string) => names.add(name);
  // `bytes memory x = abi.encodeWithSelector(X.Name.selector, …)`: a later `vm.expectRevert(x)` asserts Name.
  const locals = new Map<string, string[]>();
  for (const m of source.matchAll(/bytes\s+memory\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*/g)) {
    const rest = source.slice(m.index! + m[0].length);
    const end = rest.indexOf(";");
    const expr = end < 0 ? rest : rest.slice(0, end);
    locals.set(m[1]!, [...expr.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\.selector/g)].map((s) => s[1]!));
  }
  const expectArgs = callArguments(source, /vm\.expectRevert\s*\(/g);
  // Helpers `function _h(bytes memory err, …) … { vm.expectRevert(err); … }`: their calls' arguments count.
  for (const m of source.matchAll(/function\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*bytes\s+memory\s+([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const body = source.slice(m.index!, source.indexOf("}", m.index!));
    if (!new RegExp(`vm\\.expectRevert\\s*\\(\\s*${m[2]}\\s*\\)`).test(body)) continue;
    for (const arg of callArguments(source, new RegExp(`(?<!function\\s+)\\b${m[1]}\\s*\\(`, "g"))) expectArgs.push(arg);
  }
  for (const arg of expectArgs) {
    for (const s of arg.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\.selector/g)) add(s[1]!);
    const bare = arg.trim();
    for (const name of locals.get(bare) ?? []) add(name);
  }
  for (const s of source.matchAll(/assertEq\s*\(\s*bytes4\s*\([A-Za-z_][A-Za-z0-9_]*\)\s*,\s*(?:[A-Za-z_][A-Za-z0-9_]*\.)*([A-Za-z_][A-Za-z0-9_]*)\.selector/g)) {
    add(s[1]!);
  }
  return names;
}

/** The error names one TypeScript test source asserts. */
function typescriptAsserted(source: string): Set<string> {
  const names = new Set<string>();
  const add = (name: string) => names.add(name);
  for (const arg of callArguments(source, /revertWithCustomError(?:WithArgs)?\s*\(/g)) {
    for (const s of arg.matchAll(/["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]/g)) add(s[1]!);
  }
  for (const s of source.matchAll(/CHAIN_REVERT_([A-Za-z_][A-Za-z0-9_]*)/g)) add(s[1]!);
  for (const s of source.matchAll(/errorName\s*(?:===|==|,)\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]/g)) add(s[1]!);
  return names;
}

/** The error names each test file asserts, by the rules above. */
function assertedErrors(): Map<string, string[]> {
  const asserted = new Map<string, string[]>();
  const add = (name: string, file: string) => {
    const list = asserted.get(name) ?? [];
    if (!list.includes(file)) list.push(file);
    asserted.set(name, list);
  };
  const testDir = join(ROOT, "test");
  for (const file of walk(testDir, (p) => p.endsWith(".sol"))) {
    for (const name of solidityAsserted(readFileSync(file, "utf8"))) add(name, relative(ROOT, file));
  }
  for (const file of walk(testDir, (p) => p.endsWith(".ts") && !p.endsWith("errors-asserted.test.ts"))) {
    for (const name of typescriptAsserted(readFileSync(file, "utf8"))) add(name, relative(ROOT, file));
  }
  return asserted;
}

describe("custom-error audit", () => {
  const declared = declaredErrors();
  const asserted = assertedErrors();

  it("finds the declarations (the parser works)", () => {
    assert.ok(declared.size >= 60, `only ${declared.size} errors found under contracts/`);
    assert.equal(declared.get("AgentHandlerTaskNotFound"), join("contracts", "interfaces", "IAgentExecHandlerErrors.sol"));
    assert.equal(declared.get("AgentHandlerTaskNotActive"), join("contracts", "interfaces", "IAgentExecHandler.sol"));
    assert.equal(declared.get("BoundedCallInsufficientGas"), join("contracts", "libraries", "BoundedCall.sol"));
    for (const [name, file] of declared) assert.ok(!file.split(sep).includes("mocks"), `${name} is declared in a mock (${file})`);
  });

  it("the matchers count assertions, not mentions", () => {
    const sol = `
      import {IX} from "./IX.sol"; // IX.Mentioned.selector in a comment is outside any expectRevert
      function _expectErr(bytes memory err, uint256 a) internal { vm.expectRevert(err); a; }
      function test_a() public {
        bytes32 s = IX.OnlyMentioned.selector;
        vm.expectRevert(abi.encodeWithSelector(IX.Direct.selector, 1, 2));
        vm.expectRevert(IX.Bare.selector);
        bytes memory e = abi.encodeWithSelector(IX.ViaLocal.selector, 3);
        vm.expectRevert(e);
        _expectErr(abi.encodeWithSelector(IX.ViaHelper.selector), 1);
        (bool ok, bytes memory ret) = address(h).call("");
        assertEq(bytes4(ret), Lib.LowLevel.selector, "guard");
      }`;
    assert.deepEqual([...solidityAsserted(sol)].sort(), ["Bare", "Direct", "LowLevel", "ViaHelper", "ViaLocal"]);
    const ts = `
      // "CommentOnly" and const x = "JustAString";
      await viem.assertions.revertWithCustomErrorWithArgs(p, f.handler, "WithArgs", [1]);
      await viem.assertions.revertWithCustomError(p, f.handler, "NoArgs");
      assert.equal(e.code, "CHAIN_REVERT_Decoded");
      assert.equal(e.errorName, "ByName");`;
    assert.deepEqual([...typescriptAsserted(ts)].sort(), ["ByName", "Decoded", "NoArgs", "WithArgs"]);
  });

  it("every declared custom error is triggered and asserted by at least one test", () => {
    const missing = [...declared].filter(([name]) => !asserted.has(name)).map(([name, file]) => `${name} (${file})`);
    assert.deepEqual(missing, [], `custom errors no test asserts:\n  ${missing.join("\n  ")}`);
  });
});
