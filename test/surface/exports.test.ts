/**
 * The public surface, pinned (issue 12, "Public surface"):
 *
 * 1. The runtime export list of `sdk/index.ts` equals test/surface/exports.snapshot.json
 *    (a change to the surface is a deliberate edit of that file), and the root entry is
 *    exactly the union of the area entries ("./ect", "./atd", "./capsule", "./chain") plus
 *    the one error base class.
 * 2. Internals stay out (`describeError`, `capsuleErrorFromIssue`, …).
 * 3. Every exported function, constructor and static method, given null, undefined or
 *    garbage, either returns (a structured result) or throws an `AgentExecError`
 *    subclass — never a plain `TypeError`. The result-returning families (`check*`,
 *    `verify*`, `validate*`) never throw at all.
 *
 * Conventions this pins (README "SDK conventions"):
 *   verify* / check* / validate*  return structured results, never throw for bad input
 *   assert*                        throw the typed error of the first failure
 *   build* / create* / compute* / encode* / parse* / to*   throw typed errors
 *   is*                            predicates; false for a value of the wrong type (those
 *                                  that need a context — a store, a clock — throw typed
 *                                  errors when the context is unusable)
 *   Memory* / File* / Jwks*        stores (in memory, on disk, from a JWKS)
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import * as sdk from "../../sdk/index.js";
import * as atd from "../../sdk/atd/index.js";
import * as capsule from "../../sdk/capsule/index.js";
import * as chain from "../../sdk/chain/index.js";
import * as ect from "../../sdk/ect/index.js";
import * as ethersPath from "../../sdk/ethers/index.js";
import { isAgentExecError } from "../../sdk/errors.js";

const snapshot = JSON.parse(readFileSync(new URL("./exports.snapshot.json", import.meta.url), "utf8")) as Record<string, string[]>;

const INTERNALS = [
  "describeError",
  "capsuleErrorFromIssue",
  "capsuleErrorClass",
  "isCapsuleEnumValue",
  "capsuleLedgerModeRank",
  "capsuleAttestationModeRank",
  "capsuleEffectModeRank",
  "checkCapsuleChainWithoutStore",
  "checkStatementClaims",
  "toCwtNumericDate",
  "capsuleSubjectRaw",
  "atdErrorFromFinding",
  "ATD_FORBIDDEN_MEMBER_NAMES",
  "ectDagViolationToError",
  "verifyCapsuleKeepingSnapshot",
  "verifyParsedCapsule",
  "producerRefusals",
];

const GARBAGE: [string, unknown[]][] = [
  ["no arguments", []],
  ["null", [null]],
  ["undefined", [undefined]],
  ["a number", [42]],
  ["a string", ["x"]],
  ["an empty object", [{}]],
  ["a null-prototype object", [Object.create(null)]],
  ["an array of null", [[null]]],
  ["null everywhere", [null, null, null, null]],
  ["a symbol", [Symbol("s")]],
];

const isClass = (f: unknown): boolean => typeof f === "function" && /^class[\s{]/.test(Function.prototype.toString.call(f));
const isErrorClass = (name: string, f: unknown): boolean => isClass(f) && name.endsWith("Error");
const neverThrows = (name: string): boolean => /^(check|verify|validate)[A-Z]/.test(name);

type Outcome = { ok: true } | { ok: false; what: string };

async function outcomeOf(name: string, call: () => unknown): Promise<Outcome> {
  let thrown: unknown;
  let threw = false;
  try {
    const r = call();
    if (r !== null && typeof r === "object" && typeof (r as Promise<unknown>).then === "function") {
      const settled = await Promise.race([
        (r as Promise<unknown>).then(
          () => "resolved",
          (e: unknown) => {
            threw = true;
            thrown = e;
            return "rejected";
          },
        ),
        new Promise((res) => setTimeout(() => res("pending"), 3000).unref()),
      ]);
      if (settled === "pending") return { ok: false, what: "neither resolved nor rejected within 3 s" };
    }
  } catch (e) {
    threw = true;
    thrown = e;
  }
  if (!threw) return { ok: true };
  if (neverThrows(name)) return { ok: false, what: `threw ${describeThrown(thrown)} (a ${name.match(/^[a-z]+/)?.[0]}* function returns its findings)` };
  if (isAgentExecError(thrown)) return { ok: true };
  return { ok: false, what: `threw ${describeThrown(thrown)}, not an AgentExecError` };
}

function describeThrown(e: unknown): string {
  const ctor = (e as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof e;
  const msg = String((e as Error | null)?.message ?? e).split("\n")[0]?.slice(0, 120);
  return `${ctor}: ${msg}`;
}

describe("public surface: the export list", () => {
  it("sdk/index.ts exports exactly the pinned list (edit test/surface/exports.snapshot.json deliberately)", () => {
    assert.deepEqual(Object.keys(sdk).sort(), snapshot["sdk/index.ts"]);
  });
  it("sdk/ethers/index.ts (the \"./ethers\" subpath, not part of the root) exports exactly the pinned list", () => {
    assert.deepEqual(Object.keys(ethersPath).sort(), snapshot["sdk/ethers/index.ts"]);
    for (const k of Object.keys(ethersPath)) assert.equal(k in sdk, false, `${k} would pull ethers into the root entry`);
  });
  it("the root entry is the union of the area entries plus AgentExecError / isAgentExecError", () => {
    const union = new Set([...Object.keys(ect), ...Object.keys(atd), ...Object.keys(capsule), ...Object.keys(chain), "AgentExecError", "isAgentExecError"]);
    assert.deepEqual(Object.keys(sdk).sort(), [...union].sort());
  });
  it("no export name is claimed by two areas", () => {
    const seen = new Map<string, string>();
    for (const [area, mod] of Object.entries({ ect, atd, capsule, chain })) {
      for (const k of Object.keys(mod)) {
        const prev = seen.get(k);
        assert.ok(prev === undefined || (mod as Record<string, unknown>)[k] === ({ ect, atd, capsule, chain } as Record<string, Record<string, unknown>>)[prev]?.[k], `${k} is exported by ${prev} and ${area}`);
        seen.set(k, area);
      }
    }
  });
  it("internals are not exported", () => {
    for (const name of INTERNALS) assert.equal(name in sdk, false, `${name} is internal`);
  });
  it("the in-memory stores share one naming convention (Memory*), the old name is a deprecated alias", () => {
    assert.equal(typeof sdk.MemoryAgentKeyStore, "function");
    assert.equal(sdk.InMemoryAgentKeyStore, sdk.MemoryAgentKeyStore);
    assert.equal(typeof sdk.MemoryLedgerStore, "function");
    assert.equal(typeof sdk.MemoryCapsuleStore, "function");
  });
  it("every error class extends AgentExecError and has a code", () => {
    for (const [name, v] of Object.entries(sdk)) {
      if (!isErrorClass(name, v)) continue;
      assert.ok((v as { prototype: unknown }).prototype instanceof sdk.AgentExecError || v === sdk.AgentExecError, `${name} extends AgentExecError`);
    }
  });
});

describe("public surface: hostile arguments never surface a plain TypeError", () => {
  const functions = [...Object.entries(sdk), ...Object.entries(ethersPath)].filter(([name, v]) => typeof v === "function" && !isErrorClass(name, v));

  it(`covers every exported function and class (${functions.length})`, () => {
    assert.ok(functions.length > 150);
  });

  for (const [name, v] of functions) {
    it(name, async () => {
      const failures: string[] = [];
      for (const [label, args] of GARBAGE) {
        const calls: [string, () => unknown][] = [];
        if (isClass(v)) {
          calls.push([`new ${name}(${label})`, () => new (v as new (...a: unknown[]) => unknown)(...args)]);
          for (const key of Object.getOwnPropertyNames(v)) {
            const s = (v as unknown as Record<string, unknown>)[key];
            if (typeof s === "function" && key !== "prototype") calls.push([`${name}.${key}(${label})`, () => (s as (...a: unknown[]) => unknown).apply(v, args)]);
          }
        } else {
          calls.push([`${name}(${label})`, () => (v as (...a: unknown[]) => unknown)(...args)]);
        }
        for (const [what, call] of calls) {
          const o = await outcomeOf(name, call);
          if (!o.ok) failures.push(`${what}: ${o.what}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }
});
