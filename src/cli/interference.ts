/**
 * `lithos-replay interference <measured-dir> --hp <service trace> [--fit <calibration.json>] [--gpu h200] [--json]`:
 * the interference microbenchmark (tools/measure/interference.sh) replayed, service slowdown and co-runner
 * iterations/s measured next to simulated under MPS and green contexts. The co-runners' traces are the folder's
 * `gemm_hog.pt.trace.json.gz` and `copy_hog.pt.trace.json.gz`. `--fit` fits the co-resident slowdown on the MPS
 * conditions and writes it into the calibration file (its other contents kept).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fitCoResidentSlowdown, interferenceConditions, readInterference, type InterferenceCondition } from "../analysis/interference";
import { calibrationFor, formatCalibration, readCalibration } from "../gpu/calibration";
import { parseArgs, UsageError } from "./args";
import { gpuOption } from "./gpu-option";
import { InputError, writeOutput } from "./output";
import { workloadInput } from "./workload-option";

export const INTERFERENCE_USAGE = "lithos-replay interference <measured-dir> --hp <service trace> [--fit <calibration.json>] [--gpu h200] [--json]";

const pct = (x: number) => `${x >= 1 ? "+" : ""}${((x - 1) * 100).toFixed(0)}%`;

export function formatInterference(rows: readonly InterferenceCondition[], coResidentSlowdown: number): string {
  const lines = [`co-resident slowdown ${coResidentSlowdown}`, "sharing  co-runner  service slowdown meas/sim   co-runner it/s meas/sim"];
  for (const r of rows) {
    const its = r.measuredIts === null ? "-" : `${r.measuredIts.toFixed(1)} / ${r.simulatedIts.toFixed(1)}`;
    lines.push(`${r.sharing.padEnd(8)} ${r.coRunner.padEnd(10)} ${`${r.measuredSlowdown.toFixed(2)}× / ${r.simulatedSlowdown.toFixed(2)}× (${pct(r.simulatedSlowdown / r.measuredSlowdown)})`.padEnd(28)} ${its}`);
  }
  return `${lines.join("\n")}\n`;
}

export async function interferenceCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--hp", "--fit", "--gpu"], ["--json"]);
  if (positionals.length !== 1) throw new UsageError("interference takes one folder of measurements");
  const dir = positionals[0]!;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError(dir, "not a folder of interference measurements");
  const hp = options.get("--hp");
  if (typeof hp !== "string") throw new UsageError("interference needs --hp <service trace>");
  const gpu = gpuOption(options.get("--gpu"));
  const fit = options.get("--fit");
  if (fit !== undefined && typeof fit !== "string") throw new UsageError("--fit takes the calibration file to write into");
  const service = await workloadInput(hp, "auto");
  const coRunners = { gemm: await workloadInput(path.join(dir, "gemm_hog.pt.trace.json.gz"), "auto"), copy: await workloadInput(path.join(dir, "copy_hog.pt.trace.json.gz"), "auto") };
  let data;
  try {
    data = readInterference(dir, coRunners);
  } catch (e) {
    throw new InputError(dir, (e as Error).message);
  }
  let rows: InterferenceCondition[], gamma: number;
  if (typeof fit === "string") {
    const cal = readCalibration(fit);
    const r = await fitCoResidentSlowdown(data, service, { gpu: gpu.key });
    rows = r.conditions; gamma = r.coResidentSlowdown;
    const mpsRows = rows.filter((x) => x.sharing === "mps").map((x) => `${x.coRunner} ${x.measuredSlowdown.toFixed(2)}×`).join(", ");
    cal.interference = { coResidentSlowdown: gamma, fittedOn: `${path.basename(dir)}: service slowdown beside each co-runner under MPS (${mpsRows}), least squares on log ratios` };
    await writeOutput(fit, formatCalibration(cal));
    process.stderr.write(`wrote ${fit}: co-resident slowdown ${gamma}\n`);
  } else {
    rows = await interferenceConditions(data, service, { gpu: gpu.key });
    gamma = calibrationFor(gpu).interference?.coResidentSlowdown ?? 0;
  }
  process.stdout.write(options.has("--json") ? `${JSON.stringify({ co_resident_slowdown: gamma, conditions: rows })}\n` : formatInterference(rows, gamma));
  return 0;
}
