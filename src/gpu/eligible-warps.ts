/**
 * How many of a kernel's resident warps are ready to issue at a time: Nsight Compute's scheduler statistics
 * (`smsp__warps_eligible` over `smsp__warps_active`, per scheduler per active cycle; tools/measure/ncu_issue.sh).
 * Blocks of another tenant on the same SM take issue slots in proportion to their eligible warps, not their resident
 * ones: a tensor-core convolution keeps many warps resident that mostly wait on its pipes, an FMA spinner's warps are
 * ready every other cycle, a sleeper's never. A trace does not carry this, so it comes from a table measured per
 * kernel name and block size, with each kernel class's median for kernels the table does not hold.
 */
import { classifyKernel, KERNEL_CLASSES, type KernelClass } from "./kernel-class";

/** Eligible warps per resident warp, by kernel (`eligibleKey`) and by class, and the measurements behind them. */
export interface EligibleTable {
  kernels: Record<string, number>;
  classes: Partial<Record<KernelClass, number>>;
  fittedOn: string;
}

/** One kernel launch's scheduler statistics, as Nsight Compute reports them. */
export interface NcuSchedulerStats {
  name: string;
  threadsPerBlock: number;
  /** Warps resident, eligible and issuing per scheduler per active cycle (issue: instructions per cycle). */
  activeWarps: number;
  eligibleWarps: number;
  issueActive: number;
  durationNs: number;
}

/**
 * The part of a kernel name both Kineto and Nsight Compute spell alike, and its block size: the function's own name,
 * without namespaces, template arguments or parameters. The two demangle templates and lambdas differently and keep
 * different namespaces (Kineto's `at::native::(anonymous namespace)::f`, `cudnn::engines_precompiled::g` are Nsight
 * Compute's `at::<unnamed>::f`, `engines_precompiled::g`). Names Kineto leaves mangled (`_ZN17cutlass__5x_cudnn6KernelI…`)
 * give their nested name's last part.
 */
export function eligibleKey(name: string, threadsPerBlock: number | null | undefined): string {
  return `${functionName(name)}|${threadsPerBlock ?? "?"}`;
}

/** A kernel's function name without namespaces, template arguments or parameters (see `eligibleKey`). */
function functionName(name: string): string {
  if (name.startsWith("_Z")) {
    // Itanium mangling: _Z <len><id> or _ZN (<len><id>)+ followed by template arguments (I…) or the end (E).
    const parts: string[] = [];
    let i = name.startsWith("_ZN") ? 3 : 2;
    for (;;) {
      const m = /^(\d+)/.exec(name.slice(i));
      if (m === null) break;
      const len = Number(m[1]);
      parts.push(name.slice(i + m[1]!.length, i + m[1]!.length + len));
      i += m[1]!.length + len;
    }
    if (parts.length > 0) return parts[parts.length - 1]!;
  }
  const qualified = name.replace(/\(anonymous namespace\)::|<unnamed>::/g, "").replace(/^void\s+/, "").split(/[<(]/)[0]!.trim();
  const at = qualified.lastIndexOf("::");
  return at < 0 ? qualified : qualified.slice(at + 2);
}

/** Splits one CSV line of Nsight Compute's `--csv` output (every field quoted). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"]|"")*)"(?:,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    out.push(m[1]!.replace(/""/g, '"'));
    if (re.lastIndex >= line.length) break;
  }
  return out;
}

const METRICS: Record<string, keyof NcuSchedulerStats> = {
  "smsp__warps_active.avg.per_cycle_active": "activeWarps",
  "smsp__warps_eligible.avg.per_cycle_active": "eligibleWarps",
  "smsp__issue_active.avg.per_cycle_active": "issueActive",
  "gpu__time_duration.sum": "durationNs",
};

/** One profiled launch of an `ncu --csv --metrics …` export: its kernel, block size, and every metric's value (durations in ns). */
export interface NcuLaunch {
  name: string;
  threadsPerBlock: number;
  metrics: Record<string, number>;
}

/** Parses the text of an `ncu --csv --metrics …` export (`file` names it in errors): one entry per profiled launch. */
export function readNcuLaunches(file: string, text: string): NcuLaunch[] {
  const lines = text.split(/\r?\n/).filter((l) => l.startsWith('"'));
  if (lines.length === 0) throw new Error(`${file}: no Nsight Compute CSV rows`);
  const head = csvFields(lines[0]!);
  const col = (n: string) => {
    const i = head.indexOf(n);
    if (i < 0) throw new Error(`${file}: no "${n}" column (not an ncu --csv export?)`);
    return i;
  };
  const [id, kname, block, metric, unit, value] = [col("ID"), col("Kernel Name"), col("Block Size"), col("Metric Name"), col("Metric Unit"), col("Metric Value")];
  const byId = new Map<string, NcuLaunch>();
  for (const line of lines.slice(1)) {
    const f = csvFields(line);
    let s = byId.get(f[id]!);
    if (s === undefined) {
      const dims = /\((\d+), (\d+), (\d+)\)/.exec(f[block] ?? "");
      if (dims === null) throw new Error(`${file}: launch ${f[id]} has no block size`);
      s = { name: f[kname]!, threadsPerBlock: Number(dims[1]) * Number(dims[2]) * Number(dims[3]), metrics: {} };
      byId.set(f[id]!, s);
    }
    let v = Number((f[value] ?? "").replace(/,/g, ""));
    // Durations come in ns, µs or ms depending on their size.
    const u = f[unit];
    v *= u === "usecond" ? 1e3 : u === "msecond" ? 1e6 : u === "second" ? 1e9 : 1;
    s.metrics[f[metric]!] = v;
  }
  return [...byId.values()];
}

/** The scheduler statistics of an export's launches (see readNcuLaunches); a launch missing one is left out whole. */
export function readNcuSchedulerStats(file: string, text: string): NcuSchedulerStats[] {
  const out: NcuSchedulerStats[] = [];
  for (const l of readNcuLaunches(file, text)) {
    const s = { name: l.name, threadsPerBlock: l.threadsPerBlock, activeWarps: NaN, eligibleWarps: NaN, issueActive: NaN, durationNs: NaN };
    for (const [m, field] of Object.entries(METRICS)) if (l.metrics[m] !== undefined) (s[field] as number) = l.metrics[m]!;
    // A launch missing one of the metrics (an export cut short, or run without them) is left out whole.
    if (Number.isFinite(s.activeWarps) && Number.isFinite(s.eligibleWarps) && s.activeWarps > 0 && Number.isFinite(s.durationNs)) out.push(s);
  }
  if (out.length === 0) throw new Error(`${file}: no launch with smsp__warps_active, smsp__warps_eligible and gpu__time_duration`);
  return out;
}

/** Median of `xs` weighted by `ws` (the smallest x with half the weight at or below it). */
function weightedMedian(xs: readonly number[], ws: readonly number[]): number {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const total = ws.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (const i of order) {
    acc += ws[i]!;
    if (acc >= total / 2) return xs[i]!;
  }
  return xs[order[order.length - 1]!]!;
}

/**
 * The table from profiled launches: per kernel key, the duration-weighted median of eligible over resident warps;
 * per class, the same over the class's launches in `stats` (a class without launches is left out). `probes`:
 * launches of microbenchmark kernels (spinners, sleepers), which get entries of their own but stay out of the class
 * medians that unlisted kernels of real programs take. Ratios are rounded to 3 digits.
 */
export function eligibleTable(stats: readonly NcuSchedulerStats[], fittedOn: string, probes: readonly NcuSchedulerStats[] = []): EligibleTable {
  const groups = new Map<string, { r: number[]; w: number[]; cls: KernelClass; probe: boolean }>();
  const add = (s: NcuSchedulerStats, probe: boolean) => {
    const key = eligibleKey(s.name, s.threadsPerBlock);
    const g = groups.get(key) ?? groups.set(key, { r: [], w: [], cls: classifyKernel(s.name), probe }).get(key)!;
    g.r.push(Math.min(1, s.eligibleWarps / s.activeWarps));
    g.w.push(Number.isFinite(s.durationNs) && s.durationNs > 0 ? s.durationNs : 1);
  };
  for (const s of stats) add(s, false);
  for (const s of probes) add(s, true);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  const kernels: Record<string, number> = {};
  for (const key of [...groups.keys()].sort()) { const g = groups.get(key)!; kernels[key] = round(weightedMedian(g.r, g.w)); }
  const classes: Partial<Record<KernelClass, number>> = {};
  for (const cls of KERNEL_CLASSES) {
    const gs = [...groups.values()].filter((g) => g.cls === cls && !g.probe);
    if (gs.length > 0) classes[cls] = round(weightedMedian(gs.flatMap((g) => g.r), gs.flatMap((g) => g.w)));
  }
  return { kernels, classes, fittedOn };
}

/** Eligible warps per resident warp of a kernel: its own measurement, else its class's, else 1 (no table: all resident warps count). */
export function eligibleFraction(table: EligibleTable | undefined, name: string, threadsPerBlock: number | null | undefined, cls: KernelClass): number {
  if (table === undefined) return 1;
  return table.kernels[eligibleKey(name, threadsPerBlock)] ?? table.classes[cls] ?? 1;
}
