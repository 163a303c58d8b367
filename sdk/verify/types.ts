/** Result shapes of sdk/verify: structured, never thrown. */

/** One check: what was checked, whether it held, and why. */
export type VerifyCheck = {
  /** Stable id, e.g. `prove.signatures`, `step.input`, `task.sentinel`, `ect.dag`. */
  id: string;
  /** `skip`: could not or need not be checked here (the reason says which). */
  status: "pass" | "fail" | "skip";
  reason: string;
};

export function pass(id: string, reason: string): VerifyCheck {
  return { id, status: "pass", reason };
}
export function fail(id: string, reason: string): VerifyCheck {
  return { id, status: "fail", reason };
}
export function skip(id: string, reason: string): VerifyCheck {
  return { id, status: "skip", reason };
}
export function allPass(checks: readonly VerifyCheck[]): boolean {
  return checks.every((c) => c.status !== "fail");
}
