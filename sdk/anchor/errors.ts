import { AgentExecError } from "../errors.js";

/** A digest asked for is not a leaf of the tree. */
export class AnchorDigestNotInTreeError extends AgentExecError {
  override name = "AnchorDigestNotInTreeError";
  readonly digest: string;
  constructor(digest: string) {
    super("ANCHOR_DIGEST_NOT_IN_TREE", "The digest is not a leaf of this tree.", { details: `digest ${digest}` });
    this.digest = digest;
  }
}

/** A tree must hold at least one digest and at most 2^32 - 1 (the contract's `uint32 leafCount`). */
export class AnchorTreeSizeError extends AgentExecError {
  override name = "AnchorTreeSizeError";
  readonly size: number;
  constructor(size: number) {
    super("ANCHOR_TREE_SIZE", "A digest tree needs between 1 and 4294967295 digests.", { details: `got ${size}` });
    this.size = size;
  }
}

/**
 * The DigestAnchor contract refused the call. `errorName` is the contract's custom error (e.g.
 * `DigestAnchorUnauthorized`) and `args` its arguments, when the revert could be decoded.
 */
export class AnchorRevertedError extends AgentExecError {
  override name = "AnchorRevertedError";
  readonly errorName: string | undefined;
  readonly args: readonly unknown[];
  constructor(errorName: string | undefined, args: readonly unknown[], cause: unknown) {
    super(
      "ANCHOR_REVERTED",
      errorName ? `DigestAnchor reverted with ${errorName}.` : "DigestAnchor reverted.",
      {
        details: args.length ? `arguments: ${args.map((a) => String(a)).join(", ")}` : undefined,
        cause,
      },
    );
    this.errorName = errorName;
    this.args = args;
  }
}

/** The anchoring transaction was mined but reverted. */
export class AnchorTransactionFailedError extends AgentExecError {
  override name = "AnchorTransactionFailedError";
  readonly hash: string;
  constructor(hash: string) {
    super("ANCHOR_TRANSACTION_FAILED", "The anchoring transaction reverted on-chain.", { details: `transaction ${hash}` });
    this.hash = hash;
  }
}
