/** One measured figure of a benchmark section. */
export type BenchRow = {
  /** What was measured, e.g. "ECT verify (13 steps)". */
  name: string;
  /** The figure, in `unit`. */
  value: number;
  unit: string;
  /** The floor it is compared against (same unit), measured in the same run. */
  floor?: { name: string; value: number } | undefined;
  /** Target, e.g. ">= 0.8x floor" or "< 0.2 s". */
  target?: string | undefined;
  /** Whether the target was met (printed, never asserted). */
  met?: boolean | undefined;
};

export type BenchSection = {
  title: string;
  /** Free text printed under the title: method, sample sizes, caveats. */
  notes?: string[];
  rows: BenchRow[];
};
