/**
 * Class 2 verification (draft-mih-scitt-agent-action-capsule-01 §7, §8.2): a Class 1
 * verifier that additionally performs manifest-aware checks, given the producer's
 * constraint manifest and the private evidence the Constraint Records bind:
 *
 *   C2-1 Constraint evidence-schema check: for each Constraint Record carrying an
 *        `evidence_digest`, the bound evidence conforms to the manifest's evidence
 *        schema for that constraint `id`, and its recomputed JSON-DIGEST matches.
 *   C2-2 Threshold checks: the manifest's deterministic predicate, re-applied with the
 *        manifest-sourced thresholds to the bound evidence, yields the recorded result.
 *
 * Class 2 results never weaken Class 1 results, they extend them; absent a manifest
 * or evidence, the Class 1 result is returned unchanged. Manifest discovery and
 * authentication are out of scope (§8): the caller supplies a manifest it trusts.
 * Predicates MUST be deterministic (§8.1); a throwing predicate is a finding.
 * The Class 2 checks run on the same read-once snapshot as Class 1.
 */
import { type CapsuleClass2Check, type CapsuleFinding, type CapsuleIssue, describeError } from "./errors.js";
import { issue, isRecord, show } from "./issues.js";
import { isJsonDigest, jsonDigest } from "./jsonDigest.js";
import { jsonPointer } from "./jsonPointer.js";
import type { CapsuleConstraintRecord, CapsuleJsonObject } from "./types.js";
import { type VerifyCapsuleParameters, type VerifyCapsuleReturnType, verifyCapsuleKeepingSnapshot } from "./verifyCapsule.js";
import type { CapsuleConstraintResult } from "./vocabulary.js";

/** One constraint's entry in the producer's manifest. */
export type CapsuleManifestConstraint = {
  /** Evidence-schema check: returns the list of problems (empty when the evidence conforms). */
  validateEvidence?: ((evidence: unknown) => readonly string[]) | undefined;
  /** Manifest-sourced thresholds of the predicate. */
  thresholds?: CapsuleJsonObject | undefined;
  /** The deterministic predicate: evidence and thresholds to a result. */
  evaluate?: ((evidence: unknown, thresholds: CapsuleJsonObject | undefined) => CapsuleConstraintResult) | undefined;
};

/** The producer's constraint manifest (private; not carried in the Capsule). */
export type CapsuleConstraintManifest = {
  constraints: Readonly<Record<string, CapsuleManifestConstraint>>;
};

/** Evidence by constraint id, or a lookup by record. */
export type CapsuleEvidenceSource =
  | Readonly<Record<string, unknown>>
  | ((record: CapsuleConstraintRecord, index: number) => unknown);

export type VerifyCapsuleClass2Parameters = VerifyCapsuleParameters & {
  manifest?: CapsuleConstraintManifest | undefined;
  evidence?: CapsuleEvidenceSource | undefined;
};

function lookupEvidence(source: CapsuleEvidenceSource, record: CapsuleConstraintRecord, index: number): unknown {
  if (typeof source === "function") return source(record, index);
  return Object.prototype.hasOwnProperty.call(source, record.id) ? source[record.id] : undefined;
}

export type CheckCapsuleClass2Parameters = {
  manifest: CapsuleConstraintManifest;
  evidence: CapsuleEvidenceSource;
};

/** The Class 2 issues, each with the §8.2 check it belongs to (1 evidence-schema, 2 thresholds). */
export type CheckCapsuleClass2ReturnType = { check: CapsuleClass2Check; issue: CapsuleIssue }[];

/**
 * Class 2 checks over the constraint records of `capsule` (a Capsule object; pass a
 * snapshot when the input is untrusted — `verifyCapsuleClass2` does). Never throws on
 * hostile manifests or evidence lookups: their failures are findings.
 */
export function checkCapsuleClass2(capsule: unknown, parameters: CheckCapsuleClass2Parameters): CheckCapsuleClass2ReturnType {
  try {
    return checkRecords(capsule, parameters);
  } catch (e) {
    return [{ check: 1, issue: issue("CAPSULE_MANIFEST_ERROR", "error", "", `Class 2 checks failed: ${describeError(e)}`) }];
  }
}

function checkRecords(capsule: unknown, parameters: CheckCapsuleClass2Parameters): CheckCapsuleClass2ReturnType {
  const { manifest, evidence } = parameters;
  const out: CheckCapsuleClass2ReturnType = [];
  if (!isRecord(capsule) || !Array.isArray(capsule.constraints)) return out;
  capsule.constraints.forEach((raw, i) => {
    if (!isRecord(raw) || typeof raw.id !== "string" || !isJsonDigest(raw.evidence_digest)) return;
    const record = raw as unknown as CapsuleConstraintRecord;
    const base = jsonPointer("constraints", i);
    const entry = Object.prototype.hasOwnProperty.call(manifest.constraints, record.id) ? manifest.constraints[record.id] : undefined;
    if (entry === undefined) {
      out.push({ check: 1, issue: issue("CAPSULE_MANIFEST_ERROR", "error", `${base}/id`, `the manifest has no entry for constraint ${show(record.id)}`) });
      return;
    }
    let ev: unknown;
    try {
      ev = lookupEvidence(evidence, record, i);
    } catch (e) {
      out.push({ check: 1, issue: issue("CAPSULE_MANIFEST_ERROR", "error", `${base}/evidence_digest`, `evidence lookup failed: ${describeError(e)}`) });
      return;
    }
    if (ev === undefined) {
      out.push({ check: 1, issue: issue("CAPSULE_EVIDENCE_UNAVAILABLE", "info", `${base}/evidence_digest`, `no evidence supplied for constraint ${show(record.id)}`) });
      return;
    }
    // C2-1: digest and schema
    let digest: string;
    try {
      digest = jsonDigest(ev);
    } catch (e) {
      out.push({ check: 1, issue: issue("CAPSULE_EVIDENCE_DIGEST_MISMATCH", "error", `${base}/evidence_digest`, `the evidence cannot be digested: ${describeError(e)}`) });
      return;
    }
    if (digest !== record.evidence_digest) {
      out.push({ check: 1, issue: issue("CAPSULE_EVIDENCE_DIGEST_MISMATCH", "error", `${base}/evidence_digest`, `the evidence supplied digests to ${digest}, not ${record.evidence_digest}`) });
      return;
    }
    if (entry.validateEvidence !== undefined) {
      try {
        const problems = entry.validateEvidence(ev);
        if (problems.length > 0) {
          out.push({ check: 1, issue: issue("CAPSULE_EVIDENCE_SCHEMA", "error", `${base}/evidence_digest`, `evidence for ${show(record.id)} does not conform: ${problems.slice(0, 5).join("; ")}`) });
          return;
        }
      } catch (e) {
        out.push({ check: 1, issue: issue("CAPSULE_MANIFEST_ERROR", "error", `${base}/evidence_digest`, `the evidence-schema check threw: ${describeError(e)}`) });
        return;
      }
    }
    // C2-2: thresholds
    if (entry.evaluate !== undefined) {
      let result: unknown;
      try {
        result = entry.evaluate(ev, entry.thresholds);
      } catch (e) {
        out.push({ check: 2, issue: issue("CAPSULE_MANIFEST_ERROR", "error", `${base}/result`, `the manifest predicate threw: ${describeError(e)}`) });
        return;
      }
      if (result !== record.result) {
        out.push({ check: 2, issue: issue("CAPSULE_THRESHOLD_MISMATCH", "error", `${base}/result`, `re-applying the manifest thresholds gives ${show(result)}, but the record says ${show(record.result)}`) });
      }
    }
  });
  return out;
}

/**
 * Class 2 verification: Class 1 (`verifyCapsule`) extended with the manifest-aware
 * checks. Without a manifest or evidence it returns the Class 1 result unchanged.
 * Never throws.
 */
export async function verifyCapsuleClass2(capsule: unknown, parameters: VerifyCapsuleClass2Parameters = {}): Promise<VerifyCapsuleReturnType> {
  const { result: class1, snapshot } = await verifyCapsuleKeepingSnapshot(capsule, parameters);
  let manifest: CapsuleConstraintManifest | undefined;
  let evidence: CapsuleEvidenceSource | undefined;
  try {
    ({ manifest, evidence } = parameters);
  } catch {
    return class1; // (the Class 1 result already reports hostile parameters)
  }
  if (manifest === undefined || evidence === undefined || snapshot === undefined) return class1;
  let extra: CheckCapsuleClass2ReturnType;
  try {
    extra = isRecord(manifest) && isRecord(manifest.constraints) ? checkCapsuleClass2(snapshot, { manifest, evidence }) : [
      { check: 1, issue: issue("CAPSULE_MANIFEST_ERROR", "error", "", "the manifest is not an object with a constraints map") },
    ];
  } catch (e) {
    extra = [{ check: 1, issue: issue("CAPSULE_MANIFEST_ERROR", "error", "", `Class 2 checks failed: ${describeError(e)}`) }];
  }
  const class2: CapsuleFinding[] = extra
    .map((x, i) => ({ x, i }))
    .sort((a, b) => a.x.check - b.x.check || a.i - b.i)
    .map(({ x }) => ({ class: 2 as const, check: x.check, ...x.issue }));
  const findings = [...class1.findings, ...class2];
  return { ...class1, class: 2, findings, ok: class1.ok && !class2.some((f) => f.severity === "error") };
}
