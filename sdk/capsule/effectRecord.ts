/**
 * Effect Record rules (draft-mih-scitt-agent-action-capsule-01 §5.2):
 *
 * - the derivation of `effect_mode` from `effect.status` (the matrix is total over
 *   the five statuses): no effect or `planned` → not_applicable; `confirmed` with a
 *   well-formed `response_digest` → confirmed; `dispatched`, `failed`, `reverted`
 *   (and a `confirmed` whose response is not bound) → dispatched_unconfirmed;
 * - the binding table (Class 1 check 3): `planned` carries neither digest;
 *   `dispatched` carries no `response_digest` and SHOULD carry `request_digest`;
 *   `confirmed` MUST carry a `response_digest` (the confirmed-effect invariant);
 * - the effect_attestation matrix (Class 1 check 5): REQUIRED when the derived
 *   effect_mode is confirmed or dispatched_unconfirmed, MUST be absent when it is
 *   not_applicable (including the planned carve). `failed` and `reverted` are NOT
 *   exempt (the §6 NOTE test vector).
 */
import type { CapsuleIssue } from "./errors.js";
import { issue, isAbsent, isRecord } from "./issues.js";
import { isJsonDigest } from "./jsonDigest.js";
import type { CapsuleEffectMode } from "./vocabulary.js";

/**
 * Derives `assurance.effect_mode` from the Effect Record as the bytes show it.
 * `effect` is the raw `capsule.effect` member (any value).
 */
export function deriveEffectMode(effect: unknown): CapsuleEffectMode {
  if (isAbsent(effect) || !isRecord(effect)) return "not_applicable";
  const status = effect.status;
  if (status === "planned") return "not_applicable";
  if (status === "confirmed" && isJsonDigest(effect.response_digest)) return "confirmed";
  // dispatched, failed, reverted, an unbound "confirmed", or an unknown status: a dispatch the
  // gate did not confirm. Unknown statuses are a structural failure (check 1) and are graded
  // as the weaker claim rather than as "nothing happened".
  return "dispatched_unconfirmed";
}

/** Class 1 check 3: the §5.2 binding requirements of `effect.status`. */
export function checkEffectBinding(effect: unknown): CapsuleIssue[] {
  if (isAbsent(effect) || !isRecord(effect)) return [];
  const out: CapsuleIssue[] = [];
  const status = effect.status;
  const hasReq = !isAbsent(effect.request_digest);
  const hasResp = !isAbsent(effect.response_digest);
  switch (status) {
    case "confirmed":
      if (!isJsonDigest(effect.response_digest)) {
        out.push(
          issue(
            "CAPSULE_EFFECT_CONFIRMED_UNBOUND",
            "error",
            "/effect/response_digest",
            hasResp
              ? 'status "confirmed" with a malformed response_digest: the observed response is not bound'
              : 'status "confirmed" without a response_digest: a confirmed effect must bind the observed response',
          ),
        );
      }
      break;
    case "planned":
      if (hasReq) out.push(issue("CAPSULE_EFFECT_BINDING", "error", "/effect/request_digest", 'status "planned" (not dispatched) must not carry a request_digest'));
      if (hasResp) out.push(issue("CAPSULE_EFFECT_BINDING", "error", "/effect/response_digest", 'status "planned" (not dispatched) must not carry a response_digest'));
      break;
    case "dispatched":
      if (hasResp) out.push(issue("CAPSULE_EFFECT_BINDING", "error", "/effect/response_digest", 'status "dispatched" (result not observed) must not carry a response_digest; use "confirmed"'));
      if (!hasReq) out.push(issue("CAPSULE_EFFECT_REQUEST_DIGEST_MISSING", "warning", "/effect/request_digest", 'status "dispatched" should carry the request_digest of what was sent'));
      break;
    default:
      // failed: response_digest, when present, digests the failure response; reverted: correlated
      // via external_ref / decision_id. Neither has a digest requirement.
      break;
  }
  return out;
}

/** Class 1 check 5: the effect_attestation matrix against the derived effect_mode. */
export function checkEffectAttestationMatrix(effect: unknown, effectMode: CapsuleEffectMode): CapsuleIssue[] {
  const attestation = isRecord(effect) ? effect.effect_attestation : undefined;
  const present = !isAbsent(attestation);
  if (effectMode === "not_applicable") {
    if (present) {
      const planned = isRecord(effect) && effect.status === "planned";
      return [
        issue(
          "CAPSULE_EFFECT_ATTESTATION_FORBIDDEN",
          "error",
          "/effect/effect_attestation",
          planned
            ? 'status "planned" asserts no execution: effect_attestation must be absent (the planned carve)'
            : "effect_mode not_applicable (nothing executed): effect_attestation must be absent",
        ),
      ];
    }
    return [];
  }
  if (!present) {
    const status = isRecord(effect) ? effect.status : undefined;
    return [
      issue(
        "CAPSULE_EFFECT_ATTESTATION_MISSING",
        "error",
        "/effect/effect_attestation",
        `effect_mode ${effectMode}${typeof status === "string" ? ` (status "${status}")` : ""} requires effect_attestation: a dispatch must state who vouches for it`,
      ),
    ];
  }
  return [];
}
