/**
 * `lithos-replay compare <experiment.json> [--policies a,b,c] [--gpu h200] [--duration s] [--seed n] [--slo-x k]
 * [--sweep key=v1,v2[;key=...]] [--json] [--out table.csv]`: the experiment under each sharing system next to
 * each tenant alone (src/analysis/compare.ts says what every column means). Systems, sweeps and the SLO rule come
 * from the options, else from the file's `compare` and `slo_x`, else every registered policy and 5 × alone p50.
 */
import * as path from "node:path";
import { compareSystems, flatCompareRow, type CompareResult, type CompareRow } from "../analysis/compare";
import { checkSweeps, parseSweepOption, pointLabel, type SweepSpec } from "../analysis/sweep";
import { POLICY_NAMES } from "../policies";
import { csvField } from "../util/csv";
import { parseExperiment, type ExperimentSpec } from "../workload/experiment";
import { parseArgs, UsageError } from "./args";
import { formatTable } from "./format";
import { gpuOption } from "./gpu-option";
import { InputError, readInputText, writeOutput } from "./output";

export const COMPARE_USAGE =
  "lithos-replay compare <experiment.json> [--policies a,b,c] [--gpu h200|h100|a100-40gb] [--duration <s>] [--seed <n>] " +
  "[--slo-x <k>] [--sweep <key=v1,v2,...[;key=...]>] [--json] [--out <table.csv>]";

const f = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? "-" : x.toFixed(d));
const pc = (x: number | null) => (x === null || !Number.isFinite(x) ? "-" : `${(x * 100).toFixed(0)}%`);

/** The comparison as a text table: one line per system (and sweep point), then each tenant alone. */
export function formatCompare(result: CompareResult): string {
  const rows = result.rows;
  const sweeping = result.sweeps.length > 0;
  const lithosSweep = rows.some((r) => r.capacity_saved !== null);
  const slo = result.slo === null ? "none" : "x" in result.slo ? `${result.slo.x} × alone p50` : `${result.slo.us} µs`;
  const lines = [`${result.gpu}, ${result.durationS} s of arrivals, seed ${result.seed}; SLO ${slo}`, ""];
  // Rows with other tenants (a `tenant` sweep) get a table of their own.
  const groups = new Map<string, CompareRow[]>();
  for (const r of rows) {
    const sig = [...r.services.map((c) => c.name), "|", ...r.jobs.map((c) => c.name)].join(",");
    groups.set(sig, [...(groups.get(sig) ?? []), r]);
  }
  for (const group of groups.values()) {
    const header: string[] = [];
    if (sweeping) header.push("point");
    header.push("system");
    for (const c of group[0]!.services) header.push(`${c.name} p95/p99 ms`, "×alone", "SLO", "goodput/s");
    for (const c of group[0]!.jobs) header.push(`${c.name} it/s`, "×alone");
    header.push("aggregate", "energy J", "J/work", "SM share");
    if (lithosSweep) header.push("cap saved", "energy saved", "slowdown");
    const body = group.map((r) => {
      const cells: string[] = [];
      if (sweeping) cells.push(pointLabel(r.point));
      cells.push(r.system + (r.truncated ? " (truncated)" : ""));
      for (const c of r.services) cells.push(`${f(c.p95_us / 1e3, 3)}/${f(c.p99_us / 1e3, 3)}`, `${f(c.p95_x)}/${f(c.p99_x)}`, pc(c.slo_attainment), f(c.goodput_rps, 1));
      for (const c of r.jobs) cells.push(f(c.throughput_its), f(c.its_x));
      cells.push(f(r.aggregate_throughput), f(r.energy_j, 0), f(r.j_per_work, 1), pc(r.sm_share));
      if (lithosSweep) {
        const slow = r.services.length ? r.services.map((c) => f(c.p99_vs_baseline, 3)) : r.jobs.map((c) => f(c.slowdown_vs_baseline, 3));
        cells.push(pc(r.capacity_saved), pc(r.energy_saved), slow.join("/"));
      }
      return cells;
    });
    lines.push(formatTable(header, body, header.map((_, i) => i >= (sweeping ? 2 : 1))), "");
  }
  lines.push("alone (mps, whole GPU, the arrivals it gets stacked):");
  const shown = new Set<string>();
  for (const a of result.alone) {
    const s = a.summary;
    // One alone run serves every point that leaves the tenant's trace as it is: list it once.
    const trace = a.point[`${a.tenant}.trace`];
    const where = trace !== undefined ? `${pointLabel({ [`${a.tenant}.trace`]: trace })}: ` : "";
    const key = `${where}${a.tenant}`;
    if (shown.has(key)) continue;
    shown.add(key);
    lines.push(s.role === "service"
      ? `  ${where}${a.tenant}: p50 ${f(s.p50_us / 1e3, 3)} ms  p95 ${f(s.p95_us / 1e3, 3)} ms  p99 ${f(s.p99_us / 1e3, 3)} ms  ${f(s.throughput_rps, 1)} req/s`
      : `  ${where}${a.tenant}: ${f(s.throughput_its)} it/s`);
  }
  return `${lines.join("\n")}\n`;
}

/** The rows as CSV, one line per system and sweep point (columns of `flatCompareRow`). */
export function compareCsv(result: CompareResult): string {
  const flat = result.rows.map(flatCompareRow);
  const header = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | boolean | null | undefined) => (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? "" : csvField(typeof v === "boolean" ? String(v) : v));
  return `${[header.join(","), ...flat.map((r) => header.map((k) => cell(r[k])).join(","))].join("\n")}\n`;
}

function positiveOption(options: Map<string, string | true>, key: string): number | undefined {
  const v = options.get(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !(n > 0 && Number.isFinite(n))) throw new UsageError(`${key} takes a number > 0, got "${String(v)}"`);
  return n;
}

export async function compareCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--policies", "--gpu", "--duration", "--seed", "--slo-x", "--sweep", "--out", "-o"], ["--json"]);
  if (positionals.length !== 1) throw new UsageError("compare takes one experiment file");
  const file = positionals[0]!;
  const str = (k: string) => { const v = options.get(k); return typeof v === "string" ? v : undefined; };
  const listed = str("--policies")?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const p of listed ?? []) if (!POLICY_NAMES.includes(p)) throw new UsageError(`unknown policy "${p}"; known: ${POLICY_NAMES.join(", ")}`);
  const gpu = options.has("--gpu") ? gpuOption(options.get("--gpu")).key : undefined;
  const duration = positiveOption(options, "--duration");
  const sloX = positiveOption(options, "--slo-x");
  const seedText = str("--seed");
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0 && seedText!.trim() !== "")) throw new UsageError(`--seed takes a whole number ≥ 0, got "${seedText}"`);
  let cliSweeps: SweepSpec[] | undefined;
  const sweepText = str("--sweep");
  if (sweepText !== undefined) {
    try {
      // Trace values on the command line are relative to the current directory.
      cliSweeps = parseSweepOption(sweepText).map((s) => (s.key.endsWith(".trace") ? { key: s.key, values: s.values.map((v) => path.resolve(v)) } : s));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }

  let exp: ExperimentSpec;
  try {
    exp = parseExperiment(readInputText(file), file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, (e as Error).message);
  }
  for (const p of exp.compare.systems) if (!POLICY_NAMES.includes(p)) throw new InputError(file, `compare.systems: unknown policy "${p}"; known: ${POLICY_NAMES.join(", ")}`);
  const spec = { ...exp, gpu: gpu ?? exp.gpu, durationS: duration ?? exp.durationS, seed: seed ?? exp.seed };
  const sweeps = cliSweeps ?? exp.compare.sweeps;
  try {
    checkSweeps(spec, sweeps);
  } catch (e) {
    if (cliSweeps) throw new UsageError((e as Error).message);
    throw new InputError(file, (e as Error).message);
  }
  let result: CompareResult;
  try {
    result = await compareSystems(spec, { systems: listed ?? exp.compare.systems, sloX: sloX ?? exp.sloX, sweeps });
  } catch (e) {
    if (e instanceof InputError || (e as Error).name === "ImportError") throw e;
    throw new InputError(file, (e as Error).message);
  }
  const out = str("--out") ?? str("-o");
  if (out !== undefined) await writeOutput(out, compareCsv(result));
  process.stdout.write(options.has("--json") ? `${JSON.stringify(result)}\n` : formatCompare(result));
  return 0;
}
