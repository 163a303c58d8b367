/**
 * `npm ci` must work on every platform Hardhat's EDR and cbor-extract ship native packages for: the lockfile has to
 * list each of them (npm refuses a lockfile that misses an optional dependency of a locked package), and the
 * postinstall must not rewrite it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

type LockEntry = { version?: string; optionalDependencies?: Record<string, string> };
const root = new URL("../../", import.meta.url);
const lock = JSON.parse(readFileSync(new URL("package-lock.json", root), "utf8")) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
  overrides?: Record<string, string>;
  scripts: Record<string, string>;
};

function entriesNamed(name: string): [string, LockEntry][] {
  return Object.entries(lock.packages).filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`));
}

describe("package-lock.json", () => {
  it("is a v3 lockfile", () => assert.equal(lock.lockfileVersion, 3));

  for (const parent of ["@nomicfoundation/edr", "cbor-extract"]) {
    it(`lists every platform package of ${parent}, at the version it asks for`, () => {
      const parents = entriesNamed(parent);
      assert.ok(parents.length > 0, `${parent} is not in the lockfile`);
      for (const [path, entry] of parents) {
        const optional = Object.entries(entry.optionalDependencies ?? {});
        assert.ok(optional.length >= 6, `${path} lists only ${optional.length} platform packages`);
        for (const [name, version] of optional) {
          const found = entriesNamed(name);
          assert.ok(found.length > 0, `Missing: ${name}@${version} from lock file (needed by ${path})`);
          assert.ok(found.some(([, e]) => e.version === version), `${name} is locked at ${found.map(([, e]) => e.version)}, ${path} wants ${version}`);
        }
      }
    });
  }

  it("pins cbor-extract to a release whose platform packages exist", () => {
    assert.equal(pkg.overrides?.["cbor-extract"], "2.2.2");
  });
});
