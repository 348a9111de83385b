/**
 * `lithos-replay cross-gpu --from <trace>[,<trace>…] --to <trace>[,<trace>…] [--fit <calibration.json>] [--json]`:
 * the timing model's error in moving kernels from one GPU to another, on programs recorded on both (the n-th `--from`
 * and the n-th `--to` trace: the same program, its kernels in the same order), per kernel class; and the fraction of
 * each class's memory part that DRAM bandwidth binds, fitted on them (src/gpu/fit-cross-gpu.ts). `--fit` writes the
 * fractions into a calibration file (its other contents kept); without it the shipped calibration of the `--to` GPU
 * is the one evaluated.
 */
import { calibrationFor, formatCalibration, type Calibration } from "../gpu/calibration";
import { fitCrossGpu, type CrossGpuFit, type RecordedPair } from "../gpu/fit-cross-gpu";
import { parseArgs, UsageError } from "./args";
import { readFitTarget } from "./interference-fit";
import { writeOutput } from "./output";
import { workloadInput } from "./workload-option";

export const CROSS_GPU_USAGE = "lithos-replay cross-gpu --from <trace>[,<trace>…] --to <trace>[,<trace>…] [--fit <calibration.json>] [--json]";

const pct = (v: number) => `${v >= 0 ? "+" : ""}${(v * 100).toFixed(0)}%`;

export function formatCrossGpu(fit: CrossGpuFit): string {
  const fractions = Object.entries(fit.classes).map(([c, f]) => `${c} ${f!.toFixed(2)}`).join(", ");
  const lines = [
    `${fit.matched} kernels matched (${fit.skipped} skipped); fraction of each class's memory part bound by DRAM bandwidth: ${fractions} (compute: 0)`,
    `per-kernel rms log error: ${fit.rmsLogErrorBefore.toFixed(3)} with all of every memory part moving with bandwidth, ${fit.rmsLogErrorAfter.toFixed(3)} with these fractions, ${fit.rmsLogErrorGiven.toFixed(3)} with the calibration's`,
    "pair                      class     kernels   recorded from ms  recorded to ms   predicted: all (err)      fitted here (err)     calibration's (err)",
  ];
  for (const r of fit.rows) {
    const cell = (us: number) => `${(us / 1e3).toFixed(2)} (${pct(us / r.recordedToUs - 1)})`.padEnd(22);
    lines.push(`${r.pair.slice(0, 25).padEnd(25)} ${r.kernelClass.padEnd(9)} ${String(r.kernels).padStart(7)}   ${(r.recordedFromUs / 1e3).toFixed(2).padStart(16)}  ${(r.recordedToUs / 1e3).toFixed(2).padStart(14)}   ${cell(r.predictedBeforeUs)}  ${cell(r.predictedAfterUs)}  ${cell(r.predictedGivenUs)}`.trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

const traces = (value: string | true | undefined, flag: string): string[] => {
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`cross-gpu needs ${flag} <trace>[,<trace>…]`);
  return value.split(",");
};

export async function crossGpuCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--from", "--to", "--fit"], ["--json"]);
  if (positionals.length > 0) throw new UsageError(`cross-gpu takes no positional arguments, got ${positionals.join(" ")}`);
  const from = traces(options.get("--from"), "--from"), to = traces(options.get("--to"), "--to");
  if (from.length !== to.length) throw new UsageError(`--from has ${from.length} traces and --to ${to.length}: give one of each per program`);
  const fit = options.get("--fit");
  if (fit !== undefined && typeof fit !== "string") throw new UsageError("--fit takes the calibration file to write into");
  // Read before loading traces and fitting, so that a bad file fails at once.
  const target: Calibration | undefined = typeof fit === "string" ? readFitTarget(fit) : undefined;
  const pairs: RecordedPair[] = [];
  for (let i = 0; i < from.length; i++) {
    const a = await workloadInput(from[i]!, "auto"), b = await workloadInput(to[i]!, "auto");
    pairs.push({ name: a.name, from: a, to: b });
  }
  const cal = target ?? calibrationFor(pairs[0]!.to.recordedOn);
  let result: CrossGpuFit;
  try {
    result = fitCrossGpu(cal.timing, pairs);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (target !== undefined && typeof fit === "string") {
    const gpus = [...new Set(pairs.map((p) => `${p.from.recordedOn.name} → ${p.to.recordedOn.name}`))].join(", ");
    target.timing.dramBound = {
      classes: result.classes,
      fittedOn: `${pairs.map((p) => p.name).join(", ")} recorded on two GPUs (${gpus}): ${result.matched} kernels matched by place and name, least squares on log duration (grid of 0.05)`,
    };
    await writeOutput(fit, formatCalibration(target));
    process.stderr.write(`wrote ${fit}: DRAM-bound fractions ${JSON.stringify(result.classes)}\n`);
  }
  process.stdout.write(options.has("--json") ? `${JSON.stringify(result)}\n` : formatCrossGpu(result));
  return 0;
}
