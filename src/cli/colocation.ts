/**
 * `lithos-replay colocation <measured-dir> --hp <trace> --be <trace> [--gpu h200] [--seed n] [--json]`:
 * replays every measured co-location scenario of a case folder and prints simulated next to measured.
 */
import { checkRanking, colocationValidation, MEASURED_SPREAD, rankBy, type ColocationRow } from "../analysis/colocation";
import { parseArgs, seedOption } from "./args";
import { gpuOption } from "./gpu-option";
import { gapOption, measurementsFolder, serviceAndJobTraces, workloadInput } from "./workload-option";

export const COLOCATION_USAGE = "lithos-replay colocation <measured-dir> --hp <service trace> --be <job trace> [--gpu h200] [--seed n] [--be-gap <µs|recorded>] [--json]";

const ms = (x: number | null) => (x === null ? "-" : x.toFixed(2));
const pct = (x: number | null) => (x === null ? "-" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(0)}%`);

export function formatColocation(rows: readonly ColocationRow[]): string {
  const lines = ["scenario      policy        p50 ms meas/sim (err)        p99 ms meas/sim (err)        job it/s meas/sim (err)"];
  for (const r of rows) {
    lines.push(`${r.scenario.padEnd(13)} ${r.policy.padEnd(13)} ${`${ms(r.measured_p50_ms)} / ${ms(r.simulated_p50_ms)} (${pct(r.p50_error)})`.padEnd(28)} ${`${ms(r.measured_p99_ms)} / ${ms(r.simulated_p99_ms)} (${pct(r.p99_error)})`.padEnd(28)} ${ms(r.measured_its)} / ${ms(r.simulated_its)} (${pct(r.its_error)})`);
  }
  lines.push("", "per request once started (latency less the wait behind earlier requests) and the service's load:");
  lines.push("scenario      service ms meas/sim (err)     load meas/sim");
  for (const r of rows) {
    const load = (x: number | null) => (x === null ? "-" : x.toFixed(2));
    lines.push(`${r.scenario.padEnd(13)} ${`${ms(r.measured_service_ms)} / ${ms(r.simulated_service_ms)} (${pct(r.service_error)})`.padEnd(29)} ${load(r.measured_busy)} / ${load(r.simulated_busy)}`);
  }
  lines.push("", rankingLine(rows, "p50", "measured_p50_ms", "simulated_p50_ms", MEASURED_SPREAD.p50));
  lines.push(rankingLine(rows, "job it/s", "measured_its", "simulated_its", MEASURED_SPREAD.its));
  return `${lines.join("\n")}\n`;
}

/** "ranking by <what> as measured: yes|no (orders; pairs swapped; pairs measured too close to order)". */
function rankingLine(rows: readonly ColocationRow[], what: string, measured: keyof ColocationRow, simulated: keyof ColocationRow, tie: number): string {
  const { swapped, ties } = checkRanking(rows, measured, simulated, tie);
  const pairs = (ps: readonly (readonly [string, string])[], sep: string) => ps.map(([a, b]) => `${a}${sep}${b}`).join(", ");
  const notes = [`${rankBy(rows, measured).join(" < ")} measured; ${rankBy(rows, simulated).join(" < ")} simulated`];
  if (swapped.length > 0) notes.push(`swapped: ${pairs(swapped, " < ")} as measured`);
  if (ties.length > 0) notes.push(`measured within ${(tie * 100).toFixed(0)}%, a run's spread, not ranked: ${pairs(ties, " ≈ ")}`);
  return `ranking by ${what} as measured: ${swapped.length === 0 ? "yes" : "no"} (${notes.join("; ")})`;
}

export async function colocationCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--hp", "--be", "--gpu", "--seed", "--be-gap"], ["--json"]);
  const dir = measurementsFolder(positionals, "colocation", "measured scenarios");
  const { hp, be } = serviceAndJobTraces(options, "colocation");
  const gpu = gpuOption(options.get("--gpu"));
  const seed = seedOption(options);
  const jobGapUs = gapOption(options.get("--be-gap"));
  const rows = await colocationValidation(dir, await workloadInput(hp, "auto"), await workloadInput(be, "auto"), { gpu: gpu.key, seed, jobGapUs });
  process.stdout.write(options.has("--json") ? `${JSON.stringify(rows)}\n` : formatColocation(rows));
  return 0;
}
