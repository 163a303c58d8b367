/**
 * CBOR validity checks the COSE_Sign1 envelope needs beyond well-formedness
 * (draft-mih-scitt-agent-action-capsule-01 §3.1; RFC 9052 §3; RFC 8949 §5.6, §4.2.1).
 *
 * A decoder that builds JS Maps silently keeps the last of two equal keys, so the
 * bytes are scanned directly:
 *
 * - Duplicate map keys, at every depth (RFC 8949 §5.6: a map with duplicate keys is
 *   not valid CBOR; RFC 9052 §3: header labels are unique). In the protected header a
 *   duplicate would let two verifiers read two different `alg`s, or `iss`s inside the
 *   CWT Claims, from the same signed bytes. Integer and string keys are compared by
 *   value (`1` encoded in one byte or in two is the same key); other keys (tagged,
 *   floats, containers) by their encoded bytes.
 * - Indefinite-length items, where deterministic encoding is required (RFC 8949
 *   §4.2.1: "Indefinite-length items MUST NOT appear"): the protected header, whose
 *   bytes are what is signed and what every verifier must read alike.
 *
 * The scan is iterative (nesting depth bounded by memory), linear in the input, and
 * never throws: anything it cannot follow is reported as a problem.
 */

/** A validity problem: where (a pointer of map labels and array indices) and what. */
export type CborValidityProblem = { path: string; message: string };

export type FindCborValidityProblemParameters = {
  /** Reject indefinite-length strings, arrays and maps (deterministic encoding). */
  deterministic: boolean;
  /** Prefix of reported paths (e.g. "/0" for the protected header of a COSE_Sign1). */
  basePath?: string | undefined;
};

type Frame = {
  kind: "map" | "array" | "chunks";
  /** Items still expected (a map counts keys and values); Infinity until a break. */
  remaining: number;
  /** Map: identities of the keys seen so far. */
  keys: Set<string>;
  /** Map: the next item is a key. */
  awaitingKey: boolean;
  /** Map: offset where the current key starts (-1 before it starts), and whether it is tagged. */
  keyStart: number;
  keyTagged: boolean;
  /** Display token of the current position: the map key whose value is read, or the array index. */
  current: string;
  index: number;
  /** Indefinite string: its major type and the concatenated chunk bytes (hex). */
  major: number;
  acc: string;
};

const text = new TextDecoder("utf-8", { fatal: false });

function hex(bytes: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += (bytes[i] as number).toString(16).padStart(2, "0");
  return s;
}

class CborScanner {
  private pos = 0;
  private readonly stack: Frame[] = [];
  private rootDone = false;
  private found: CborValidityProblem | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly o: FindCborValidityProblemParameters,
  ) {}

  private path(includeTopKey: boolean): string {
    let p = this.o.basePath ?? "";
    const n = this.stack.length;
    for (let i = 0; i < n; i++) {
      const f = this.stack[i] as Frame;
      if (f.kind === "chunks") continue;
      if (f.kind === "map" && f.awaitingKey && !(includeTopKey && i === n - 1)) continue;
      p += "/" + f.current;
    }
    return p;
  }

  private fail(message: string): CborValidityProblem {
    this.found ??= { path: this.path(false), message };
    return this.found;
  }

  private push(kind: Frame["kind"], remaining: number, major: number): void {
    this.stack.push({ kind, remaining, keys: new Set(), awaitingKey: true, keyStart: -1, keyTagged: false, current: "0", index: 0, major, acc: "" });
  }

  /** One item (scalar, or a container just closed) is complete in its container. */
  private completed(identity: string | undefined, display: string | undefined): void {
    for (;;) {
      const f = this.stack[this.stack.length - 1];
      if (f === undefined) {
        this.rootDone = true;
        return;
      }
      if (f.kind === "map") {
        if (f.awaitingKey) {
          const id = f.keyTagged || identity === undefined ? `raw:${hex(this.bytes, f.keyStart, this.pos)}` : identity;
          const shown = f.keyTagged ? undefined : display;
          if (f.keys.has(id)) {
            this.fail(`duplicate map key ${shown ?? id}: map keys (header labels, claim keys) must be unique (RFC 8949 §5.6, RFC 9052 §3)`);
            return;
          }
          f.keys.add(id);
          f.current = shown ?? "?";
          f.awaitingKey = false;
          f.keyStart = -1;
          f.keyTagged = false;
        } else {
          f.awaitingKey = true;
        }
      } else {
        f.index++;
        f.current = String(f.index);
      }
      f.remaining--;
      if (f.remaining > 0) return;
      this.stack.pop(); // a definite container is complete: it is an item of its parent
      identity = undefined;
      display = undefined;
    }
  }

  run(): CborValidityProblem | undefined {
    const b = this.bytes;
    while (this.found === undefined) {
      if (this.rootDone) return this.pos === b.length ? undefined : this.fail("bytes after the CBOR item");
      if (this.pos >= b.length) return this.fail("the CBOR item ends early");
      const top = this.stack[this.stack.length - 1];
      const start = this.pos;
      const ib = b[this.pos++] as number;
      const major = ib >> 5;
      const ai = ib & 0x1f;
      if (top?.kind === "map" && top.awaitingKey && top.keyStart < 0) top.keyStart = start;

      if (ib === 0xff) {
        // break: closes the innermost indefinite-length item
        if (top === undefined || top.remaining !== Infinity || (top.kind === "map" && !top.awaitingKey)) return this.fail("unexpected break code");
        this.stack.pop();
        if (top.kind === "chunks") {
          const s = top.acc;
          this.completed(`${top.major}:${s}`, top.major === 3 ? text.decode(Buffer.from(s, "hex")) : `h'${s.slice(0, 32)}'`);
        } else this.completed(undefined, undefined);
        continue;
      }

      // the argument
      let arg = 0;
      let big: bigint | undefined;
      let indefinite = false;
      if (ai < 24) arg = ai;
      else if (ai <= 27) {
        const width = 1 << (ai - 24);
        if (this.pos + width > b.length) return this.fail("the CBOR item ends early");
        if (width === 8) {
          let v = 0n;
          for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(b[this.pos + i] as number);
          big = v;
          arg = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : Number.NaN;
        } else {
          for (let i = 0; i < width; i++) arg = arg * 256 + (b[this.pos + i] as number);
        }
        this.pos += width;
      } else if (ai === 31 && major >= 2 && major <= 5) indefinite = true;
      else return this.fail(`reserved additional information ${ai} (major type ${major})`);

      if (top?.kind === "chunks" && (major !== top.major || indefinite)) return this.fail("an indefinite-length string holds a chunk of another type");

      switch (major) {
        case 0:
        case 1: {
          const n = big ?? BigInt(arg);
          const value = major === 0 ? n : -1n - n;
          this.completed(`i:${value}`, value.toString());
          break;
        }
        case 2:
        case 3: {
          if (indefinite) {
            if (this.o.deterministic) return this.fail("indefinite-length string: deterministic encoding (RFC 8949 §4.2.1) requires definite lengths");
            this.push("chunks", Infinity, major);
            break;
          }
          if (Number.isNaN(arg) || this.pos + arg > b.length) return this.fail("the CBOR item ends early");
          const from = this.pos;
          this.pos += arg;
          if (top?.kind === "chunks") {
            top.acc += hex(b, from, this.pos);
            break;
          }
          const display = major === 3 ? text.decode(b.subarray(from, this.pos)) : `h'${hex(b, from, Math.min(this.pos, from + 16))}'`;
          this.completed(`${major}:${hex(b, from, this.pos)}`, display);
          break;
        }
        case 4:
        case 5: {
          if (indefinite && this.o.deterministic) {
            return this.fail(`indefinite-length ${major === 5 ? "map" : "array"}: deterministic encoding (RFC 8949 §4.2.1) requires definite lengths`);
          }
          const count = indefinite ? Infinity : major === 5 ? arg * 2 : arg;
          if (Number.isNaN(count)) return this.fail("a container length beyond this scanner's range");
          if (count === 0) this.completed(undefined, undefined);
          else this.push(major === 5 ? "map" : "array", count, major);
          break;
        }
        case 6:
          // a tag: its content is the next item; a tagged map key is compared by its bytes
          if (top?.kind === "map" && top.awaitingKey) top.keyTagged = true;
          break;
        default:
          // major 7: simple values and floats (the argument bytes are already skipped)
          this.completed(undefined, undefined);
          break;
      }
    }
    return this.found;
  }
}

/**
 * The first duplicate map key — or, with `deterministic`, indefinite-length item — in
 * one CBOR data item (trailing bytes and truncation are reported too), or undefined.
 */
export function findCborValidityProblem(bytes: Uint8Array, parameters: FindCborValidityProblemParameters): CborValidityProblem | undefined {
  return new CborScanner(bytes, parameters).run();
}
