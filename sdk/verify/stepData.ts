/**
 * The application data a step carries after its witness, as sdk/verify reads it by default:
 * `0x41585331` ("AXS1") ‖ `abi.encode(string[] ects, string[] capsules)` — the stage's ECTs (JWS compact) and
 * Agent Action Capsules (JSON text). Anything else is "no envelope" (the stage carries no ECTs or capsules for
 * verifyTask), unless `verifyTask` is given its own `decodeStepData`.
 */
import { concat, decodeAbiParameters, encodeAbiParameters, slice, type Hex } from "viem";
import { ChainParameterError } from "../chain/errors.js";

export const STEP_DATA_MAGIC = "0x41585331" as const;

/** What a step's application data carries for verification. */
export type StepAppData = {
  /** ECTs of the stage, JWS compact serialisation. */
  ects: readonly string[];
  /** Capsules of the stage: JSON text, or already parsed objects (decoders may return either). */
  capsules: readonly unknown[];
};

const PARAMS = [{ type: "string[]" }, { type: "string[]" }] as const;

/** Encodes a stage's ECTs and capsules as step application data (put after the witness with `encodeStepData`). */
export function encodeStepAppData(p: { ects?: readonly string[] | undefined; capsules?: readonly (string | object)[] | undefined }): Hex {
  const ects = [...(p.ects ?? [])];
  const capsules = (p.capsules ?? []).map((c) => (typeof c === "string" ? c : JSON.stringify(c)));
  for (const [i, e] of ects.entries()) if (typeof e !== "string") throw new ChainParameterError(`ects[${i}]`, "expected a JWS compact string");
  return concat([STEP_DATA_MAGIC, encodeAbiParameters(PARAMS, [ects, capsules])]);
}

/** Decodes {@link encodeStepAppData}'s envelope; `undefined` when `appData` is not one. Never throws. */
export function decodeStepAppData(appData: Hex): StepAppData | undefined {
  try {
    if (appData.length < 10 || appData.slice(0, 10).toLowerCase() !== STEP_DATA_MAGIC) return undefined;
    const [ects, capsules] = decodeAbiParameters(PARAMS, slice(appData, 4));
    return { ects, capsules: capsules.map((c) => parseJson(c)) };
  } catch {
    return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
