/**
 * Coordinated circuit breaking, seen from the orchestrator.
 *
 * Spec: draft-atd-agent-task-dag-01 §Coordinated Circuit Breaking: each agent
 * keeps its own breaker and SHOULD publish its state in its ECT stream; an
 * orchestrator that observes N breakers opening for the same downstream
 * agent within a short window SHOULD initiate a HITL escalation rather than
 * allow N parallel recovery probes.
 *
 * The draft gives neither N nor the window: both are required parameters.
 * Breakers are told apart by the ECT issuer (`iss`); ECTs without `iat` cannot
 * be placed in time and are skipped (listed in `skipped`). Never throws:
 * missing or invalid parameters (`minBreakers` not a positive integer,
 * `windowS` not a finite number ≥ 0, `ects` not an array) are
 * `ATD_INVALID_OPTION` findings and nothing is detected, so a misconfigured
 * detector is visible rather than silently quiet.
 */
import { validateAtdEct } from "./validateAtdEct.js";
import type { AtdEscalation } from "./hitl.js";
import { describe, type AtdFinding } from "./errors.js";

export type DetectAtdCoordinatedCircuitOpenParameters = {
  /** ECT payloads (any; only valid `atd:circuit_open` with `iat` count). */
  ects: readonly unknown[];
  /** N: distinct breakers (issuers) that must open for one downstream agent. */
  minBreakers: number;
  /** The "short window", in seconds (compared on `iat`). */
  windowS: number;
};

export type DetectAtdCoordinatedCircuitOpenReturnType = {
  escalations: AtdEscalation[];
  /** Indices of circuit_open ECTs skipped for lack of `iat`. */
  skipped: number[];
  /** `ATD_INVALID_OPTION` findings for invalid parameters (then nothing was detected). */
  findings: AtdFinding[];
};

/**
 * Returns one `coordinated_circuit_open` escalation (SHOULD) per burst: the
 * first time, for a downstream agent, at least `minBreakers` distinct issuers
 * opened within `windowS`; the next burst is counted from opens after it.
 */
export function detectAtdCoordinatedCircuitOpen(parameters: DetectAtdCoordinatedCircuitOpenParameters): DetectAtdCoordinatedCircuitOpenReturnType {
  const escalations: AtdEscalation[] = [];
  const skipped: number[] = [];
  const findings: AtdFinding[] = [];
  const p = (typeof parameters === "object" && parameters !== null ? parameters : {}) as Partial<DetectAtdCoordinatedCircuitOpenParameters>;
  const { minBreakers, windowS, ects: rawEcts } = p;
  if (p !== parameters) findings.push({ code: "ATD_INVALID_OPTION", path: "", message: `parameters must be an object, got ${describe(parameters)}` });
  if (!Array.isArray(rawEcts)) findings.push({ code: "ATD_INVALID_OPTION", path: "ects", message: `ects must be an array, got ${describe(rawEcts)}` });
  if (!(typeof minBreakers === "number" && Number.isSafeInteger(minBreakers) && minBreakers >= 1))
    findings.push({ code: "ATD_INVALID_OPTION", path: "minBreakers", message: `minBreakers must be a positive integer, got ${describe(minBreakers)}` });
  if (!(typeof windowS === "number" && Number.isFinite(windowS) && windowS >= 0))
    findings.push({ code: "ATD_INVALID_OPTION", path: "windowS", message: `windowS must be a finite number >= 0, got ${describe(windowS)}` });
  if (findings.length > 0) return { escalations, skipped, findings };
  const ects = rawEcts as readonly unknown[];
  const byDownstream = new Map<string, { iat: number; iss: string; jti: string; wid: string | undefined }[]>();
  ects.forEach((raw, i) => {
    const r = validateAtdEct(raw);
    if (!r.valid || r.ect.fields?.act !== "atd:circuit_open") return;
    if (r.ect.iat === undefined) {
      skipped.push(i);
      return;
    }
    const key = r.ect.fields.downstream_agent;
    const list = byDownstream.get(key) ?? [];
    list.push({ iat: r.ect.iat, iss: r.ect.iss ?? "", jti: r.ect.jti, wid: r.ect.wid });
    byDownstream.set(key, list);
  });

  for (const [downstream, list] of byDownstream) {
    list.sort((a, b) => a.iat - b.iat);
    const counts = new Map<string, number>();
    let lo = 0;
    for (let hi = 0; hi < list.length; hi++) {
      const e = list[hi]!;
      counts.set(e.iss, (counts.get(e.iss) ?? 0) + 1);
      while (list[lo]!.iat < e.iat - windowS!) {
        const x = list[lo]!;
        const c = counts.get(x.iss)! - 1;
        if (c === 0) counts.delete(x.iss);
        else counts.set(x.iss, c);
        lo++;
      }
      if (counts.size >= minBreakers!) {
        const issuers = new Set(list.slice(lo, hi + 1).map((x) => x.jti));
        escalations.push({
          trigger: "coordinated_circuit_open",
          requirement: "SHOULD",
          level: undefined,
          scope: "workflow",
          cause: e.jti,
          nodes: [...issuers],
          wid: e.wid,
          downstreamAgent: downstream,
        });
        counts.clear();
        lo = hi + 1;
      }
    }
  }
  return { escalations, skipped, findings };
}
