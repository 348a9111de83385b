/**
 * Calibration files: the fitted timing and power parameters of one GPU as versioned JSON. `lithos-replay calibrate`
 * writes them; the package ships `calibrations/h200-sxm.json`, fitted on shared/calibration/h200. GPUs without a
 * file of their own (H100, A100: nothing was measured on them) use the H200 timing parameters, which predictKernelUs
 * scales across GPUs, and power parameters derived from their specs (src/gpu/power.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageRoot } from "../util/paths";
import { producer } from "../util/version";
import { powerParamsFor, type PowerParams } from "./power";
import type { GpuSpec } from "./specs/spec";
import type { TimingCalibration } from "./timing";
import { loadedLatencyProblem, type LoadedLatencyCurve } from "../sim/memory-load";

export const CALIBRATION_VERSION = 1;

export interface Calibration {
  version: typeof CALIBRATION_VERSION;
  /** GPU key the measurements were made on. */
  gpu: string;
  /** Package and version that wrote the file. */
  producer: string;
  timing: TimingCalibration;
  /** Present when the measurements carried board power. */
  power?: PowerParams;
  /** Present when the interference microbenchmark was measured (tools/measure/interference.sh). */
  interference?: InterferenceParams;
}

/** How kernels of different tenants slow each other down beyond what the timing and bandwidth models give. */
export interface InterferenceParams {
  /** Extra time of a kernel's blocks on SMs that also hold another tenant's blocks, as a fraction of their time alone (src/sim/co-residency.ts); absent: 0. */
  coResidentSlowdown?: number;
  /** Extra µs per kernel whose SMs hold another tenant's blocks, scaled by the fraction shared (src/sim/engine.ts); absent: 0. */
  coResidentDelayUs?: number;
  /** Slowdown of a kernel per eligible warp of other tenants per warp scheduler on its SMs (src/sim/engine.ts); absent: 0. */
  issueContention?: number;
  /** Slowdown of latency-bound kernels against other tenants' DRAM utilisation, measured (src/sim/memory-load.ts); absent: none. */
  loadedLatency?: LoadedLatencyCurve;
  /** The measurements behind them, and how they were turned into these numbers. */
  fittedOn: string;
}

/** Where the shipped calibration of a GPU lives. */
export function shippedCalibrationPath(gpuKey: string): string {
  return path.join(packageRoot(), "calibrations", `${gpuKey}.json`);
}

export function makeCalibration(gpu: GpuSpec, timing: TimingCalibration, power?: PowerParams): Calibration {
  return { version: CALIBRATION_VERSION, gpu: gpu.key, producer: producer(), timing, ...(power ? { power } : {}) };
}

/**
 * A calibration as the JSON text the package ships: indented, with each array of numbers on one line (the measured
 * curves hold a thousand of them, which one number per line would make unreadable).
 */
export function formatCalibration(cal: Calibration): string {
  return `${JSON.stringify(cal, null, 2).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_m, inner: string) => `[${inner.split(/,\s*/).join(", ")}]`)}\n`;
}

/** Parses and checks a calibration file's JSON. */
export function parseCalibration(text: string, file: string): Calibration {
  let obj: Calibration;
  try {
    obj = JSON.parse(text) as Calibration;
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  if (obj?.version !== CALIBRATION_VERSION) throw new Error(`${file}: calibration version ${String(obj?.version)}, this package reads version ${CALIBRATION_VERSION}`);
  if (!obj.timing?.classes) throw new Error(`${file}: no timing parameters`);
  const eligible = obj.timing.eligible;
  if (eligible !== undefined) {
    const fractions = [...Object.values(eligible.kernels ?? {}), ...Object.values(eligible.classes ?? {})];
    if (typeof eligible.fittedOn !== "string" || typeof eligible.kernels !== "object" || typeof eligible.classes !== "object" || !fractions.every((v) => typeof v === "number" && v >= 0 && v <= 1)) {
      throw new Error(`${file}: malformed timing.eligible (kernels and classes: fractions 0…1; fittedOn)`);
    }
  }
  const curves = obj.timing.curves;
  if (curves !== undefined) {
    const width = 4 + (Array.isArray(curves.sms) ? curves.sms.length : -4);
    const ok = Array.isArray(curves.names) && Number.isFinite(curves.fullSms) && Array.isArray(curves.entries)
      && curves.entries.every((e) => Array.isArray(e) && e.length === width && e.every(Number.isFinite) && e[0]! >= 0 && e[0]! < curves.names.length);
    if (!ok) throw new Error(`${file}: malformed timing.curves (each entry: name index, threads, grid, µs, one residual per SM count)`);
  }
  const inter = obj.interference;
  if (inter !== undefined) {
    if (typeof inter.fittedOn !== "string") throw new Error(`${file}: interference without fittedOn`);
    if (inter.coResidentSlowdown !== undefined && !(Number.isFinite(inter.coResidentSlowdown) && inter.coResidentSlowdown >= 0)) throw new Error(`${file}: interference.coResidentSlowdown is not a number ≥ 0`);
    if (inter.coResidentDelayUs !== undefined && !(Number.isFinite(inter.coResidentDelayUs) && inter.coResidentDelayUs >= 0)) throw new Error(`${file}: interference.coResidentDelayUs is not a number ≥ 0`);
    if (inter.issueContention !== undefined && !(Number.isFinite(inter.issueContention) && inter.issueContention >= 0)) throw new Error(`${file}: interference.issueContention is not a number ≥ 0`);
    const problem = inter.loadedLatency === undefined ? null : loadedLatencyProblem(inter.loadedLatency);
    if (problem !== null) throw new Error(`${file}: malformed interference.loadedLatency (${problem})`);
  }
  return obj;
}

export function readCalibration(file: string): Calibration {
  return parseCalibration(fs.readFileSync(file, "utf8"), file);
}

/** The calibration to predict on `gpu` with: its own shipped file, or the H200's for a GPU never measured. */
export function calibrationFor(gpu: GpuSpec): Calibration {
  const own = shippedCalibrationPath(gpu.key);
  if (fs.existsSync(own)) return readCalibration(own);
  const h200 = readCalibration(shippedCalibrationPath("h200-sxm"));
  return { ...h200, power: powerParamsFor(gpu) };
}
