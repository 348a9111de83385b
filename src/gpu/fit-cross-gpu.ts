/**
 * How much of each kernel class's memory part moves with a GPU's peak DRAM bandwidth, fitted on one program recorded
 * on two GPUs (the same kernels in the same order: e.g. the H200 fixtures and the same scripts' traces captured on an
 * H100). The class formula (./timing.ts) fits a memory part on green-context curves of one GPU, where it cannot tell
 * DRAM-bound time from time that does not shrink with SMs for other reasons (data that stays in L2, latency): both
 * are flat past a few SMs. Moving a trace to a GPU of other bandwidth tells them apart, as only the first moves.
 *
 * Each class's fraction is chosen from a grid (0, 0.05, …, 1) to minimise the squared log error of every matched
 * kernel's predicted duration on the second GPU (all its SMs, both GPUs at their maximum clock) against the one
 * recorded there; classes are independent, as each kernel has one.
 */
import { classifyKernel, type KernelClass } from "./kernel-class";
import { prepareKernel, preparedUs, type RecordedKernel, type TimingCalibration } from "./timing";
import { recordedKernel, type Workload } from "../workload/workload";

/** One program recorded on two GPUs. */
export interface RecordedPair {
  readonly name: string;
  readonly from: Workload;
  readonly to: Workload;
}

export interface CrossGpuClassRow {
  readonly pair: string;
  readonly kernelClass: KernelClass | "all";
  readonly kernels: number;
  /** Sums over the matched kernels, µs. */
  readonly recordedFromUs: number;
  readonly recordedToUs: number;
  /** Predicted on the second GPU without fractions (all of every memory part moves with bandwidth), and with the fitted ones. */
  readonly predictedBeforeUs: number;
  readonly predictedAfterUs: number;
  /** Predicted with the calibration as given (its own fractions, if it has any): a check on pairs it was not fitted on. */
  readonly predictedGivenUs: number;
}

export interface CrossGpuFit {
  /** The fitted fraction per class found in the pairs (the compute class is always 0, not fitted). */
  readonly classes: Partial<Record<KernelClass, number>>;
  readonly rows: CrossGpuClassRow[];
  /** Matched kernels, and those skipped because the two recordings disagree on the kernel at that place. */
  readonly matched: number;
  readonly skipped: number;
  /** Root mean squared log error of the per-kernel predictions over all pairs, before and after. */
  readonly rmsLogErrorBefore: number;
  readonly rmsLogErrorAfter: number;
  readonly rmsLogErrorGiven: number;
}

interface Matched {
  readonly pair: number;
  readonly cls: KernelClass;
  readonly fromUs: number;
  readonly toUs: number;
  readonly kernel: RecordedKernel;
}

const GRID = Array.from({ length: 21 }, (_, i) => i / 20);

/** Kernels at the same place in both recordings with the same name; the rest are counted as skipped. */
function matchKernels(pairs: readonly RecordedPair[]): { matched: Matched[]; skipped: number } {
  const matched: Matched[] = [];
  let skipped = 0;
  pairs.forEach((p, pair) => {
    const a = p.from.kernels, b = p.to.kernels;
    const n = Math.max(a.recordedNs.length, b.recordedNs.length);
    for (let i = 0; i < n; i++) {
      const name = i < a.recordedNs.length ? a.names[a.nameId[i]!]! : null;
      if (name === null || i >= b.recordedNs.length || b.names[b.nameId[i]!] !== name) { skipped++; continue; }
      const kernel = recordedKernel(a, i), toUs = b.recordedNs[i]! / 1e3;
      if (!(kernel.us > 0 && toUs > 0)) { skipped++; continue; }
      matched.push({ pair, cls: classifyKernel(name, kernel.us), fromUs: kernel.us, toUs, kernel });
    }
  });
  return { matched, skipped };
}

function predict(cal: TimingCalibration, m: Matched, pairs: readonly RecordedPair[]): number {
  const from = pairs[m.pair]!.from.recordedOn, to = pairs[m.pair]!.to.recordedOn;
  const k = prepareKernel(cal, m.kernel, { gpu: from, clockMHz: from.maxClockMHz }, to, m.cls);
  return preparedUs(k, to.smCount, to.maxClockMHz, 1);
}

const withFractions = (cal: TimingCalibration, classes: Partial<Record<KernelClass, number>>): TimingCalibration =>
  ({ ...cal, dramBound: { classes, fittedOn: "" } });

/** Fits the fractions on `pairs` with the rest of `cal` as it is; returns them with per-pair, per-class sums. */
export function fitCrossGpu(given: TimingCalibration, pairs: readonly RecordedPair[]): CrossGpuFit {
  const cal: TimingCalibration = { ...given, dramBound: undefined };
  for (const p of pairs) {
    if (p.from.recordedOn.key === p.to.recordedOn.key) throw new Error(`pair ${p.name}: both recordings are from ${p.from.recordedOn.name}; a cross-GPU fit needs two GPUs`);
  }
  const { matched, skipped } = matchKernels(pairs);
  if (matched.length === 0) throw new Error("no kernel matched between the recordings of any pair (same program, same kernel order?)");
  const logErr = (c: TimingCalibration, m: Matched) => Math.log(predict(c, m, pairs) / m.toUs);
  const classes: Partial<Record<KernelClass, number>> = {};
  for (const cls of [...new Set(matched.map((m) => m.cls))].sort()) {
    if (cls === "compute") continue;
    const ms = matched.filter((m) => m.cls === cls);
    let best = 1, bestErr = Infinity;
    for (const f of GRID) {
      const c = withFractions(cal, { [cls]: f });
      let err = 0;
      for (const m of ms) err += logErr(c, m) ** 2;
      // Ties (a class whose kernels never bind on memory, where any fraction fits) keep the smallest.
      if (err < bestErr - 1e-12) { best = f; bestErr = err; }
    }
    classes[cls] = best;
  }
  const after = withFractions(cal, classes);
  const rows: CrossGpuClassRow[] = [];
  let before2 = 0, after2 = 0, given2 = 0;
  pairs.forEach((p, pair) => {
    const sums = new Map<KernelClass | "all", { kernels: number; from: number; to: number; before: number; after: number; given: number }>();
    for (const m of matched) {
      if (m.pair !== pair) continue;
      const b = predict(cal, m, pairs), a = predict(after, m, pairs), g = predict(given, m, pairs);
      before2 += Math.log(b / m.toUs) ** 2;
      after2 += Math.log(a / m.toUs) ** 2;
      given2 += Math.log(g / m.toUs) ** 2;
      for (const key of [m.cls, "all"] as const) {
        const s = sums.get(key) ?? { kernels: 0, from: 0, to: 0, before: 0, after: 0, given: 0 };
        s.kernels++; s.from += m.fromUs; s.to += m.toUs; s.before += b; s.after += a; s.given += g;
        sums.set(key, s);
      }
    }
    for (const [kernelClass, s] of [...sums.entries()].sort((x, y) => y[1].to - x[1].to)) {
      rows.push({ pair: p.name, kernelClass, kernels: s.kernels, recordedFromUs: s.from, recordedToUs: s.to, predictedBeforeUs: s.before, predictedAfterUs: s.after, predictedGivenUs: s.given });
    }
  });
  return {
    classes, rows, matched: matched.length, skipped,
    rmsLogErrorBefore: Math.sqrt(before2 / matched.length), rmsLogErrorAfter: Math.sqrt(after2 / matched.length),
    rmsLogErrorGiven: Math.sqrt(given2 / matched.length),
  };
}
