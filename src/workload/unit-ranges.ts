/**
 * What every split method returns (op ranges of the host program, with labels) and the small rules they share:
 * when two kernel counts are "the same", trimming warm-up and tail units, prefix counts of ops.
 */
import type { HostProgram } from "./host-program";
import { OP_KERNEL, OP_MEMOP, type SplitMethod } from "./workload";

/** Units as op ranges [start[u], end[u]) of the host program, in order and disjoint. */
export interface UnitRanges {
  readonly start: number[];
  readonly end: number[];
  readonly label: string[];
  readonly method: SplitMethod;
  readonly detail: string;
}

/** Kernel count differences up to this fraction of the typical count still make two units "the same". */
export const COUNT_TOLERANCE = 0.1;

/** Prefix counts: kernels[i] = kernel ops among ops [0, i); gpu[i] = kernel and memop ops. */
export function prefixCounts(p: HostProgram): { kernels: Int32Array; gpu: Int32Array } {
  const kernels = new Int32Array(p.count + 1), gpu = new Int32Array(p.count + 1);
  for (let i = 0; i < p.count; i++) {
    kernels[i + 1] = kernels[i] + (p.kind[i] === OP_KERNEL ? 1 : 0);
    gpu[i + 1] = gpu[i] + (p.kind[i] === OP_KERNEL || p.kind[i] === OP_MEMOP ? 1 : 0);
  }
  return { kernels, gpu };
}

/** Lower median; 0 for no values. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[(s.length - 1) >> 1];
}

export const near = (c: number, typical: number): boolean => Math.abs(c - typical) <= COUNT_TOLERANCE * typical;

/** Indices [lo, hi) of `counts` left after dropping leading and trailing entries far from `typical` (warm-up, tail). */
export function trimEnds(counts: number[], typical: number): [number, number] {
  let lo = 0, hi = counts.length;
  while (lo < hi && !near(counts[lo], typical)) lo++;
  while (hi > lo && !near(counts[hi - 1], typical)) hi--;
  return [lo, hi];
}

/** 32-bit hash step for signatures of op sequences. */
export const mix = (h: number, v: number): number => { h = Math.imul(h ^ v, 0x9e3779b1); return h ^ (h >>> 15); };
