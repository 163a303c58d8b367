/**
 * ECT DAG → task stages. Stage k holds the ECTs whose longest path from a root of the DAG has k edges (`dagLevels`),
 * so every ECT's parents (`par`) lie in earlier stages: a fan-out is several ECTs in one stage, a fan-in an ECT
 * whose `par` names ECTs of the previous stage(s). Within a stage the ECTs are ordered by `jti` (deterministic);
 * that order is the payload order and the order their `out_hash`es enter `stageOutputHash`.
 *
 * Each stage yields the step's `outputHash` and `data` payload; the step's `inputHash` is the policy's business
 * (the attested task input, or the previous stage's `outputHash`: `stageInputHash`). `wid` binds the ECTs to the
 * task: every ECT must carry `wid` = the task id (lowercase 0x-hex).
 */
import type { Hex } from "viem";
import { decodeEctUnverified } from "../ect/jws.js";
import { dagLevels } from "../ect/dag-order.js";
import { validateEctDag } from "../ect/dag.js";
import type { EctClaims, EctDagNode } from "../ect/claims.js";
import { BridgeError } from "./errors.js";
import { encodeStepPayload, stageOutputHash } from "./stepPayload.js";

export type MappedStage = {
  stage: number;
  /** Compact ECTs of the stage, in payload order. */
  ects: string[];
  jtis: string[];
  /** Their `out_hash`es, in the same order. */
  outHashes: string[];
  /** The step's `outputHash`. */
  outputHash: Hex;
  /** The step's application payload (append after the handler's witness header). */
  payload: Hex;
};

export type MapEctDagToStagesParameters = {
  /** The task's ECTs, compact JWS, in any order. */
  ects: readonly string[];
  /** The task id the ECTs' `wid` must name. */
  taskId: Hex;
  /** Number of stages the workflow declares; the DAG must have exactly this many levels (optional). */
  stageCount?: number | undefined;
  /** Capsules per stage (optional), carried in the stage's payload. */
  capsules?: Readonly<Record<number, readonly (string | object)[]>> | undefined;
};

/** The claims of a compact ECT, read without verifying its signature (verification is sdk/ect's `verifyEct`). */
export function readEctClaims(ect: string): EctDagNode & Pick<EctClaims, "out_hash" | "inp_hash" | "wid"> {
  const decoded = decodeEctUnverified(ect);
  if (decoded instanceof Error) throw new BridgeError("BRIDGE_ECT_UNREADABLE", { details: decoded.message.split("\n")[0], cause: decoded });
  return decoded.payload as unknown as EctDagNode & Pick<EctClaims, "out_hash" | "inp_hash" | "wid">;
}

/** Groups a task's ECT DAG into stages and computes each stage's step. Throws `BridgeError` with the reason. */
export function mapEctDagToStages(parameters: MapEctDagToStagesParameters): MappedStage[] {
  if (!parameters || typeof parameters !== "object" || !Array.isArray(parameters.ects) || parameters.ects.length === 0)
    throw new BridgeError("BRIDGE_INVALID_ARGUMENT", { details: "ects must be a non-empty array of compact ECTs" });
  if (typeof parameters.taskId !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(parameters.taskId))
    throw new BridgeError("BRIDGE_INVALID_ARGUMENT", { details: `taskId must be bytes32 hex, got ${String(parameters.taskId)}` });
  const wid = parameters.taskId.toLowerCase();
  const nodes = parameters.ects.map((ect, i) => {
    const claims = readEctClaims(ect);
    if (claims.wid !== wid) throw new BridgeError("BRIDGE_ECT_WID_MISMATCH", { details: `ects[${i}] (jti ${String(claims.jti)}) has wid ${JSON.stringify(claims.wid)}, expected ${wid}` });
    if (typeof claims.out_hash !== "string") throw new BridgeError("BRIDGE_ECT_MISSING_OUT_HASH", { details: `ects[${i}] (jti ${String(claims.jti)})` });
    return { ect, claims };
  });
  // The five DAG rules over the task's own ECTs (uniqueness, parents exist, acyclic, …); the set is closed.
  const dag = validateEctDag(nodes.map((n) => n.claims));
  if (!dag.ok) throw new BridgeError("BRIDGE_ECT_DAG_INVALID", { details: dag.violations.map((v) => `${v.code} (${v.jti}): ${v.details ?? ""}`).join("; ") });
  const byJti = new Map(nodes.map((n) => [n.claims.jti, n]));
  const levels = dagLevels(nodes.map((n) => n.claims));
  if (parameters.stageCount !== undefined && levels.length !== parameters.stageCount)
    throw new BridgeError("BRIDGE_STAGE_MISMATCH", { details: `the DAG has ${levels.length} levels, the workflow ${parameters.stageCount} stages` });
  return levels.map((level, stage) => {
    const ordered = [...level].sort((a, b) => (a.jti < b.jti ? -1 : a.jti > b.jti ? 1 : 0)).map((c) => byJti.get(c.jti)!);
    const outHashes = ordered.map((n) => n.claims.out_hash!);
    const ects = ordered.map((n) => n.ect);
    return {
      stage,
      ects,
      jtis: ordered.map((n) => n.claims.jti),
      outHashes,
      outputHash: stageOutputHash(outHashes),
      payload: encodeStepPayload({ ects, capsules: parameters.capsules?.[stage] ?? [] }),
    };
  });
}
