/**
 * Fits the power model of power.ts to the lab's H200 measurements (calibration/h200/micro.csv) and scores
 * parameters against them. Used by test/gpu/power.test.ts (which re-runs the fit and checks the H200_POWER
 * constant) and by anyone re-calibrating after a new lab run.
 *
 * micro.csv (written by lab/calibrate.py): `kernel,size,sms,us,watts,sm_mhz`; `watts` (NVML board power, mean of
 * 20 ms samples over the last 1 s of 1.5 s of back-to-back launches) and `sm_mhz` (NVML SM clock read at the end)
 * only on rows for the largest sizes; the last row `idle,0,0,0,W,MHz` is idle power with the script's context open.
 * No field is quoted and none holds a comma, so a line split on commas is the whole parser.
 *
 * Fit: idleW = the idle row. powerLimitW = the mean watts of the rows whose clock the limiter lowered (sm_mhz <
 * spec.maxClockMHz), or spec.tdpW when no row was clock-limited. For α on a grid (1.00…4.00 in 0.01) the
 * per-SM powers of the three activity classes and the W per TB/s are a linear least-squares problem (relative
 * error, i.e. rows weighted by 1/measured W, coefficients ≥ 0); the α with the smallest error wins. Each row's load:
 * n = its SM count, class from the kernel (table MICRO_KERNELS), clock = its measured clock, DRAM bytes/s =
 * the kernel's compulsory DRAM traffic (table below) / its measured time.
 */
import {
  ACTIVITY_CLASSES,
  boardPowerW,
  cappedClockMHz,
  type ActivityClass,
  type PowerLoad,
  type PowerParams,
} from "./power";
import { H200_SXM } from "./specs/h200";
import type { GpuSpec } from "./specs/spec";

/** One micro.csv row. */
export interface MicroRow {
  readonly kernel: string;
  readonly size: number;
  readonly sms: number;
  /** Mean kernel time, µs. */
  readonly us: number;
  /** Board power, W; null where not measured. */
  readonly watts: number | null;
  /** SM clock, MHz; null where not measured. */
  readonly smMHz: number | null;
}

const MICRO_HEADER = "kernel,size,sms,us,watts,sm_mhz";

/** Parses micro.csv text (header `kernel,size,sms,us,watts,sm_mhz`). Throws on a wrong header, field count or number. */
export function parseMicroCsv(text: string): MicroRow[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== MICRO_HEADER) {
    throw new Error(`micro.csv: expected header "${MICRO_HEADER}", got "${lines[0] ?? ""}"`);
  }
  const rows: MicroRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const f = line.split(",");
    if (f.length !== 6) throw new Error(`micro.csv line ${i + 1}: expected 6 fields, got ${f.length}`);
    const num = (s: string, what: string, optional: boolean): number | null => {
      if (s === "" && optional) return null;
      const x = Number(s);
      if (s === "" || !Number.isFinite(x)) throw new Error(`micro.csv line ${i + 1}: ${what} "${s}" is not a number`);
      return x;
    };
    rows.push({
      kernel: f[0]!,
      size: num(f[1]!, "size", false)!,
      sms: num(f[2]!, "sms", false)!,
      us: num(f[3]!, "us", false)!,
      watts: num(f[4]!, "watts", true),
      smMHz: num(f[5]!, "sm_mhz", true),
    });
  }
  return rows;
}

/** How a micro.csv kernel loads the GPU: its activity class and its compulsory DRAM traffic. */
export interface MicroKernelModel {
  readonly activity: ActivityClass;
  /** Bytes the kernel must move to/from DRAM at this size (each operand read once, results written once). */
  readonly dramBytes: (size: number) => number;
  /** The shapes behind dramBytes. */
  readonly source: string;
}

/**
 * The kernels of lab/calibrate.py. GEMM traffic is the compulsory A, B, C (the real traffic is larger — tiles are
 * re-read past the L2 — and that excess is folded into smW.compute); sdpa reads q = k = v and writes the output.
 */
export const MICRO_KERNELS: Readonly<Record<string, MicroKernelModel>> = {
  gemm_fp16: {
    activity: "compute",
    dramBytes: (n) => 3 * n * n * 2,
    source: "calibrate.py: a @ b, a, b n×n fp16 (A, B read, C written: 3n²·2 B)",
  },
  add_fp32: {
    activity: "memory",
    dramBytes: (n) => 3 * n * 4,
    source: "calibrate.py: torch.add(x, y), x, y n fp32 (2 reads + 1 write: 3n·4 B)",
  },
  softmax_fp16: {
    activity: "memory",
    dramBytes: (n) => 2 * n * n * 2,
    source: "calibrate.py: softmax of n×n fp16 (read + write: 2n²·2 B)",
  },
  sdpa_fp16: {
    activity: "other",
    dramBytes: (s) => 4 * 8 * 16 * s * 128 * 2,
    source: "calibrate.py: causal SDPA, q = k = v of shape (8, 16, s, 128) fp16 (q, k, v read + out written)",
  },
};

/** The power-model load of a micro.csv row at `clockMHz` (default: the row's measured clock, else max). */
export function microRowLoad(spec: GpuSpec, row: MicroRow, clockMHz?: number): PowerLoad {
  const k = Object.prototype.hasOwnProperty.call(MICRO_KERNELS, row.kernel) ? MICRO_KERNELS[row.kernel] : undefined;
  if (!k) throw new Error(`micro.csv kernel "${row.kernel}" has no load model (known: ${Object.keys(MICRO_KERNELS).join(", ")})`);
  if (!(row.us > 0)) throw new Error(`micro.csv ${row.kernel} ${row.size} on ${row.sms} SMs: time must be > 0, got ${row.us}`);
  return {
    activeSms: row.sms,
    clockMHz: clockMHz ?? row.smMHz ?? spec.maxClockMHz,
    memBandwidthBytesPerS: k.dramBytes(row.size) / (row.us * 1e-6),
    computeFraction: k.activity === "compute" ? 1 : 0,
    memoryFraction: k.activity === "memory" ? 1 : 0,
  };
}

/** Error summary of predicted vs measured power (or clock). */
export interface FitError {
  /** Rows scored. */
  readonly n: number;
  /** Mean |predicted − measured| / measured, %. */
  readonly meanAbsPct: number;
  /** Largest |predicted − measured| / measured, %. */
  readonly maxAbsPct: number;
  /** Root mean square of predicted − measured (W or MHz). */
  readonly rms: number;
}

/** One scored micro.csv row. */
export interface PowerFitRow {
  readonly kernel: string;
  readonly size: number;
  readonly sms: number;
  readonly measuredW: number;
  readonly measuredMHz: number;
  /** Model power at the measured clock, W. */
  readonly predictedW: number;
  /** Clock the model's power cap gives (requested: max clock), MHz. */
  readonly cappedMHz: number;
  /** Model power at that clock, W. */
  readonly cappedW: number;
}

/** Parameters scored against micro.csv rows. */
export interface PowerEvaluation {
  readonly rows: PowerFitRow[];
  /** Power at the measured clocks vs measured power (kernel rows). */
  readonly power: FitError;
  /** Power at the model's capped clock vs measured power (kernel rows): the simulator's view. */
  readonly cappedPower: FitError;
  /** The model's capped clock vs the measured clock, MHz (rms, mean/max % of measured). */
  readonly clock: FitError;
  /** Measured idle row power and the model's idle power, W (null when rows have no idle row). */
  readonly idle: { measuredW: number; predictedW: number } | null;
}

/** A fit and its score on the rows it was fitted on. */
export interface PowerFit extends PowerEvaluation {
  readonly params: PowerParams;
}

function summarize(pairs: ReadonlyArray<readonly [predicted: number, measured: number]>): FitError {
  let sumPct = 0;
  let maxPct = 0;
  let sumSq = 0;
  for (const [p, m] of pairs) {
    const pct = (Math.abs(p - m) / m) * 100;
    sumPct += pct;
    maxPct = Math.max(maxPct, pct);
    sumSq += (p - m) ** 2;
  }
  const n = pairs.length;
  return { n, meanAbsPct: n ? sumPct / n : 0, maxAbsPct: maxPct, rms: n ? Math.sqrt(sumSq / n) : 0 };
}

function idleRow(rows: readonly MicroRow[]): MicroRow | undefined {
  return rows.find((r) => r.kernel === "idle" && r.watts !== null);
}

function kernelRowsWithWatts(rows: readonly MicroRow[]): Array<MicroRow & { watts: number; smMHz: number }> {
  return rows.filter((r): r is MicroRow & { watts: number; smMHz: number } => r.kernel !== "idle" && r.watts !== null && r.smMHz !== null);
}

/** Scores `params` on the kernel rows of `rows` that carry watts and clock (and the idle row, if any). */
export function evaluatePowerParams(spec: GpuSpec, params: PowerParams, rows: readonly MicroRow[]): PowerEvaluation {
  const scored: PowerFitRow[] = kernelRowsWithWatts(rows).map((r) => {
    const capped = cappedClockMHz(spec, params, microRowLoad(spec, r, spec.maxClockMHz));
    return {
      kernel: r.kernel,
      size: r.size,
      sms: r.sms,
      measuredW: r.watts,
      measuredMHz: r.smMHz,
      predictedW: boardPowerW(spec, params, microRowLoad(spec, r)),
      cappedMHz: capped.clockMHz,
      cappedW: capped.powerW,
    };
  });
  const idle = idleRow(rows);
  const zero: PowerLoad = { activeSms: 0, memBandwidthBytesPerS: 0, computeFraction: 0 };
  return {
    rows: scored,
    power: summarize(scored.map((r) => [r.predictedW, r.measuredW] as const)),
    cappedPower: summarize(scored.map((r) => [r.cappedW, r.measuredW] as const)),
    clock: summarize(scored.map((r) => [r.cappedMHz, r.measuredMHz] as const)),
    idle: idle ? { measuredW: idle.watts!, predictedW: boardPowerW(spec, params, zero) } : null,
  };
}

/** Solves A x = b (n×n, Gaussian elimination with partial pivoting); null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) < 1e-12) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const k = m[r]![c]! / m[c]![c]!;
      for (let j = c; j <= n; j++) m[r]![j]! -= k * m[c]![j]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/**
 * Weighted least squares min Σ w_i (X_i·c − y_i)² with c ≥ 0: drop the most negative coefficient and re-solve
 * until none is negative (enough for 4 well-separated columns). Returns c and the weighted sum of squares.
 */
function nonNegativeLeastSquares(x: number[][], y: number[], w: number[]): { c: number[]; sse: number } {
  const k = x[0]!.length;
  const active = new Set<number>(Array.from({ length: k }, (_, j) => j));
  for (;;) {
    const cols = [...active];
    const ata = cols.map((a) => cols.map((b) => x.reduce((s, row, i) => s + w[i]! * row[a]! * row[b]!, 0)));
    const aty = cols.map((a) => x.reduce((s, row, i) => s + w[i]! * row[a]! * y[i]!, 0));
    const sol = solve(ata, aty);
    if (!sol) throw new Error("power fit: the rows do not determine the parameters (singular least-squares system)");
    let worst = -1;
    sol.forEach((v, j) => {
      if (v < 0 && (worst < 0 || v < sol[worst]!)) worst = j;
    });
    if (worst >= 0) {
      active.delete(cols[worst]!);
      continue;
    }
    const c = new Array<number>(k).fill(0);
    cols.forEach((col, j) => (c[col] = sol[j]!));
    const sse = x.reduce((s, row, i) => s + w[i]! * (row.reduce((t, v, j) => t + v * c[j]!, 0) - y[i]!) ** 2, 0);
    return { c, sse };
  }
}

/** Options of `fitPowerParams`. */
export interface PowerFitOptions {
  /** GPU the rows were measured on (default: the H200). */
  readonly spec?: GpuSpec;
  /** Text for `params.fittedOn` (default: "micro.csv rows with watts (N kernel rows + idle)"). */
  readonly fittedOn?: string;
}

/**
 * Fits PowerParams to micro.csv rows (see the file header for the method) and scores them on the same rows.
 * Needs an idle row and, for each activity class, at least one kernel row with watts and clock; throws otherwise.
 */
export function fitPowerParams(rows: readonly MicroRow[], options: PowerFitOptions = {}): PowerFit {
  const spec = options.spec ?? H200_SXM;
  const idle = idleRow(rows);
  if (!idle) throw new Error("power fit: no idle row with watts");
  const idleW = idle.watts!;
  const data = kernelRowsWithWatts(rows);
  const loads = data.map((r) => microRowLoad(spec, r));
  for (const c of ACTIVITY_CLASSES) {
    const has = loads.some((l) => (c === "compute" ? l.computeFraction : c === "memory" ? l.memoryFraction ?? 0 : 1 - l.computeFraction - (l.memoryFraction ?? 0)) > 0);
    if (!has) throw new Error(`power fit: no kernel row with watts of activity class "${c}"`);
  }
  const capped = data.filter((r) => r.smMHz < spec.maxClockMHz);
  const powerLimitW = capped.length ? capped.reduce((s, r) => s + r.watts, 0) / capped.length : spec.tdpW;

  const y = data.map((r) => r.watts - idleW);
  const w = data.map((r) => 1 / r.watts ** 2); // relative error
  let best: { alpha: number; c: number[]; sse: number } | null = null;
  for (let i = 0; i <= 300; i++) {
    const alpha = (100 + i) / 100;
    const x = loads.map((l) => {
      const g = l.activeSms * (l.clockMHz! / spec.maxClockMHz) ** alpha;
      const mem = l.memoryFraction ?? 0;
      return [g * l.computeFraction, g * mem, g * (1 - l.computeFraction - mem), l.memBandwidthBytesPerS / 1e12];
    });
    const { c, sse } = nonNegativeLeastSquares(x, y, w);
    if (!best || sse < best.sse - 1e-15) best = { alpha, c, sse };
  }
  const { alpha, c } = best!;
  const fittedOn = options.fittedOn ?? `micro.csv rows with watts (${data.length} kernel rows + idle)`;
  const capRows = capped.map((r) => `${r.kernel} ${r.sms} SMs`).join(", ");
  const params: PowerParams = {
    gpu: spec.key,
    idleW,
    smW: { compute: c[0]!, memory: c[1]!, other: c[2]! },
    clockExponent: alpha,
    memWPerTBps: c[3]!,
    powerLimitW,
    fittedOn,
    assumed: false,
    sources: {
      idleW: `measured: the idle row (${idleW} W) of ${fittedOn}`,
      smW: `fitted: ${fittedOn}, least squares on relative error at the measured clocks`,
      clockExponent: `fitted: ${fittedOn}, grid 1.00–4.00 in 0.01`,
      memWPerTBps: `fitted: ${fittedOn}, compulsory DRAM bytes / measured time`,
      powerLimitW: capped.length
        ? `measured: mean watts of the clock-limited rows (${capRows}) of ${fittedOn}`
        : `spec tdpW (no clock-limited row in ${fittedOn})`,
    },
  };
  return { params, ...evaluatePowerParams(spec, params, rows) };
}
