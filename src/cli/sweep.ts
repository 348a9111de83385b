/**
 * `lithos-replay sweep <sweep.json> -o <out-dir> [--jobs N] [--json]`: the cross product of policies, loads,
 * seeds and tenant mixes of a sweep plan (schemas/sweep.proto), on worker threads, resumable; every row in
 * <out-dir>/sweep.arrow and the same table in <out-dir>/sweep.parquet (src/sweep/run.ts). Progress goes to stderr: a
 * bar on a terminal, a line per point otherwise.
 */
import { runSweep, type SweepProgress } from "../sweep/run";
import { parseArgs, UsageError } from "./args";
import { InputError, readInputText } from "./output";
import * as fs from "node:fs";
import * as path from "node:path";

export const SWEEP_USAGE = "lithos-replay sweep <sweep.json> -o <out-dir> [--jobs <n>] [--json]";

function progressPrinter(): (p: SweepProgress) => void {
  const began = Date.now();
  const tty = process.stderr.isTTY === true;
  return (p) => {
    if (p.point === null) {
      if (p.kept > 0) process.stderr.write(`${p.kept} of ${p.total} points kept from an earlier run\n`);
      return;
    }
    const ran = p.done - p.kept, left = p.total - p.done;
    const elapsed = (Date.now() - began) / 1000;
    const eta = ran > 0 ? Math.round((elapsed / ran) * left) : 0;
    const what = `${p.point.policy} load=${p.point.load} seed=${p.point.seed} mix=${p.point.mix}`;
    if (tty) {
      const width = 30, fill = Math.round((width * p.done) / p.total);
      process.stderr.write(`\r[${"#".repeat(fill)}${".".repeat(width - fill)}] ${p.done}/${p.total}  ETA ${eta} s  ${what}\x1b[K${p.done === p.total ? "\n" : ""}`);
    } else {
      process.stderr.write(`${p.done}/${p.total} ${what} (${elapsed.toFixed(1)} s, ETA ${eta} s)\n`);
    }
  };
}

export async function sweepCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--out", "-o", "--jobs"], ["--json"]);
  if (positionals.length !== 1) throw new UsageError("sweep takes one sweep plan");
  const out = options.get("--out") ?? options.get("-o");
  if (typeof out !== "string") throw new UsageError("sweep needs -o <out-dir>");
  const jobsText = options.get("--jobs");
  const jobs = jobsText === undefined ? undefined : Number(jobsText);
  if (jobs !== undefined && !(Number.isSafeInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs takes a whole number ≥ 1, got "${String(jobsText)}"`);
  if (!fs.existsSync(path.dirname(path.resolve(out)))) throw new UsageError(`output folder ${path.dirname(out)} does not exist`);
  const file = positionals[0]!;
  const text = readInputText(file);
  let outcome;
  try {
    outcome = await runSweep(file, text, { outDir: out, jobs, onProgress: progressPrinter() });
  } catch (e) {
    if (e instanceof InputError || (e as Error).name === "ImportError") throw e;
    throw new InputError(file, (e as Error).message);
  }
  const summary = { points: outcome.plan.points.length, kept: outcome.kept, ran: outcome.ran, workers: outcome.workers, rows: outcome.rows.length, file: outcome.file, parquet_file: outcome.parquetFile, wall_s: outcome.wallMs / 1e3 };
  process.stdout.write(options.has("--json")
    ? `${JSON.stringify(summary)}\n`
    : `${summary.points} points (${summary.kept} kept, ${summary.ran} run on ${summary.workers} workers) in ${summary.wall_s.toFixed(1)} s: ${summary.rows} rows in ${summary.file} and ${summary.parquet_file}\n`);
  return 0;
}
