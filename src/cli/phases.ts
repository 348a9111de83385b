/**
 * `lithos-replay phases <stamped-dir> --hp <service trace> --be <job trace> [--gpu h200] [--seed n] [--json]`: a
 * service's request split where the GPU's global-timer stamps split it (tools/measure/timeslice_stamps.py): waiting
 * for the GPU, on the GPU, and back to the host; measured next to replayed, alone and beside the job (time-sliced, MPS).
 */
import { phaseValidation, type PhaseRow, type PhaseSummary } from "../analysis/request-phases";
import { parseArgs, seedOption } from "./args";
import { gpuOption } from "./gpu-option";
import { InputError } from "./output";
import { measurementsFolder, serviceAndJobTraces, workloadInput } from "./workload-option";

export const PHASES_USAGE = "lithos-replay phases <stamped-dir> --hp <service trace> --be <job trace> [--gpu h200] [--seed n] [--json]";

const us = (x: number) => x.toFixed(0).padStart(6);
const line = (what: string, p: PhaseSummary) =>
  `  ${what.padEnd(10)} ${String(p.requests).padStart(6)} ${us(p.to_gpu_p50_us)} ${us(p.to_gpu_mean_us)}   ${us(p.on_gpu_p50_us)} ${us(p.on_gpu_mean_us)}   ${us(p.back_p50_us)}   ${us(p.own_p50_us)} ${us(p.own_mean_us)}`;

export function formatPhases(rows: readonly PhaseRow[]): string {
  const lines = ["µs per request       n   to GPU p50/mean   on GPU p50/mean   back p50   own p50/mean"];
  for (const r of rows) lines.push(`${r.scenario} (${r.policy})`, line("measured", r.measured), line("simulated", r.simulated));
  return `${lines.join("\n")}\n`;
}

export async function phasesCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--hp", "--be", "--gpu", "--seed"], ["--json"]);
  const dir = measurementsFolder(positionals, "phases", "stamped scenarios");
  const { hp, be } = serviceAndJobTraces(options, "phases");
  const gpu = gpuOption(options.get("--gpu"));
  const seed = seedOption(options);
  let rows: PhaseRow[];
  const service = await workloadInput(hp, "auto"), job = await workloadInput(be, "auto");
  try {
    rows = await phaseValidation(dir, service, job, { gpu: gpu.key, seed });
  } catch (e) {
    throw new InputError(dir, (e as Error).message.replace(`${dir}: `, ""));
  }
  process.stdout.write(options.has("--json") ? `${JSON.stringify(rows)}\n` : formatPhases(rows));
  return 0;
}
