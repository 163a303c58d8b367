/**
 * Strict JSON reading of Capsule payload bytes (§3.1: the COSE_Sign1 payload is
 * JSON, RFC 8259; §5.1: no floating-point numbers; RFC 8785 §3.1: I-JSON input).
 *
 * `JSON.parse` silently accepts what a digest-reproducible payload must not: a
 * repeated member name (the last one wins), `1.0` or `1e3` (read as integers, so a
 * float-bearing payload would look clean), and `\ud800` escapes (lone surrogates).
 * This parser rejects each with a typed error naming the JSON Pointer path (or the
 * character offset for syntax errors). It is iterative, so nesting depth is bounded
 * by memory, not by the call stack.
 *
 * `parseCapsuleJsonDetailed` instead reports the lexical floats the parsed value hides
 * — numbers written with a fraction or exponent whose value is nevertheless a safe
 * integer (`1.0`, `2e3`) — for verifiers that turn them into findings. Other floats
 * (`1.5`, `1e300`, `1e999`) stay visible in the value, where the JSON-DIGEST domain walk
 * reports them (CAPSULE_JSON_FLOAT / _UNSAFE_INTEGER / _NOT_JSON), so no number is
 * reported twice. Only the first `limit` of them carry a path (built on demand: a path
 * costs the nesting depth); the rest are counted, so hostile input (80,000 × `1.0`,
 * thousands of floats 4,000 levels deep) costs time linear in its size.
 */
import {
  CapsuleJsonDuplicateKeyError,
  CapsuleJsonFloatError,
  CapsuleJsonInputTypeError,
  CapsuleJsonInvalidUtf8Error,
  CapsuleJsonLoneSurrogateError,
  CapsuleJsonSyntaxError,
  CapsuleJsonUnsafeIntegerError,
} from "./errors.js";
import { CAPSULE_JSON_PROBLEM_LIMIT, isWellFormedString } from "./jsonDigest.js";
import { jsonPointerOfFrames } from "./jsonPointer.js";

export type ParseCapsuleJsonDetailedParameters = {
  /** Lexical floats recorded with their path (default 100); the rest are only counted. */
  limit?: number | undefined;
};

export type ParseCapsuleJsonDetailedReturnType = {
  value: unknown;
  /**
   * JSON Pointers of the first `limit` numbers written with a fraction or exponent whose
   * value reads as a safe integer (`1.0`, `2e3`), in document order.
   */
  lexicalFloats: string[];
  /** How many such numbers the text holds (`lexicalFloats` lists the first `limit`). */
  lexicalFloatCount: number;
};

type Container = { value: Record<string, unknown> | unknown[]; token: string | number; key: string | undefined };

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

class Parser {
  private i = 0;
  readonly lexicalFloats: string[] = [];
  lexicalFloatCount = 0;
  constructor(
    private readonly s: string,
    private readonly rejectFloats: boolean,
    private readonly limit: number,
  ) {}

  private syntax(expected: string): never {
    const at = this.i < this.s.length ? JSON.stringify(this.s[this.i]) : "end of input";
    throw new CapsuleJsonSyntaxError({ details: `offset ${this.i}: expected ${expected}, found ${at}` });
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  private string(): string {
    const s = this.s;
    let i = this.i + 1; // after the opening quote
    let out = "";
    let start = i;
    for (;;) {
      if (i >= s.length) { this.i = i; this.syntax("closing quote"); }
      const c = s.charCodeAt(i);
      if (c === 0x22) { out += s.slice(start, i); this.i = i + 1; return out; }
      if (c < 0x20) { this.i = i; this.syntax("escaped control character"); }
      if (c !== 0x5c) { i++; continue; }
      out += s.slice(start, i);
      const e = s.charCodeAt(i + 1);
      switch (e) {
        case 0x22: out += '"'; i += 2; break;
        case 0x5c: out += "\\"; i += 2; break;
        case 0x2f: out += "/"; i += 2; break;
        case 0x62: out += "\b"; i += 2; break;
        case 0x66: out += "\f"; i += 2; break;
        case 0x6e: out += "\n"; i += 2; break;
        case 0x72: out += "\r"; i += 2; break;
        case 0x74: out += "\t"; i += 2; break;
        case 0x75: {
          const hex = s.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) { this.i = i; this.syntax("four hex digits after \\u"); }
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
          break;
        }
        default:
          this.i = i;
          this.syntax("a valid escape");
      }
      start = i;
    }
  }

  /** Returns the number; records lexical floats. */
  private number(path: () => string): number {
    const s = this.s;
    const begin = this.i;
    let i = begin;
    if (s.charCodeAt(i) === 0x2d) i++;
    const d0 = s.charCodeAt(i);
    if (d0 === 0x30) i++;
    else if (d0 >= 0x31 && d0 <= 0x39) { while (isDigit(s.charCodeAt(i))) i++; }
    else { this.i = i; this.syntax("a digit"); }
    let isFloat = false;
    if (s.charCodeAt(i) === 0x2e) {
      isFloat = true;
      i++;
      if (!isDigit(s.charCodeAt(i))) { this.i = i; this.syntax("a digit after the decimal point"); }
      while (isDigit(s.charCodeAt(i))) i++;
    }
    const ec = s.charCodeAt(i);
    if (ec === 0x65 || ec === 0x45) {
      isFloat = true;
      i++;
      const sc = s.charCodeAt(i);
      if (sc === 0x2b || sc === 0x2d) i++;
      if (!isDigit(s.charCodeAt(i))) { this.i = i; this.syntax("a digit in the exponent"); }
      while (isDigit(s.charCodeAt(i))) i++;
    }
    const text = s.slice(begin, i);
    this.i = i;
    const n = Number(text);
    if (isFloat) {
      if (this.rejectFloats) {
        const p = path();
        throw new CapsuleJsonFloatError({ path: p, details: `${p || "(root)"}: ${text} is a floating-point number; use an exact decimal string` });
      }
      // a float that does not read as a safe integer stays visible in the value itself
      if (Number.isSafeInteger(n)) {
        if (this.lexicalFloats.length < this.limit) this.lexicalFloats.push(path());
        this.lexicalFloatCount++;
      }
      return n;
    }
    if (!Number.isSafeInteger(n)) {
      const p = path();
      throw new CapsuleJsonUnsafeIntegerError({ path: p, details: `${p || "(root)"}: ${text} is outside ±(2^53−1); use a decimal string` });
    }
    return n;
  }

  private literal(word: string, value: unknown): unknown {
    if (this.s.startsWith(word, this.i)) { this.i += word.length; return value; }
    return this.syntax("a JSON value");
  }

  parse(): unknown {
    const s = this.s;
    const stack: Container[] = [];
    let root: unknown;
    let haveRoot = false;
    // Reads one value starting at this.i. Containers are pushed and filled by the loop below.
    const place = (v: unknown): void => {
      const top = stack[stack.length - 1];
      if (top === undefined) { root = v; haveRoot = true; return; }
      if (Array.isArray(top.value)) top.value.push(v);
      else {
        const k = top.key as string;
        if (k === "__proto__") Object.defineProperty(top.value, k, { value: v, enumerable: true, writable: true, configurable: true });
        else top.value[k] = v;
      }
    };
    const currentToken = (): string | number | undefined => {
      const top = stack[stack.length - 1];
      if (top === undefined) return undefined;
      return Array.isArray(top.value) ? top.value.length : top.key;
    };
    const pathHere = (): string => {
      const t = currentToken();
      return t === undefined ? "" : jsonPointerOfFrames(stack, t);
    };

    // value-start state
    let expectValue = true;
    for (;;) {
      this.ws();
      if (expectValue) {
        const c = s.charCodeAt(this.i);
        if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
          const token = currentToken() ?? "";
          const value: Record<string, unknown> | unknown[] = c === 0x7b ? {} : [];
          place(value);
          stack.push({ value, token, key: undefined });
          this.i++;
          this.ws();
          const close = s.charCodeAt(this.i);
          if (c === 0x5b && close === 0x5d) { this.i++; stack.pop(); expectValue = false; continue; }
          if (c === 0x7b && close === 0x7d) { this.i++; stack.pop(); expectValue = false; continue; }
          if (c === 0x7b) { this.memberName(stack); }
          continue; // expect a value (array element or member value)
        }
        let v: unknown;
        if (c === 0x22) {
          const p = pathHere;
          v = this.string();
          if (!isWellFormedString(v as string)) { const path = p(); throw new CapsuleJsonLoneSurrogateError({ path, details: `${path || "(root)"}: string contains a lone surrogate` }); }
        } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) v = this.number(pathHere);
        else if (c === 0x74) v = this.literal("true", true);
        else if (c === 0x66) v = this.literal("false", false);
        else if (c === 0x6e) v = this.literal("null", null);
        else this.syntax("a JSON value");
        place(v);
        expectValue = false;
        continue;
      }
      // after a value: close containers or continue with ',' ; at top level: end of input
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (this.i !== s.length) this.syntax("end of input");
        if (!haveRoot) this.syntax("a JSON value");
        return root;
      }
      const c = s.charCodeAt(this.i);
      if (Array.isArray(top.value)) {
        if (c === 0x2c) { this.i++; expectValue = true; continue; }
        if (c === 0x5d) { this.i++; stack.pop(); continue; }
        this.syntax("',' or ']'");
      } else {
        if (c === 0x2c) { this.i++; this.ws(); this.memberName(stack); expectValue = true; continue; }
        if (c === 0x7d) { this.i++; stack.pop(); continue; }
        this.syntax("',' or '}'");
      }
    }
  }

  /** Reads `"name" :` for the object on top of the stack, rejecting duplicates. */
  private memberName(stack: Container[]): void {
    const top = stack[stack.length - 1] as Container;
    if (this.s.charCodeAt(this.i) !== 0x22) this.syntax("a member name");
    const k = this.string();
    if (!isWellFormedString(k)) { const path = jsonPointerOfFrames(stack, k); throw new CapsuleJsonLoneSurrogateError({ path, details: `${path}: member name contains a lone surrogate` }); }
    if (Object.prototype.hasOwnProperty.call(top.value, k)) {
      const path = jsonPointerOfFrames(stack, k);
      throw new CapsuleJsonDuplicateKeyError({ path, details: `${path}: member ${JSON.stringify(k)} appears more than once` });
    }
    this.ws();
    if (this.s.charCodeAt(this.i) !== 0x3a) this.syntax("':'");
    this.i++;
    top.key = k;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function toText(input: string | Uint8Array): string {
  if (typeof input === "string") return input;
  let isBytes: boolean;
  try {
    isBytes = input instanceof Uint8Array;
  } catch (cause) {
    throw new CapsuleJsonInputTypeError({ cause, details: "the input could not be inspected" });
  }
  if (!isBytes) {
    const got = input === null ? "null" : Array.isArray(input) ? "an array" : typeof input;
    throw new CapsuleJsonInputTypeError({ details: `expected JSON text (a string) or UTF-8 bytes (a Uint8Array), got ${got}` });
  }
  try {
    return decoder.decode(input);
  } catch (cause) {
    throw new CapsuleJsonInvalidUtf8Error({ cause, details: "the payload bytes are not well-formed UTF-8" });
  }
}

/**
 * Parses Capsule JSON strictly: RFC 8259 syntax, no duplicate member names, no lone
 * surrogates, no floating-point numbers, integers within ±(2^53−1). Throws a typed
 * `CapsuleError` naming the JSON Pointer path (or offset); input that is neither a
 * string nor a Uint8Array is `CapsuleJsonInputTypeError`.
 */
export function parseCapsuleJson(input: string | Uint8Array): unknown {
  return new Parser(toText(input), true, 0).parse();
}

/**
 * Like `parseCapsuleJson`, but numbers are read rather than refused: the lexical floats
 * the value hides (`1.0`, `2e3`) are returned as paths (the first `limit`) and a count;
 * other floats (`1.5`, `1e300`) are left in the value for the domain walk to report.
 * Syntax, duplicate members, lone surrogates, invalid UTF-8 and integer literals
 * outside ±(2^53−1) still throw.
 */
export function parseCapsuleJsonDetailed(input: string | Uint8Array, parameters: ParseCapsuleJsonDetailedParameters = {}): ParseCapsuleJsonDetailedReturnType {
  const p = new Parser(toText(input), false, parameters.limit ?? CAPSULE_JSON_PROBLEM_LIMIT);
  const value = p.parse();
  return { value, lexicalFloats: p.lexicalFloats, lexicalFloatCount: p.lexicalFloatCount };
}
