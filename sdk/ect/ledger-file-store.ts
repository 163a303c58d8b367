/**
 * Durable audit-ledger store: one JSON line per entry, appended and flushed with fsync.
 *
 * Spec: seed 000, 4.6 "Audit Ledger Interface" (append-only). Durability and crash safety:
 *
 * - An append resolves only after its line (terminated by "\n") is written and fsync'd, so an
 *   acknowledged entry survives a crash. Concurrent appends are group-committed: one write and
 *   one fsync for every entry queued meanwhile, in order.
 * - A crash mid-write can leave a last line without its "\n" (a torn write). Such a line was
 *   never acknowledged. On open it is detected and reported (`EctLedgerRecovery`, with the
 *   torn bytes), and by default cut off so appends can resume; every earlier line is kept.
 *   `onTornTail: "error"` refuses to open instead, leaving the file untouched.
 * - Any other unreadable line is damage, not a torn write: opening fails with
 *   `EctLedgerCorruptError` naming the line; nothing is modified.
 * - A new file's directory entry is fsync'd too.
 * - I/O failures while opening or reading (the path is a directory, its directory does not
 *   exist, permissions) throw `EctLedgerIoError` naming the path and errno, with the Node
 *   error as `cause`.
 *
 * One writer per file: the store does not lock the file against other processes.
 */
import { open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { isAgentExecError } from "../errors.js";
import { EctLedgerClosedError, EctLedgerCorruptError, EctLedgerFailedError, EctLedgerIoError, EctLedgerTornTailError } from "./errors.js";
import type { EctLedgerEntry, EctLedgerLoadResult, EctLedgerRecovery, EctLedgerStore } from "./ledger-store.js";

export type FileLedgerStoreOptions = {
  /** What to do with a torn last line on open: cut it off and report it (default), or throw `EctLedgerTornTailError`. */
  onTornTail?: "truncate" | "error" | undefined;
  /** fsync after every batch (default true). Turning it off trades durability for speed. */
  fsync?: boolean | undefined;
};

type Pending = { data: string; resolve: () => void; reject: (e: unknown) => void };

export class FileLedgerStore implements EctLedgerStore {
  readonly path: string;
  readonly #options: FileLedgerStoreOptions;
  #fh: FileHandle | undefined;
  #pending: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #failure: unknown;
  /** Byte length of the file's complete lines. */
  #end = 0;
  #closed = false;

  constructor(path: string, options: FileLedgerStoreOptions = {}) {
    this.path = path;
    this.#options = options;
  }

  async load(): Promise<EctLedgerLoadResult> {
    if (this.#closed) throw new EctLedgerClosedError({ details: this.path });
    if (this.#fh) throw new EctLedgerFailedError({ details: `${this.path} is already loaded` });
    let created = false;
    let fh: FileHandle;
    try {
      try {
        fh = await open(this.path, "r+");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        fh = await open(this.path, "wx+");
        created = true;
      }
    } catch (err) {
      throw this.#ioError("cannot open", err);
    }
    try {
      if (created) await syncDir(dirname(this.path));
      const buf = await fh.readFile();
      const lastNl = buf.lastIndexOf(0x0a);
      const end = lastNl + 1; // bytes [0, end) are complete lines
      let recovery: EctLedgerRecovery | undefined;
      if (end < buf.length) {
        const tail = buf.subarray(end);
        if (this.#options.onTornTail === "error") {
          throw new EctLedgerTornTailError({ details: `${this.path}: last ${tail.length} bytes at offset ${end} are not a complete line` });
        }
        await fh.truncate(end);
        await fh.sync();
        recovery = { offset: end, length: tail.length, bytes: tail.toString("utf8"), truncated: true };
      }
      const entries: unknown[] = [];
      let start = 0;
      let line = 0;
      while (start < end) {
        const nl = buf.indexOf(0x0a, start);
        line++;
        const text = buf.toString("utf8", start, nl);
        try {
          entries.push(JSON.parse(text));
        } catch (cause) {
          throw new EctLedgerCorruptError({ details: `${this.path}: line ${line} (byte ${start}) is not JSON: ${(cause as Error).message}`, cause });
        }
        start = nl + 1;
      }
      this.#fh = fh;
      this.#end = end;
      return recovery ? { entries, recovery } : { entries };
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw isAgentExecError(err) ? err : this.#ioError("cannot read", err);
    }
  }

  #ioError(what: string, err: unknown): EctLedgerIoError {
    const code = (err as NodeJS.ErrnoException)?.code;
    return new EctLedgerIoError({ details: `${what} ${JSON.stringify(this.path)}${code ? ` (${code})` : ""}: ${(err as Error)?.message ?? String(err)}`, cause: err });
  }

  append(entries: readonly EctLedgerEntry[]): Promise<void> {
    if (this.#closed) return Promise.reject(new EctLedgerClosedError({ details: this.path }));
    if (!this.#fh) return Promise.reject(new EctLedgerFailedError({ details: `${this.path} was not loaded` }));
    if (this.#failure !== undefined) return Promise.reject(new EctLedgerFailedError({ details: `${this.path}: an earlier write failed`, cause: this.#failure }));
    let data = "";
    for (const e of entries) data += JSON.stringify(e) + "\n";
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ data, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const fh = this.#fh!;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0);
      try {
        // Write at the tracked end of file, looping over short writes.
        const data = Buffer.from(batch.map((b) => b.data).join(""), "utf8");
        let off = 0;
        while (off < data.length) {
          const { bytesWritten } = await fh.write(data, off, data.length - off, this.#end + off);
          if (bytesWritten <= 0) throw new Error("write made no progress");
          off += bytesWritten;
        }
        this.#end += data.length;
        if (this.#options.fsync !== false) await fh.sync();
        for (const b of batch) b.resolve();
      } catch (err) {
        this.#failure = err;
        const failed = new EctLedgerFailedError({ details: `${this.path}: write failed: ${(err as Error).message}`, cause: err });
        for (const b of batch) b.reject(failed);
        for (const b of this.#pending.splice(0)) b.reject(failed);
      }
    }
    this.#flushing = undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#flushing;
    await this.#fh?.close();
    this.#fh = undefined;
  }
}

async function syncDir(dir: string): Promise<void> {
  let d: FileHandle | undefined;
  try {
    d = await open(dir, "r");
    await d.sync();
  } catch {
    // Some platforms cannot fsync a directory; the file itself is still fsync'd.
  } finally {
    await d?.close().catch(() => undefined);
  }
}
