/**
 * `lithos-replay stalls <ncu.csv[.gz]>… [--json]`: where each profiled region's warps spend their time
 * (src/analysis/warp-stalls.ts), from Nsight Compute exports of the warp state statistics
 * (`TAG=stall bash tools/measure/ncu_issue.sh`), one column per export.
 */
import * as path from "node:path";
import { warpStallSummary, type WarpStallSummary } from "../analysis/warp-stalls";
import { readNcuLaunches } from "../gpu/eligible-warps";
import { parseArgs, UsageError } from "./args";
import { readNcuExport } from "./eligible";

export const STALLS_USAGE = "lithos-replay stalls <ncu.csv[.gz]>… [--json]";

function summaryOf(file: string): WarpStallSummary {
  return readNcuExport(file, (f, text) => warpStallSummary(readNcuLaunches(f, text)));
}

export async function stallsCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, [], ["--json"]);
  if (positionals.length === 0) throw new UsageError("stalls takes one or more Nsight Compute CSV exports");
  const summaries = positionals.map((f) => ({ file: path.basename(f), ...summaryOf(f) }));
  if (options.has("--json")) {
    process.stdout.write(`${JSON.stringify(summaries)}\n`);
    return 0;
  }
  // Reasons in the order of their largest share in any export.
  const reasons = [...new Set(summaries.flatMap((s) => Object.keys(s.shares)))]
    .sort((a, b) => Math.max(...summaries.map((s) => s.shares[b] ?? 0)) - Math.max(...summaries.map((s) => s.shares[a] ?? 0)));
  const width = Math.max(12, ...summaries.map((s) => s.file.length + 2));
  const row = (label: string, cells: string[]) => `${label.padEnd(22)}${cells.map((c) => c.padStart(width)).join("")}`;
  const lines = [
    row("", summaries.map((s) => s.file)),
    row("launches", summaries.map((s) => String(s.launches))),
    row("GPU time, µs", summaries.map((s) => s.gpuUs.toFixed(0))),
    row("issue active", summaries.map((s) => s.issueActive.toFixed(3))),
    "share of warp time, %:",
    ...reasons.map((r) => row(`  ${r}`, summaries.map((s) => ((s.shares[r] ?? 0) * 100).toFixed(1)))),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
