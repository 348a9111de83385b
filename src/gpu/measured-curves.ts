/**
 * Measured SM-scaling curves of calibration kernels, used to correct the timing model for kernels that look like
 * them. The class formula of src/gpu/timing.ts cannot tell apart kernels of one class that scale differently (a
 * bandwidth-saturating elementwise kernel from a latency-bound one with the same launch shape: the bytes each moves
 * are not in the trace), but the calibration data often holds the same kernel function, with the same block size,
 * at a nearby grid and duration. For such a kernel the model's prediction at n SMs is multiplied by the measured over
 * the modelled duration of its nearest calibration kernels at n SMs (their residual, as a ratio).
 *
 * Neighbours: the same function (the demangled name up to its parameter list, first 180 characters: kernels.csv
 * truncates names at 200), the same threads per block, distance |Δ ln grid blocks| + |Δ ln full-chip µs| ≤ 2; the
 * 5 nearest, weighted 1 / (distance + 0.05). These choices were made by leaving one workload out at a time over the
 * 16 measured workloads (kernel sets 0 to 3), in a prototype with the class parameters held fixed: pooled error 8.5%
 * with the residuals against 9.4% with the neighbours' measured curves used as they are. The shipped model, refitted
 * per fold, gives 9.0% that way (`lithos-replay model-error`; README, "Timing").
 *
 * The residuals are relative to the class parameters fitted in the same run, so they live in the same calibration
 * file (TimingCalibration.curves). Kernels measured at the same function, block size, grid and (to within 10%)
 * duration are merged into one entry, their residuals averaged.
 */
import { functionHead } from "./kernel-class";
import type { KernelCurve } from "./measurements";

/** The calibration's table of measured residuals. */
export interface MeasuredCurves {
  /** SM counts the residuals are given at, ascending, below the full chip. */
  sms: number[];
  /** SMs of the GPU they were measured on (the full chip, where the residual is 1 by construction). */
  fullSms: number;
  /** Function names (keys) the entries refer to by index. */
  names: string[];
  /** Each entry: [name index, threads per block, grid blocks, full-chip µs, residual at each of `sms`…]. */
  entries: number[][];
}

const NEIGHBOURS = 5;
const MAX_DISTANCE = 2;
const WEIGHT_OFFSET = 0.05;
const NAME_KEY_CHARS = 180;

/** The key kernels are matched on: function name and template arguments, without the parameter list. */
export function functionKey(name: string): string {
  return functionHead(name).slice(0, NAME_KEY_CHARS);
}

/**
 * Builds the table from measured curves and the model's prediction of each (`model(curve, fullUs, n)`, which
 * must not use curves itself). Kernels not measured at the full chip and at every SM count of the grid are left out.
 */
export function buildMeasuredCurves(curves: KernelCurve[], fullSms: number, model: (c: KernelCurve, fullUs: number, n: number) => number): MeasuredCurves {
  const counts = new Map<number, number>();
  for (const c of curves) for (const n of c.usBySms.keys()) if (n < fullSms) counts.set(n, (counts.get(n) ?? 0) + 1);
  // The SM counts that most kernels were measured at (all of them, for kernels.csv-shaped data).
  const most = Math.max(0, ...counts.values());
  const sms = [...counts.entries()].filter(([, k]) => k >= 0.9 * most).map(([n]) => n).sort((a, b) => a - b);
  const groups = new Map<string, { name: string; threads: number; grid: number; logUs: number; k: number; residual: number[] }>();
  for (const c of curves) {
    const full = c.usBySms.get(fullSms);
    if (full === undefined || full <= 0 || !sms.every((n) => c.usBySms.has(n))) continue;
    const name = functionKey(c.name);
    const key = `${name}\u0000${c.threadsPerBlock}\u0000${c.gridBlocks}\u0000${Math.round(Math.log(full) * 10)}`;
    const residual = sms.map((n) => c.usBySms.get(n)! / Math.max(1e-9, model(c, full, n)));
    const g = groups.get(key);
    if (!g) groups.set(key, { name, threads: c.threadsPerBlock, grid: c.gridBlocks, logUs: Math.log(full), k: 1, residual });
    else {
      g.logUs += Math.log(full);
      g.residual.forEach((_, i) => (g.residual[i]! += residual[i]!));
      g.k++;
    }
  }
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const entries: number[][] = [];
  for (const g of [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.threads - b.threads || a.grid - b.grid || a.logUs - b.logUs))) {
    let i = nameIndex.get(g.name);
    if (i === undefined) { i = names.length; names.push(g.name); nameIndex.set(g.name, i); }
    const round = (x: number, digits: number) => Number(x.toFixed(digits));
    entries.push([i, g.threads, g.grid, round(Math.exp(g.logUs / g.k), 3), ...g.residual.map((r) => round(r / g.k, 4))]);
  }
  return { sms, fullSms, names, entries };
}

/** Entries by function key, for lookups (built once per table). */
const INDEX = new WeakMap<MeasuredCurves, Map<string, number[][]>>();

function indexOf(table: MeasuredCurves): Map<string, number[][]> {
  let idx = INDEX.get(table);
  if (!idx) {
    idx = new Map();
    for (const e of table.entries) {
      const name = table.names[e[0]!]!;
      let list = idx.get(name);
      if (!list) idx.set(name, (list = []));
      list.push(e);
    }
    INDEX.set(table, idx);
  }
  return idx;
}

/**
 * The residual of a kernel at each SM count of `table.sms` from its nearest calibration kernels, or null when the
 * table holds none close enough (the model then stands uncorrected).
 */
export function lookupResidual(table: MeasuredCurves, name: string, threadsPerBlock: number | null | undefined, gridBlocks: number, fullUs: number): number[] | null {
  if (!(fullUs > 0) || !(gridBlocks >= 1) || !threadsPerBlock) return null;
  const list = indexOf(table).get(functionKey(name));
  if (!list) return null;
  const lg = Math.log(gridBlocks), lu = Math.log(fullUs);
  const near: { e: number[]; d: number }[] = [];
  for (const e of list) {
    if (e[1] !== threadsPerBlock) continue;
    const d = Math.abs(Math.log(e[2]!) - lg) + Math.abs(Math.log(e[3]!) - lu);
    if (d <= MAX_DISTANCE) near.push({ e, d });
  }
  if (near.length === 0) return null;
  near.sort((a, b) => a.d - b.d);
  const residual = table.sms.map(() => 0);
  let total = 0;
  for (const { e, d } of near.slice(0, NEIGHBOURS)) {
    const w = 1 / (d + WEIGHT_OFFSET);
    total += w;
    for (let i = 0; i < residual.length; i++) residual[i]! += w * e[4 + i]!;
  }
  return residual.map((r) => r / total);
}

/**
 * The residual as a factor per SM count 0…targetSms on a GPU of `targetSms` SMs: piecewise linear between the
 * table's SM counts, scaled by the SM fraction when the target has another SM count than the measured GPU, 1 at the
 * full chip, the first value below the first SM count.
 */
export function residualBySm(table: MeasuredCurves, residual: number[], targetSms: number): Float64Array {
  const xs = [...table.sms, table.fullSms];
  const ys = [...residual, 1];
  const out = new Float64Array(targetSms + 1);
  for (let n = 0; n <= targetSms; n++) {
    const x = (n * table.fullSms) / targetSms;
    let v: number;
    if (x <= xs[0]!) v = ys[0]!;
    else if (x >= xs[xs.length - 1]!) v = 1;
    else {
      let i = 1;
      while (xs[i]! < x) i++;
      const t = (x - xs[i - 1]!) / (xs[i]! - xs[i - 1]!);
      v = ys[i - 1]! + t * (ys[i]! - ys[i - 1]!);
    }
    out[n] = v;
  }
  return out;
}
