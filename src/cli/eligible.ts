/**
 * `lithos-replay eligible <ncu.csv[.gz]>… [--probes <ncu.csv[.gz]>[,…]] [--fit <calibration.json>] [--json]`:
 * eligible warps per resident warp of every kernel in Nsight Compute exports of the scheduler statistics
 * (tools/measure/ncu_issue.sh), by kernel and by class (src/gpu/eligible-warps.ts); `--probes`: exports of
 * microbenchmark kernels, kept out of the class medians. `--fit` writes the table into a calibration file's timing
 * (its other contents kept), where the simulator's issue contention reads it.
 */
import * as path from "node:path";
import { eligibleTable, readNcuSchedulerStats, type NcuSchedulerStats } from "../gpu/eligible-warps";
import { formatCalibration } from "../gpu/calibration";
import { parseArgs, UsageError } from "./args";
import { readFitTarget } from "./interference-fit";
import { InputError, readInputText, writeOutput } from "./output";

export const ELIGIBLE_USAGE = "lithos-replay eligible <ncu.csv[.gz]>… [--probes <ncu.csv[.gz]>[,…]] [--fit <calibration.json>] [--json]";

/** One Nsight Compute export read by `parse`; a file that cannot be read or parsed fails naming it (also for `stalls`). */
export function readNcuExport<T>(file: string, parse: (file: string, text: string) => T): T {
  const text = readInputText(file);
  try {
    return parse(file, text);
  } catch (e) {
    throw new InputError(file, (e as Error).message.replace(`${file}: `, ""));
  }
}

/** One export's scheduler statistics, per launch. */
const readExport = (file: string): NcuSchedulerStats[] => readNcuExport(file, readNcuSchedulerStats);

export async function eligibleCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--fit", "--probes"], ["--json"]);
  if (positionals.length === 0) throw new UsageError("eligible takes one or more Nsight Compute CSV exports");
  const fit = options.get("--fit");
  if (fit !== undefined && typeof fit !== "string") throw new UsageError("--fit takes the calibration file to write into");
  const cal = typeof fit === "string" ? readFitTarget(fit) : undefined;
  const probesOption = options.get("--probes");
  if (probesOption !== undefined && typeof probesOption !== "string") throw new UsageError("--probes takes Nsight Compute exports, comma-separated");
  const probeFiles = probesOption === undefined ? [] : probesOption.split(",").filter((f) => f !== "");
  const stats = positionals.flatMap(readExport), probes = probeFiles.flatMap(readExport);
  const names = [...positionals, ...probeFiles.map((f) => `${f} (probes)`)].map((f) => path.basename(f)).join(", ");
  const table = eligibleTable(stats, `Nsight Compute scheduler statistics (smsp__warps_eligible / smsp__warps_active per active cycle), ${stats.length + probes.length} launches: ${names}; class medians without the probes`, probes);
  if (cal !== undefined && typeof fit === "string") {
    cal.timing.eligible = table;
    await writeOutput(fit, formatCalibration(cal));
    process.stderr.write(`wrote ${fit}: eligible warps of ${Object.keys(table.kernels).length} kernels\n`);
  }
  if (options.has("--json")) {
    process.stdout.write(`${JSON.stringify(table)}\n`);
    return 0;
  }
  const lines = [`${stats.length + probes.length} launches, ${Object.keys(table.kernels).length} kernels; eligible warps per resident warp (duration-weighted median)`, "class      eligible"];
  for (const [cls, v] of Object.entries(table.classes)) lines.push(`${cls.padEnd(10)} ${v.toFixed(3)}`);
  lines.push("", "kernel | threads per block                                                        eligible");
  for (const [k, v] of Object.entries(table.kernels)) lines.push(`${k.length > 80 ? `${k.slice(0, 77)}…` : k.padEnd(80)} ${v.toFixed(3)}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
