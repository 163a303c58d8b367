/**
 * Scoping of `jti` references and trust domains, shared by every DAG check and the ledger.
 *
 * Spec: seed 000, 4.3 rule 1 ("Each jti must be unique within the workflow scope (or globally
 * if wid is absent)"), rule 2 (a `par` entry references an existing ECT) and rule 5 ("Parents
 * should belong to the same or federated trust domains").
 *
 * Our reading, applied everywhere in this SDK:
 * - An ECT with `wid = W` lives in scope W; one without `wid` lives in the global scope.
 * - Two ECTs with the same `jti` collide when they share a scope, or when either is global.
 * - A child in scope W resolves a parent `jti` to the ECT with that jti in W, else to the
 *   global one. A global child resolves it to the ECT with that jti in any scope, provided
 *   exactly one exists (several are ambiguous, reported as an unknown parent).
 * - The trust domain of an `iss` is the authority of a URI with one (`spiffe://td/...` → `td`,
 *   `https://host:port/...` → `host`), lowercased; any other `iss` is its own trust domain.
 */
import { EctInvalidClaimError } from "./errors.js";

/** A node as far as scoping is concerned. */
export type Scoped = { jti: string; wid?: string | undefined };

/** Marker returned when a global child's parent reference matches several scopes. */
export const AMBIGUOUS = -2;
/** Marker returned when no visible node matches. */
export const NOT_FOUND = -1;

/** Whether `candidate` (same jti) is visible from a child in scope `wid` (rule 2 resolution). */
export function visibleFrom(candidate: Scoped, wid: string | undefined): boolean {
  return wid === undefined || candidate.wid === undefined || candidate.wid === wid;
}

/** Whether two nodes with equal jti collide under rule 1. */
export function collides(a: Scoped, b: Scoped): boolean {
  return a.wid === undefined || b.wid === undefined || a.wid === b.wid;
}

/**
 * Picks the parent among `candidates` (all carrying the referenced jti) for a child in scope
 * `wid`: same scope first, then global, then (for a global child) the unique one.
 * Returns the index into `candidates`, `NOT_FOUND` or `AMBIGUOUS`.
 */
export function pickParent(candidates: readonly Scoped[], wid: string | undefined): number {
  if (candidates.length === 1) return visibleFrom(candidates[0]!, wid) ? 0 : NOT_FOUND;
  if (wid !== undefined) {
    let global = NOT_FOUND;
    for (let i = 0; i < candidates.length; i++) {
      const w = candidates[i]!.wid;
      if (w === wid) return i;
      if (w === undefined && global === NOT_FOUND) global = i;
    }
    return global;
  }
  return candidates.length === 0 ? NOT_FOUND : AMBIGUOUS;
}

const AUTHORITY_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/;

/** Default trust domain of an issuer (see the file comment). Throws `EctInvalidClaimError` for a non-string. */
export function ectTrustDomain(iss: string): string {
  if (typeof iss !== "string") throw new EctInvalidClaimError(13, { claim: "iss", details: `an issuer must be a string, got ${iss === null ? "null" : typeof iss}` });
  const m = AUTHORITY_RE.exec(iss);
  return m && m[1] ? m[1].toLowerCase() : iss;
}

/** Options of rule 5. */
export type EctTrustDomainOptions = {
  /** Maps an `iss` to its trust domain (default `ectTrustDomain`). */
  trustDomainOf?: ((iss: string) => string) | undefined;
  /** Groups of mutually federated trust domains, e.g. `[["a.example", "b.example"]]`. */
  federatedTrustDomains?: readonly (readonly string[])[] | undefined;
  /** Custom federation test (overrides `federatedTrustDomains`). */
  isFederated?: ((parentDomain: string, childDomain: string) => boolean) | undefined;
};

/** A rule-5 callback that threw or answered nonsense: the pair cannot be judged (fails closed). */
export type TrustDomainFailure = { failed: string };

export function isTrustDomainFailure(v: unknown): v is TrustDomainFailure {
  return typeof v === "object" && v !== null && typeof (v as TrustDomainFailure).failed === "string";
}

function failure(what: string, err: unknown): TrustDomainFailure {
  const m = err instanceof Error ? err.message : String(err);
  return { failed: `${what} threw: ${JSON.stringify(m.length > 80 ? `${m.slice(0, 80)}…` : m)}` };
}

/**
 * Compiles rule-5 options into a fast predicate. Caller-supplied callbacks are guarded: a
 * throw, or a `trustDomainOf` that answers something other than a string, yields a
 * `TrustDomainFailure` that the DAG checks report as a rule-5 violation (never a throw).
 * The options are assumed valid (see `compileEctDagOptions`).
 */
export function compileTrustDomainRule(o: EctTrustDomainOptions): {
  domainOf: (iss: string) => string | TrustDomainFailure;
  allowed: (parentDomain: string, childDomain: string) => boolean | TrustDomainFailure;
} {
  const f = o.trustDomainOf;
  const domainOf = f
    ? (iss: string): string | TrustDomainFailure => {
        try {
          const d: unknown = f(iss);
          return typeof d === "string" ? d : { failed: `trustDomainOf answered ${d === null ? "null" : typeof d}, not a string` };
        } catch (err) {
          return failure("trustDomainOf", err);
        }
      }
    : ectTrustDomain;
  if (o.isFederated) {
    const fed = o.isFederated;
    return {
      domainOf,
      allowed: (p, c) => {
        if (p === c) return true;
        try {
          return fed(p, c) === true;
        } catch (err) {
          return failure("isFederated", err);
        }
      },
    };
  }
  const groups = new Map<string, Set<number>>();
  (o.federatedTrustDomains ?? []).forEach((g, i) => {
    for (const d of g) {
      let s = groups.get(d);
      if (!s) groups.set(d, (s = new Set()));
      s.add(i);
    }
  });
  if (groups.size === 0) return { domainOf, allowed: (p, c) => p === c };
  return {
    domainOf,
    allowed: (p, c) => {
      if (p === c) return true;
      const a = groups.get(p);
      const b = groups.get(c);
      if (!a || !b) return false;
      for (const x of a) if (b.has(x)) return true;
      return false;
    },
  };
}
