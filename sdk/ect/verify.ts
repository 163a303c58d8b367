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
 * `jti` step 12). `verifyEct` never throws, whatever it is given.
 *
 * Options are checked BEFORE step 1 (and the clock is read once, there): a misconfigured
 * verifier (no key store, an allowlist without ES256, a clock that is not a function or does
 * not answer a finite number, a negative or non-numeric skew, an unknown `dagTraversal`,
 * invalid DAG options such as `maxNodes: NaN`) fails with `step: 0`, `EctInvalidOptionError`
 * (`ECT_INVALID_OPTION`) and HTTP 500, never as a failure of the token.
 *
 * Step 13 checks the token against `store` (typically an `EctLedger`, see dag-store.ts). The
 * default traversal `"auto"` checks the immediate parents only when the store declares
 * `closedUnderParents` (an `EctLedger` with `requireParents`), and walks every ancestor
 * otherwise. Pass `dagTraversal: "skip"` only when the caller validates the DAG itself over a
 * whole set (`verifyEctWorkflow` does); the success result then says `stepsCompleted: 12`.
 *
 * Attacker-controlled text (`kid`, `iss`, claim values) appears in error details JSON-quoted
 * and cut to 80 characters.
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
import { checkAud, checkIss, checkNumericDate, checkStructuralClaims, describe, quote, type EctClaims, type EctHeader } from "./claims.js";
import { ectDagViolationToError, type EctDagStore } from "./dag.js";
import { compileEctDagOptions, errorText, isThenable, type CompiledDagOptions, type EctDagOptions, type EctDagViolation } from "./dag-options.js";
import { checkOneInStore, resolveEctDagTraversal, type EctDagTraversal } from "./dag-store.js";
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
  type EctVerifyError,
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
  /** Milliseconds clock (default `Date.now`); read once per token, before step 1. */
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
  /**
   * Step 13: `"auto"` (default: immediate parents when the store is `closedUnderParents`, the
   * full ancestor walk otherwise), `"full"`, `"parents"`, or `"skip"` step 13.
   */
  dagTraversal?: EctDagTraversal | "skip" | undefined;
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
  /** The step that failed; 0 when the verifier's options are invalid (nothing was checked). */
  step: EctVerificationStep | 0;
  /** The typed error (its class names the failure; `error.step` equals `step`). */
  error: EctVerifyError;
  /** 401 for identity/binding failures (steps 4-8), 500 for invalid options, 403 otherwise. */
  httpStatus: 401 | 403 | 500;
  /** Step 13: every DAG violation found. */
  violations?: EctDagViolation[] | undefined;
};

export type VerifyEctReturnType = VerifyEctSuccess | VerifyEctFailure;

/** Options read and checked once. */
export type CompiledVerifyEct = {
  keyStore: AgentKeyStore;
  allowed: ReadonlySet<string>;
  audience: ReadonlySet<string> | null;
  clock: () => number;
  maxFuture: number;
  maxAge: number;
  leeway: number;
  traversal: EctDagTraversal | "skip";
  store: EctDagStore | undefined;
  dag: CompiledDagOptions | undefined;
  /** Option problems; non-empty means every verification fails at step 0. */
  problems: string[];
};

const TRAVERSALS = new Set<unknown>([undefined, "auto", "full", "parents", "skip"]);

/** Reads and checks verification options (internal: workflow.ts). Never throws. */
export function compileVerifyEct(p: unknown): CompiledVerifyEct {
  const problems: string[] = [];
  const c: CompiledVerifyEct = {
    keyStore: undefined as unknown as AgentKeyStore,
    allowed: new Set(),
    audience: null,
    clock: Date.now,
    maxFuture: ECT_IAT_MAX_FUTURE_SEC,
    maxAge: ECT_IAT_MAX_AGE_SEC,
    leeway: 0,
    traversal: "auto",
    store: undefined,
    dag: undefined,
    problems,
  };
  if (typeof p !== "object" || p === null) {
    problems.push(`verifyEct needs a parameters object, got ${p === null ? "null" : typeof p}`);
    return c;
  }
  try {
    const params = p as VerifyEctParameters;
    const requested: unknown = params.algorithms === undefined ? [ECT_DEFAULT_ALGORITHM] : params.algorithms;
    const allowed = new Set<string>();
    if (!Array.isArray(requested)) problems.push('"algorithms" must be an array of algorithm names');
    else if (!requested.every((a: unknown) => typeof a === "string")) problems.push('"algorithms" must contain strings only');
    else {
      // Names this verifier cannot check (and "none") are never allowed; ES256 is required.
      for (const a of requested as string[]) if (isSupportedAlgorithm(a)) allowed.add(a);
      if (!allowed.has(ECT_DEFAULT_ALGORITHM)) problems.push(`the "algorithms" allowlist must include ES256 (got ${quote(JSON.stringify(requested))})`);
    }
    c.allowed = allowed;

    const ks: unknown = params.keyStore;
    if (typeof ks !== "object" || ks === null || typeof (ks as AgentKeyStore).getKey !== "function") problems.push('"keyStore" must be an agent key store (with getKey)');
    else c.keyStore = ks as AgentKeyStore;

    const aud: unknown = params.audience;
    if (aud === null) c.audience = null;
    else if (typeof aud === "string" && aud.length > 0) c.audience = new Set([aud]);
    else if (Array.isArray(aud) && aud.length > 0 && aud.every((a: unknown) => typeof a === "string" && a.length > 0)) c.audience = new Set(aud as string[]);
    else problems.push('"audience" must be the verifier identity (a non-empty string or array of them) or null for audit mode');

    const clock: unknown = params.clock;
    if (clock === undefined) c.clock = Date.now;
    else if (typeof clock === "function") c.clock = clock as () => number;
    else problems.push(`"clock" must be a function returning milliseconds, got ${typeof clock}`);

    const seconds = (v: unknown, d: number, name: string): number => {
      if (v === undefined) return d;
      if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
      problems.push(`"${name}" must be a finite number of seconds >= 0, got ${describe(v)}`);
      return d;
    };
    c.maxFuture = seconds(params.maxFutureSkewSec, ECT_IAT_MAX_FUTURE_SEC, "maxFutureSkewSec");
    c.maxAge = seconds(params.maxAgeSec, ECT_IAT_MAX_AGE_SEC, "maxAgeSec");
    c.leeway = seconds(params.expLeewaySec, 0, "expLeewaySec");

    const traversal: unknown = params.dagTraversal;
    if (!TRAVERSALS.has(traversal)) problems.push(`"dagTraversal" must be "auto", "full", "parents" or "skip", got ${describe(traversal)}`);
    else c.traversal = (traversal ?? "auto") as CompiledVerifyEct["traversal"];

    const dag = compileEctDagOptions(params, "dagTraversal");
    if (Array.isArray(dag)) problems.push(...dag);
    else {
      c.dag = dag;
      c.store = dag.store as EctDagStore | undefined;
    }
  } catch (cause) {
    problems.push(`the options could not be read: ${errorText(cause)}`);
  }
  return c;
}

function fail(error: EctVerifyError, violations?: EctDagViolation[]): VerifyEctFailure {
  return violations ? { ok: false, step: error.step, error, httpStatus: error.httpStatus, violations } : { ok: false, step: error.step, error, httpStatus: error.httpStatus };
}

function isEctTyp(typ: unknown): boolean {
  if (typeof typ !== "string") return false;
  const t = typ.toLowerCase();
  return t === ECT_TYP || t === `application/${ECT_TYP}`;
}

/** Verifies an ECT with all 13 steps of seed 000 Table 5, in order. Never throws. */
export function verifyEct(token: unknown, parameters: VerifyEctParameters): Promise<VerifyEctReturnType> {
  return verifyCompiled(token, compileVerifyEct(parameters));
}

/** `verifyEct` with compiled options (internal: workflow.ts). Never throws. */
export function verifyCompiled(token: unknown, c: CompiledVerifyEct): Promise<VerifyEctReturnType> {
  return run(token, c).catch((cause: unknown) =>
    // Defensive: every step handles its own failures; a throw here means a broken plug-in.
    fail(new EctKeyStoreError({ details: `unexpected failure: ${errorText(cause)}`, cause })),
  );
}

/** What `createEctVerifier` returns: a verifier bound to options checked once. */
export type CreateEctVerifierReturnType = {
  /** `verifyEct(token, parameters)` with the options given at creation. Never throws. */
  verify(token: unknown): Promise<VerifyEctReturnType>;
};

/**
 * A verifier with its options checked and compiled once (a snapshot: later changes to the
 * parameters object are not seen). Throws `EctInvalidOptionError` for misconfigured options.
 */
export function createEctVerifier(parameters: VerifyEctParameters): CreateEctVerifierReturnType {
  const c = compileVerifyEct(parameters);
  if (c.problems.length > 0) throw new EctInvalidOptionError({ details: c.problems.join("; ") });
  const frozen: CompiledVerifyEct = { ...c, problems: [] };
  return { verify: (token) => verifyCompiled(token, frozen) };
}

/** Reads the clock once; a clock that throws or does not answer a finite number is an option failure. */
function readClock(c: CompiledVerifyEct): number | EctInvalidOptionError {
  let t: unknown;
  try {
    t = c.clock();
  } catch (cause) {
    return new EctInvalidOptionError({ details: `"clock" threw: ${errorText(cause)}`, cause });
  }
  if (typeof t !== "number" || !Number.isFinite(t)) return new EctInvalidOptionError({ details: `"clock" must return finite milliseconds, got ${describe(t)}` });
  return t;
}

async function run(token: unknown, c: CompiledVerifyEct): Promise<VerifyEctReturnType> {
  // ── Before step 1: the verifier's own options, and the instant of verification.
  if (c.problems.length > 0) return fail(new EctInvalidOptionError({ details: c.problems.join("; ") }));
  const nowMs = readClock(c);
  if (nowMs instanceof EctInvalidOptionError) return fail(nowMs);
  const now = nowMs / 1000;

  // ── Step 1: parse the JWS Compact Serialization.
  const parsed = parseCompactJws(token);
  if (parsed instanceof EctVerificationError) return fail(parsed);
  const { header, payload } = parsed;

  // ── Step 2: typ.
  if (!isEctTyp(header.typ)) return fail(new EctBadTypError({ details: `typ is ${describe(header.typ)}, expected "${ECT_TYP}"` }));

  // ── Step 3: alg allowlist.
  const alg = header.alg;
  if (typeof alg !== "string" || !c.allowed.has(alg)) {
    const why = alg === "none" ? 'unsecured "none" is never accepted' : `allowed: ${[...c.allowed].join(", ")}`;
    return fail(new EctAlgNotAllowedError({ details: `alg is ${describe(alg)}; ${why}` }));
  }

  // ── Step 4: kid → agent key.
  const kid = header.kid;
  if (typeof kid !== "string" || kid.length === 0) return fail(new EctUnknownKidError({ details: `kid is ${describe(kid)}; a non-empty string is required` }));
  const qkid = quote(kid);
  let key: AgentKey | undefined;
  try {
    const r = c.keyStore.getKey(kid);
    key = isThenable(r) ? await r : (r as AgentKey | undefined);
  } catch (cause) {
    return fail(new EctKeyStoreError({ details: `lookup of kid ${qkid} failed: ${errorText(cause)}`, cause }));
  }
  if (key === undefined || key === null) return fail(new EctUnknownKidError({ details: `no agent key with kid ${qkid}` }));
  const pk = (key as { publicKey?: unknown }).publicKey;
  if (!(pk instanceof KeyObject) || pk.type !== "public" || pk.asymmetricKeyType !== "ec") {
    return fail(new EctUnusableKeyError({ details: `the key store returned no EC public KeyObject for kid ${qkid}` }));
  }

  // ── Step 5: signature.
  if (!verifyJwsSignature(alg as EctAlgorithm, pk, parsed.signingInput, parsed.signature)) {
    return fail(new EctBadSignatureError({ details: `signature does not verify with key ${qkid} (${alg})` }));
  }

  // ── Step 6: revocation.
  if (key.revoked === true) return fail(new EctKeyRevokedError({ details: `key ${qkid} is revoked` }));

  // ── Step 7: alg matches the key's (WIT) algorithm.
  if (key.alg !== alg) return fail(new EctAlgMismatchError({ details: `header alg ${alg}, key ${qkid} is bound to ${describe(key.alg)}` }));

  // ── Step 8: iss matches the key's (WIT) subject.
  const iss = checkIss(payload);
  if (iss instanceof EctVerificationError) return fail(iss);
  if (iss !== key.subject) {
    return fail(new EctIssuerMismatchError({ claim: "iss", details: `iss ${quote(iss)} but key ${qkid} belongs to ${typeof key.subject === "string" ? quote(key.subject) : describe(key.subject)}` }));
  }

  // ── Step 9: audience.
  const aud = checkAud(payload);
  if (aud instanceof EctVerificationError) return fail(aud);
  if (c.audience !== null) {
    const set = c.audience;
    const hit = typeof aud === "string" ? set.has(aud) : aud.some((a) => set.has(a));
    if (!hit) return fail(new EctAudienceMismatchError({ claim: "aud", details: `aud ${quote(JSON.stringify(aud))} does not name ${quote(JSON.stringify([...set]))}` }));
  }

  // ── Step 10: expiry.
  const exp = checkNumericDate(payload, "exp", 10, true);
  if (exp instanceof EctVerificationError) return fail(exp);
  if (!(now < exp! + c.leeway)) return fail(new EctExpiredError({ claim: "exp", details: `exp ${exp} is not after now ${Math.floor(now)}${c.leeway ? ` (leeway ${c.leeway} s)` : ""}` }));

  // ── Step 11: iat window (and nbf, if present).
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
  if (c.traversal === "skip") return { ok: true, claims, header: header as EctHeader, payload, stepsCompleted: 12 };
  if (s.par.length > 0 || c.store) {
    const traversal = resolveEctDagTraversal(c.traversal, c.store);
    const violations = Array.isArray(traversal) ? [] : await checkOneInStore(claims, c.dag!, c.store, traversal);
    if (violations.length > 0) return fail(ectDagViolationToError(violations[0]!), violations);
  }
  return { ok: true, claims, header: header as EctHeader, payload, stepsCompleted: 13 };
}
