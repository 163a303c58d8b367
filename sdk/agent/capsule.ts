/**
 * The Agent Action Capsule of a stage (seed 004), for workflow stages that declare `capsule: true`.
 *
 * The Capsule is built with sdk/capsule's `buildCapsule` (so every producer invariant of the profile holds — the
 * honesty invariant above all: `human_disposed: true` only with `approver: "human"`, never claimed for what a
 * policy or the agent did), signed into a COSE_Sign1 Signed Statement with the runtime's capsule key
 * (`signCapsuleCose`), and carried whole, as its RFC 8785 canonical JSON, in the step payload's `capsules` array —
 * byte for byte the payload the statement signs, so `verifyTask` recomputes its `capsule_id` from the chain alone
 * and anyone holding the statement sees that the chain carries exactly what was signed.
 *
 * What the executor does not say, the runtime derives from the stage's ECTs and the task:
 *
 * | member | default |
 * |---|---|
 * | `action_id` | the stage's ECT `jti` (`<taskId>:<node>`); a fan-out stage: `<taskId>:<stage name>` |
 * | `action_type` | `decide` on a gating stage, `fyi` otherwise |
 * | `operator` | the requester, CAIP-10: `eip155:<chainId>:<requester>` (the tenant the task runs for) |
 * | `developer` | the ECT issuer (`iss`: the agent's workload identity) |
 * | `timestamp` | the ECTs' `iat` (the latest one) |
 * | `disposition` (gating) | `accept` by `approver: "policy"`, `human_disposed: false`, `authority` = the workflow policy (`erc8301:<chainId>:<handler>:<agentWorkflowHash>`) |
 * | `disposition` (other stages) | none: the Capsule records an action, not a decision |
 * | effect | none (`effect_mode` `not_applicable`): a stage computes an output, it commits no side effect |
 *
 * Every Capsule also carries the extension member `org.agent-exec.step` (payload-only, seed 004 §9) naming the
 * step it belongs to — chain id, handler, task id, stage, the step's `outputHash` and the ECT `jti`s — so a Capsule
 * cannot be moved to another step without its `capsule_id` changing.
 *
 * On a gating stage the Capsule's disposition is the verdict (sdk/bridge `capsuleVerdict`): denied / blocked /
 * reject ⇒ Denied (the task halts under an Allowlist policy), accept ⇒ Approved; an undecided disposition
 * (`needs_input`, `deferred`, …) cannot be proven and is refused before anything is journalled or sent
 * (`AGENT_CAPSULE_UNDECIDED`: the executor is asked again on the next attempt).
 */
import canonicalize from "canonicalize";
import { bytesToHex, type Address, type Hex } from "viem";
import { capsuleVerdict } from "../bridge/capsuleVerdict.js";
import { buildCapsule } from "../capsule/buildCapsule.js";
import type { CapsuleCoseSigner } from "../capsule/es256.js";
import { signCapsuleCose } from "../capsule/signCapsuleCose.js";
import type { Capsule, CapsuleCompliance, CapsuleConstraintRecord, CapsuleDisposition, CapsuleEffectRecord } from "../capsule/types.js";
import type { CapsuleActionType, CapsuleRegistryAdditions } from "../capsule/vocabulary.js";
import type { WorkflowStage } from "../workflow/types.js";
import { AgentRuntimeError } from "./errors.js";
import type { JournalCapsule } from "./journal.js";

import { CAPSULE_STEP_EXTENSION } from "../bridge/capsuleBinding.js";

export { CAPSULE_STEP_EXTENSION };

/**
 * What an executor may say about its stage's Capsule (`capsule` in its result). Every member is optional; absent
 * ones take the defaults of the table above. The values are Capsule members (seed 004 §5), held to the profile by
 * `buildCapsule`.
 */
export type StageCapsuleSpec = {
  action_id?: string | undefined;
  action_type?: CapsuleActionType | undefined;
  operator?: string | undefined;
  developer?: string | undefined;
  decision_id?: string | undefined;
  effect?: CapsuleEffectRecord | undefined;
  disposition?: CapsuleDisposition | undefined;
  constraints?: CapsuleConstraintRecord[] | undefined;
  compliance?: CapsuleCompliance | undefined;
  /** The values behind the digests (request, observed response, the private reason object): digested by the builder. */
  observed?: { request?: unknown; response?: unknown; reason?: unknown } | undefined;
  /** Registry values admitted after this profile version. */
  registries?: CapsuleRegistryAdditions | undefined;
};

export type BuildStageCapsuleParameters = {
  spec: StageCapsuleSpec | undefined;
  stage: number;
  stageDefinition: WorkflowStage;
  chainId: number;
  handler: Address;
  taskId: Hex;
  requester: Address;
  agentWorkflowHash: Hex;
  /** The step's outputHash. */
  outputHash: Hex;
  /** The stage's ECTs (jti order), with their `iat` (seconds) and issuer. */
  ects: readonly { jti: string; iat: number; iss: string }[];
  signer: CapsuleCoseSigner;
};

export type BuildStageCapsuleReturnType = { capsule: Capsule; journal: JournalCapsule };

const SPEC_MEMBERS = new Set(["action_id", "action_type", "operator", "developer", "decision_id", "effect", "disposition", "constraints", "compliance", "observed", "registries"]);

function invalid(stage: number, details: string, cause?: unknown): never {
  throw new AgentRuntimeError("AGENT_CAPSULE_INVALID", { details: `stage ${stage}: ${details}`, cause });
}

/** Builds, checks and signs a stage's Capsule. Throws `AGENT_CAPSULE_INVALID` / `AGENT_CAPSULE_UNDECIDED`. */
export async function buildStageCapsule(p: BuildStageCapsuleParameters): Promise<BuildStageCapsuleReturnType> {
  if (!p || typeof p !== "object" || !p.stageDefinition || typeof p.stageDefinition !== "object" || !Array.isArray(p.ects) || !p.signer || typeof p.taskId !== "string") {
    throw new AgentRuntimeError("AGENT_INVALID_OPTION", { details: "buildStageCapsule needs { spec, stage, stageDefinition, chainId, handler, taskId, requester, agentWorkflowHash, outputHash, ects, signer }" });
  }
  const spec = p.spec ?? {};
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) invalid(p.stage, "the executor's capsule must be an object");
  for (const k of Object.keys(spec)) if (!SPEC_MEMBERS.has(k)) invalid(p.stage, `unknown capsule member ${JSON.stringify(k)} (one of ${[...SPEC_MEMBERS].join(", ")})`);
  const gating = p.stageDefinition.gating === true;
  const wid = p.taskId.toLowerCase();
  if (p.ects.length === 0) invalid(p.stage, "the stage has no ECT");
  const actionId = spec.action_id ?? (p.ects.length === 1 ? p.ects[0]!.jti : `${wid}:${p.stageDefinition.name}`);
  const iat = Math.max(...p.ects.map((e) => e.iat));
  const disposition: CapsuleDisposition | undefined =
    spec.disposition ??
    (gating
      ? {
          decision: "accept",
          approver: "policy",
          human_disposed: false,
          authority: `erc8301:${p.chainId}:${p.handler.toLowerCase()}:${p.agentWorkflowHash.toLowerCase()}`,
        }
      : undefined);
  let capsule: Capsule;
  try {
    capsule = buildCapsule(
      {
        action_id: actionId,
        action_type: spec.action_type ?? (gating || disposition !== undefined ? "decide" : "fyi"),
        operator: spec.operator ?? `eip155:${p.chainId}:${p.requester.toLowerCase()}`,
        developer: spec.developer ?? p.ects[0]!.iss,
        timestamp: new Date(iat * 1000),
        decision_id: spec.decision_id,
        effect: spec.effect,
        disposition,
        constraints: spec.constraints,
        compliance: spec.compliance,
      },
      {
        observed: spec.observed,
        registries: spec.registries,
        extensions: {
          [CAPSULE_STEP_EXTENSION]: {
            chain_id: p.chainId,
            handler: p.handler.toLowerCase(),
            task_id: wid,
            stage: p.stage,
            output_hash: p.outputHash.toLowerCase(),
            ects: p.ects.map((e) => e.jti),
          },
        },
      },
    );
  } catch (cause) {
    invalid(p.stage, `buildCapsule refused it: ${(cause as { code?: string }).code ?? ""} ${(cause as Error).message.split("\n").at(-1)}`.trim(), cause);
  }
  const decided = capsuleVerdict(capsule);
  if (gating && decided.verdict === undefined) {
    throw new AgentRuntimeError("AGENT_CAPSULE_UNDECIDED", { details: `gating stage ${p.stage} ("${p.stageDefinition.name}"): ${decided.reason}` });
  }
  let statement: Uint8Array;
  try {
    statement = await signCapsuleCose(capsule, { signer: p.signer, issuedAt: iat });
  } catch (cause) {
    invalid(p.stage, `signCapsuleCose refused it: ${(cause as Error).message.split("\n").at(-1)}`, cause);
  }
  return {
    capsule,
    journal: {
      capsuleId: capsule.capsule_id,
      json: canonicalize(capsule) as string,
      statement: bytesToHex(statement),
      verdict: gating ? decided.verdict : undefined,
      verdictReason: decided.reason,
    },
  };
}
