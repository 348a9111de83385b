/**
 * Board power of one GPU under a load, the SM clock the power limit allows, and energy over a replay.
 * Called by the simulator (power and clock of each interval between events, energy of a whole replay) and by
 * power-fit.ts (which fits the H200 parameters below from the lab's measurements).
 *
 * Model (hardware.md §7.3 "suggested power model", reduced to what the H200 data can identify):
 *
 *   P(f) = idleW                                                   board with a CUDA context open, nothing running
 *        + n · Σ_c x_c · smW[c] · (f / f_max)^α                     busy SMs, by activity class c
 *        + memWPerTBps · B / 1e12                                   DRAM traffic B bytes/s
 *
 * - n busy SMs (fractional: an SM busy half the interval counts ½), x_c the share of them running compute-heavy
 *   (tensor-core GEMM-like), memory-heavy (streaming, elementwise) or other work; smW[c] the power of one busy SM
 *   of class c at the top clock f_max = spec.maxClockMHz. Per-SM power is linear in n because the H200 data is
 *   (GEMM 8→48 SMs: +8.6 W per SM, hardware.md §7.2 / calibration/h200/README.md).
 * - Clock: dynamic CMOS power ∝ f·V² and above the DVFS voltage knee V rises roughly linearly with f
 *   (hardware.md §7.3), so P_dyn ∝ f^α with α between 2 (V flat) and 3 (V ∝ f). α is fitted, not assumed: the only
 *   clock variation in the data is the limiter lowering the clock of GEMMs on ≥ 64 SMs at constant board power,
 *   which pins α (fit: α = 2.95, i.e. V ≈ ∝ f over 1440–1980 MHz). The idle and DRAM terms do not scale with the
 *   SM clock (the memory clock is fixed, 3201 MHz; hardware.md §1.3).
 * - Power cap: the firmware lowers the SM clock, in the spec's 15 MHz steps, until P ≤ powerLimitW
 *   (hardware.md §7.3, §7.5). `cappedClockMHz` returns the highest supported clock that fits.
 *   powerLimitW is the board power the limiter actually held in the data, not the 700 W nameplate limit: in the
 *   lab's 1.5 s windows every clock-limited GEMM row reads 631–635 W (micro.csv, hardware.md §6.1), while a 7 s
 *   sustained full-chip GEMM read 694 W at 1470 MHz ([H200-probe], hardware.md §7.5). Both regimes put the
 *   full-chip GEMM clock at ~1.44–1.47 GHz; this model, fitted on the lab rows, reproduces the clock with the lab's
 *   632 W plateau, so for long capped stretches it under-states power by up to ~9 % (632 vs 694 W).
 * - Not modelled: temperature. Leakage rises with chip temperature, which follows the power of the last seconds;
 *   micro.csv's idle row (159 W) was read hot, after the sweep (122.8 W cool, hardware.md §7.5), and the sdpa rows'
 *   power tracks the power of the run just before them. The model is a warm-chip steady state.
 *
 * Every constant names its source; fitted ones name the rows they were fitted on; derived ones (A100, H100, for
 * which no measurements exist) say "assumed" and how they were scaled from the H200 fit.
 */
import { A100_40GB, A100_80GB } from "./specs/a100";
import { H100_SXM } from "./specs/h100";
import { H200_SXM } from "./specs/h200";
import { snapClockMHz, supportedClocksMHz, type GpuSpec } from "./specs/spec";

/** What busy SMs are doing, for their power: tensor-core compute, DRAM streaming, or anything else. */
export type ActivityClass = "compute" | "memory" | "other";

/** The activity classes, in a fixed order. */
export const ACTIVITY_CLASSES: readonly ActivityClass[] = ["compute", "memory", "other"];

/** The parameters of the power model (see the header) for one GPU model. */
export interface PowerParams {
  /** Spec key these parameters belong to ("h200-sxm", …); the functions below refuse another spec. */
  readonly gpu: string;
  /** Board power with a CUDA context open and nothing running, SM clock at max, W. */
  readonly idleW: number;
  /** Power of one busy SM at the spec's max clock, by activity class, W. */
  readonly smW: Readonly<Record<ActivityClass, number>>;
  /** α in P_dyn ∝ (f / f_max)^α. */
  readonly clockExponent: number;
  /** Power per TB/s (10^12 bytes/s) of DRAM traffic, reads + writes, W. */
  readonly memWPerTBps: number;
  /** Board power the limiter holds the GPU at (it lowers the SM clock until P ≤ this), W. */
  readonly powerLimitW: number;
  /** Data the parameters were fitted on, or "assumed: …" for derived parameters. */
  readonly fittedOn: string;
  /** True when no measurement of this GPU underlies the numbers (scaled from another GPU's fit). */
  readonly assumed: boolean;
  /** Where each number comes from. */
  readonly sources: Readonly<Record<"idleW" | "smW" | "clockExponent" | "memWPerTBps" | "powerLimitW", string>>;
}

/** What the GPU is doing over one interval. */
export interface PowerLoad {
  /** Busy SMs (time-averaged, may be fractional), 0 … spec.smCount. */
  readonly activeSms: number;
  /** SM clock, MHz (spec.minClockMHz … spec.maxClockMHz). For `cappedClockMHz`: the requested (locked or
   *  application) clock, the ceiling the limiter works down from. Default: spec.maxClockMHz. */
  readonly clockMHz?: number;
  /** DRAM traffic, reads + writes, bytes/s (≥ 0). */
  readonly memBandwidthBytesPerS: number;
  /** Share of the busy SMs running compute-heavy (tensor-core, GEMM-like) work, 0 … 1. */
  readonly computeFraction: number;
  /** Share of the busy SMs running memory-heavy (streaming) work, 0 … 1 − computeFraction. Default 0.
   *  The rest of the busy SMs run "other" work. */
  readonly memoryFraction?: number;
}

/** The clock the power limit allows for a load, and the power there. */
export interface CappedClock {
  /** Highest supported SM clock ≤ the requested one at which power ≤ powerLimitW (min clock if none fits), MHz. */
  readonly clockMHz: number;
  /** Board power at that clock, W. */
  readonly powerW: number;
  /** Board power at the requested clock (before the cap), W. */
  readonly uncappedPowerW: number;
  /** The requested clock, snapped down to a supported step, MHz. */
  readonly requestedClockMHz: number;
  /** True when the limit lowered the clock below the requested one. */
  readonly limited: boolean;
  /** True when even the lowest supported clock draws more than the limit. */
  readonly overLimit: boolean;
  /** The limit applied, W. */
  readonly limitW: number;
}

/** A stretch of constant board power. */
export interface PowerSegment {
  readonly startNs: number;
  readonly endNs: number;
  readonly powerW: number;
}

function checkParams(spec: GpuSpec, params: PowerParams): void {
  if (params.gpu !== spec.key) {
    throw new Error(`power parameters are for "${params.gpu}", not for "${spec.key}"`);
  }
}

function checkLoad(spec: GpuSpec, load: PowerLoad): { compute: number; memory: number; other: number } {
  const n = load.activeSms;
  if (!(Number.isFinite(n) && n >= 0 && n <= spec.smCount)) {
    throw new RangeError(`activeSms must be in [0, ${spec.smCount}], got ${n}`);
  }
  const bw = load.memBandwidthBytesPerS;
  if (!(Number.isFinite(bw) && bw >= 0)) throw new RangeError(`memBandwidthBytesPerS must be ≥ 0, got ${bw}`);
  const compute = load.computeFraction;
  const memory = load.memoryFraction ?? 0;
  if (!(compute >= 0 && compute <= 1)) throw new RangeError(`computeFraction must be in [0, 1], got ${compute}`);
  if (!(memory >= 0 && memory <= 1)) throw new RangeError(`memoryFraction must be in [0, 1], got ${memory}`);
  if (compute + memory > 1 + 1e-9) {
    throw new RangeError(`computeFraction + memoryFraction must be ≤ 1, got ${compute} + ${memory}`);
  }
  return { compute, memory, other: Math.max(0, 1 - compute - memory) };
}

function checkClock(spec: GpuSpec, clockMHz: number): void {
  if (!(Number.isFinite(clockMHz) && clockMHz >= spec.minClockMHz && clockMHz <= spec.maxClockMHz)) {
    throw new RangeError(`clockMHz must be in [${spec.minClockMHz}, ${spec.maxClockMHz}], got ${clockMHz}`);
  }
}

/** Board power for a validated load at clock f (no checks). */
function powerAt(
  spec: GpuSpec,
  params: PowerParams,
  load: PowerLoad,
  mix: Record<ActivityClass, number>,
  clockMHz: number,
): number {
  const perSm = mix.compute * params.smW.compute + mix.memory * params.smW.memory + mix.other * params.smW.other;
  const clockFactor = (clockMHz / spec.maxClockMHz) ** params.clockExponent;
  return params.idleW + load.activeSms * perSm * clockFactor + (params.memWPerTBps * load.memBandwidthBytesPerS) / 1e12;
}

/**
 * Board power, W, for `load` at `load.clockMHz` (default: max clock), before the power cap:
 * idleW + n·Σ x_c·smW[c]·(f/f_max)^α + memWPerTBps·TB/s. Throws RangeError on a load outside the spec
 * (SMs, clock range, fractions) and Error when `params` belong to another GPU.
 */
export function boardPowerW(spec: GpuSpec, params: PowerParams, load: PowerLoad): number {
  checkParams(spec, params);
  const mix = checkLoad(spec, load);
  const f = load.clockMHz ?? spec.maxClockMHz;
  checkClock(spec, f);
  return powerAt(spec, params, load, mix, f);
}

/**
 * The SM clock the power limit allows: the highest supported clock (spec steps, at most the requested
 * `load.clockMHz` snapped down to a step, default max) at which `boardPowerW` ≤ `params.powerLimitW`, with the
 * power there. If even the lowest clock does not fit, the lowest clock with `overLimit: true`. The load's DRAM
 * traffic is taken as given at every clock.
 */
export function cappedClockMHz(spec: GpuSpec, params: PowerParams, load: PowerLoad): CappedClock {
  checkParams(spec, params);
  const mix = checkLoad(spec, load);
  const asked = load.clockMHz ?? spec.maxClockMHz;
  checkClock(spec, asked);
  const requested = snapClockMHz(spec, asked);
  const limitW = params.powerLimitW;
  const uncappedPowerW = powerAt(spec, params, load, mix, requested);
  const clocks = supportedClocksMHz(spec).filter((f) => f <= requested);
  for (let i = clocks.length - 1; i >= 0; i--) {
    const f = clocks[i]!;
    const p = powerAt(spec, params, load, mix, f);
    if (p <= limitW) {
      return { clockMHz: f, powerW: p, uncappedPowerW, requestedClockMHz: requested, limited: f < requested, overLimit: false, limitW };
    }
  }
  const f = spec.minClockMHz;
  const powerW = powerAt(spec, params, load, mix, f);
  return { clockMHz: f, powerW, uncappedPowerW, requestedClockMHz: requested, limited: f < requested, overLimit: true, limitW };
}

/**
 * Energy, J, of a piecewise-constant power series: Σ powerW·(endNs − startNs)/1e9. Segments may come in any
 * order and leave gaps (a gap adds nothing: fill it with an idle segment to count idle power), but must not
 * overlap; throws RangeError on an overlap, endNs < startNs, or a non-finite or negative power.
 */
export function energyJ(samples: readonly PowerSegment[]): number {
  const sorted = [...samples].sort((a, b) => a.startNs - b.startNs);
  let joules = 0;
  let lastEnd = -Infinity;
  for (const s of sorted) {
    if (!(Number.isFinite(s.startNs) && Number.isFinite(s.endNs) && s.endNs >= s.startNs)) {
      throw new RangeError(`power segment must have finite startNs ≤ endNs, got [${s.startNs}, ${s.endNs}]`);
    }
    if (!(Number.isFinite(s.powerW) && s.powerW >= 0)) throw new RangeError(`powerW must be ≥ 0, got ${s.powerW}`);
    if (s.startNs < lastEnd) throw new RangeError(`power segments overlap at ${s.startNs} ns (previous ends ${lastEnd} ns)`);
    joules += (s.powerW * (s.endNs - s.startNs)) / 1e9;
    lastEnd = s.endNs;
  }
  return joules;
}

/**
 * H200 SXM parameters: the output of `fitPowerParams(parseMicroCsv(micro.csv))` (power-fit.ts), rounded to
 * 5 significant digits; test/gpu/power.test.ts re-runs the fit and checks these numbers, so they cannot drift.
 * Fit quality on the 33 kernel rows with watts: mean |error| 3.9 %, max 13.7 % at the measured clocks; capped
 * clocks within 60 MHz of the measured ones (see the test for the table).
 */
export const H200_POWER: PowerParams = {
  gpu: "h200-sxm",
  idleW: 159.0,
  smW: { compute: 7.9313, memory: 0.30825, other: 0.61992 },
  clockExponent: 2.95,
  memWPerTBps: 94.937,
  powerLimitW: 632.12,
  fittedOn: "calibration/h200/micro.csv (rows with watts)",
  assumed: false,
  sources: {
    idleW:
      "measured: calibration/h200/micro.csv idle row (159.0 W, one CUDA context, 1980 MHz, read hot after the sweep); " +
      "cool: 122.8 W (hardware.md §7.5 [H200-probe])",
    smW:
      "fitted: calibration/h200/micro.csv rows with watts (33: gemm_fp16 8192 → compute, add_fp32 2^28 → memory, " +
      "sdpa_fp16 2048 → other; 8–132 SMs), least squares on relative error with idleW fixed, at the measured clocks",
    clockExponent:
      "fitted: calibration/h200/micro.csv rows with watts (grid 1.00–4.00 in 0.01; the clock-limited gemm_fp16 rows " +
      "at 64–132 SMs pin it); 2–3 expected for P ∝ f·V² (hardware.md §7.3)",
    memWPerTBps:
      "fitted: calibration/h200/micro.csv rows with watts (DRAM bytes/s = the kernels' compulsory traffic / measured time; " +
      "add_fp32 rows dominate); cf. ≈125 pJ/B above context idle, hardware.md §7.4",
    powerLimitW:
      "measured: mean of calibration/h200/micro.csv rows with watts whose SM clock is below 1980 MHz (gemm_fp16 at " +
      "64–132 SMs, 631–635 W over 1.5 s windows); nameplate limit 700 W, 694 W in a 7 s run (hardware.md §7.5)",
  },
};

/** Ratio of the effective (held) power limit to the nameplate limit on the H200: 632.12 / 700. */
const H200_LIMIT_RATIO = H200_POWER.powerLimitW / H200_SXM.tdpW;
/** Ratio of the warm context-idle power (micro.csv) to the cool one (spec, [H200-probe]) on the H200: 159 / 123. */
const H200_WARM_IDLE_RATIO = H200_POWER.idleW / H200_SXM.idleContextPowerW;

/**
 * Parameters for a GPU without power measurements, scaled from the H200 fit (every number marked assumed):
 * - idleW = spec.idleContextPowerW × (H200 warm/cool context idle, 159/123): same warm-up of static power;
 * - smW = H200 smW × k: k = 1 when `sameSmPower` (same GH100 die at the same clocks: H100 SXM); otherwise k so
 *   that all SMs compute-bound at the max clock draw exactly spec.tdpW (idleW + smCount·k·smW.compute = tdpW),
 *   i.e. the part is sized so its nameplate limit just covers a full-chip GEMM at boost (A100); the memory/other
 *   per-SM powers keep the H200's ratios to the compute one;
 * - clockExponent and memWPerTBps: the H200's (same DVFS physics; similar HBM energy per byte);
 * - powerLimitW = spec.tdpW × (H200 held/nameplate limit, 632.12/700).
 */
export function derivePowerParams(spec: GpuSpec, opts: { sameSmPower: boolean; why: string }): PowerParams {
  const from = H200_POWER;
  const idleW = spec.idleContextPowerW * H200_WARM_IDLE_RATIO;
  const k = opts.sameSmPower ? 1 : (spec.tdpW - idleW) / (spec.smCount * from.smW.compute);
  const round = (x: number): number => Number(x.toPrecision(5));
  const base = `assumed, scaled from the H200 fit (${from.fittedOn})`;
  return {
    gpu: spec.key,
    idleW: round(idleW),
    smW: { compute: round(from.smW.compute * k), memory: round(from.smW.memory * k), other: round(from.smW.other * k) },
    clockExponent: from.clockExponent,
    memWPerTBps: from.memWPerTBps,
    powerLimitW: round(spec.tdpW * H200_LIMIT_RATIO),
    fittedOn: `${base}: ${opts.why}`,
    assumed: true,
    sources: {
      idleW: `assumed: spec idleContextPowerW (${spec.idleContextPowerW} W, ${spec.sources.idleContextPowerW}) × H200 warm/cool context idle (159/123)`,
      smW: opts.sameSmPower
        ? "assumed: = H200 (same GH100 die, SM count and clocks; hardware.md §1.1–1.2)"
        : `assumed: H200 smW × ${round(k)} so that ${spec.smCount} compute-bound SMs at ${spec.maxClockMHz} MHz + idle = the ${spec.tdpW} W TDP (hardware.md §1.2)`,
      clockExponent: "assumed: = H200 fit (P ∝ f·V², hardware.md §7.3)",
      memWPerTBps: "assumed: = H200 fit (HBM energy per byte taken equal across HBM2e/HBM3/HBM3e)",
      powerLimitW: `assumed: TDP ${spec.tdpW} W (${spec.sources.tdpW}) × H200 held/nameplate limit (632.12/700)`,
    },
  };
}

/** H100 SXM: H200 per-SM power (same die and clocks), its own idle, limit scaled from its 700 W TDP. Assumed. */
export const H100_SXM_POWER: PowerParams = derivePowerParams(H100_SXM, {
  sameSmPower: true,
  why: "same GH100 die, 132 SMs and 1980 MHz as the H200; HBM3 instead of HBM3e",
});

/** A100 SXM4 40GB: per-SM power sized from its 400 W TDP and idle. Assumed. */
export const A100_40GB_POWER: PowerParams = derivePowerParams(A100_40GB, {
  sameSmPower: false,
  why: "GA100 (7 nm, 108 SMs, 1410 MHz): per-SM power from TDP and idle",
});

/** A100 SXM4 80GB: as the 40 GB part (same TDP, SMs, clocks). Assumed. */
export const A100_80GB_POWER: PowerParams = derivePowerParams(A100_80GB, {
  sameSmPower: false,
  why: "GA100 (7 nm, 108 SMs, 1410 MHz): per-SM power from TDP and idle",
});

/** Power parameters by spec key. */
export const POWER_PARAMS: Readonly<Record<string, PowerParams>> = {
  "a100-40gb": A100_40GB_POWER,
  "a100-80gb": A100_80GB_POWER,
  "h100-sxm": H100_SXM_POWER,
  "h200-sxm": H200_POWER,
};

/** The power parameters for a spec; throws when none exist for its key. */
export function powerParamsFor(spec: GpuSpec): PowerParams {
  const p = Object.prototype.hasOwnProperty.call(POWER_PARAMS, spec.key) ? POWER_PARAMS[spec.key] : undefined;
  if (!p) throw new Error(`no power parameters for GPU "${spec.key}"; known: ${Object.keys(POWER_PARAMS).join(", ")}`);
  return p;
}
