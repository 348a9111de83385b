/**
 * Measurements that calibrate and check the timing model, in the shapes of shared/calibration/h200:
 * `kernels.csv` (workload, sms, seq, name, grid, block, regs, smem, us: every kernel of a real workload timed at
 * each SM count through green contexts). Rows of one kernel (workload, seq) become one curve of duration vs SMs.
 */
import { parseCsv } from "../util/csv";

/** A launch configuration given as `XxYxZ`. */
export function parseDims(text: string): [number, number, number] {
  const parts = text.trim().split(/x/i);
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new Error(`bad dimensions "${text}" (expected XxYxZ, each a whole number ≥ 1)`);
  return [Number(parts[0]), Number(parts[1]), Number(parts[2])];
}

/** A duration or count field: a finite number ≥ 0; empty text is not 0. */
export function parseNonNegative(text: string | undefined): number | null {
  if (text === undefined || text.trim() === "") return null;
  const v = Number(text);
  return Number.isFinite(v) && v >= 0 ? v : null;
}

/** One kernel of one workload, timed at several SM counts. */
export interface KernelCurve {
  workload: string;
  seq: number;
  name: string;
  gridBlocks: number;
  threadsPerBlock: number;
  regsPerThread: number;
  smemPerBlockBytes: number;
  /** Measured µs by SM count. */
  usBySms: Map<number, number>;
}

const KERNEL_COLUMNS = ["workload", "sms", "seq", "name", "grid", "block", "regs", "smem", "us"] as const;

/** True when a CSV header has the kernels.csv columns. */
export function isKernelsCsv(header: string[]): boolean {
  return KERNEL_COLUMNS.every((c) => header.includes(c));
}

/** Groups kernels.csv rows into curves; throws on a malformed row, naming it. */
export function kernelCurvesFromCsv(text: string): KernelCurve[] {
  const { header, records } = parseCsv(text);
  if (!isKernelsCsv(header)) throw new Error(`not a kernels.csv: needs the columns ${KERNEL_COLUMNS.join(",")}`);
  const col = Object.fromEntries(KERNEL_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof KERNEL_COLUMNS)[number], number>;
  const curves = new Map<string, KernelCurve>();
  records.forEach((r, i) => {
    const f = r.fields;
    const sms = parseNonNegative(f[col.sms]);
    const us = parseNonNegative(f[col.us]);
    if (sms === null || sms < 1 || us === null) throw new Error(`record ${i + 1}: bad sms or us`);
    const key = `${f[col.workload]}\u0000${f[col.seq]}`;
    let c = curves.get(key);
    if (!c) {
      const g = parseDims(f[col.grid]);
      const b = parseDims(f[col.block]);
      c = {
        workload: f[col.workload], seq: Number(f[col.seq]), name: f[col.name], gridBlocks: g[0] * g[1] * g[2],
        threadsPerBlock: b[0] * b[1] * b[2], regsPerThread: Number(f[col.regs]) || 0, smemPerBlockBytes: Number(f[col.smem]) || 0,
        usBySms: new Map(),
      };
      curves.set(key, c);
    }
    c.usBySms.set(sms, us);
  });
  return [...curves.values()];
}
