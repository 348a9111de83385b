/**
 * `lithos-replay stacking <measured-dir> --trace <name>=<trace>[,…] [--gpu h200] [--seed n] [--json]`: replays every
 * measured scenario of several tenants sharing a GPU (tools/measure/stacking.sh) and prints simulated next to
 * measured, one row per scenario and tenant. Tenants are named by their service's model, or `train`.
 */
import { stackingValidation, type StackingRow } from "../analysis/stacking";
import { parseArgs, seedOption, UsageError } from "./args";
import { gpuOption } from "./gpu-option";
import { InputError } from "./output";
import { measurementsFolder, namedWorkloads } from "./workload-option";

export const STACKING_USAGE = "lithos-replay stacking <measured-dir> --trace <name>=<trace>[,<name>=<trace>…] [--gpu h200] [--seed n] [--json]";

const num = (x: number | null) => (x === null ? "-" : x.toFixed(2));
const pct = (x: number | null) => (x === null ? "-" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(0)}%`);
const cell = (m: number | null, s: number | null, e: number | null) => (m === null && s === null ? "-" : `${num(m)} / ${num(s)} (${pct(e)})`);

export function formatStacking(rows: readonly StackingRow[]): string {
  const lines = ["scenario     policy      tenant     p50 ms meas/sim (err)       p99 ms meas/sim (err)       req/s or it/s meas/sim (err)"];
  for (const r of rows) {
    lines.push(`${r.scenario.padEnd(12)} ${r.policy.padEnd(11)} ${r.tenant.padEnd(10)} ${cell(r.measured_p50_ms, r.simulated_p50_ms, r.p50_error).padEnd(27)} ${cell(r.measured_p99_ms, r.simulated_p99_ms, r.p99_error).padEnd(27)} ${cell(r.measured_throughput, r.simulated_throughput, r.throughput_error)}`);
  }
  return `${lines.join("\n")}\n`;
}

export async function stackingCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--trace", "--gpu", "--seed"], ["--json"]);
  const dir = measurementsFolder(positionals, "stacking", "measured scenarios");
  const traces = options.get("--trace");
  if (typeof traces !== "string") throw new UsageError("stacking needs --trace <name>=<trace>, one per tenant measured (its service's model, or train)");
  const gpu = gpuOption(options.get("--gpu"));
  const seed = seedOption(options);
  const workloads = await namedWorkloads(traces, "--trace");
  let rows: StackingRow[];
  try {
    rows = await stackingValidation(dir, workloads, { gpu: gpu.key, seed });
  } catch (e) {
    const msg = (e as Error).message;
    if (msg.startsWith("no trace given")) throw new UsageError(msg);
    throw new InputError(dir, msg.replace(`${dir}: `, "").replace(`${dir}/`, ""));
  }
  process.stdout.write(options.has("--json") ? `${JSON.stringify(rows)}\n` : formatStacking(rows));
  return 0;
}
