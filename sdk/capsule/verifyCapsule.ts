/**
 * Class 1 verification (draft-mih-scitt-agent-action-capsule-01 §6, §7).
 *
 * The eight agent-profile checks, performable from the Capsule payload, the
 * registry contents and — for the chain checks — the producer's store:
 *
 *   1 Structural        REQUIRED fields present and typed; no floats / unsafe integers
 *                        (or other non-JSON values) in digest-bearing fields; closed
 *                        enums (structure.ts, disposition.ts, jsonDigest.ts)
 *   2 Identity          recompute capsule_id over the canonical capsule form (capsuleId.ts)
 *   3 Confirmed-effect binding (effectRecord.ts)
 *   4 Verdict/effect orthogonality (verdictClass.ts)
 *   5 Effect-attestation matrix (effectRecord.ts)
 *   6 Chain semantics, store-level (chain.ts)
 *   7 Assurance reconciliation (assurance.ts)
 *   8 Unknown registry values, informational (registryValues.ts, namespacing.ts)
 *   "defensive"         the honesty invariant (§5.4), which §6 says is structurally
 *                        guaranteed and NOT one of the checks, asserted defensively
 *                        against hand-crafted bytes as a warning (disposition.ts)
 *
 * One reading: the input is read into a normalized, null-prototype JSON snapshot
 * (`snapshotCapsule`; each member read once per pass, and only one pass's reading is
 * kept), and every check AND the capsule_id recomputation run on that snapshot. A getter or proxy cannot answer one check differently from
 * another (or change its answer while the store is awaited), and a member that
 * absent-field normalization removes (`effect: {type: null, status: null}`) is absent
 * for the checks exactly as it is absent from capsule_id. The caller's options are
 * read once too.
 *
 * Bounded output: each check contributes at most `CAPSULE_FINDINGS_PER_CHECK`
 * findings; the rest are summarised in one CAPSULE_FINDINGS_TRUNCATED finding of the
 * same check (severity: the highest omitted), so a flood in one check never hides
 * the findings of a later check. Cost is linear in the input size.
 *
 * The verifier returns a structured result and never throws, whatever the input
 * (any JS value, deep nesting, hostile objects): `ok` is true iff no finding has
 * severity "error", and gates trust in every other field. Findings are in a fixed
 * order (class, check number 1–8 then "defensive", then discovery). No model, clock
 * or network is consulted.
 */
import { type CapsuleAnchorEvidence, type CapsuleChainLinkageStatus, deriveCapsuleAssurance, readCapsuleAnchorEvidence, reconcileCapsuleAssurance } from "./assurance.js";
import { isUnderExcludedMember, snapshotCapsule } from "./capsuleId.js";
import { checkCapsuleChain, checkCapsuleChainWithoutStore } from "./chain.js";
import { checkDispositionHonesty } from "./disposition.js";
import { checkEffectAttestationMatrix, checkEffectBinding, deriveEffectMode } from "./effectRecord.js";
import {
  type CapsuleClass1Check,
  type CapsuleDefensiveCheck,
  CapsuleError,
  type CapsuleFinding,
  type CapsuleFindingSeverity,
  type CapsuleIssue,
  describeError,
} from "./errors.js";
import { issue, isRecord, show } from "./issues.js";
import { checkCapsuleNamespacing } from "./namespacing.js";
import { type ParseCapsuleJsonDetailedReturnType, parseCapsuleJsonDetailed } from "./parseCapsuleJson.js";
import { checkCapsuleRegistryValues } from "./registryValues.js";
import type { CapsuleStore } from "./store.js";
import { checkCapsuleStructure } from "./structure.js";
import type { CapsuleDerivedAssurance } from "./types.js";
import { checkVerdictEffectOrthogonality } from "./verdictClass.js";
import { CAPSULE_REGISTRY_NAMES, type CapsuleRegistryAdditions } from "./vocabulary.js";

export type VerifyCapsuleParameters = {
  /** The producer's store, for check 6 (parent existence, cycles, concurrent supersedes). */
  store?: CapsuleStore | undefined;
  /** Substrate evidence the caller verified (receipt, chain-root inclusion) for check 7. */
  anchor?: CapsuleAnchorEvidence | undefined;
  /** Values registered after this profile version (check 8 treats them as known). */
  registries?: CapsuleRegistryAdditions | undefined;
  /** Bound of the ancestry walk in check 6 (default 1000). */
  maxChainDepth?: number | undefined;
};

/** Synchronous verification has no store (check 6 reports "not checked" for chained Capsules). */
export type VerifyCapsuleSyncParameters = Omit<VerifyCapsuleParameters, "store" | "maxChainDepth">;

export type VerifyCapsuleReturnType = {
  /** True iff no finding has severity "error". Gates trust in every other field. */
  ok: boolean;
  /** Conformance class of the checks that ran (§7). */
  class: 1 | 2;
  /** In fixed order: by class, check number (then "defensive"), then discovery. */
  findings: CapsuleFinding[];
  /** Assurance modes rederived from the evidence verified; null when the input is not an object. */
  derived: CapsuleDerivedAssurance | null;
  /** The recomputed capsule_id; null when the canonical form cannot be digested. */
  capsuleId: string | null;
};

/** Findings each check reports at most; the rest are summarised (CAPSULE_FINDINGS_TRUNCATED). */
export const CAPSULE_FINDINGS_PER_CHECK = 100;

type Class1Check = CapsuleClass1Check | CapsuleDefensiveCheck;

/** The options, read once into plain values (the caller's object is not consulted again). */
type Options = {
  store: CapsuleStore | undefined;
  anchor: CapsuleAnchorEvidence | undefined;
  registries: CapsuleRegistryAdditions | undefined;
  maxChainDepth: number | undefined;
};

/** What was found before check 6: the snapshot and the findings of checks 1–5, 8 and "defensive". */
type Analysis = {
  capsule: Record<string, unknown>;
  capsuleId: string | null;
  findings: CapsuleFinding[];
  /** Findings known but not listed (the snapshot's and the parser's uncounted problems), per check. */
  omitted: Map<Class1Check, { count: number; severity: CapsuleFindingSeverity }>;
};

/** Lexical floats of strict parsing (paths of the first ones and the total count). */
type LexicalFloats = Pick<ParseCapsuleJsonDetailedReturnType, "lexicalFloats" | "lexicalFloatCount">;
const NO_LEXICAL_FLOATS: LexicalFloats = { lexicalFloats: [], lexicalFloatCount: 0 };

/** Order of a check: 1–8, then "defensive". */
function checkRank(check: Class1Check): number {
  return typeof check === "number" ? check : 9;
}

function at(check: Class1Check, i: CapsuleIssue): CapsuleFinding {
  return { class: 1, check, severity: i.severity, code: i.code, message: i.message, path: i.path };
}

function pushAll(out: CapsuleFinding[], check: Class1Check, issues: readonly CapsuleIssue[]): void {
  for (const i of issues) out.push(at(check, i));
}

function failure(check: Class1Check, i: CapsuleIssue): VerifyCapsuleReturnType {
  return { ok: false, class: 1, findings: [at(check, i)], derived: null, capsuleId: null };
}

function internalFailure(cause: unknown): VerifyCapsuleReturnType {
  return failure(1, issue("CAPSULE_VERIFIER_INTERNAL", "error", "", `the input could not be verified: ${describeError(cause)}`));
}

function readRegistries(raw: unknown): CapsuleRegistryAdditions | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const out: Record<string, readonly string[]> = {};
  for (const name of CAPSULE_REGISTRY_NAMES) {
    const values = (raw as Record<string, unknown>)[name];
    if (Array.isArray(values)) out[name] = values.filter((v): v is string => typeof v === "string");
  }
  return out as CapsuleRegistryAdditions;
}

/** Reads the caller's options once. Throws only if the options object itself is hostile. */
function readOptions(parameters: VerifyCapsuleParameters | VerifyCapsuleSyncParameters | undefined, withStore: boolean): Options {
  if (parameters === undefined || parameters === null) return { store: undefined, anchor: undefined, registries: undefined, maxChainDepth: undefined };
  const p = parameters as VerifyCapsuleParameters;
  const maxChainDepth = withStore ? p.maxChainDepth : undefined;
  return {
    store: withStore ? p.store : undefined,
    anchor: readCapsuleAnchorEvidence(p.anchor),
    registries: readRegistries(p.registries),
    maxChainDepth: typeof maxChainDepth === "number" ? maxChainDepth : undefined,
  };
}

function addOmitted(a: Analysis, check: Class1Check, count: number, severity: CapsuleFindingSeverity): void {
  if (count <= 0) return;
  const prev = a.omitted.get(check);
  a.omitted.set(check, { count: (prev?.count ?? 0) + count, severity: maxSeverity(prev?.severity, severity) });
}

const SEVERITY_RANK: Readonly<Record<CapsuleFindingSeverity, number>> = { info: 0, warning: 1, error: 2 };

function maxSeverity(a: CapsuleFindingSeverity | undefined, b: CapsuleFindingSeverity): CapsuleFindingSeverity {
  return a === undefined || SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;
}

/** Snapshot, then checks 1–5, 8 and "defensive" (everything that needs neither the store nor the anchor evidence). */
function analyze(input: unknown, options: Options, lexical: LexicalFloats): Analysis | VerifyCapsuleReturnType {
  const snap = snapshotCapsule(input, CAPSULE_FINDINGS_PER_CHECK);
  const capsule = snap.capsule;
  if (capsule === undefined) {
    const j = snap.json;
    const got = j.rootType === "array" ? "an array" : j.rootType === "value" ? show(input) : j.rootDescription;
    const first = j.problems[0];
    const why = first !== undefined && first.path === "" && first.message.startsWith("the value could not be read") ? ` (${first.message})` : "";
    return failure(1, issue("CAPSULE_NOT_OBJECT", "error", "", `a Capsule is a JSON object, got ${got}${why}`));
  }
  const a: Analysis = { capsule, capsuleId: snap.capsuleId ?? null, findings: [], omitted: new Map() };
  const findings = a.findings;

  // check 1: the JSON-DIGEST domain (whole payload: the chain block is signed, not
  // content-addressed, but it is still JSON), the floats strict parsing saw, the fields
  for (const p of snap.json.problems) findings.push(at(1, issue(p.code, "error", p.path, p.message)));
  addOmitted(a, 1, snap.json.problemCount - snap.json.problems.length, "error");
  for (const path of lexical.lexicalFloats) {
    findings.push(at(1, issue("CAPSULE_JSON_FLOAT", "error", path, "number written with a fraction or exponent: digest-bearing numbers are integers; use an exact decimal string")));
  }
  addOmitted(a, 1, lexical.lexicalFloatCount - lexical.lexicalFloats.length, "error");
  pushAll(findings, 1, checkCapsuleStructure(capsule));

  // check 2: identity. A digest-bearing field outside the JSON-DIGEST domain (a float —
  // as a value or, in parsed JSON, written with a fraction or exponent — an unsafe
  // integer, a lone surrogate) is a check-1 error, and then capsule_id cannot be
  // recomputed: check 2 is "not checked" (info), not a second error.
  const lexicalOutside = lexical.lexicalFloats.some((p) => !isUnderExcludedMember(p)) || lexical.lexicalFloatCount > lexical.lexicalFloats.length;
  const uncomputableExplained = snap.capsuleId === undefined && snap.json.problemCount > 0;
  if (uncomputableExplained || lexicalOutside) {
    findings.push(at(2, issue("CAPSULE_ID_NOT_CHECKED", "info", "/capsule_id", "capsule_id not recomputed: a digest-bearing field is outside the JSON-DIGEST domain (see the check-1 findings)")));
    a.capsuleId = null; // a digest over floats read as numbers is not the producer's capsule_id
  } else if (snap.capsuleId === undefined) {
    findings.push(at(2, issue("CAPSULE_ID_UNCOMPUTABLE", "error", "/capsule_id", "the canonical capsule form cannot be digested (see the check-1 findings)")));
  } else if (capsule.capsule_id !== snap.capsuleId) {
    findings.push(at(2, issue("CAPSULE_ID_MISMATCH", "error", "/capsule_id", `capsule_id ${show(capsule.capsule_id)} does not recompute; the canonical capsule form digests to ${snap.capsuleId}`)));
  }

  const effectMode = deriveEffectMode(capsule.effect);
  pushAll(findings, 3, checkEffectBinding(capsule.effect));
  const verdictClass = isRecord(capsule.disposition) ? capsule.disposition.verdict_class : undefined;
  pushAll(findings, 4, checkVerdictEffectOrthogonality(verdictClass, effectMode));
  pushAll(findings, 5, checkEffectAttestationMatrix(capsule.effect, effectMode));
  pushAll(findings, 8, checkCapsuleRegistryValues(capsule, options.registries, "info"));
  pushAll(findings, 8, checkCapsuleNamespacing(capsule, "info"));
  pushAll(findings, "defensive", checkDispositionHonesty(capsule.disposition, "warning"));
  return a;
}

/** Checks 6 (given its outcome) and 7, then orders and bounds the findings. */
function finish(a: Analysis, chain: { issues: CapsuleIssue[]; linkage: CapsuleChainLinkageStatus }, anchor: CapsuleAnchorEvidence | undefined): VerifyCapsuleReturnType {
  const findings = a.findings;
  pushAll(findings, 6, chain.issues);
  const derived = deriveCapsuleAssurance({ effect: a.capsule.effect, linkage: chain.linkage, anchor });
  pushAll(findings, 7, reconcileCapsuleAssurance(a.capsule.assurance, derived, chain.linkage, anchor));
  const ordered = findings
    .map((f, i) => ({ f, i, r: checkRank(f.check as Class1Check) }))
    .sort((x, y) => x.r - y.r || x.i - y.i)
    .map((x) => x.f);
  let ok = true;
  for (const f of ordered) if (f.severity === "error") { ok = false; break; }
  for (const o of a.omitted.values()) if (o.severity === "error") ok = false;
  return { ok, class: 1, findings: boundPerCheck(ordered, new Map(a.omitted)), derived, capsuleId: a.capsuleId };
}

/** At most CAPSULE_FINDINGS_PER_CHECK findings per check, plus one summary per check that had more. */
function boundPerCheck(ordered: readonly CapsuleFinding[], known: Analysis["omitted"]): CapsuleFinding[] {
  // `known` (consumed): findings counted but never listed, per check
  const out: CapsuleFinding[] = [];
  let i = 0;
  while (i < ordered.length) {
    const check = (ordered[i] as CapsuleFinding).check as Class1Check;
    let j = i;
    while (j < ordered.length && (ordered[j] as CapsuleFinding).check === check) j++;
    const kept = Math.min(j - i, CAPSULE_FINDINGS_PER_CHECK);
    for (let k = i; k < i + kept; k++) out.push(ordered[k] as CapsuleFinding);
    let omitted = j - i - kept;
    let severity: CapsuleFindingSeverity | undefined;
    for (let k = i + kept; k < j; k++) severity = maxSeverity(severity, (ordered[k] as CapsuleFinding).severity);
    const extra = known.get(check);
    if (extra !== undefined) {
      omitted += extra.count;
      severity = maxSeverity(severity, extra.severity);
      known.delete(check);
    }
    if (omitted > 0) out.push(truncated(check, omitted, severity ?? "info"));
    i = j;
  }
  for (const [check, extra] of known) out.push(truncated(check, extra.count, extra.severity)); // (a check with no listed finding)
  return out;
}

function truncated(check: Class1Check, count: number, severity: CapsuleFindingSeverity): CapsuleFinding {
  const name = typeof check === "number" ? `check-${check}` : `${check}`;
  return at(check, issue("CAPSULE_FINDINGS_TRUNCATED", severity, "", `${count} further ${name} finding${count === 1 ? "" : "s"} omitted (at most ${CAPSULE_FINDINGS_PER_CHECK} are listed per check); the most severe of them is ${severity}`));
}

/**
 * Class 1 verification without a store (checks 1–8; check 6 reports the chain as not
 * checked, and a chained Capsule derives ledger_mode standalone). Never throws.
 */
export function verifyCapsuleSync(capsule: unknown, parameters: VerifyCapsuleSyncParameters = {}): VerifyCapsuleReturnType {
  try {
    const options = readOptions(parameters, false);
    const a = analyze(capsule, options, NO_LEXICAL_FLOATS);
    if (!("capsule" in a)) return a;
    return finish(a, checkCapsuleChainWithoutStore(a.capsule, undefined) as { issues: CapsuleIssue[]; linkage: CapsuleChainLinkageStatus }, options.anchor);
  } catch (cause) {
    return internalFailure(cause);
  }
}

async function verifySnapshot(capsule: unknown, parameters: VerifyCapsuleParameters | undefined, lexical: LexicalFloats): Promise<{ result: VerifyCapsuleReturnType; snapshot: Record<string, unknown> | undefined }> {
  const options = readOptions(parameters, true);
  const a = analyze(capsule, options, lexical);
  if (!("capsule" in a)) return { result: a, snapshot: undefined };
  // a.capsule is the snapshot: nothing the caller does while the store is awaited reaches the checks
  const chain = await checkCapsuleChain(a.capsule, a.capsuleId ?? undefined, options.store, { maxDepth: options.maxChainDepth });
  return { result: finish(a, chain, options.anchor), snapshot: a.capsule };
}

async function verifyParsed(capsule: unknown, parameters: VerifyCapsuleParameters | undefined, lexical: LexicalFloats): Promise<VerifyCapsuleReturnType> {
  return (await verifySnapshot(capsule, parameters, lexical)).result;
}

/**
 * Internal (Class 2): Class 1 verification that also hands back the snapshot the
 * checks ran on, so manifest-aware checks read the same single reading. Never throws.
 */
export async function verifyCapsuleKeepingSnapshot(capsule: unknown, parameters: VerifyCapsuleParameters | undefined): Promise<{ result: VerifyCapsuleReturnType; snapshot: Record<string, unknown> | undefined }> {
  try {
    return await verifySnapshot(capsule, parameters, NO_LEXICAL_FLOATS);
  } catch (cause) {
    return { result: internalFailure(cause), snapshot: undefined };
  }
}

/**
 * Class 1 verification of a Capsule payload (§6): the eight ordered checks, with
 * check 6 against `parameters.store` when given. Never throws (a failing store is an
 * error finding); the promise always resolves to a well-formed result.
 */
export async function verifyCapsule(capsule: unknown, parameters: VerifyCapsuleParameters = {}): Promise<VerifyCapsuleReturnType> {
  try {
    return await verifyParsed(capsule, parameters, NO_LEXICAL_FLOATS);
  } catch (cause) {
    return internalFailure(cause);
  }
}

/**
 * Class 1 verification of Capsule JSON text or UTF-8 bytes: strict parsing first
 * (syntax, duplicate members, invalid UTF-8, lone surrogates and unsafe integers are
 * check-1 findings, as is input that is neither a string nor a Uint8Array; numbers
 * written with a fraction or exponent — `1.0` included — are check-1 float findings),
 * then `verifyCapsule`. Never throws.
 */
export async function verifyCapsuleJson(input: string | Uint8Array, parameters: VerifyCapsuleParameters = {}): Promise<VerifyCapsuleReturnType> {
  try {
    let parsed: ParseCapsuleJsonDetailedReturnType;
    try {
      parsed = parseCapsuleJsonDetailed(input, { limit: CAPSULE_FINDINGS_PER_CHECK });
    } catch (e) {
      if (e instanceof CapsuleError) return failure(1, issue(e.code, "error", e.path, e.details ?? e.shortMessage));
      throw e;
    }
    return await verifyParsed(parsed.value, parameters, parsed);
  } catch (cause) {
    return internalFailure(cause);
  }
}

/** Internal: verification of an already strictly parsed payload (used by the COSE verifier). */
export async function verifyParsedCapsule(parsed: LexicalFloats & { value: unknown }, parameters: VerifyCapsuleParameters | undefined): Promise<VerifyCapsuleReturnType> {
  try {
    return await verifyParsed(parsed.value, parameters, parsed);
  } catch (cause) {
    return internalFailure(cause);
  }
}
