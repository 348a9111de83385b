/**
 * `lithos-replay model-error <kernels.csv> [micro.csv] [--gpu h200] [--calibration file.json] [--json]`:
 * the model's error on real measurements (the numbers the README reports; rerun it to check them).
 */
import { modelErrorReport, type ModelErrorReport } from "../analysis/model-error";
import { calibrationFor, readCalibration } from "../gpu/calibration";
import { isKernelsCsv, kernelCurvesFromCsv, type KernelCurve } from "../gpu/measurements";
import { parseMicroCsv, type MicroRow } from "../gpu/power-fit";
import { parseCsv } from "../util/csv";
import { parseArgs, UsageError } from "./args";
import { formatTable } from "./format";
import { gpuOption } from "./gpu-option";
import { InputError, readInputText } from "./output";

export const MODEL_ERROR_USAGE = "lithos-replay model-error <kernels.csv> [micro.csv] [--gpu h200] [--calibration file.json] [--json]";

export async function modelErrorCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--gpu", "--calibration"], ["--json"]);
  if (positionals.length === 0) throw new UsageError("model-error needs a kernels.csv");
  const gpu = gpuOption(options.get("--gpu"));
  const calFile = options.get("--calibration");
  const cal = typeof calFile === "string" ? readCalibration(calFile) : calibrationFor(gpu);
  const curves: KernelCurve[] = [];
  const micro: MicroRow[] = [];
  for (const file of positionals) {
    const text = readInputText(file);
    try {
      if (isKernelsCsv(parseCsv(text).header)) curves.push(...kernelCurvesFromCsv(text));
      else micro.push(...parseMicroCsv(text));
    } catch (e) {
      throw new InputError(file, (e as Error).message);
    }
  }
  if (curves.length === 0) throw new UsageError("model-error needs a kernels.csv");
  const report = modelErrorReport(cal, curves, gpu, micro);
  process.stdout.write(options.has("--json") ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report)}\n`);
  return 0;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function renderReport(r: ModelErrorReport): string {
  const out = [
    `timing model on ${r.kernels} kernels (${r.gpu}), time-weighted mean absolute error over the SM counts below the full chip`,
    "",
    formatTable(["predictor", "error"], [
      ["constant (full-chip duration)", pct(r.baselines.constant)],
      ["linear in SMs", pct(r.baselines.linear)],
      ["wave quantisation only", pct(r.baselines.waves)],
      [`this model, calibration fitted on ${r.calibrationFittedOn}`, pct(r.fitted)],
      ["this model, refit on these kernels", pct(r.refit)],
      ["this model, refit on the other workloads, each held out", pct(r.heldOutOverall)],
    ], [false, true]),
    "",
    formatTable(["workload", "kernels", "calibration", "refit on all", "refit on others"], r.workloads.map((w) => [w.workload, w.kernels, pct(w.calibration), pct(w.fitted), pct(w.heldOut)]), [false, true, true, true, true]),
  ];
  if (r.familySplits.length) {
    out.push("", formatTable(["fit on", "test on", "fit error", "test error"], r.familySplits.map((s) => [s.fitOn, s.testOn, pct(s.fitted), pct(s.heldOut)]), [false, false, true, true]));
  }
  if (r.power) out.push("", `power model: ${r.power.rows} rows, mean |error| ${r.power.meanAbsPct.toFixed(1)}%, max ${r.power.maxAbsPct.toFixed(1)}%, clock rms ${r.power.clockRmsMHz.toFixed(0)} MHz`);
  return out.join("\n");
}
