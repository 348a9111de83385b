/**
 * The evidence of LithOS's evaluation replayed (issue 5): from the `compare` results of the experiment files in
 * experiments/paper, on one or more GPU models, (1) a table of every system on every experiment and (2) the paper's
 * headline claims beside our ratios (src/analysis/paper-claims.ts). Markdown, for the README and notebooks.
 * Results are kept as <dir>/<gpu>/<experiment>.json (`compare --json`; scripts/paper-runs.sh writes them).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { markdownTable } from "../util/markdown";
import type { CompareResult, CompareRow } from "./compare";
import { hybridStackingClaims, holBlockingClaims, inferenceStackingClaims, savingsClaims, type ClaimRow } from "./paper-claims";
import { pointLabel } from "./sweep";

/** Results of one GPU model: experiment name (file name without `.json`) → its comparison. */
export type PaperResults = Readonly<Record<string, CompareResult>>;

const f = (v: number | null | undefined, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(d));
const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? "-" : `${(v * 100).toFixed(0)}%`);
const traceName = (file: string) => file.split(/[\\/]/).pop()!.replace(/\.pt\.trace\.json(\.gz)?$/, "");

/** Which claims an experiment answers, by its file name. */
function claimsOf(name: string, r: CompareResult): ClaimRow[] {
  if (name.startsWith("inference-stacking")) return inferenceStackingClaims(r, name);
  if (name.startsWith("hybrid-stacking")) return hybridStackingClaims(r, name);
  if (name.startsWith("hol-blocking")) return holBlockingClaims(r, name);
  if (name.startsWith("right-sizing")) return savingsClaims(r, "capacity", name);
  if (name.startsWith("power")) return savingsClaims(r, "energy", name);
  return [];
}

/** Every claim of every experiment, one row per claim, our detail per GPU (in the order the GPUs are given). */
export function claimsTable(byGpu: Readonly<Record<string, PaperResults>>): string {
  const gpus = Object.keys(byGpu);
  const rows = new Map<string, { claim: ClaimRow; ours: Record<string, string> }>();
  for (const gpu of gpus) {
    for (const [name, r] of Object.entries(byGpu[gpu]!)) {
      for (const c of claimsOf(name, r)) {
        const key = `${c.experiment}\0${c.claim}`;
        const row = rows.get(key) ?? { claim: c, ours: {} };
        row.ours[gpu] = c.detail;
        rows.set(key, row);
      }
    }
  }
  return markdownTable(
    ["experiment", "claim", "paper", ...gpus.map((g) => `ours, ${byGpu[g]![Object.keys(byGpu[g]!)[0]!]!.gpu}`)],
    [...rows.values()].map(({ claim, ours }) => [claim.experiment, claim.claim, `${claim.paper} ${claim.source}`, ...gpus.map((g) => ours[g] ?? "-")]),
  );
}

/** A stacking comparison: one row per system. */
function stackingTable(r: CompareResult): string {
  const first = r.rows[0]!;
  const header = ["system"];
  for (const s of first.services) header.push(`${s.name} p99 ms (×alone)`, `${s.name} SLO`);
  for (const j of first.jobs) header.push(`${j.name} it/s (×alone)`);
  header.push("aggregate throughput", "aggregate goodput", "energy J", "J/work", "SM share");
  const body = r.rows.map((row: CompareRow) => [
    row.system + (row.truncated ? " (truncated)" : ""),
    ...row.services.flatMap((s) => [`${f(s.p99_us / 1e3)} (${f(s.p99_x)})`, pct(s.slo_attainment)]),
    ...row.jobs.map((j) => `${f(j.throughput_its)} (${f(j.its_x)})`),
    f(row.aggregate_throughput), f(row.aggregate_goodput), f(row.energy_j, 0), f(row.j_per_work, 1), pct(row.sm_share),
  ]);
  return markdownTable(header, body, header.map((_, i) => i > 0));
}

/** A sweep comparison: one row per point and system. */
function sweepTable(r: CompareResult): string {
  const lithos = r.rows.some((row) => row.capacity_saved !== null);
  const header = ["point", "system", "service p95 / p99 ×alone", "job it/s ×alone", "SM share"];
  if (lithos) header.push("capacity saved", "energy saved", "slowdown");
  const label = (row: CompareRow) => pointLabel(Object.fromEntries(Object.entries(row.point).map(([k, v]) => [k, k.endsWith(".trace") ? traceName(v) : v])));
  const body = r.rows.map((row) => {
    const cells = [
      label(row), row.system,
      row.services.map((s) => `${s.name} ${f(s.p95_x)} / ${f(s.p99_x)}`).join(", ") || "-",
      row.jobs.map((j) => `${j.name} ${f(j.its_x)}`).join(", ") || "-",
      pct(row.sm_share),
    ];
    if (lithos) {
      const slow = [...row.services.map((s) => s.p99_vs_baseline), ...row.jobs.map((j) => j.slowdown_vs_baseline)];
      cells.push(pct(row.capacity_saved), pct(row.energy_saved), slow.map((v) => f(v, 3)).join(", "));
    }
    return cells;
  });
  return markdownTable(header, body, header.map((_, i) => i > 1));
}

/** The alone runs every ratio is taken against, one line per tenant (and trace). */
function aloneLine(r: CompareResult): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const a of r.alone) {
    const trace = a.point[`${a.tenant}.trace`];
    const who = trace ? `${a.tenant} (${traceName(trace)})` : a.tenant;
    if (seen.has(who)) continue;
    seen.add(who);
    const s = a.summary;
    parts.push(s.role === "service" ? `${who} p50 ${f(s.p50_us / 1e3)} ms, p99 ${f(s.p99_us / 1e3)} ms, ${f(s.throughput_rps, 0)} req/s` : `${who} ${f(s.throughput_its)} it/s`);
  }
  return `Alone (mps, whole GPU): ${parts.join("; ")}.`;
}

/** Every experiment of one GPU model: a heading, what it ran, the alone runs and the table. */
export function experimentTables(results: PaperResults): string {
  const out: string[] = [];
  for (const [name, r] of Object.entries(results)) {
    const slo = r.slo === null ? "no SLO" : "x" in r.slo ? `SLO ${r.slo.x} × alone p50` : `SLO ${r.slo.us} µs`;
    out.push(`#### ${name} (${r.gpu}, ${r.durationS} s of arrivals, seed ${r.seed}, ${slo})`, "", aloneLine(r), "");
    out.push(r.sweeps.length ? sweepTable(r) : stackingTable(r), "");
  }
  return out.join("\n");
}

/** A results folder or file that cannot be read; names it. */
export class ResultsError extends Error {
  constructor(readonly file: string, readonly cause_: string) {
    super(`${file}: ${cause_}`);
  }
}

/** GPU folders in this order first (the H200 is the measured one), then any other, by name. */
const GPU_ORDER = ["h200", "h100", "a100-80gb", "a100-40gb"];
/** Experiments in the order of the paper's evaluation (§8.1–§8.4), then any other, by name. */
const EXPERIMENT_ORDER = ["inference-stacking", "hybrid-stacking", "hybrid-stacking-llama", "hol-blocking", "right-sizing", "power"];
const byOrder = (order: string[]) => (a: string, b: string) => {
  const i = order.indexOf(a), j = order.indexOf(b);
  return (i < 0 ? order.length : i) - (j < 0 ? order.length : j) || a.localeCompare(b);
};

/** Reads <dir>/<gpu>/<experiment>.json; errors name the file. GPUs and experiments in the paper's order. */
export function readPaperResults(dir: string): Record<string, PaperResults> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ResultsError(dir, "not a folder of results (<gpu>/<experiment>.json)");
  const out: Record<string, PaperResults> = {};
  const gpus = fs.readdirSync(dir).filter((g) => fs.statSync(path.join(dir, g)).isDirectory()).sort(byOrder(GPU_ORDER));
  for (const gpu of gpus) {
    const names = fs.readdirSync(path.join(dir, gpu)).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort(byOrder(EXPERIMENT_ORDER));
    const results: Record<string, CompareResult> = {};
    for (const name of names) {
      const file = path.join(dir, gpu, `${name}.json`);
      let r: CompareResult;
      try {
        r = JSON.parse(fs.readFileSync(file, "utf8")) as CompareResult;
      } catch (e) {
        throw new ResultsError(file, `not JSON (${(e as Error).message})`);
      }
      if (!r || !Array.isArray(r.rows) || !Array.isArray(r.alone) || typeof r.gpu !== "string") throw new ResultsError(file, "not a `lithos-replay compare --json` result");
      results[name] = r;
    }
    if (names.length) out[gpu] = results;
  }
  if (Object.keys(out).length === 0) throw new ResultsError(dir, "holds no <gpu>/<experiment>.json results");
  return out;
}

/** The whole report: the claims beside ours on every GPU, then every system on every experiment, per GPU. */
export function paperReport(byGpu: Readonly<Record<string, PaperResults>>): string {
  const lines = ["### The paper's claims beside ours", "", claimsTable(byGpu), ""];
  for (const [gpu, results] of Object.entries(byGpu)) lines.push(`### Every system on every experiment: ${gpu}`, "", experimentTables(results));
  return `${lines.join("\n").trimEnd()}\n`;
}
