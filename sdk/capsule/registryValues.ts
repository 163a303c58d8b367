/**
 * Unknown registry values (draft-mih-scitt-agent-action-capsule-01 §4, §12,
 * Class 1 check 8): `verdict_class`, `disposition.decision`, `effect.type`,
 * `irreversibility_class`, `effect_attestation` and `chain.relation` values outside
 * the registry contents are reported as informational findings and MUST NOT cause
 * rejection. An unknown `effect_attestation` is additionally graded no stronger than
 * `runtime_claimed` (§5.2). The closed `approver` enum is structural (check 1), not here.
 */
import type { CapsuleFindingSeverity, CapsuleIssue } from "./errors.js";
import { issue, isRecord, notObjectIssue } from "./issues.js";
import { type CapsuleRegistryAdditions, type CapsuleRegistryName, isCapsuleRegisteredValue } from "./vocabulary.js";

/** Where each registry-governed value lives in a Capsule. */
export const CAPSULE_REGISTRY_FIELDS: readonly { registry: CapsuleRegistryName; block: string; member: string }[] = [
  { registry: "disposition.decision", block: "disposition", member: "decision" },
  { registry: "verdict_class", block: "disposition", member: "verdict_class" },
  { registry: "effect.type", block: "effect", member: "type" },
  { registry: "irreversibility_class", block: "effect", member: "irreversibility_class" },
  { registry: "effect_attestation", block: "effect", member: "effect_attestation" },
  { registry: "chain.relation", block: "chain", member: "relation" },
];

/**
 * Check 8: one issue per registry-governed string value outside the registry
 * (`severity` info for verifiers; the builder asks for error).
 */
export function checkCapsuleRegistryValues(
  capsule: unknown,
  additions?: CapsuleRegistryAdditions | undefined,
  severity: CapsuleFindingSeverity = "info",
): CapsuleIssue[] {
  const out: CapsuleIssue[] = [];
  if (!isRecord(capsule)) return [notObjectIssue(capsule)];
  if (typeof additions !== "object" || additions === null) additions = undefined;
  for (const { registry, block, member } of CAPSULE_REGISTRY_FIELDS) {
    const b = capsule[block];
    if (!isRecord(b)) continue;
    const v = b[member];
    if (typeof v !== "string" || v === "") continue;
    if (isCapsuleRegisteredValue(registry, v, additions)) continue;
    const extra = registry === "effect_attestation" ? "; graded no stronger than runtime_claimed" : "";
    out.push(issue("CAPSULE_UNREGISTERED_VALUE", severity, `/${block}/${member}`, `${JSON.stringify(v)} is not in the "${registry}" registry${extra}`));
  }
  return out;
}
