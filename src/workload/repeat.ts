/**
 * The repeat split: units are the repeats of the kernel sequence, found by its period (./period.ts) and cut
 * before a kernel that marks every repeat, at the host's longest idle time before it.
 */
import type { HostProgram } from "./host-program";
import { MIN_MATCH, occurrences, periodCandidates, type Occurrences } from "./period";
import { COUNT_TOLERANCE, median, mix, near, trimEnds, type UnitRanges } from "./unit-ranges";
import { OP_KERNEL } from "./workload";

/** Units cut at the repeats of the kernel sequence's period, or why there are none. */
export function repeatUnits(p: HostProgram): UnitRanges | string {
  const kOps: number[] = [];
  for (let i = 0; i < p.count; i++) if (p.kind[i] === OP_KERNEL) kOps.push(i);
  const seq = Int32Array.from(kOps, (o) => p.key[o]);
  const candidates = periodCandidates(seq);
  const occ = occurrences(seq);
  // Periods with an anchor kernel first, smallest first; a fixed stride only for a sequence that repeats (almost)
  // exactly, since a sub-structure (identical layers) repeats well enough to pass a shift test but must not be
  // cut every layer.
  for (const stride of [false, true]) {
    for (const { period, match } of candidates) {
      if (stride && match < EXACT_MATCH) continue;
      const r = cutRepeats(p, kOps, seq, occ, period, stride, match >= MIN_MATCH);
      if (typeof r !== "string") return r;
    }
  }
  return candidates.some((c) => c.match >= MIN_MATCH)
    ? `the kernel sequence repeats every ${candidates.filter((c) => c.match >= MIN_MATCH).map((c) => c.period).slice(0, 4).join(" or ")} kernels, but no kernel marks the repeats`
    : "no repeating kernel sequence";
}

/** Shift match above which a kernel sequence counts as exactly periodic (cut at a fixed stride). */
const EXACT_MATCH = 0.98;
/** Least fraction of the kernels that repeat units must hold. */
const MIN_COVERAGE = 0.5;

/**
 * Units of `per` kernels. They start at the occurrences of an anchor kernel, one that occurs once per period
 * (every gap within tolerance of it, so iterations may differ by a few kernels) and gives the most whole repeats;
 * among those, the one after the longest host idle time, the host's natural start of an iteration. With `stride`
 * (an exactly periodic sequence in which no kernel occurs once per period), units start every `per` kernels from
 * the phase with the longest host idle time. A period that did not pass the shift test (`matched` false) must
 * give units of which two thirds hold the same kernel sequence.
 */
function cutRepeats(p: HostProgram, kOps: number[], seq: Int32Array, occ: Occurrences, per: number, stride: boolean, matched: boolean): UnitRanges | string {
  const nK = kOps.length, { off, pos } = occ;
  const idleBefore = (q: number): number => p.mark[kOps[q]] - p.mark[kOps[q - 1]];
  const lastWhole = (q: number): boolean => q + per <= nK || nK - q >= (1 - COUNT_TOLERANCE) * per;
  // The trace's first kernel has no host gap before it that the trace shows: it is left out of the means.
  const meanIdle = (qs: ArrayLike<number>): number => {
    let sum = 0, n = 0;
    for (let j = 0; j < qs.length; j++) if (qs[j] > 0) { sum += idleBefore(qs[j]); n++; }
    return n ? sum / n : 0;
  };
  let anchors: ArrayLike<number> = [], anchorUnits = 0, anchorIdle = -1;
  for (let v = 0; !stride && v + 1 < off.length; v++) {
    const c = off[v + 1] - off[v];
    if (c < 2) continue;
    // Regular: every gap near the period (but a warm-up or tail gap at either end), and the period is its typical
    // gap, not a neighbouring candidate's.
    const qs = pos.subarray(off[v], off[v + 1]);
    const gaps: number[] = [];
    for (let j = 1; j < c; j++) gaps.push(qs[j] - qs[j - 1]);
    const edge = gaps.length >= 3 ? 1 : 0;
    const inner = gaps.slice(edge && !near(gaps[0], per) ? 1 : 0, edge && !near(gaps[gaps.length - 1], per) ? -1 : undefined);
    if (inner.length === 0 || !inner.every((g) => near(g, per)) || median(inner) !== per) continue;
    const units = c - (lastWhole(qs[c - 1]) ? 0 : 1), idle = meanIdle(qs);
    if (units > anchorUnits || (units === anchorUnits && idle > anchorIdle)) { anchors = qs; anchorUnits = units; anchorIdle = idle; }
  }
  let how = "";
  if (stride) {
    let best = -1;
    for (let phase = 0; phase < per; phase++) {
      const qs: number[] = [];
      for (let q = phase; q < nK; q += per) qs.push(q);
      const idle = meanIdle(qs);
      if (idle > best) { best = idle; anchors = qs; }
    }
    how = `, cut every ${per} kernels (no kernel occurs once per repeat)`;
  } else if (anchors.length === 0) return `no kernel marks each repeat of ${per} kernels`;

  // The cut before kernel q: after the last sync since the previous kernel, at the op with the longest host gap.
  const cutBefore = (q: number): number => {
    const o = kOps[q], from = q === 0 ? 0 : kOps[q - 1] + 1;
    let best = o;
    for (let i = o; i >= from; i--) {
      if (p.item[i] < 0) break;
      if (p.preNs[i] >= p.preNs[best]) best = i;
    }
    return best;
  };
  const starts: number[] = [], ends: number[] = [], unitKernels: number[] = [], anchorsAt: number[] = [];
  for (let j = 0; j < anchors.length; j++) {
    const q = anchors[j], nextQ = j + 1 < anchors.length ? anchors[j + 1] : q + per;
    if (nextQ < nK) { starts.push(cutBefore(q)); ends.push(cutBefore(nextQ)); unitKernels.push(nextQ - q); }
    else if (lastWhole(q)) { starts.push(cutBefore(q)); ends.push(p.count); unitKernels.push(nK - q); }
    else continue;
    anchorsAt.push(q);
  }
  const [lo, hi] = trimEnds(unitKernels, per);
  if (hi - lo < 2) return `fewer than 2 whole repeats of ${per} kernels`;
  // A pair of back-to-back equal kernels also "repeats": the units must hold most of the program to be its units.
  if (unitKernels.slice(lo, hi).reduce((a, b) => a + b, 0) < MIN_COVERAGE * nK) return `repeats of ${per} kernels cover too little of the trace`;
  if (!matched) {
    const sigs = new Map<number, number>();
    for (let u = lo; u < hi; u++) {
      let h = 0x52;
      for (let q = anchorsAt[u]; q < anchorsAt[u] + unitKernels[u]; q++) h = mix(h, seq[q]);
      sigs.set(h, (sigs.get(h) ?? 0) + 1);
    }
    if (Math.max(...sigs.values()) < (2 / 3) * (hi - lo)) return `repeats of ${per} kernels differ`;
  }
  return {
    start: starts.slice(lo, hi), end: ends.slice(lo, hi), label: Array.from({ length: hi - lo }, (_, k) => `repeat ${k + 1}`),
    method: "repeat", detail: `${hi - lo} repeats of a ${per}-kernel sequence${how}`,
  };
}
