/**
 * Class 1 verification (draft-mih-scitt-agent-action-capsule-01 §6, §7).
 *
 * The eight agent-profile checks, performable from the Capsule payload, the
 * registry contents and — for the chain checks — the producer's store:
 *
 *   1 Structural        REQUIRED fields present and typed; no floats / unsafe integers
 *                        (or other non-JSON values) in digest-bearing fields; closed
 *                        enums; the structurally guaranteed honesty invariant asserted
 *                        defensively (structure.ts, disposition.ts, jsonDigest.ts)
 *   2 Identity          recompute capsule_id over the canonical capsule form (capsuleId.ts)
 *   3 Confirmed-effect binding (effectRecord.ts)
 *   4 Verdict/effect orthogonality (verdictClass.ts)
 *   5 Effect-attestation matrix (effectRecord.ts)
 *   6 Chain semantics, store-level (chain.ts)
 *   7 Assurance reconciliation (assurance.ts)
 *   8 Unknown registry values, informational (registryValues.ts, namespacing.ts)
 *
 * The verifier returns a structured result and never throws, whatever the input
 * (any JS value, deep nesting, hostile objects): `ok` is true iff no finding has
 * severity "error", and gates trust in every other field. Findings are in a fixed
 * order (check number, then discovery order). No model, clock or network is consulted.
 */
import { type CapsuleAnchorEvidence, type CapsuleChainLinkageStatus, deriveCapsuleAssurance, reconcileCapsuleAssurance } from "./assurance.js";
import { CAPSULE_ID_EXCLUDED_MEMBERS } from "./capsuleId.js";
import { checkCapsuleChain } from "./chain.js";
import { checkEffectAttestationMatrix, checkEffectBinding, deriveEffectMode } from "./effectRecord.js";
import { CapsuleError, type CapsuleFinding, type CapsuleIssue } from "./errors.js";
import { issue, isAbsent, isRecord, show } from "./issues.js";
import { canonicalFormOf, findJsonDigestProblems, sha256Hex } from "./jsonDigest.js";
import { checkCapsuleNamespacing } from "./namespacing.js";
import { parseCapsuleJsonDetailed } from "./parseCapsuleJson.js";
import { checkCapsuleRegistryValues } from "./registryValues.js";
import type { CapsuleStore } from "./store.js";
import { checkCapsuleStructure, readChain } from "./structure.js";
import type { CapsuleDerivedAssurance } from "./types.js";
import { checkVerdictEffectOrthogonality } from "./verdictClass.js";
import type { CapsuleRegistryAdditions } from "./vocabulary.js";

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
  /** In fixed order: by class, check number, then discovery. */
  findings: CapsuleFinding[];
  /** Assurance modes rederived from the evidence verified; null when the input is not an object. */
  derived: CapsuleDerivedAssurance | null;
  /** The recomputed capsule_id; null when the canonical form cannot be digested. */
  capsuleId: string | null;
};

/** Findings beyond this many are summarised in one info finding (bounded output for hostile input). */
const MAX_FINDINGS = 500;

type Analysis = {
  capsule: Record<string, unknown>;
  capsuleId: string | null;
  findings: CapsuleFinding[];
};

function at(check: number, i: CapsuleIssue): CapsuleFinding {
  return { class: 1, check, severity: i.severity, code: i.code, message: i.message, path: i.path };
}

function pushAll(out: CapsuleFinding[], check: number, issues: readonly CapsuleIssue[]): void {
  for (const i of issues) out.push(at(check, i));
}

function failure(check: number, i: CapsuleIssue): VerifyCapsuleReturnType {
  return { ok: false, class: 1, findings: [at(check, i)], derived: null, capsuleId: null };
}

function internalFailure(cause: unknown): VerifyCapsuleReturnType {
  let message: string;
  try {
    message = cause instanceof CapsuleError ? cause.shortMessage : cause instanceof Error ? cause.message : String(cause);
  } catch {
    message = "unreadable error";
  }
  return failure(1, issue("CAPSULE_VERIFIER_INTERNAL", "error", "", `the input could not be verified: ${(message.split("\n")[0] ?? "").slice(0, 200)}`));
}

/** Checks 1–5 and 8 (everything that needs neither the store nor the anchor evidence). */
function analyze(input: unknown, parameters: VerifyCapsuleSyncParameters, lexicalFloats: readonly string[]): Analysis | VerifyCapsuleReturnType {
  if (!isRecord(input)) {
    return failure(1, issue("CAPSULE_NOT_OBJECT", "error", "", `a Capsule is a JSON object, got ${show(input)}`));
  }
  const capsule = input;
  const findings: CapsuleFinding[] = [];

  // check 1 (digest domain) and check 2 (identity), in one pass over the canonical form
  let capsuleId: string | null = null;
  try {
    capsuleId = sha256Hex(canonicalFormOf(capsule, CAPSULE_ID_EXCLUDED_MEMBERS));
  } catch {
    for (const p of findJsonDigestProblems(capsule, { excludeTopLevel: CAPSULE_ID_EXCLUDED_MEMBERS })) {
      findings.push(at(1, issue(p.code, "error", p.path, p.message)));
    }
  }
  // the chain block is signed, not content-addressed: it must still be JSON
  if (isRecord(capsule.chain)) {
    for (const p of findJsonDigestProblems(capsule.chain, { limit: 20 })) findings.push(at(1, issue(p.code, "error", "/chain" + p.path, p.message)));
  }
  for (const path of lexicalFloats) {
    if (!findings.some((f) => f.path === path && f.code === "CAPSULE_JSON_FLOAT")) {
      findings.push(at(1, issue("CAPSULE_JSON_FLOAT", "error", path, "number written with a fraction or exponent: digest-bearing numbers are integers; use an exact decimal string")));
    }
  }
  pushAll(findings, 1, checkCapsuleStructure(capsule));

  if (capsuleId === null) {
    findings.push(at(2, issue("CAPSULE_ID_UNCOMPUTABLE", "error", "/capsule_id", "the canonical capsule form cannot be digested (see the check-1 findings)")));
  } else if (capsule.capsule_id !== capsuleId) {
    findings.push(at(2, issue("CAPSULE_ID_MISMATCH", "error", "/capsule_id", `capsule_id ${show(capsule.capsule_id)} does not recompute; the canonical capsule form digests to ${capsuleId}`)));
  }

  const effectMode = deriveEffectMode(capsule.effect);
  pushAll(findings, 3, checkEffectBinding(capsule.effect));
  const verdictClass = isRecord(capsule.disposition) ? capsule.disposition.verdict_class : undefined;
  pushAll(findings, 4, checkVerdictEffectOrthogonality(verdictClass, effectMode));
  pushAll(findings, 5, checkEffectAttestationMatrix(capsule.effect, effectMode));
  pushAll(findings, 8, checkCapsuleRegistryValues(capsule, parameters.registries, "info"));
  pushAll(findings, 8, checkCapsuleNamespacing(capsule, "info"));
  return { capsule, capsuleId, findings };
}

/** Checks 6 (given its outcome) and 7, then orders and bounds the findings. */
function finish(a: Analysis, chain: { issues: CapsuleIssue[]; linkage: CapsuleChainLinkageStatus }, anchor: CapsuleAnchorEvidence | undefined): VerifyCapsuleReturnType {
  const findings = a.findings;
  pushAll(findings, 6, chain.issues);
  const derived = deriveCapsuleAssurance({ effect: a.capsule.effect, linkage: chain.linkage, anchor });
  pushAll(findings, 7, reconcileCapsuleAssurance(a.capsule.assurance, derived, chain.linkage, anchor));
  const ordered = findings.map((f, i) => ({ f, i })).sort((x, y) => x.f.class - y.f.class || x.f.check - y.f.check || x.i - y.i).map((x) => x.f);
  const ok = !ordered.some((f) => f.severity === "error");
  let bounded = ordered;
  if (ordered.length > MAX_FINDINGS) {
    bounded = ordered.slice(0, MAX_FINDINGS);
    bounded.push({ class: 1, check: 8, severity: "info", code: "CAPSULE_VERIFIER_INTERNAL", path: "", message: `${ordered.length - MAX_FINDINGS} further findings omitted` });
  }
  return { ok, class: 1, findings: bounded, derived, capsuleId: a.capsuleId };
}

/** Check 6 without a store: only presence and form of the chain block can be seen. */
function chainWithoutStore(capsule: Record<string, unknown>): { issues: CapsuleIssue[]; linkage: CapsuleChainLinkageStatus } {
  if (isAbsent(capsule.chain)) return { issues: [], linkage: "absent" };
  if (readChain(capsule) === undefined) return { issues: [], linkage: "broken" };
  return {
    issues: [issue("CAPSULE_CHAIN_NOT_CHECKED", "info", "/chain", "chain parent existence and concurrent supersedes are store-level checks; no store was supplied")],
    linkage: "unchecked",
  };
}

/**
 * Class 1 verification without a store (checks 1–8; check 6 reports the chain as not
 * checked, and a chained Capsule derives ledger_mode standalone). Never throws.
 */
export function verifyCapsuleSync(capsule: unknown, parameters: VerifyCapsuleSyncParameters = {}): VerifyCapsuleReturnType {
  try {
    return verifyParsedSync(capsule, parameters, []);
  } catch (cause) {
    return internalFailure(cause);
  }
}

function verifyParsedSync(capsule: unknown, parameters: VerifyCapsuleSyncParameters, lexicalFloats: readonly string[]): VerifyCapsuleReturnType {
  const a = analyze(capsule, parameters, lexicalFloats);
  if (!("capsule" in a)) return a;
  return finish(a, chainWithoutStore(a.capsule), parameters.anchor);
}

async function verifyParsed(capsule: unknown, parameters: VerifyCapsuleParameters, lexicalFloats: readonly string[]): Promise<VerifyCapsuleReturnType> {
  const a = analyze(capsule, parameters, lexicalFloats);
  if (!("capsule" in a)) return a;
  const chain =
    parameters.store === undefined
      ? chainWithoutStore(a.capsule)
      : await checkCapsuleChain(a.capsule, a.capsuleId ?? undefined, parameters.store, { maxDepth: parameters.maxChainDepth });
  return finish(a, chain, parameters.anchor);
}

/**
 * Class 1 verification of a Capsule payload (§6): the eight ordered checks, with
 * check 6 against `parameters.store` when given. Never throws (a failing store is a
 * finding); the promise always resolves to a well-formed result.
 */
export async function verifyCapsule(capsule: unknown, parameters: VerifyCapsuleParameters = {}): Promise<VerifyCapsuleReturnType> {
  try {
    return await verifyParsed(capsule, parameters, []);
  } catch (cause) {
    return internalFailure(cause);
  }
}

/**
 * Class 1 verification of Capsule JSON text or UTF-8 bytes: strict parsing first
 * (syntax, duplicate members, invalid UTF-8, lone surrogates and unsafe integers are
 * check-1 findings; numbers written with a fraction or exponent — `1.0` included —
 * are check-1 float findings), then `verifyCapsule`. Never throws.
 */
export async function verifyCapsuleJson(input: string | Uint8Array, parameters: VerifyCapsuleParameters = {}): Promise<VerifyCapsuleReturnType> {
  try {
    let parsed: { value: unknown; lexicalFloats: string[] };
    try {
      parsed = parseCapsuleJsonDetailed(input);
    } catch (e) {
      if (e instanceof CapsuleError) return failure(1, issue(e.code, "error", e.path, e.details ?? e.shortMessage));
      throw e;
    }
    return await verifyParsed(parsed.value, parameters, parsed.lexicalFloats);
  } catch (cause) {
    return internalFailure(cause);
  }
}

/** Internal: verification of an already strictly parsed payload (used by the COSE verifier). */
export async function verifyParsedCapsule(value: unknown, lexicalFloats: readonly string[], parameters: VerifyCapsuleParameters): Promise<VerifyCapsuleReturnType> {
  try {
    return await verifyParsed(value, parameters, lexicalFloats);
  } catch (cause) {
    return internalFailure(cause);
  }
}
