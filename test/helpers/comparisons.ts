/**
 * Real comparisons for the figure tests: the package's own paper experiments (experiments/paper), replayed for
 * 0.3 s of arrivals under a few systems (a few seconds each), so figures are built from real numbers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compareSystems, type CompareResult } from "../../src/analysis/compare";
import { parseExperiment } from "../../src/workload/experiment";
import type { SweepSpec } from "../../src/workload/experiment";
import { REPO_ROOT } from "./fixtures";

export const PAPER = path.join(REPO_ROOT, "experiments", "paper");
/** Long enough for every system to serve ~90 requests and run ~10 training iterations; short enough for tests. */
export const SHORT_S = 0.3;

/** `experiments/paper/<name>.json` compared under `systems` for `SHORT_S` seconds (its own sweeps unless given). */
export async function paperComparison(name: string, systems: readonly string[], sweeps?: readonly SweepSpec[]): Promise<CompareResult> {
  const file = path.join(PAPER, `${name}.json`);
  const spec = parseExperiment(fs.readFileSync(file, "utf8"), file);
  return compareSystems({ ...spec, durationS: SHORT_S }, { systems, sloX: spec.sloX, sweeps: sweeps ?? spec.compare.sweeps });
}
