/**
 * Capsule → step binding. A Capsule carried by a step names the step it belongs to in the extension member
 * `org.agent-exec.step` (seed 004 §9: payload-only, so it is inside `capsule_id`):
 *
 * ```json
 * "org.agent-exec.step": { "chain_id": 31337, "handler": "0x…", "task_id": "0x…", "stage": 1,
 *                          "output_hash": "0x…", "ects": ["<jti>", …] }
 * ```
 *
 * `checkCapsuleBinding` compares it with the step that carries the Capsule. A Capsule without the member is
 * `unbound` (allowed: a Capsule made by another producer), one whose member names another chain, handler, task,
 * stage or output is `mismatch` — it was moved from the step it was made for.
 */
import type { Address, Hex } from "viem";

/** The extension member that binds a Capsule to its step. */
export const CAPSULE_STEP_EXTENSION = "org.agent-exec.step";

export type CheckCapsuleBindingParameters = {
  capsule: unknown;
  chainId: number;
  handler: Address;
  taskId: Hex;
  stage: number;
  /** The step's outputHash. */
  outputHash: Hex;
};

export type CheckCapsuleBindingReturnType =
  | { status: "bound" }
  | { status: "unbound" }
  | { status: "mismatch"; fields: string[] };

const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);

/** Whether a Capsule's `org.agent-exec.step` member names this step. Never throws. */
export function checkCapsuleBinding(p: CheckCapsuleBindingParameters): CheckCapsuleBindingReturnType {
  const capsule = p?.capsule;
  if (!capsule || typeof capsule !== "object" || Array.isArray(capsule)) return { status: "unbound" };
  if (!Object.prototype.hasOwnProperty.call(capsule, CAPSULE_STEP_EXTENSION)) return { status: "unbound" };
  const m = (capsule as Record<string, unknown>)[CAPSULE_STEP_EXTENSION];
  if (!m || typeof m !== "object" || Array.isArray(m)) return { status: "mismatch", fields: [CAPSULE_STEP_EXTENSION] };
  const b = m as Record<string, unknown>;
  const fields: string[] = [];
  if (b.chain_id !== p.chainId) fields.push("chain_id");
  if (lower(b.handler) !== lower(p.handler)) fields.push("handler");
  if (lower(b.task_id) !== lower(p.taskId)) fields.push("task_id");
  if (b.stage !== p.stage) fields.push("stage");
  if (lower(b.output_hash) !== lower(p.outputHash)) fields.push("output_hash");
  return fields.length ? { status: "mismatch", fields } : { status: "bound" };
}
