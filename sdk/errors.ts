/**
 * The one error base class of the SDK. Every typed error extends it.
 *
 * Modelled on viem's `BaseError`: a short, stable `shortMessage`, an optional
 * `details` string naming the offending value, a machine-readable `code`
 * (stable across releases, safe to switch on), and the original `cause`.
 *
 * Verifiers never throw these for bad *input*: they return structured results
 * whose findings carry the same codes. Builders, parsers and stateful objects
 * (ledgers, state machines) throw them.
 */
export type AgentExecErrorParameters = {
  /** What exactly was wrong, naming the offending value or path. */
  details?: string | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Extra lines appended to `message` (e.g. "Path: capsule.effects[0]"). */
  metaMessages?: readonly string[] | undefined;
};

export class AgentExecError extends Error {
  override name = "AgentExecError";
  /** Stable machine-readable code, e.g. `ECT_BAD_TYP`. */
  readonly code: string;
  /** The short message, without details or meta lines. */
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: readonly string[] | undefined;

  constructor(code: string, shortMessage: string, parameters: AgentExecErrorParameters = {}) {
    const lines = [shortMessage];
    if (parameters.metaMessages?.length) lines.push("", ...parameters.metaMessages);
    if (parameters.details) lines.push("", `Details: ${parameters.details}`);
    super(lines.join("\n"), parameters.cause === undefined ? undefined : { cause: parameters.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = parameters.details;
    this.metaMessages = parameters.metaMessages;
  }

  /** Walks the `cause` chain and returns the first error matching `fn`, or null. */
  walk(fn: (err: unknown) => boolean): unknown {
    let err: unknown = this;
    const seen = new Set<unknown>();
    while (err && !seen.has(err)) {
      if (fn(err)) return err;
      seen.add(err);
      err = (err as { cause?: unknown }).cause;
    }
    return null;
  }
}

/**
 * Type guard that also recognises errors from another copy of this package (two versions installed side by side),
 * by shape: an `Error` with a string `code` and `shortMessage`.
 */
export function isAgentExecError(value: unknown): value is AgentExecError {
  if (value instanceof AgentExecError) return true;
  if (!(value instanceof Error)) return false;
  const v = value as Error & { code?: unknown; shortMessage?: unknown };
  return typeof v.code === "string" && typeof v.shortMessage === "string";
}
