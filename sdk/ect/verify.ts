/**
 * `verifyEct`: the 13-step ECT verification procedure, in the paper's order.
 *
 * Spec: seed 000, 4.4 and Table 5 ("ECT verification procedure (13 steps in 4 phases)"):
 *
 *   Serialization      1 parse JWS compact · 2 typ = wimse-exec+jwt · 3 alg in allowlist (no `none`)
 *   Identity & binding 4 kid → agent key · 5 signature · 6 key not revoked · 7 alg = key's alg · 8 iss = key's subject
 *   Temporal & audience 9 verifier ∈ aud · 10 exp not passed · 11 now−15 min ≤ iat ≤ now+30 s
 *   Structural         12 jti, exec_act, par present and well-formed · 13 DAG validation (4.3)
 *
 * The steps run strictly in this order and the first failure is returned as
 * `{ ok: false, step, error, httpStatus }` with a typed `EctVerificationError` naming the step.
 * Claims are checked at the step that uses them (a missing `exp` fails step 10, a missing
 * `jti` step 12). `verifyEct` never throws, whatever it is given; misconfigured options fail
 * the step they concern (e.g. an allowlist without ES256 fails step 3).
 *
 * Step 13 checks the token against `store` (typically an `EctLedger`, see dag-store.ts); pass
 * `dagTraversal: "skip"` only when the caller validates the DAG itself over a whole set
 * (`verifyEctWorkflow` does), and the success result then says `stepsCompleted: 12`.
 */
import { KeyObject } from "node:crypto";
import { isSupportedAlgorithm, type AgentKey, type AgentKeyStore } from "./agent-key.js";
import {
  ECT_DEFAULT_ALGORITHM,
  ECT_IAT_MAX_AGE_SEC,
  ECT_IAT_MAX_FUTURE_SEC,
  ECT_TYP,
  type EctAlgorithm,
  type EctVerificationStep,
} from "./constants.js";
import { checkAud, checkIss, checkNumericDate, checkStructuralClaims, describe, type EctClaims, type EctHeader } from "./claims.js";
import { ectDagViolationToError, type EctDagOptions, type EctDagStore, type EctDagViolation } from "./dag.js";
import { validateEctInStore } from "./dag-store.js";
import {
  EctAlgMismatchError,
  EctAlgNotAllowedError,
  EctAudienceMismatchError,
  EctBadSignatureError,
  EctBadTypError,
  EctExpiredError,
  EctIatTooOldError,
  EctInvalidOptionError,
  EctIssuerMismatchError,
  EctKeyRevokedError,
  EctKeyStoreError,
  EctNotYetValidError,
  EctUnknownKidError,
  EctUnusableKeyError,
  EctVerificationError,
} from "./errors.js";
import { parseCompactJws, verifyJwsSignature } from "./jws.js";

export type VerifyEctParameters = EctDagOptions & {
  /** Agent keys (steps 4, 6, 7, 8). */
  keyStore: AgentKeyStore;
  /**
   * The verifier's own identity or identities (step 9: one of them must be in `aud`).
   * `null` is audit mode: `aud` must still be present and well-formed, but any audience passes
   * (for a ledger or auditor checking tokens addressed to others).
   */
  audience: string | readonly string[] | null;
  /** Step 3 allowlist (default `["ES256"]`; must include ES256; `none` is never accepted). */
  algorithms?: readonly string[] | undefined;
  /** Milliseconds clock (default `Date.now`). */
  clock?: (() => number) | undefined;
  /** Step 11: how far `iat` may lie in the future, seconds (default 30). */
  maxFutureSkewSec?: number | undefined;
  /** Step 11: how far `iat` may lie in the past, seconds (default 900 = 15 min). */
  maxAgeSec?: number | undefined;
  /** Step 10: leeway after `exp`, seconds (default 0). */
  expLeewaySec?: number | undefined;
  /**
   * Step 13: the recorded ECTs (usually an `EctLedger`). Without a store, rule 1 (uniqueness)
   * cannot be checked and only root tokens (empty `par`) pass rule 2.
   */
  store?: EctDagStore | undefined;
  /** Step 13: `"full"` ancestor walk (default), immediate `"parents"` only, or `"skip"` step 13. */
  dagTraversal?: "full" | "parents" | "skip" | undefined;
};

export type VerifyEctSuccess = {
  ok: true;
  /** The claims, aliases resolved (`par`, `ext`). */
  claims: EctClaims;
  header: EctHeader;
  /** The payload exactly as signed. */
  payload: Record<string, unknown>;
  /** 13, or 12 when step 13 was skipped on request. */
  stepsCompleted: 12 | 13;
};

export type VerifyEctFailure = {
  ok: false;
  /** The step that failed. */
  step: EctVerificationStep;
  /** The typed error (its class names the failure; `error.step` equals `step`). */
  error: EctVerificationError;
  /** 401 for identity/binding failures (steps 4-8), 403 otherwise. */
  httpStatus: 401 | 403;
  /** Step 13: every DAG violation found. */
  violations?: EctDagViolation[] | undefined;
};

export type VerifyEctReturnType = VerifyEctSuccess | VerifyEctFailure;

/** Options compiled once (allowlist and audience sets, config problems). */
type Compiled = {
  params: VerifyEctParameters;
  allowed: ReadonlySet<string>;
  audience: ReadonlySet<string> | null;
  clock: () => number;
  maxFuture: number;
  maxAge: number;
  leeway: number;
  traversal: "full" | "parents" | "skip";
  problems: Partial<Record<EctVerificationStep, string>>;
};

function compile(p: VerifyEctParameters): Compiled {
  const problems: Compiled["problems"] = {};
  const params = (typeof p === "object" && p !== null ? p : {}) as VerifyEctParameters;
  if (params !== p) problems[3] = "verifyEct needs a parameters object";

  const requested = params.algorithms ?? [ECT_DEFAULT_ALGORITHM];
  const allowed = new Set<string>();
  if (!Array.isArray(requested)) problems[3] ??= '"algorithms" must be an array';
  else {
    for (const a of requested) if (isSupportedAlgorithm(a)) allowed.add(a);
    if (!allowed.has(ECT_DEFAULT_ALGORITHM)) problems[3] ??= `the allowlist must include ES256 (got ${JSON.stringify(requested)})`;
  }

  const ks = params.keyStore as unknown;
  if (typeof ks !== "object" || ks === null || typeof (ks as AgentKeyStore).getKey !== "function") problems[4] = "no agent key store configured";

  let audience: Set<string> | null = null;
  if (params.audience === null) audience = null;
  else if (typeof params.audience === "string" && params.audience.length > 0) audience = new Set([params.audience]);
  else if (Array.isArray(params.audience) && params.audience.length > 0 && params.audience.every((a) => typeof a === "string" && a.length > 0)) {
    audience = new Set(params.audience);
  } else problems[9] = '"audience" must be the verifier identity (string or non-empty array) or null for audit mode';

  const num = (v: unknown, d: number, name: string, step: EctVerificationStep): number => {
    if (v === undefined) return d;
    if (typeof v === "number" && v >= 0 && !Number.isNaN(v)) return v;
    problems[step] ??= `"${name}" must be a non-negative number`;
    return d;
  };
  const clock = typeof params.clock === "function" ? params.clock : Date.now;
  if (params.clock !== undefined && typeof params.clock !== "function") problems[10] = '"clock" must be a function returning milliseconds';
  const traversal = params.dagTraversal ?? "full";
  if (traversal !== "full" && traversal !== "parents" && traversal !== "skip") problems[13] = '"dagTraversal" must be "full", "parents" or "skip"';
  return {
    params,
    allowed,
    audience,
    clock,
    maxFuture: num(params.maxFutureSkewSec, ECT_IAT_MAX_FUTURE_SEC, "maxFutureSkewSec", 11),
    leeway: num(params.expLeewaySec, 0, "expLeewaySec", 10),
    maxAge: num(params.maxAgeSec, ECT_IAT_MAX_AGE_SEC, "maxAgeSec", 11),
    traversal,
    problems,
  };
}

function fail(error: EctVerificationError, violations?: EctDagViolation[]): VerifyEctFailure {
  return violations ? { ok: false, step: error.step, error, httpStatus: error.httpStatus, violations } : { ok: false, step: error.step, error, httpStatus: error.httpStatus };
}

function isThenable<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown })?.then === "function";
}

function isEctTyp(typ: unknown): boolean {
  if (typeof typ !== "string") return false;
  const t = typ.toLowerCase();
  return t === ECT_TYP || t === `application/${ECT_TYP}`;
}

/** Verifies an ECT with all 13 steps of seed 000 Table 5, in order. Never throws. */
export function verifyEct(token: unknown, parameters: VerifyEctParameters): Promise<VerifyEctReturnType> {
  let c: Compiled;
  try {
    c = compile(parameters);
  } catch (cause) {
    return Promise.resolve(fail(new EctKeyStoreError({ details: `invalid verification options: ${(cause as Error)?.message}`, cause })));
  }
  return runSafely(token, c);
}

function runSafely(token: unknown, c: Compiled): Promise<VerifyEctReturnType> {
  return run(token, c).catch((cause: unknown) =>
    // Defensive: every step handles its own failures; a throw here means a broken plug-in.
    fail(new EctKeyStoreError({ details: `unexpected failure: ${(cause as Error)?.message ?? String(cause)}`, cause })),
  );
}

/**
 * A verifier with its options checked and compiled once (a snapshot: later changes to the
 * parameters object are not seen). Throws `EctInvalidOptionError` for misconfigured options.
 */
export function createEctVerifier(parameters: VerifyEctParameters): { verify(token: unknown): Promise<VerifyEctReturnType> } {
  const c = compile(parameters);
  const steps = Object.keys(c.problems);
  if (steps.length > 0) {
    throw new EctInvalidOptionError({ details: steps.map((s) => c.problems[Number(s) as EctVerificationStep]).join("; ") });
  }
  const frozen: Compiled = { ...c, params: { ...c.params } };
  return { verify: (token) => runSafely(token, frozen) };
}

async function run(token: unknown, c: Compiled): Promise<VerifyEctReturnType> {
  const pr = c.problems;

  // ── Step 1: parse the JWS Compact Serialization.
  const parsed = parseCompactJws(token);
  if (parsed instanceof EctVerificationError) return fail(parsed);
  const { header, payload } = parsed;

  // ── Step 2: typ.
  if (!isEctTyp(header.typ)) return fail(new EctBadTypError({ details: `typ is ${describe(header.typ)}, expected "${ECT_TYP}"` }));

  // ── Step 3: alg allowlist.
  const alg = header.alg;
  if (pr[3]) return fail(new EctAlgNotAllowedError({ details: `misconfigured allowlist: ${pr[3]}` }));
  if (typeof alg !== "string" || !c.allowed.has(alg)) {
    const why = alg === "none" ? 'unsecured "none" is never accepted' : `allowed: ${[...c.allowed].join(", ")}`;
    return fail(new EctAlgNotAllowedError({ details: `alg is ${describe(alg)}; ${why}` }));
  }

  // ── Step 4: kid → agent key.
  if (pr[4]) return fail(new EctKeyStoreError({ details: pr[4] }));
  const kid = header.kid;
  if (typeof kid !== "string" || kid.length === 0) return fail(new EctUnknownKidError({ details: `kid is ${describe(kid)}; a non-empty string is required` }));
  let key: AgentKey | undefined;
  try {
    const r = c.params.keyStore.getKey(kid);
    key = isThenable(r) ? await r : r;
  } catch (cause) {
    return fail(new EctKeyStoreError({ details: `lookup of kid "${kid}" failed: ${(cause as Error)?.message ?? String(cause)}`, cause }));
  }
  if (key === undefined || key === null) return fail(new EctUnknownKidError({ details: `no agent key with kid "${kid}"` }));
  const pk = (key as { publicKey?: unknown }).publicKey;
  if (!(pk instanceof KeyObject) || pk.type !== "public" || pk.asymmetricKeyType !== "ec") {
    return fail(new EctUnusableKeyError({ details: `the key store returned no EC public KeyObject for kid "${kid}"` }));
  }

  // ── Step 5: signature.
  if (!verifyJwsSignature(alg as EctAlgorithm, pk, parsed.signingInput, parsed.signature)) {
    return fail(new EctBadSignatureError({ details: `signature does not verify with key "${kid}" (${alg})` }));
  }

  // ── Step 6: revocation.
  if (key.revoked === true) return fail(new EctKeyRevokedError({ details: `key "${kid}" is revoked` }));

  // ── Step 7: alg matches the key's (WIT) algorithm.
  if (key.alg !== alg) return fail(new EctAlgMismatchError({ details: `header alg ${alg}, key "${kid}" is bound to ${describe(key.alg)}` }));

  // ── Step 8: iss matches the key's (WIT) subject.
  const iss = checkIss(payload);
  if (iss instanceof EctVerificationError) return fail(iss);
  if (iss !== key.subject) return fail(new EctIssuerMismatchError({ claim: "iss", details: `iss "${iss}" but key "${kid}" belongs to "${key.subject}"` }));

  // ── Step 9: audience.
  const aud = checkAud(payload);
  if (aud instanceof EctVerificationError) return fail(aud);
  if (pr[9]) return fail(new EctAudienceMismatchError({ claim: "aud", details: `misconfigured verifier: ${pr[9]}` }));
  if (c.audience !== null) {
    const set = c.audience;
    const hit = typeof aud === "string" ? set.has(aud) : aud.some((a) => set.has(a));
    if (!hit) return fail(new EctAudienceMismatchError({ claim: "aud", details: `aud ${JSON.stringify(aud)} does not name ${JSON.stringify([...set])}` }));
  }

  // ── Step 10: expiry.
  if (pr[10]) return fail(new EctExpiredError({ details: `misconfigured verifier: ${pr[10]}` }));
  const now = c.clock() / 1000;
  const exp = checkNumericDate(payload, "exp", 10, true);
  if (exp instanceof EctVerificationError) return fail(exp);
  if (!(now < exp! + c.leeway)) return fail(new EctExpiredError({ claim: "exp", details: `exp ${exp} is not after now ${Math.floor(now)}${c.leeway ? ` (leeway ${c.leeway} s)` : ""}` }));

  // ── Step 11: iat window (and nbf, if present).
  if (pr[11]) return fail(new EctNotYetValidError({ details: `misconfigured verifier: ${pr[11]}` }));
  const iat = checkNumericDate(payload, "iat", 11, true);
  if (iat instanceof EctVerificationError) return fail(iat);
  if (iat! > now + c.maxFuture) return fail(new EctNotYetValidError({ claim: "iat", details: `iat ${iat} is more than ${c.maxFuture} s after now ${Math.floor(now)}` }));
  if (iat! < now - c.maxAge) return fail(new EctIatTooOldError({ claim: "iat", details: `iat ${iat} is more than ${c.maxAge} s before now ${Math.floor(now)}` }));
  const nbf = checkNumericDate(payload, "nbf", 11, false);
  if (nbf instanceof EctVerificationError) return fail(nbf);
  if (nbf !== undefined && nbf > now + c.maxFuture) return fail(new EctNotYetValidError({ claim: "nbf", details: `nbf ${nbf} is more than ${c.maxFuture} s after now ${Math.floor(now)}` }));

  // ── Step 12: execution-specific claims.
  const s = checkStructuralClaims(payload);
  if (s instanceof EctVerificationError) return fail(s);
  const claims: EctClaims = { iss, aud, iat: iat!, exp: exp!, ...s };
  if (nbf !== undefined) claims.nbf = nbf;
  if (typeof payload.sub === "string") claims.sub = payload.sub;

  // ── Step 13: DAG validation.
  if (pr[13]) return fail(ectDagViolationToError({ rule: "input", code: "ECT_INVALID_CLAIM", jti: s.jti, details: `misconfigured verifier: ${pr[13]}` }));
  if (c.traversal === "skip") return { ok: true, claims, header: header as EctHeader, payload, stepsCompleted: 12 };
  if (s.par.length > 0 || c.params.store) {
    const violations = await validateEctInStore(claims, {
      ...c.params,
      store: c.params.store,
      traversal: c.traversal,
    });
    if (violations.length > 0) return fail(ectDagViolationToError(violations[0]!), violations);
  }
  return { ok: true, claims, header: header as EctHeader, payload, stepsCompleted: 13 };
}
