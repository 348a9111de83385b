/**
 * Runs a sweep plan on a pool of worker threads (one point at a time per worker, the next point to whichever
 * worker is free), keeping each finished point as <out>/points/<key>.json so that a rerun skips it, then writes
 * every row, in the plan's point order, as one Arrow IPC file <out>/sweep.arrow and the same table as one Parquet
 * file <out>/sweep.parquet. The rows do not depend on the number of workers or the order points finish in (wall_ms
 * aside).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import * as arrow from "apache-arrow";
import { writeFileAtomic } from "../util/atomic-write";
import { tableToParquet } from "../util/parquet";
import { packageRoot } from "../util/paths";
import { parseSweepPlan, pointKey, type PlanPoint, type SweepPlan } from "./plan";
import { rowsTable, type SweepRow } from "./rows";
import type { WorkerInit, WorkerReply } from "./worker";

export interface SweepProgress {
  /** Points finished, kept ones included, of `total`. */
  readonly done: number;
  readonly total: number;
  readonly kept: number;
  /** The point that just finished (null for the report of kept points before any run). */
  readonly point: PlanPoint | null;
}

export interface SweepOptions {
  readonly outDir: string;
  /** Worker threads (default: one per CPU core, at most one per point to run). */
  readonly jobs?: number;
  readonly onProgress?: (p: SweepProgress) => void;
}

export interface SweepOutcome {
  readonly plan: SweepPlan;
  readonly rows: readonly SweepRow[];
  /** Points reused from an earlier run, and points run now. */
  readonly kept: number;
  readonly ran: number;
  readonly workers: number;
  /** <out>/sweep.arrow */
  readonly file: string;
  /** <out>/sweep.parquet: the same columns and rows. */
  readonly parquetFile: string;
  readonly wallMs: number;
}

interface KeptPoint { readonly key: string; readonly rows: SweepRow[] }

function readKept(file: string, key: string): SweepRow[] | null {
  try {
    const kept = JSON.parse(fs.readFileSync(file, "utf8")) as KeptPoint;
    return kept.key === key && Array.isArray(kept.rows) ? kept.rows : null;
  } catch {
    return null; // absent or cut short by an interrupted run: run the point again
  }
}

/** The worker script, from the build (workers run JavaScript: `npm run build` makes it). */
function workerScript(): string {
  const file = path.join(packageRoot(), "dist", "src", "sweep", "worker.js");
  if (!fs.existsSync(file)) throw new Error(`the sweep worker ${file} is missing: build the package first (npm run build)`);
  return file;
}

export async function runSweep(planFile: string, planText: string, options: SweepOptions): Promise<SweepOutcome> {
  const began = performance.now();
  const plan = parseSweepPlan(planText, planFile);
  const pointsDir = path.join(options.outDir, "points");
  fs.mkdirSync(pointsDir, { recursive: true });
  const keys = plan.points.map((p) => pointKey(plan, p));
  const results: (SweepRow[] | null)[] = keys.map((k) => readKept(path.join(pointsDir, `${k}.json`), k));
  const todo = results.flatMap((r, i) => (r === null ? [i] : []));
  const kept = plan.points.length - todo.length;
  let done = kept;
  options.onProgress?.({ done, total: plan.points.length, kept, point: null });

  const jobs = Math.max(1, Math.min(options.jobs ?? os.availableParallelism(), todo.length));
  if (todo.length > 0) {
    const script = workerScript();
    const init: WorkerInit = { planText, planFile: path.resolve(planFile) };
    const workers = Array.from({ length: jobs }, () => new Worker(script, { workerData: init }));
    try {
      await new Promise<void>((resolve, reject) => {
        let next = 0, busy = 0, failed = false;
        const send = (w: Worker) => {
          if (failed) return;
          if (next >= todo.length) { if (busy === 0) resolve(); return; }
          busy++;
          w.postMessage(todo[next++]!);
        };
        for (const w of workers) {
          w.on("message", async (m: WorkerReply) => {
            if ("error" in m) {
              failed = true;
              const p = plan.points[m.index]!;
              reject(new Error(`point ${p.policy} load=${p.load} seed=${p.seed} mix=${p.mix}: ${m.error}`));
              return;
            }
            results[m.index] = m.rows;
            try {
              // Kept at once, so an interrupted sweep resumes from here.
              await writeFileAtomic(path.join(pointsDir, `${keys[m.index]}.json`), JSON.stringify({ key: keys[m.index], rows: m.rows } satisfies KeptPoint));
            } catch (e) {
              failed = true;
              reject(e);
              return;
            }
            // Counted as finished only once kept, so the sweep ends after the last point's file is written.
            busy--;
            done++;
            options.onProgress?.({ done, total: plan.points.length, kept, point: plan.points[m.index]! });
            send(w);
          });
          w.on("error", (e) => { failed = true; reject(e); });
        }
        for (const w of workers) send(w);
      });
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }
  const rows = results.flatMap((r) => r!);
  const file = path.join(options.outDir, "sweep.arrow");
  const parquetFile = path.join(options.outDir, "sweep.parquet");
  // Both encoded before either is written, so a table that cannot be encoded changes neither file.
  const table = rowsTable(rows);
  const ipc = arrow.tableToIPC(table, "file");
  const parquet = tableToParquet(table);
  await writeFileAtomic(file, ipc);
  try {
    await writeFileAtomic(parquetFile, parquet);
  } catch (e) {
    // No copy from an earlier run left beside the new sweep.arrow, disagreeing with it.
    await fs.promises.rm(parquetFile, { force: true }).catch(() => undefined);
    throw e;
  }
  return { plan, rows, kept, ran: todo.length, workers: todo.length ? jobs : 0, file, parquetFile, wallMs: performance.now() - began };
}
