/**
 * Class 1 check 1 — Structural (draft-mih-scitt-agent-action-capsule-01 §6):
 * REQUIRED fields present and typed; closed enums respected; digests well formed;
 * no floating-point values in digest-bearing fields (those are found by the
 * JSON-DIGEST domain walk, see verifyCapsule).
 *
 * Field requirements (§5.1–§5.4.4, §8.1, §9):
 * - top level: spec_version, format_version ("2"), capsule_id (64 hex), action_id,
 *   action_type (fyi | decide), operator, developer, timestamp (RFC 3339 UTC "Z"),
 *   assurance — REQUIRED; disposition REQUIRED when action_type is "decide";
 *   decision_id, effect, constraints, compliance, chain optional;
 * - effect: type and status REQUIRED (status closed), digests 64 hex;
 * - assurance: the three modes REQUIRED (closed), sources[].kind strings;
 * - disposition: see disposition.ts (the honesty invariant is not part of check 1:
 *   the builder refuses it; verifiers report it as a "defensive" warning, §6);
 * - constraints[]: id, result (pass | fail | n/a), severity, blocking REQUIRED;
 * - chain: parent_capsule_id (64 hex) and relation REQUIRED;
 * - `_sd` / `_sd_alg` selective-disclosure members are not interpreted (§9.2): warning.
 * A member whose value is null, [] or {} counts as absent (it normalizes away, §2);
 * the verifier runs these rules on the normalized snapshot, so such a member is absent
 * here exactly as it is absent from capsule_id.
 */
import type { CapsuleIssue } from "./errors.js";
import { checkCapsuleDisposition } from "./disposition.js";
import { issue, isAbsent, isRecord, jsonType, notObjectIssue, optionalDigestField, optionalStringField, requireField, show } from "./issues.js";
import { isJsonDigest } from "./jsonDigest.js";
import { jsonPointer } from "./jsonPointer.js";
import { isCapsuleTimestamp } from "./timestamp.js";
import {
  CAPSULE_ACTION_TYPES,
  CAPSULE_ATTESTATION_MODES,
  CAPSULE_CONSTRAINT_RESULTS,
  CAPSULE_EFFECT_MODES,
  CAPSULE_EFFECT_STATUSES,
  CAPSULE_FORMAT_VERSION,
  CAPSULE_KNOWN_SPEC_VERSIONS,
  CAPSULE_LEDGER_MODES,
  isCapsuleEnumValue,
} from "./vocabulary.js";

/** Caps the findings one array block (constraints, tags, sources) can contribute. */
const PER_ARRAY_LIMIT = 100;

function closed(out: CapsuleIssue[], obj: Record<string, unknown>, base: string, key: string, values: readonly string[]): void {
  if (!requireField(out, obj, base, key, "string")) return;
  const v = obj[key] as string;
  if (!values.includes(v)) out.push(issue("CAPSULE_FIELD_VALUE", "error", `${base}/${key}`, `${key} ${show(v)} is not one of ${values.join(", ")}`));
}

function block(out: CapsuleIssue[], c: Record<string, unknown>, key: string, required: boolean): Record<string, unknown> | undefined {
  const v = c[key];
  if (isAbsent(v)) {
    if (required) out.push(issue("CAPSULE_FIELD_MISSING", "error", `/${key}`, `${key} is required`));
    return undefined;
  }
  if (!isRecord(v)) {
    out.push(issue("CAPSULE_FIELD_TYPE", "error", `/${key}`, `${key} must be an object, got ${jsonType(v)}`));
    return undefined;
  }
  return v;
}

function selectiveDisclosure(out: CapsuleIssue[], obj: Record<string, unknown>, base: string): void {
  for (const k of ["_sd", "_sd_alg"]) {
    if (Object.prototype.hasOwnProperty.call(obj, k)) {
      out.push(issue("CAPSULE_SELECTIVE_DISCLOSURE_UNSUPPORTED", "warning", `${base}/${k}`, `selective-disclosure member ${k} is not interpreted (draft-mih-scitt-agent-action-capsule-selective-disclosure is not implemented)`));
    }
  }
}

/** Check 1 (field level). `c` must already be known to be an object. */
export function checkCapsuleStructure(capsule: unknown): CapsuleIssue[] {
  if (!isRecord(capsule)) return [notObjectIssue(capsule)];
  const c = capsule;
  const out: CapsuleIssue[] = [];

  // §5.1 identity and parties
  if (requireField(out, c, "", "spec_version", "string") && !isCapsuleEnumValue(CAPSULE_KNOWN_SPEC_VERSIONS, c.spec_version)) {
    out.push(issue("CAPSULE_SPEC_VERSION_UNRECOGNIZED", "warning", "/spec_version", `spec_version ${show(c.spec_version)} is not a profile version this verifier knows (${CAPSULE_KNOWN_SPEC_VERSIONS.join(", ")})`));
  }
  if (requireField(out, c, "", "format_version", "string") && c.format_version !== CAPSULE_FORMAT_VERSION) {
    out.push(issue("CAPSULE_FORMAT_VERSION_UNSUPPORTED", "error", "/format_version", `format_version ${show(c.format_version)} is not the serialization suite "${CAPSULE_FORMAT_VERSION}" of this profile version`));
  }
  if (isAbsent(c.capsule_id)) out.push(issue("CAPSULE_FIELD_MISSING", "error", "/capsule_id", "capsule_id is required"));
  else if (!isJsonDigest(c.capsule_id)) out.push(issue("CAPSULE_DIGEST_MALFORMED", "error", "/capsule_id", `capsule_id must be 64 lowercase hex characters, got ${show(c.capsule_id)}`));
  requireField(out, c, "", "action_id", "string");
  closed(out, c, "", "action_type", CAPSULE_ACTION_TYPES);
  requireField(out, c, "", "operator", "string");
  requireField(out, c, "", "developer", "string");
  if (requireField(out, c, "", "timestamp", "string") && !isCapsuleTimestamp(c.timestamp)) {
    out.push(issue("CAPSULE_TIMESTAMP_INVALID", "error", "/timestamp", `timestamp ${show(c.timestamp)} is not RFC 3339 UTC with a "Z" suffix`));
  }
  optionalStringField(out, c, "", "decision_id");
  selectiveDisclosure(out, c, "");

  // §5.2 effect
  const effect = block(out, c, "effect", false);
  if (effect) {
    requireField(out, effect, "/effect", "type", "string");
    closed(out, effect, "/effect", "status", CAPSULE_EFFECT_STATUSES);
    optionalDigestField(out, effect, "/effect", "request_digest");
    optionalDigestField(out, effect, "/effect", "response_digest");
    optionalStringField(out, effect, "/effect", "external_ref");
    optionalStringField(out, effect, "/effect", "irreversibility_class");
    optionalStringField(out, effect, "/effect", "effect_attestation");
    selectiveDisclosure(out, effect, "/effect");
  }

  // §5.3 assurance
  const assurance = block(out, c, "assurance", true);
  if (assurance) {
    closed(out, assurance, "/assurance", "attestation_mode", CAPSULE_ATTESTATION_MODES);
    closed(out, assurance, "/assurance", "effect_mode", CAPSULE_EFFECT_MODES);
    closed(out, assurance, "/assurance", "ledger_mode", CAPSULE_LEDGER_MODES);
    const sources = assurance.sources;
    if (!isAbsent(sources)) {
      if (!Array.isArray(sources)) out.push(issue("CAPSULE_FIELD_TYPE", "error", "/assurance/sources", `sources must be an array, got ${jsonType(sources)}`));
      else {
        let n = 0;
        for (let i = 0; i < sources.length && n < PER_ARRAY_LIMIT; i++) {
          const s = sources[i];
          const base = jsonPointer("assurance", "sources", i);
          const before = out.length;
          if (!isRecord(s)) out.push(issue("CAPSULE_FIELD_TYPE", "error", base, `a source must be an object, got ${jsonType(s)}`));
          else requireField(out, s, base, "kind", "string");
          n += out.length - before;
        }
      }
    }
  }

  // §5.4 disposition
  const dispositionRaw = c.disposition;
  if (isAbsent(dispositionRaw)) {
    if (c.action_type === "decide") out.push(issue("CAPSULE_FIELD_MISSING", "error", "/disposition", 'disposition is required when action_type is "decide"'));
  } else {
    out.push(...checkCapsuleDisposition(dispositionRaw));
    if (isRecord(dispositionRaw)) selectiveDisclosure(out, dispositionRaw, "/disposition");
  }

  // §8.1 constraint records
  const constraints = c.constraints;
  if (!isAbsent(constraints)) {
    if (!Array.isArray(constraints)) out.push(issue("CAPSULE_FIELD_TYPE", "error", "/constraints", `constraints must be an array, got ${jsonType(constraints)}`));
    else {
      let n = 0;
      for (let i = 0; i < constraints.length && n < PER_ARRAY_LIMIT; i++) {
        const r = constraints[i];
        const base = jsonPointer("constraints", i);
        const before = out.length;
        if (!isRecord(r)) out.push(issue("CAPSULE_FIELD_TYPE", "error", base, `a constraint record must be an object, got ${jsonType(r)}`));
        else {
          requireField(out, r, base, "id", "string");
          optionalStringField(out, r, base, "check_type");
          optionalStringField(out, r, base, "method");
          closed(out, r, base, "result", CAPSULE_CONSTRAINT_RESULTS);
          requireField(out, r, base, "severity", "string");
          requireField(out, r, base, "blocking", "boolean");
          optionalDigestField(out, r, base, "evidence_digest");
        }
        n += out.length - before;
      }
    }
  }

  // §9.1 compliance
  const compliance = block(out, c, "compliance", false);
  if (compliance) {
    const tags = compliance.framework_tags;
    if (!isAbsent(tags)) {
      if (!Array.isArray(tags)) out.push(issue("CAPSULE_FIELD_TYPE", "error", "/compliance/framework_tags", `framework_tags must be an array of strings, got ${jsonType(tags)}`));
      else {
        let n = 0;
        for (let i = 0; i < tags.length && n < PER_ARRAY_LIMIT; i++) {
          if (typeof tags[i] !== "string") {
            out.push(issue("CAPSULE_FIELD_TYPE", "error", jsonPointer("compliance", "framework_tags", i), `a framework tag must be a string, got ${jsonType(tags[i])}`));
            n++;
          }
        }
      }
    }
  }

  // §5.4.4 chain
  const chain = block(out, c, "chain", false);
  if (chain) {
    if (isAbsent(chain.parent_capsule_id)) out.push(issue("CAPSULE_FIELD_MISSING", "error", "/chain/parent_capsule_id", "parent_capsule_id is required in a chain block"));
    else if (!isJsonDigest(chain.parent_capsule_id)) out.push(issue("CAPSULE_DIGEST_MALFORMED", "error", "/chain/parent_capsule_id", `parent_capsule_id must be 64 lowercase hex characters, got ${show(chain.parent_capsule_id)}`));
    requireField(out, chain, "/chain", "relation", "string");
  }
  return out;
}

/** The chain block when present and well formed (parent id is a digest, relation a string). */
export function readChain(c: Record<string, unknown>): { parent_capsule_id: string; relation: string } | undefined {
  const chain = c.chain;
  if (!isRecord(chain)) return undefined;
  if (!isJsonDigest(chain.parent_capsule_id) || typeof chain.relation !== "string" || chain.relation === "") return undefined;
  return { parent_capsule_id: chain.parent_capsule_id, relation: chain.relation };
}
