/**
 * `lithos-replay interference <sweep-dir> --hp <service trace> [--gpu h200] [--fit <calibration.json>] [--json]`:
 * the interference microbenchmark (tools/measure/interference.py sweep) replayed: service slowdown and co-runner
 * iterations/s, measured next to simulated, for every co-runner. The folder holds `sweep.json` and the co-runners'
 * traces (`copy_hog.pt.trace.json.gz`, `stream_hog…`, `gemm_hog…`). Each row is replayed with the calibration as it
 * is and with the loaded-latency curve the sweep's streaming rows give; `--fit` writes that curve into a calibration
 * file (its other contents kept).
 */
import * as path from "node:path";
import { interferenceConditions, loadedLatencyCurve, readInterferenceSweep, type InterferenceCondition, type InterferenceSweep } from "../analysis/interference";
import { parseArgs, UsageError } from "./args";
import { gpuOption } from "./gpu-option";
import { readFitTarget, writeInterferenceFit } from "./interference-fit";
import { InputError } from "./output";
import { workloadInput } from "./workload-option";

export const INTERFERENCE_USAGE = "lithos-replay interference <sweep-dir> --hp <service trace> [--gpu h200] [--fit <calibration.json>] [--json]";

const x = (v: number) => `${v.toFixed(2)}×`;

export function formatInterference(rows: readonly InterferenceCondition[]): string {
  const lines = ["co-runner  SMs svc/co  DRAM util  service slowdown: measured  simulated  with the sweep's curve  co-runner it/s meas/sim"];
  for (const r of rows) {
    lines.push(`${r.coRunner.padEnd(10)} ${`${r.serviceSms}/${r.coRunnerSms}`.padEnd(11)} ${`${(r.measuredUtilisation * 100).toFixed(0)}%`.padEnd(10)} ${"".padEnd(18)}${x(r.measuredSlowdown).padEnd(10)} ${x(r.simulatedSlowdown).padEnd(10)} ${x(r.withCurveSlowdown).padEnd(23)} ${r.measuredIts.toFixed(1)} / ${r.simulatedIts.toFixed(1)}`);
  }
  return `${lines.join("\n")}\n`;
}

export async function interferenceCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--hp", "--fit", "--gpu"], ["--json"]);
  if (positionals.length !== 1) throw new UsageError("interference takes one folder of measurements");
  const dir = positionals[0]!;
  const hp = options.get("--hp");
  if (typeof hp !== "string") throw new UsageError("interference needs --hp <service trace>");
  const gpu = gpuOption(options.get("--gpu"));
  const fit = options.get("--fit");
  if (fit !== undefined && typeof fit !== "string") throw new UsageError("--fit takes the calibration file to write into");
  const file = path.join(dir, "sweep.json");
  let sweep: InterferenceSweep;
  try {
    sweep = readInterferenceSweep(file);
  } catch (e) {
    throw new InputError(file, (e as Error).message.replace(/^ENOENT.*/, "no such file"));
  }
  const service = await workloadInput(hp, "auto");
  const trace = (k: string) => workloadInput(path.join(dir, `${k}_hog.pt.trace.json.gz`), "auto");
  const coRunners = { copy: await trace("copy"), stream: await trace("stream"), gemm: await trace("gemm") };
  if (typeof fit === "string") {
    const cal = readFitTarget(fit);
    // Utilisation is the co-runner's bytes/s over the peak of the GPU it was measured on.
    const loadedLatency = loadedLatencyCurve(sweep);
    const rows = sweep.rows.filter((r) => r.kind === "stream").length;
    await writeInterferenceFit(fit, cal, "loadedLatency", loadedLatency, `${path.basename(path.resolve(dir))}/sweep.json (${sweep.gpu}): the ResNet-50 service's request time beside a DRAM-streaming kernel on disjoint SMs (${rows} rows), against its measured DRAM utilisation`);
    process.stderr.write(`wrote ${fit}: loaded-latency curve at utilisation ${loadedLatency.utilisation.join(", ")}\n`);
  }
  const rows = await interferenceConditions(sweep, service, coRunners, { gpu: gpu.key });
  process.stdout.write(options.has("--json") ? `${JSON.stringify(rows)}\n` : formatInterference(rows));
  return 0;
}
