/**
 * Cutting a host program into units of work (requests, iterations). Every method returns op ranges
 * [start, end) of the host program, in order and disjoint; ops outside every range (warm-up, tail) are dropped.
 *
 *   steps   PyTorch ProfilerStep#N ranges: a unit is the ops whose host mark falls in one step.
 *   range   host annotations whose name matches a regular expression, the same way.
 *   syncs   cut after every blocking sync; in auto mode only when the segments repeat.
 *   repeat  the repeating kernel sequence, found by its period (./period.ts), cut where the host idled longest.
 *   whole   the whole program.
 */
import type { Trace } from "../trace/tables";
import { Columns } from "./columns";
import type { HostProgram } from "./host-program";
import { MIN_MATCH, findPeriod, occurrences, periodCandidates, type Occurrences } from "./period";
import { OP_KERNEL, OP_MEMOP, type SplitMethod } from "./workload";

/** How `extractWorkload` finds units: a method, `auto` (steps, then syncs, then repeat, then whole), or `{ range: regex }`. */
export type SplitOption = "auto" | "steps" | "syncs" | "repeat" | "whole" | { range: string };

export interface UnitRanges {
  readonly start: number[];
  readonly end: number[];
  readonly label: string[];
  readonly method: SplitMethod;
  readonly detail: string;
}

/** Kernel count differences up to this fraction of the typical count still make two units "the same". */
const COUNT_TOLERANCE = 0.1;

/** Prefix counts: kernels[i] = kernel ops among ops [0, i); gpu[i] = kernel and memop ops. */
function prefixCounts(p: HostProgram): { kernels: Int32Array; gpu: Int32Array } {
  const kernels = new Int32Array(p.count + 1), gpu = new Int32Array(p.count + 1);
  for (let i = 0; i < p.count; i++) {
    kernels[i + 1] = kernels[i] + (p.kind[i] === OP_KERNEL ? 1 : 0);
    gpu[i + 1] = gpu[i] + (p.kind[i] === OP_KERNEL || p.kind[i] === OP_MEMOP ? 1 : 0);
  }
  return { kernels, gpu };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[(s.length - 1) >> 1];
}

const near = (c: number, typical: number): boolean => Math.abs(c - typical) <= COUNT_TOLERANCE * typical;

/** Indices [lo, hi) of `counts` left after dropping leading and trailing entries far from `typical` (warm-up, tail). */
function trimEnds(counts: number[], typical: number): [number, number] {
  let lo = 0, hi = counts.length;
  while (lo < hi && !near(counts[lo], typical)) lo++;
  while (hi > lo && !near(counts[hi - 1], typical)) hi--;
  return [lo, hi];
}

/** Units from host ranges (annotations): outermost, non-overlapping ranges of the process, in time order. */
function annotationUnits(p: HostProgram, trace: Trace, cols: Columns, match: (category: string, name: string) => boolean, method: "steps" | "range", what: string): UnitRanges | string {
  const t = trace.annotations, cat = cols.dict(t, "category"), name = cols.dict(t, "name");
  const pid = cols.number(t, "process_id"), s = cols.number(t, "start_ns"), e = cols.number(t, "end_ns");
  const found: number[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const c = cat.values[cat.codes[i]];
    // GPU ranges are on the GPU's timeline, not the host's: they cannot place host marks.
    if (c === "gpu_user_annotation" || !(pid[i] === p.processId || Number.isNaN(pid[i]))) continue;
    if (match(c, name.values[name.codes[i]])) found.push(i);
  }
  if (found.length === 0) return `no ${what} of process ${p.processId}`;
  found.sort((a, b) => s[a] - s[b] || e[b] - e[a]);
  // Host marks are not quite monotonic (sync ends, several threads): search their running maximum.
  const runMax = new Float64Array(p.count);
  for (let i = 0, m = -Infinity; i < p.count; i++) runMax[i] = m = Math.max(m, p.mark[i]);
  const lowerBound = (x: number): number => {
    let lo = 0, hi = p.count;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (runMax[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const { gpu } = prefixCounts(p);
  const out = { start: [] as number[], end: [] as number[], label: [] as string[] };
  let lastEnd = -Infinity, prev = 0, empty = 0;
  for (const i of found) {
    if (s[i] < lastEnd) continue;
    lastEnd = e[i];
    const a = Math.max(prev, lowerBound(s[i])), b = Math.max(a, lowerBound(e[i]));
    if (gpu[b] - gpu[a] === 0) { empty++; continue; }
    out.start.push(a); out.end.push(b); out.label.push(name.values[name.codes[i]]);
    prev = b;
  }
  if (out.start.length === 0) return `no ${what} of process ${p.processId} holds GPU work`;
  const counts = new Map<string, number>();
  for (const l of out.label) counts.set(l, (counts.get(l) ?? 0) + 1);
  if ([...counts.values()].some((c) => c > 1)) out.label.forEach((l, k) => (out.label[k] = `${l} ${k + 1}`));
  const detail = `${out.start.length} ${what}${empty ? ` (${empty} without GPU work dropped)` : ""}`;
  return { ...out, method, detail };
}

/** 32-bit hash step for segment signatures. */
const mix = (h: number, v: number): number => { h = Math.imul(h ^ v, 0x9e3779b1); return h ^ (h >>> 15); };

/** Units between blocking syncs. `strict` (auto mode) demands that the segments repeat, as iterations do. */
function syncUnits(p: HostProgram, strict: boolean): UnitRanges | string {
  const { kernels, gpu } = prefixCounts(p);
  const segA: number[] = [], segB: number[] = [];
  for (let a = 0, i = 0; i < p.count; i++) {
    const last = i === p.count - 1;
    if (p.item[i] < 0 || last) {
      if (gpu[i + 1] - gpu[a] > 0) { segA.push(a); segB.push(i + 1); }
      a = i + 1;
    }
  }
  const counts = segA.map((a, k) => kernels[segB[k]] - kernels[a]);
  const label = (units: number) => Array.from({ length: units }, (_, k) => `sync ${k + 1}`);
  if (!strict) return { start: segA, end: segB, label: label(segA.length), method: "syncs", detail: `${segA.length} units between blocking syncs` };
  if (segA.length < 2) return `fewer than 2 sync-delimited segments with GPU work (${segA.length})`;

  // Signature of a segment: the sequence of its GPU ops' identities.
  const sigIds = new Map<number, number>();
  const sig = Int32Array.from(segA, (a, k) => {
    let h = 0x53;
    for (let i = a; i < segB[k]; i++) if (p.key[i] >= 0) h = mix(h, p.key[i]);
    let id = sigIds.get(h);
    if (id === undefined) sigIds.set(h, (id = sigIds.size));
    return id;
  });
  const [lo, hi] = trimEnds(counts, median(counts));
  const kept = counts.slice(lo, hi), typical = median(kept);
  const sigShare = (() => {
    const c = new Map<number, number>();
    for (let k = lo; k < hi; k++) c.set(sig[k], (c.get(sig[k]) ?? 0) + 1);
    return Math.max(0, ...c.values()) / Math.max(1, hi - lo);
  })();
  // One segment per iteration: nearly equal kernel counts, and segments of several kernels or of one repeated content
  // (a sync after every kernel is not an iteration boundary).
  if (hi - lo >= 2 && kept.filter((c) => near(c, typical)).length >= 0.75 * kept.length && (typical >= 2 || sigShare >= 0.5)) {
    const dropped = segA.length - (hi - lo);
    return {
      start: segA.slice(lo, hi), end: segB.slice(lo, hi), label: label(hi - lo), method: "syncs",
      detail: `${hi - lo} units between blocking syncs, ${typical} kernels each (median)` + (dropped ? `; ${lo} leading and ${segA.length - hi} trailing segments with other kernel counts dropped` : ""),
    };
  }
  // Several segments per iteration (a copy-and-sync inside each one): group them by the period of their signatures.
  const per = findPeriod(sig, { minMatch: 0.9 });
  if (per < 2) return `segments between syncs do not repeat (kernel counts ${[...new Set(counts)].slice(0, 6).join(", ")}…)`;
  let phase = 0, bestLead = -1;
  for (let f = 0; f < per; f++) {
    let sum = 0, n = 0;
    for (let k = f; k < segA.length; k += per) { sum += p.preNs[segA[k]]; n++; }
    if (n && sum / n > bestLead) { bestLead = sum / n; phase = f; }
  }
  const ga: number[] = [], gb: number[] = [];
  for (let k = phase; k + per <= segA.length; k += per) { ga.push(segA[k]); gb.push(segB[k + per - 1]); }
  const gCounts = ga.map((a, k) => kernels[gb[k]] - kernels[a]);
  const [glo, ghi] = trimEnds(gCounts, median(gCounts));
  if (ghi - glo < 2) return `sync-delimited segments repeat every ${per} segments, but fewer than 2 groups`;
  return {
    start: ga.slice(glo, ghi), end: gb.slice(glo, ghi), label: label(ghi - glo), method: "syncs",
    detail: `${ghi - glo} units of ${per} sync-delimited segments each, ${median(gCounts.slice(glo, ghi))} kernels each (median)`,
  };
}

/** Units cut at the repeats of the kernel sequence's period. */
function repeatUnits(p: HostProgram): UnitRanges | string {
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

const wholeUnit = (p: HostProgram): UnitRanges => ({ start: [0], end: [p.count], label: ["whole trace"], method: "whole", detail: "the whole trace as one unit" });

const isStep = (c: string, n: string): boolean => c === "user_annotation" && /^ProfilerStep#\d+$/.test(n);

/** Units of the host program by the requested method; throws when an explicitly requested method finds none. */
export function splitProgram(p: HostProgram, trace: Trace, split: SplitOption, cols = new Columns()): UnitRanges {
  const file = trace.meta.sourceFile || "trace";
  const orFail = (r: UnitRanges | string, method: string): UnitRanges => {
    if (typeof r === "string") throw new Error(`${file}: cannot split by ${method}: ${r}`);
    return r;
  };
  if (typeof split === "object") {
    let re: RegExp;
    try { re = new RegExp(split.range); } catch (e) { throw new Error(`${file}: bad range pattern /${split.range}/: ${(e as Error).message}`); }
    return orFail(annotationUnits(p, trace, cols, (_c, n) => re.test(n), "range", `annotations matching /${split.range}/`), "range");
  }
  switch (split) {
    case "steps": return orFail(annotationUnits(p, trace, cols, isStep, "steps", "ProfilerStep ranges"), "steps");
    case "syncs": return orFail(syncUnits(p, false), "syncs");
    case "repeat": return orFail(repeatUnits(p), "repeat");
    case "whole": return wholeUnit(p);
    case "auto": {
      const tried: string[] = [];
      for (const [name, attempt] of [
        ["steps", () => annotationUnits(p, trace, cols, isStep, "steps", "ProfilerStep ranges")],
        ["syncs", () => syncUnits(p, true)],
        ["repeat", () => repeatUnits(p)],
      ] as const) {
        const r = attempt();
        if (typeof r !== "string") return tried.length ? { ...r, detail: `${r.detail} (not ${tried.join("; not ")})` } : r;
        tried.push(`${name}: ${r}`);
      }
      const w = wholeUnit(p);
      return { ...w, detail: `${w.detail} (not ${tried.join("; not ")})` };
    }
    default: throw new Error(`${file}: unknown split method ${JSON.stringify(split)}`);
  }
}
