/**
 * Test helpers for the ATD suite: a small seeded PRNG (mulberry32), random
 * JSON values, and ECT payload fixtures taken from the draft's figures.
 */
import { prng as mulberry32 } from "../../scripts/lib/prng.js";

/** A seeded PRNG (mulberry32, scripts/lib/prng.ts) with integer / pick / coin helpers. */
export function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bool = (p = 0.5): boolean => next() < p;
  return { next, int, pick, bool };
}
export type Prng = ReturnType<typeof prng>;

/** A random JSON-ish value (plus a few non-JSON numbers), bounded depth. */
export function randomValue(r: Prng, depth = 3): unknown {
  const k = r.int(depth > 0 ? 10 : 7);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.bool();
    case 2:
      return r.pick([0, -1, 1.5, 1e308, -1e308, Number.NaN, Infinity, -0, 2 ** 53 + 2, 86400, 0.5]);
    case 3:
      return r.pick(["", "x", "atd:checkpoint", "critical", "\ud800", "https://a/.well-known/atd/rollback", "a".repeat(300)]);
    case 4:
      return undefined;
    case 5:
      return r.int(100);
    case 6:
      return "s" + r.int(1000);
    case 7:
    case 8: {
      const o: Record<string, unknown> = {};
      const n = r.int(5);
      for (let i = 0; i < n; i++) o[r.pick(["jti", "exec_act", "par", "ext", "pred", "ect_ext", "wid", "iat", "atd.ttl", "__proto__", "x"])] = randomValue(r, depth - 1);
      return o;
    }
    default: {
      const n = r.int(4);
      return Array.from({ length: n }, () => randomValue(r, depth - 1));
    }
  }
}

/** Deeply nested array value. */
export function deepNest(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

export const URI = "https://agent-b.example.com/.well-known/atd/rollback";

/** The draft's figures, with a jti added where a figure omits it. */
export const FIG = {
  workflowStart: {
    jti: "wf-start-ect-uuid",
    exec_act: "atd:workflow_start",
    ext: { "atd.wf_id": "wf-uuid", "atd.description": "BGP failover workflow", "atd.node_count": 5 },
  },
  workflowComplete: {
    jti: "wf-complete-uuid",
    exec_act: "atd:workflow_complete",
    par: ["wf-start-ect-uuid"],
    ext: { "atd.wf_id": "wf-uuid", "atd.terminal_status": "success", "atd.elapsed_s": 42 },
  },
  checkpoint: {
    jti: "ckpt-uuid",
    exec_act: "atd:checkpoint",
    par: ["action-ect-uuid"],
    out_hash: "sha256-of-agent-state-snapshot",
    ext: {
      "atd.reversible": true,
      "atd.rollback_uri": URI,
      "atd.target": "router-07.example.com",
      "atd.description": "Update BGP peer config",
      "atd.ttl": 86400,
    },
  },
  error: {
    jti: "error-uuid",
    exec_act: "atd:error",
    par: ["failed-action-ect-uuid"],
    ext: {
      "atd.severity": "critical",
      "atd.error_type": "action_failed",
      "atd.description": "BGP session did not establish",
      "atd.checkpoint_id": "ckpt-uuid",
      "atd.upstream_errors": [],
    },
  },
  circuitOpen: {
    jti: "co-uuid",
    exec_act: "atd:circuit_open",
    ext: { "atd.downstream_agent": "spiffe://example.com/agent/b", "atd.error_rate": 0.75, "atd.window_s": 60 },
  },
  circuitClose: {
    jti: "cc-uuid",
    exec_act: "atd:circuit_close",
    ext: { "atd.downstream_agent": "spiffe://example.com/agent/b", "atd.cooldown_s": 30 },
  },
  rollbackRequest: {
    jti: "rollback-request-uuid",
    exec_act: "atd:rollback_request",
    par: ["ckpt-uuid"],
    ext: { "atd.reason": "Upstream action caused cascading failure", "atd.cascade": true },
  },
  rollbackResult: {
    jti: "rollback-result-uuid",
    exec_act: "atd:rollback_result",
    par: ["rollback-request-uuid"],
    out_hash: "sha256-of-restored-state",
    ext: {
      "atd.status": "completed",
      "atd.checkpoint_id": "ckpt-uuid",
      "atd.cascaded": [
        { agent: "spiffe://example.com/agent/c", status: "completed" },
        { agent: "spiffe://example.com/agent/d", status: "escalated" },
      ],
    },
  },
} as const;

/** fig-workflow: the declarative workflow descriptor, verbatim. */
export const FIG_WORKFLOW_TEXT = `{
  "wf_id": "bgp-failover-v2",
  "description": "BGP peer failover with validation",
  "nodes": [
    {
      "id": "n1",
      "label": "validate-config",
      "reversible": true,
      "hitl_required": false,
      "resource_hints": {
        "priority": "normal",
        "timeout_s": 30
      }
    },
    {
      "id": "n2",
      "label": "update-bgp-peer",
      "reversible": true,
      "hitl_required": true,
      "resource_hints": {
        "priority": "critical",
        "timeout_s": 120
      }
    },
    {
      "id": "n3",
      "label": "verify-session",
      "reversible": false,
      "hitl_required": false,
      "resource_hints": {
        "priority": "high",
        "timeout_s": 60
      }
    }
  ],
  "edges": [
    {"from": "n1", "to": "n2"},
    {"from": "n2", "to": "n3"}
  ]
}`;

/** Deep copy of a JSON fixture with `ext` members changed (undefined deletes). */
export function withExt<T extends { ext: Record<string, unknown> }>(ect: T, changes: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(ect)) as Record<string, unknown> & { ext: Record<string, unknown> };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete copy.ext[k];
    else copy.ext[k] = v;
  }
  return copy;
}

/** ECT builders for replay scenarios. */
export const E = {
  task: (jti: string, par: string[] = [], extra: Record<string, unknown> = {}) => ({ jti, exec_act: "do_" + jti, par, wid: "W", ...extra }),
  start: (jti: string, wfId = "wf", extra: Record<string, unknown> = {}) => ({
    jti,
    exec_act: "atd:workflow_start",
    par: [],
    wid: "W",
    ext: { "atd.wf_id": wfId, "atd.description": "d" },
    ...extra,
  }),
  complete: (jti: string, par: string[], wfId = "wf", status = "success") => ({
    jti,
    exec_act: "atd:workflow_complete",
    par,
    wid: "W",
    ext: { "atd.wf_id": wfId, "atd.terminal_status": status },
  }),
  ckpt: (jti: string, par: string[], reversible = true, extra: Record<string, unknown> = {}) => ({
    jti,
    exec_act: "atd:checkpoint",
    par,
    wid: "W",
    ext: { "atd.reversible": reversible, "atd.rollback_uri": URI, "atd.ttl": 3600 },
    ...extra,
  }),
  error: (jti: string, par: string[], checkpoint: string | null, severity = "error", extra: Record<string, unknown> = {}, errorType = "action_failed") => ({
    jti,
    exec_act: "atd:error",
    par,
    wid: "W",
    ext: { "atd.severity": severity, "atd.error_type": errorType, "atd.checkpoint_id": checkpoint },
    ...extra,
  }),
  req: (jti: string, ckpt: string, cascade = false, extra: Record<string, unknown> = {}) => ({
    jti,
    exec_act: "atd:rollback_request",
    par: [ckpt],
    wid: "W",
    ext: { "atd.reason": "r", "atd.cascade": cascade },
    ...extra,
  }),
  res: (jti: string, req: string, ckpt: string, status = "completed", cascaded: unknown[] = []) => ({
    jti,
    exec_act: "atd:rollback_result",
    par: [req],
    wid: "W",
    ext: { "atd.status": status, "atd.checkpoint_id": ckpt, "atd.cascaded": cascaded },
  }),
  open: (jti: string, iss: string, downstream = "spiffe://x/b", iat?: number) => ({
    jti,
    exec_act: "atd:circuit_open",
    iss,
    ...(iat !== undefined ? { iat } : {}),
    ext: { "atd.downstream_agent": downstream, "atd.error_rate": 1, "atd.window_s": 60 },
  }),
  close: (jti: string, iss: string, downstream = "spiffe://x/b") => ({
    jti,
    exec_act: "atd:circuit_close",
    iss,
    ext: { "atd.downstream_agent": downstream, "atd.cooldown_s": 30 },
  }),
};
