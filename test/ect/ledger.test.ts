/**
 * Audit ledger (seed 000 4.6): append-only, monotonic sequence numbers, lookup by jti, hash
 * chain whose integrity check names the first tampered entry; memory and file stores; the
 * crash test (a file cut mid-line reopens with everything before the torn line intact).
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, truncate, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  computeLedgerEntryHash,
  createEct,
  EctLedger,
  EctLedgerClosedError,
  EctLedgerCorruptError,
  EctLedgerDuplicateError,
  EctLedgerFailedError,
  EctLedgerIntegrityError,
  EctLedgerInvalidTokenError,
  EctLedgerMissingParentError,
  EctLedgerTornTailError,
  EctLedgerIoError,
  EctInvalidOptionError,
  EctDuplicateJtiError,
  EctUnknownParentError,
  FileLedgerStore,
  LEDGER_GENESIS_HASH,
  MemoryLedgerStore,
  verifyEct,
  type EctLedgerEntry,
  type EctLedgerStore,
} from "../../sdk/index.js";
import { AUD, clock, forge, ISS, makeAgent, NOW_MS, payload, storeOf, type TestAgent } from "./helpers.js";

let A: TestAgent;
let dir: string;
before(async () => {
  A = await makeAgent("agent-a", ISS);
  dir = await mkdtemp(join(tmpdir(), "ect-ledger-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ect(jti: string, par: string[] = [], wid: string | undefined = "wf"): Promise<string> {
  return (await createEct({ signer: A.signer, iss: ISS, aud: AUD, exec_act: "step", jti, par, wid, clock })).token;
}

/** A ledger holding a chain r ← a ← b ← c. */
async function filled(store: EctLedgerStore = new MemoryLedgerStore()): Promise<EctLedger> {
  const ledger = await EctLedger.open({ store, clock });
  await ledger.append(await ect("r"));
  await ledger.append(await ect("a", ["r"]));
  await ledger.append(await ect("b", ["a"]));
  await ledger.append(await ect("c", ["b", "r"]));
  return ledger;
}

describe("EctLedger: append-only, ordered, looked up by jti", () => {
  it("numbers entries 1, 2, 3, … and chains their hashes from the genesis value", async () => {
    const ledger = await filled();
    const e = ledger.entries();
    assert.deepEqual(e.map((x) => x.seq), [1, 2, 3, 4]);
    assert.equal(e[0]!.prev, LEDGER_GENESIS_HASH);
    for (let i = 1; i < e.length; i++) assert.equal(e[i]!.prev, e[i - 1]!.hash);
    for (const x of e) {
      const { hash, ...body } = x;
      assert.equal(hash, computeLedgerEntryHash(body));
      assert.equal(x.recorded_at, NOW_MS);
    }
    assert.equal(ledger.head, e[3]!.hash);
    assert.equal(ledger.size, 4);
    assert.deepEqual(ledger.verifyIntegrity(), { ok: true, size: 4, head: e[3]!.hash });
  });

  it("looks up by jti and by sequence number", async () => {
    const ledger = await filled();
    assert.equal(ledger.get("b")?.entry.seq, 3);
    assert.deepEqual(ledger.get("c")?.claims.par, ["b", "r"]);
    assert.equal(ledger.getBySeq(2)?.jti, "a");
    assert.equal(ledger.get("zz"), undefined);
    assert.equal(ledger.getBySeq(99), undefined);
    assert.equal(ledger.lookupEct("a", "wf")?.jti, "a");
    assert.equal(ledger.lookupEct("a", "other-wf"), undefined);
  });

  it("entries are frozen: the API offers no way to modify a record", async () => {
    const ledger = await filled();
    assert.throws(() => {
      (ledger.entries()[0] as { jti: string }).jti = "x";
    }, TypeError);
    assert.ok(Object.isFrozen(ledger.get("a")!.claims));
  });

  it("refuses a duplicate jti in the same scope (EctLedgerDuplicateError) but not in another workflow", async () => {
    const ledger = await filled();
    await assert.rejects(ledger.append(await ect("a", ["r"])), EctLedgerDuplicateError);
    await ledger.append(await ect("a", [], "other"));
    await assert.rejects(ledger.append(await ect("a", [], undefined)), EctLedgerDuplicateError); // global collides with all
    assert.equal(ledger.size, 5);
  });

  it("refuses an ECT whose parents are not recorded, unless told otherwise", async () => {
    const ledger = await filled();
    await assert.rejects(ledger.append(await ect("x", ["nope"])), EctLedgerMissingParentError);
    const loose = await EctLedger.open({ store: new MemoryLedgerStore(), requireParents: false });
    await loose.append(await ect("x", ["nope"]));
    assert.equal(loose.size, 1);
  });

  it("refuses tokens that are not well-formed ECTs", async () => {
    const ledger = await EctLedger.open({ store: new MemoryLedgerStore() });
    for (const t of ["nope", forge({ key: A.privateKey, payload: payload({ jti: undefined }) }), forge({ key: A.privateKey, payload: payload({ exp: "x" }) }), 5 as never]) {
      await assert.rejects(ledger.append(t), EctLedgerInvalidTokenError);
    }
    assert.equal(ledger.size, 0);
  });

  it("keeps order and chain under concurrent appends", async () => {
    const ledger = await EctLedger.open({ store: new MemoryLedgerStore() });
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => ect(`p${i}`)));
    await Promise.all(tokens.map((t) => ledger.append(t)));
    assert.deepEqual(ledger.entries().map((e) => e.jti), tokens.map((_, i) => `p${i}`));
    assert.ok(ledger.verifyIntegrity().ok);
  });

  it("serves verification step 13: replay and unknown parents are caught through it", async () => {
    const ledger = await filled();
    const opts = { keyStore: storeOf(A), audience: AUD, clock, store: ledger };
    assert.ok((await verifyEct(await ect("d", ["c"]), opts)).ok);
    const replay = await verifyEct(await ect("b", ["a"]), opts);
    assert.ok(!replay.ok && replay.error instanceof EctDuplicateJtiError);
    const orphan = await verifyEct(await ect("e", ["zz"]), opts);
    assert.ok(!orphan.ok && orphan.error instanceof EctUnknownParentError);
  });

  it("throws EctLedgerClosedError after close", async () => {
    const ledger = await filled();
    await ledger.close();
    await assert.rejects(ledger.append(await ect("z")), EctLedgerClosedError);
  });

  it("becomes unusable after a store write fails (EctLedgerFailedError), until reopened", async () => {
    let fail = false;
    const inner = new MemoryLedgerStore();
    const flaky: EctLedgerStore = {
      load: () => inner.load(),
      append: (e) => (fail ? Promise.reject(new Error("disk full")) : inner.append(e)),
      close: () => inner.close(),
    };
    const ledger = await EctLedger.open({ store: flaky });
    await ledger.append(await ect("r"));
    fail = true;
    await assert.rejects(ledger.append(await ect("s")), EctLedgerFailedError);
    fail = false;
    await assert.rejects(ledger.append(await ect("t")), EctLedgerFailedError);
    const reopened = await EctLedger.open({ store: new MemoryLedgerStore(inner.snapshot()) });
    assert.deepEqual(reopened.entries().map((e) => e.jti), ["r"]);
  });
});

describe("EctLedger.verifyIntegrity names the first tampered entry", () => {
  async function tampered(edit: (entries: EctLedgerEntry[]) => void): Promise<EctLedger> {
    const store = new MemoryLedgerStore();
    await filled(store);
    const entries = store.snapshot() as EctLedgerEntry[];
    edit(entries);
    return EctLedger.open({ store: new MemoryLedgerStore(entries) });
  }
  const rehash = (e: EctLedgerEntry) => {
    const { hash: _h, ...body } = e;
    e.hash = computeLedgerEntryHash(body);
  };

  it("content changed without re-hashing → that entry (reason hash)", async () => {
    const l = await tampered((e) => (e[1]!.recorded_at += 1));
    assert.deepEqual(pickReport(l), { ok: false, index: 1, seq: 2, reason: "hash" });
  });
  it("content changed and re-hashed → that entry, found through the broken link after it (reason link)", async () => {
    const other = await ect("forged", ["r"]);
    const l = await tampered((e) => {
      e[1]!.token = other;
      e[1]!.jti = "forged";
      rehash(e[1]!);
    });
    assert.deepEqual(pickReport(l), { ok: false, index: 1, seq: 2, reason: "link" });
  });
  it("the last entry changed and re-hashed → caught by an anchor", async () => {
    const store = new MemoryLedgerStore();
    const original = await filled(store);
    const anchor = { seq: original.size, hash: original.head };
    const entries = store.snapshot() as EctLedgerEntry[];
    entries[3]!.recorded_at = 0;
    rehash(entries[3]!);
    const l = await EctLedger.open({ store: new MemoryLedgerStore(entries) });
    assert.ok(l.verifyIntegrity().ok);
    const r = l.verifyIntegrity({ anchor });
    assert.ok(!r.ok && r.reason === "anchor" && r.index === 3);
  });
  it("an entry removed from the middle → the sequence breaks there", async () => {
    const l = await tampered((e) => e.splice(2, 1));
    assert.deepEqual(pickReport(l), { ok: false, index: 2, seq: 3, reason: "sequence" });
  });
  it("entries removed from the end → caught by an anchor", async () => {
    const store = new MemoryLedgerStore();
    const original = await filled(store);
    const l = await EctLedger.open({ store: new MemoryLedgerStore(store.snapshot().slice(0, 2)) });
    assert.ok(l.verifyIntegrity().ok);
    const r = l.verifyIntegrity({ anchor: { seq: original.size, hash: original.head } });
    assert.ok(!r.ok && r.reason === "anchor");
  });
  it("a jti that disagrees with the token, re-hashed → token_mismatch at that entry", async () => {
    const l = await tampered((e) => {
      e[3]!.jti = "c2";
      rehash(e[3]!);
    });
    assert.deepEqual(pickReport(l), { ok: false, index: 3, seq: 4, reason: "token_mismatch" });
  });
  it("a malformed entry and a broken genesis link are reported", async () => {
    assert.deepEqual(pickReport(await tampered((e) => ((e[2] as unknown as Record<string, unknown>).extra = 1))), { ok: false, index: 2, seq: 3, reason: "malformed_entry" });
    const g = await tampered((e) => {
      e[0]!.prev = "B".repeat(43);
      rehash(e[0]!);
    });
    assert.deepEqual(pickReport(g), { ok: false, index: 0, seq: 1, reason: "link" });
  });
  it("a ledger with a broken chain opens read-only: append throws EctLedgerIntegrityError", async () => {
    const l = await tampered((e) => (e[1]!.recorded_at += 1));
    assert.equal(l.openReport.ok, false);
    await assert.rejects(l.append(await ect("new", ["r"])), EctLedgerIntegrityError);
    assert.equal(l.get("c")?.entry.seq, 4); // still readable
  });
});

function pickReport(l: EctLedger): Record<string, unknown> {
  const r = l.verifyIntegrity();
  return r.ok ? { ok: true } : { ok: false, index: r.index, seq: r.seq, reason: r.reason };
}

describe("FileLedgerStore: durable JSON lines", () => {
  it("persists entries across reopen, one JSON line each", async () => {
    const path = join(dir, "persist.jsonl");
    const ledger = await filled(new FileLedgerStore(path));
    const head = ledger.head;
    await ledger.close();
    const lines = (await readFile(path, "utf8")).split("\n");
    assert.equal(lines.length, 5);
    assert.equal(lines[4], "");
    assert.equal(JSON.parse(lines[0]!).jti, "r");
    const again = await EctLedger.open({ store: new FileLedgerStore(path), clock });
    assert.equal(again.head, head);
    assert.equal(again.recovery, undefined);
    await again.append(await ect("d", ["c"]));
    assert.deepEqual(again.entries().map((e) => e.seq), [1, 2, 3, 4, 5]);
    await again.close();
    const third = await EctLedger.open({ store: new FileLedgerStore(path) });
    assert.ok(third.verifyIntegrity().ok);
    assert.equal(third.size, 5);
    await third.close();
  });

  it("group-commits concurrent appends in order", async () => {
    const path = join(dir, "group.jsonl");
    const ledger = await EctLedger.open({ store: new FileLedgerStore(path) });
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => ect(`g${i}`)));
    await Promise.all(tokens.map((t) => ledger.append(t)));
    await ledger.close();
    const reopened = await EctLedger.open({ store: new FileLedgerStore(path) });
    assert.deepEqual(reopened.entries().map((e) => e.jti), tokens.map((_, i) => `g${i}`));
    assert.ok(reopened.verifyIntegrity().ok);
    await reopened.close();
  });

  it("crash test: a file cut mid-line reopens with the torn line reported and everything before it intact", async () => {
    const path = join(dir, "crash.jsonl");
    const ledger = await filled(new FileLedgerStore(path));
    const before3 = ledger.entries().slice(0, 3).map((e) => ({ ...e }));
    await ledger.close();
    const full = (await stat(path)).size;
    const lastLine = (await readFile(path, "utf8")).trimEnd().split("\n")[3]!;
    const cut = full - Math.floor(lastLine.length / 2); // mid-way through the 4th line
    await truncate(path, cut);

    const reopened = await EctLedger.open({ store: new FileLedgerStore(path), clock });
    assert.ok(reopened.recovery);
    assert.equal(reopened.recovery.truncated, true);
    assert.equal(reopened.recovery.offset, full - lastLine.length - 1);
    assert.equal(reopened.recovery.length, cut - reopened.recovery.offset);
    assert.equal(reopened.recovery.bytes, lastLine.slice(0, reopened.recovery.length));
    assert.deepEqual(reopened.entries().map((e) => ({ ...e })), before3);
    assert.ok(reopened.verifyIntegrity().ok);
    // Appends resume on a clean line boundary.
    await reopened.append(await ect("c", ["b"]));
    await reopened.close();
    const third = await EctLedger.open({ store: new FileLedgerStore(path) });
    assert.equal(third.recovery, undefined);
    assert.deepEqual(third.entries().map((e) => e.jti), ["r", "a", "b", "c"]);
    assert.ok(third.verifyIntegrity().ok);
    await third.close();
  });

  it("a complete last line missing only its newline counts as torn (it was never acknowledged)", async () => {
    const path = join(dir, "nonl.jsonl");
    const ledger = await filled(new FileLedgerStore(path));
    await ledger.close();
    await truncate(path, (await stat(path)).size - 1);
    const reopened = await EctLedger.open({ store: new FileLedgerStore(path) });
    assert.equal(reopened.size, 3);
    assert.ok(reopened.recovery);
    await reopened.close();
  });

  it("onTornTail 'error' refuses to open and leaves the file untouched", async () => {
    const path = join(dir, "torn-error.jsonl");
    const ledger = await filled(new FileLedgerStore(path));
    await ledger.close();
    await appendFile(path, '{"v":1,"seq":5,"jt');
    const before = await readFile(path);
    await assert.rejects(EctLedger.open({ store: new FileLedgerStore(path, { onTornTail: "error" }) }), EctLedgerTornTailError);
    assert.deepEqual(await readFile(path), before);
  });

  it("an unreadable line before the end is corruption: EctLedgerCorruptError names it", async () => {
    const path = join(dir, "corrupt.jsonl");
    const ledger = await filled(new FileLedgerStore(path));
    await ledger.close();
    const lines = (await readFile(path, "utf8")).split("\n");
    lines[1] = lines[1]!.slice(0, 20);
    await writeFile(path, lines.join("\n"));
    await assert.rejects(EctLedger.open({ store: new FileLedgerStore(path) }), (err: unknown) => {
      assert.ok(err instanceof EctLedgerCorruptError);
      assert.match(err.details ?? "", /line 2/);
      return true;
    });
  });

  it("creates a missing file, and a store cannot be loaded twice or used after close", async () => {
    const path = join(dir, "new.jsonl");
    const store = new FileLedgerStore(path);
    const ledger = await EctLedger.open({ store });
    assert.equal(ledger.size, 0);
    assert.equal((await stat(path)).size, 0);
    await assert.rejects(store.load(), EctLedgerFailedError);
    await ledger.close();
    await assert.rejects(store.append([]), EctLedgerClosedError);
  });
});

describe("EctLedger.verifyIntegrityWithKeys: signatures re-checked (L7)", () => {
  /** Rewrites entry i's token and re-hashes the whole chain from there (a full rewrite an attacker could do). */
  function rewrite(entries: EctLedgerEntry[], i: number, token: string): void {
    entries[i]!.token = token;
    for (let k = i; k < entries.length; k++) {
      if (k > 0) entries[k]!.prev = entries[k - 1]!.hash;
      const { hash: _h, ...body } = entries[k]!;
      entries[k]!.hash = computeLedgerEntryHash(body);
    }
  }
  it("an intact ledger passes, also after its key was revoked (it was valid when recorded)", async () => {
    const ledger = await filled();
    const ks = storeOf(A);
    assert.deepEqual(await ledger.verifyIntegrityWithKeys({ keyStore: ks }), ledger.verifyIntegrity());
    ks.revoke("agent-a");
    assert.ok((await ledger.verifyIntegrityWithKeys({ keyStore: ks })).ok);
  });
  it("a rewritten and fully re-hashed chain passes verifyIntegrity but not the keyed check (reason signature)", async () => {
    const store = new MemoryLedgerStore();
    await filled(store);
    const entries = store.snapshot() as EctLedgerEntry[];
    const good = entries[2]!.token;
    const [h, , s] = good.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(good.split(".")[1]!, "base64url").toString()), exec_act: "transfer_all" })).toString("base64url");
    rewrite(entries, 2, `${h}.${forgedPayload}.${s}`);
    const l = await EctLedger.open({ store: new MemoryLedgerStore(entries) });
    assert.ok(l.verifyIntegrity().ok);
    const r = await l.verifyIntegrityWithKeys({ keyStore: storeOf(A) });
    assert.ok(!r.ok && r.reason === "signature" && r.index === 2 && r.seq === 3, JSON.stringify(r));
  });
  it("an unknown kid, an issuer that is not the key's subject, a failing or missing key store are named", async () => {
    const ledger = await filled();
    const other = await makeAgent("agent-a", "spiffe://bank.example/agent/someone-else");
    const r1 = await ledger.verifyIntegrityWithKeys({ keyStore: storeOf() });
    assert.ok(!r1.ok && r1.reason === "unknown_kid" && r1.index === 0);
    const r2 = await ledger.verifyIntegrityWithKeys({ keyStore: storeOf({ ...other, publicKey: A.publicKey }) });
    assert.ok(!r2.ok && r2.reason === "issuer" && r2.index === 0);
    const r3 = await ledger.verifyIntegrityWithKeys({ keyStore: { getKey: () => Promise.reject(new Error("down")), exportRecords: () => [] } });
    assert.ok(!r3.ok && r3.reason === "key_store" && /down/.test(r3.details));
    const r4 = await ledger.verifyIntegrityWithKeys(undefined as never);
    assert.ok(!r4.ok && r4.reason === "key_store");
    const r5 = await ledger.verifyIntegrityWithKeys({ keyStore: storeOf(other) });
    assert.ok(!r5.ok && r5.reason === "signature" && r5.index === 0);
  });
});

describe("EctLedger.open and the stores: typed errors only (M5)", () => {
  it("a FileLedgerStore on a directory, or under a missing directory, throws EctLedgerIoError with the I/O error as cause", async () => {
    for (const [path, errno] of [[dir, "EISDIR"], [join(dir, "missing", "sub", "ledger.jsonl"), "ENOENT"]] as const) {
      await assert.rejects(
        EctLedger.open({ store: new FileLedgerStore(path) }),
        (e: unknown) =>
          e instanceof EctLedgerIoError && e.code === "ECT_LEDGER_IO" && (e.cause as NodeJS.ErrnoException).code === errno && (e.details ?? "").includes(errno),
        path,
      );
      await assert.rejects(new FileLedgerStore(path).load(), EctLedgerIoError);
    }
  });
  it("a custom store whose load fails with a raw error, or returns no entries array, is EctLedgerIoError", async () => {
    const raw: EctLedgerStore = { load: () => Promise.reject(new RangeError("boom")), append: async () => undefined, close: async () => undefined };
    await assert.rejects(EctLedger.open({ store: raw }), (e: unknown) => e instanceof EctLedgerIoError && e.cause instanceof RangeError);
    const odd = { load: async () => ({ entries: "x" }), append: async () => undefined, close: async () => undefined } as unknown as EctLedgerStore;
    await assert.rejects(EctLedger.open({ store: odd }), EctLedgerIoError);
    // The store's own typed errors pass through unchanged.
    const closed = new MemoryLedgerStore();
    await closed.close();
    await assert.rejects(EctLedger.open({ store: closed }), EctLedgerClosedError);
  });
  it("bad parameters throw EctInvalidOptionError", async () => {
    for (const p of [undefined, null, {}, { store: 5 }, { store: new MemoryLedgerStore(), clock: 5 }, { store: new MemoryLedgerStore(), requireParents: "yes" }]) {
      await assert.rejects(EctLedger.open(p as never), EctInvalidOptionError, JSON.stringify(p));
    }
    assert.throws(() => new MemoryLedgerStore("x" as never), EctInvalidOptionError);
    assert.throws(() => new MemoryLedgerStore([() => 1]), EctInvalidOptionError);
  });
  it("verifyIntegrity(null) does not throw", async () => {
    const ledger = await filled();
    assert.ok(ledger.verifyIntegrity(null as never).ok);
  });
});
