/**
 * `lithos-replay eligible <ncu.csv[.gz]>… [--fit <calibration.json>] [--json]`: eligible warps per resident warp of
 * every kernel in Nsight Compute exports of the scheduler statistics (tools/measure/ncu_issue.sh), by kernel and by
 * class (src/gpu/eligible-warps.ts). `--fit` writes the table into a calibration file's timing (its other contents
 * kept), where the simulator's issue contention reads it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { eligibleTable, readNcuSchedulerStats, type NcuSchedulerStats } from "../gpu/eligible-warps";
import { formatCalibration } from "../gpu/calibration";
import { parseArgs, UsageError } from "./args";
import { readFitTarget } from "./interference-fit";
import { InputError, writeOutput } from "./output";

export const ELIGIBLE_USAGE = "lithos-replay eligible <ncu.csv[.gz]>… [--fit <calibration.json>] [--json]";

export async function eligibleCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--fit"], ["--json"]);
  if (positionals.length === 0) throw new UsageError("eligible takes one or more Nsight Compute CSV exports");
  const fit = options.get("--fit");
  if (fit !== undefined && typeof fit !== "string") throw new UsageError("--fit takes the calibration file to write into");
  const cal = typeof fit === "string" ? readFitTarget(fit) : undefined;
  const stats: NcuSchedulerStats[] = [];
  for (const file of positionals) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      throw new InputError(file, (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message);
    }
    try {
      stats.push(...readNcuSchedulerStats(file, bytes));
    } catch (e) {
      throw new InputError(file, (e as Error).message.replace(`${file}: `, ""));
    }
  }
  const names = positionals.map((f) => path.basename(f)).join(", ");
  const table = eligibleTable(stats, `Nsight Compute scheduler statistics (smsp__warps_eligible / smsp__warps_active per active cycle), ${stats.length} launches: ${names}`);
  if (cal !== undefined && typeof fit === "string") {
    cal.timing.eligible = table;
    await writeOutput(fit, formatCalibration(cal));
    process.stderr.write(`wrote ${fit}: eligible warps of ${Object.keys(table.kernels).length} kernels\n`);
  }
  if (options.has("--json")) {
    process.stdout.write(`${JSON.stringify(table)}\n`);
    return 0;
  }
  const lines = [`${stats.length} launches, ${Object.keys(table.kernels).length} kernels; eligible warps per resident warp (duration-weighted median)`, "class      eligible"];
  for (const [cls, v] of Object.entries(table.classes)) lines.push(`${cls.padEnd(10)} ${v.toFixed(3)}`);
  lines.push("", "kernel | threads per block                                                        eligible");
  for (const [k, v] of Object.entries(table.kernels)) lines.push(`${k.length > 80 ? `${k.slice(0, 77)}…` : k.padEnd(80)} ${v.toFixed(3)}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
