/**
 * Cutting a host program into units of work (requests, iterations). Every method returns op ranges
 * [start, end) of the host program, in order and disjoint; ops outside every range (warm-up, tail) are dropped.
 *
 *   steps   PyTorch ProfilerStep#N ranges: a unit is the ops whose host mark falls in one step.
 *   range   host annotations whose name matches a regular expression, the same way.
 *   syncs   cut after every blocking sync; in auto mode only when the segments repeat.
 *   repeat  the repeating kernel sequence (./repeat.ts).
 *   whole   the whole program.
 */
import type { Trace } from "../trace/tables";
import { Columns } from "./columns";
import type { HostProgram } from "./host-program";
import { findPeriod } from "./period";
import { repeatUnits } from "./repeat";
import { median, mix, near, prefixCounts, trimEnds, type UnitRanges } from "./unit-ranges";

export type { UnitRanges } from "./unit-ranges";

/** How `extractWorkload` finds units: a method, `auto` (steps, then syncs, then repeat, then whole), or `{ range: regex }`. */
export type SplitOption = "auto" | "steps" | "syncs" | "repeat" | "whole" | { range: string };

/** A split as users write it (flags, experiment files): auto (or empty), steps, syncs, repeat, whole, or range:<regex>. */
export function parseSplitOption(text: string): SplitOption {
  if (text === "" || text === "auto") return "auto";
  if (text === "steps" || text === "syncs" || text === "repeat" || text === "whole") return text;
  if (text.startsWith("range:") && text.length > 6) return { range: text.slice(6) };
  throw new Error(`split "${text}" is not auto, steps, syncs, repeat, whole or range:<regex>`);
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
