/**
 * The `Execution-Context` HTTP header: build, parse, and verify (all tokens of a request).
 *
 * Spec: seed 000, 4.5 "HTTP Transport": ECTs travel in the `Execution-Context` header;
 * "Multiple Execution-Context headers may appear when multiple parent tasks contribute context
 * (fan-in). Receivers must individually verify each ECT and reject the request if any fails."
 * 4.4: "Failed verification returns HTTP 403 (invalid ECT with valid WIT) or HTTP 401
 * (signature failure)".
 *
 * Several tokens are carried either as several header lines or as one comma-separated line
 * (RFC 9110 5.3: the two are equivalent; a compact JWS never contains a comma). Node's
 * `req.headers["execution-context"]` joins repeated lines with ", ", and `parse` accepts that,
 * an array of lines, or a single token. A header that cannot be parsed is a 400; invalid
 * options are `EctInvalidOptionError` (thrown by build/parse, a 500 from verify).
 */
import { ECT_MAX_TOKEN_LENGTH, EXECUTION_CONTEXT_HEADER } from "./constants.js";
import type { EctClaims } from "./claims.js";
import { ectDagViolationToError } from "./dag.js";
import { resolveEctDagTraversal, validateSetCompiled, type EctDagTraversal } from "./dag-store.js";
import { EctHeaderError, EctInvalidOptionError, type EctVerifyError } from "./errors.js";
import { compileVerifyEct, verifyCompiled, type VerifyEctFailure, type VerifyEctParameters } from "./verify.js";

export { EXECUTION_CONTEXT_HEADER };

/** Default maximum number of tokens in one request. */
export const EXECUTION_CONTEXT_MAX_TOKENS = 64;

const COMPACT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type ExecutionContextHeaderOptions = {
  /** Maximum number of tokens (default 64; a positive integer). */
  maxTokens?: number | undefined;
};

/** The token limit of the options, or the option problem. Never throws. */
function maxTokensOf(options: unknown): number | EctInvalidOptionError {
  if (options === undefined) return EXECUTION_CONTEXT_MAX_TOKENS;
  if (typeof options !== "object" || options === null) {
    return new EctInvalidOptionError({ details: `header options must be an object, got ${options === null ? "null" : typeof options}` });
  }
  let max: unknown;
  try {
    max = (options as ExecutionContextHeaderOptions).maxTokens;
  } catch (cause) {
    return new EctInvalidOptionError({ details: "header options could not be read", cause });
  }
  if (max === undefined) return EXECUTION_CONTEXT_MAX_TOKENS;
  if (typeof max === "number" && Number.isSafeInteger(max) && max >= 1) return max;
  return new EctInvalidOptionError({ details: `"maxTokens" must be a positive integer, got ${typeof max === "number" ? String(max) : typeof max}` });
}

/**
 * Builds the header value for one or more ECTs: tokens joined by ", ". Throws `EctHeaderError`
 * for an empty list or a value that is not a compact JWS.
 */
export function buildExecutionContextHeader(tokens: string | readonly string[], options: ExecutionContextHeaderOptions = {}): string {
  const max = maxTokensOf(options);
  if (max instanceof EctInvalidOptionError) throw max;
  const list = typeof tokens === "string" ? [tokens] : tokens;
  if (!Array.isArray(list) || list.length === 0) throw new EctHeaderError({ details: "at least one token is required" });
  if (list.length > max) throw new EctHeaderError({ details: `${list.length} tokens, more than the maximum of ${max}` });
  list.forEach((t, i) => {
    if (typeof t !== "string" || t.length > ECT_MAX_TOKEN_LENGTH || !COMPACT_RE.test(t)) {
      throw new EctHeaderError({ details: `token ${i} is not a JWS compact serialization` });
    }
  });
  return list.join(", ");
}

/**
 * Parses the header value(s) into tokens. Accepts a string (one line, possibly comma-joined)
 * or an array of lines (as `IncomingMessage.headersDistinct` gives). Throws `EctHeaderError`
 * (bad header) or `EctInvalidOptionError` (bad options).
 */
export function parseExecutionContextHeader(value: string | readonly string[] | undefined, options: ExecutionContextHeaderOptions = {}): string[] {
  const max = maxTokensOf(options);
  if (max instanceof EctInvalidOptionError) throw max;
  if (value === undefined) throw new EctHeaderError({ details: `no ${EXECUTION_CONTEXT_HEADER} header` });
  const lines = typeof value === "string" ? [value] : value;
  if (!Array.isArray(lines)) throw new EctHeaderError({ details: "header value must be a string or an array of strings" });
  const out: string[] = [];
  for (const line of lines) {
    if (typeof line !== "string") throw new EctHeaderError({ details: "header value must be a string or an array of strings" });
    for (const part of line.split(",")) {
      const t = part.trim();
      if (t.length === 0) throw new EctHeaderError({ details: `empty list element in ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line)}` });
      if (t.length > ECT_MAX_TOKEN_LENGTH || !COMPACT_RE.test(t)) {
        throw new EctHeaderError({ details: `element ${out.length} is not a JWS compact serialization` });
      }
      out.push(t);
      if (out.length > max) throw new EctHeaderError({ details: `more than ${max} tokens` });
    }
  }
  if (out.length === 0) throw new EctHeaderError({ details: "the header carries no token" });
  return out;
}

export type VerifyExecutionContextParameters = Omit<VerifyEctParameters, "dagTraversal"> &
  ExecutionContextHeaderOptions & {
    /** Step 13 against `store`: `"auto"` (default), `"full"` or `"parents"` (see dag-store.ts). */
    dagTraversal?: EctDagTraversal | undefined;
  };

export type VerifiedExecutionContext = { token: string; claims: EctClaims };

export type VerifyExecutionContextReturnType =
  | {
      ok: true;
      /** The request's ECTs, parents before children (the order to append them to a ledger in). */
      tokens: VerifiedExecutionContext[];
    }
  | {
      ok: false;
      /** 400 (unparseable header), 401 (identity/signature, steps 4-8), 403 (any other step), 500 (invalid options). */
      httpStatus: 400 | 401 | 403 | 500;
      /** Index of the failing token in the header (absent for a header parse error). */
      index?: number | undefined;
      /** The failing token's verification failure. */
      failure?: VerifyEctFailure | undefined;
      /** The failing token's error, the header parse error, or the options error. */
      error: EctVerifyError | EctHeaderError;
    };

/**
 * Verifies every ECT of an `Execution-Context` header; the request is rejected if any fails.
 * Steps 1-12 run per token; step 13 runs over the request's tokens together, so a token may
 * name another token of the same request as its parent (fan-in), and parents outside the
 * request are looked up in `store`. Never throws.
 */
export async function verifyExecutionContext(
  value: string | readonly string[] | undefined,
  parameters: VerifyExecutionContextParameters,
): Promise<VerifyExecutionContextReturnType> {
  const c = compileVerifyEct(parameters);
  if (c.traversal === "skip") c.problems.push('"dagTraversal" must be "auto", "full" or "parents" here');
  const max = maxTokensOf(parameters);
  if (max instanceof EctInvalidOptionError) c.problems.push(max.details ?? max.shortMessage);
  if (c.problems.length > 0) return { ok: false, httpStatus: 500, error: new EctInvalidOptionError({ details: c.problems.join("; ") }) };
  let tokens: string[];
  try {
    tokens = parseExecutionContextHeader(value, { maxTokens: max as number });
  } catch (err) {
    return { ok: false, httpStatus: 400, error: err as EctHeaderError };
  }
  const perToken = { ...c, traversal: "skip" as const };
  const results = await Promise.all(tokens.map((t) => verifyCompiled(t, perToken)));
  const claims: EctClaims[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    if (!r.ok) return { ok: false, httpStatus: r.httpStatus, index: i, failure: r, error: r.error };
    claims.push(r.claims);
  }
  // Step 13 over the set (parents in the request or in the store).
  const traversal = resolveEctDagTraversal(c.traversal, c.store) as "full" | "parents";
  const dag = await validateSetCompiled(claims, c.dag!, c.store, traversal);
  const violations = dag.violations;
  if (violations.length > 0) {
    const first = violations[0]!;
    const index = first.index ?? claims.findIndex((cl) => cl.jti === first.jti);
    const error = ectDagViolationToError(first);
    const failure: VerifyEctFailure = { ok: false, step: error.step, error, httpStatus: error.httpStatus, violations };
    return { ok: false, httpStatus: error.httpStatus, index: index >= 0 ? index : undefined, failure, error };
  }
  const order = dag.order ?? claims.map((_, i) => i);
  return { ok: true, tokens: order.map((i) => ({ token: tokens[i]!, claims: claims[i]! })) };
}
