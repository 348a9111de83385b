/**
 * `lithos-replay calibrate <measurements.csv>… [-o calibration.json] [--gpu h200]`: fits the timing model on
 * kernels.csv-shaped files and the power model on micro.csv-shaped files (rows with watts), and writes one
 * versioned calibration JSON (to stdout without -o).
 */
import * as path from "node:path";
import { formatCalibration, makeCalibration } from "../gpu/calibration";
import { fitTiming } from "../gpu/fit-timing";
import { isKernelsCsv, kernelCurvesFromCsv, type KernelCurve } from "../gpu/measurements";
import { fitPowerParams, parseMicroCsv, type MicroRow } from "../gpu/power-fit";
import { parseCsv } from "../util/csv";
import { parseArgs, UsageError } from "./args";
import { gpuOption } from "./gpu-option";
import { InputError, readInputText, writeOutput } from "./output";

export const CALIBRATE_USAGE = "lithos-replay calibrate <kernels.csv|micro.csv>… [-o calibration.json] [--gpu h200]";

export async function calibrateCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["-o", "--out", "--gpu"], []);
  if (positionals.length === 0) throw new UsageError("calibrate needs at least one measurements CSV");
  const gpu = gpuOption(options.get("--gpu"));
  const curves: KernelCurve[] = [];
  const micro: MicroRow[] = [];
  const used: string[] = [];
  for (const file of positionals) {
    const text = readInputText(file);
    const { header } = parseCsv(text);
    try {
      if (isKernelsCsv(header)) {
        const mine = kernelCurvesFromCsv(text);
        curves.push(...mine);
        used.push(`${path.basename(file)} (${mine.length} kernels of ${new Set(mine.map((c) => c.workload)).size} workloads)`);
      } else if (header.includes("watts") && header.includes("kernel")) {
        const rows = parseMicroCsv(text);
        micro.push(...rows);
        used.push(`${path.basename(file)} (${rows.filter((r) => r.watts !== null).length} rows with watts)`);
      } else {
        throw new Error("neither a kernels.csv (workload,sms,seq,name,grid,block,regs,smem,us) nor a micro.csv (kernel,size,sms,us,watts,sm_mhz)");
      }
    } catch (e) {
      throw new InputError(file, (e as Error).message);
    }
  }
  if (curves.length === 0) throw new UsageError("no kernels.csv-shaped input: the timing model needs kernel durations at several SM counts");
  const timing = fitTiming(curves, gpu, used.filter((u) => !u.includes("watts")).join("; "));
  const power = micro.some((r) => r.watts !== null) ? fitPowerParams(micro).params : undefined;
  const json = formatCalibration(makeCalibration(gpu, timing, power));
  const out = options.get("-o") ?? options.get("--out");
  if (typeof out === "string") {
    await writeOutput(out, json);
    process.stderr.write(`wrote ${out}: timing fit error ${(timing.fitError * 100).toFixed(1)}% over ${curves.length} kernels${power ? ", power fitted" : ""}\n`);
  } else process.stdout.write(json);
  return 0;
}
