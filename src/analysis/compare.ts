/**
 * One scenario under every sharing system, next to each tenant alone: the comparison of LithOS's evaluation
 * (lithos.md §3–§4). Every system reads, from the one scenario, only the settings meant for it: thread limits
 * (`mps-limit`), priorities (priority systems), quotas (LithOS and its ablations), MIG profiles and instances
 * (`mig`). Each tenant alone is replayed under `mps` on the whole GPU with the seed it has in the scenario
 * (`seed + index`), so a service alone sees exactly the arrivals it sees stacked.
 *
 * One row per system (and sweep point, src/analysis/sweep.ts):
 * - per service: p50/p95/p99 (µs), p95 and p99 as multiples of alone (`p95_x`, `p99_x`), SLO (µs), SLO attainment,
 *   goodput (requests/s within the SLO), throughput, and normalised throughput: throughput / offered rate, capped
 *   at 1 (open loop), or throughput / alone throughput (closed loop);
 * - per job: iterations/s and its multiple of alone (`its_x`);
 * - aggregate throughput = Σ services' normalised throughput + Σ jobs' `its_x`: the reproducer's reading of §8.1
 *   (lithos.md §3, "Metrics": "HP throughput relative to offered load plus normalised BE throughput" [R-src/stacking.sh]);
 * - aggregate goodput: the same sum with each service's goodput (requests within its SLO) in place of its throughput,
 *   normalised the same way; jobs have no SLO and count their `its_x` ("goodput = throughput under SLO" [BLOG]);
 * - energy (J) over the run, and J per unit of work, a unit being one second of one tenant's alone rate
 *   (a service's request count / offered rate, or / alone rate in closed loop; a job's iterations / alone it/s);
 * - capacity: SM share used (Σ tenants' SM-equivalent·time / (run time × SMs)) and SM-equivalent·seconds;
 * - with a `lithos.*` sweep, against the sweep's baseline point (its first values), same system: capacity saved
 *   (1 − SM·time per unit of work / baseline's), energy saved (1 − J per unit of work / baseline's), each
 *   service's p99 / baseline p99 and each job's baseline it/s / its it/s (slowdowns, 1 = none).
 * SLO: `sloX` × the service's alone p50 when given (default 5 when the scenario has no `sloUs`), else `sloUs`.
 * Deterministic for a seed. Pure apart from reading the traces; no printing.
 */
import { policyEntry, POLICY_NAMES } from "../policies";
import { arrivalsFor, replay, type ReplayResult, type ScenarioSpec, type TenantSpec } from "../replay";
import type { JobSummary, ServiceSummary, TenantSummary } from "../metrics/summary";
import { loadWorkload } from "../workload/extract";
import type { Workload } from "../workload/workload";
import { applyPoint, baselinePoint, checkSweeps, pointLabel, readsLithosOptions, sweepPoints, withoutLithos, type SweepPoint, type SweepSpec } from "./sweep";

/** The SLO multiple of alone p50 used when neither `sloX` nor the scenario's `sloUs` is given. */
export const DEFAULT_SLO_X = 5;

export interface CompareOptions {
  /** Systems (policy names) to run; default every registered policy, in registry order. */
  readonly systems?: readonly string[];
  /** SLO of each service as a multiple of its alone p50; default 5 unless the scenario gives `sloUs`. */
  readonly sloX?: number | null;
  /** Parameters to sweep (every combination is compared). */
  readonly sweeps?: readonly SweepSpec[];
  /** Called before each replay with what it is ("alone resnet", "lithos lithos.slip=1.1"). */
  readonly onReplay?: (what: string) => void;
}

export interface ServiceCell {
  readonly name: string;
  readonly p50_us: number;
  readonly p95_us: number;
  readonly p99_us: number;
  /** p95 and p99 / the same percentile alone. */
  readonly p95_x: number;
  readonly p99_x: number;
  readonly slo_us: number | null;
  readonly slo_attainment: number | null;
  readonly goodput_rps: number | null;
  readonly throughput_rps: number;
  /** Open loop: arrivals / duration; closed loop: null. */
  readonly offered_rps: number | null;
  /** min(1, throughput / offered) in open loop; throughput / alone throughput in closed loop. */
  readonly normalized_throughput: number;
  /** Goodput normalised as the throughput is; null without an SLO. */
  readonly normalized_goodput: number | null;
  /** p99 / p99 at the sweep's baseline point (same system), or null. */
  readonly p99_vs_baseline: number | null;
}

export interface JobCell {
  readonly name: string;
  readonly throughput_its: number;
  /** Throughput / alone throughput. */
  readonly its_x: number;
  /** Baseline it/s / it/s (a slowdown, 1 = none), or null. */
  readonly slowdown_vs_baseline: number | null;
}

export interface CompareRow {
  readonly system: string;
  /** Sweep values of this row ({} without sweeps). */
  readonly point: SweepPoint;
  readonly services: readonly ServiceCell[];
  readonly jobs: readonly JobCell[];
  readonly aggregate_throughput: number;
  /** Σ services' normalised goodput + Σ jobs' `its_x`; null when a service has no SLO. */
  readonly aggregate_goodput: number | null;
  readonly energy_j: number;
  readonly simulated_s: number;
  readonly avg_power_w: number;
  /** Units of work done (alone-seconds, see the header) and energy per unit. */
  readonly work_units: number;
  readonly j_per_work: number;
  /** Σ tenants' SM-equivalent·time / (run time × SMs), and SM-equivalent·seconds. */
  readonly sm_share: number;
  readonly sm_s: number;
  /** Against the sweep's baseline point, same system; null without a `lithos.*` sweep. */
  readonly capacity_saved: number | null;
  readonly energy_saved: number | null;
  /** The run hit the engine's safety horizon. */
  readonly truncated: boolean;
}

/** Each tenant alone (mps, whole GPU, seed + index): its summary as `replay` gives it. */
export interface AloneRow {
  readonly point: SweepPoint;
  readonly tenant: string;
  readonly seed: number;
  readonly summary: TenantSummary;
  readonly energy_j: number;
}

export interface CompareResult {
  readonly gpu: string;
  readonly durationS: number;
  readonly seed: number;
  readonly systems: readonly string[];
  readonly sweeps: readonly SweepSpec[];
  /** How the SLOs were set: a multiple of alone p50, or the scenario's fixed SLO (µs), or none. */
  readonly slo: { readonly x: number } | { readonly us: number } | null;
  readonly alone: readonly AloneRow[];
  readonly rows: readonly CompareRow[];
}

/** The scenario for tenant `i` alone, as compare replays it: mps, the whole GPU, seed + i, no SLO. */
export function aloneSpec(spec: ScenarioSpec, i: number): ScenarioSpec {
  const t = spec.tenants[i]!;
  return { gpu: spec.gpu, policy: "mps", durationS: spec.durationS, seed: spec.seed + i, sloUs: null, tenants: [{ ...t, sloUs: null }] };
}

/** Per tenant, its SLO (µs) from `sloX` × its alone p50 (services), or the scenario's `sloUs`; jobs: null. */
export async function aloneSlos(spec: ScenarioSpec, sloX: number): Promise<(number | null)[]> {
  const out: (number | null)[] = [];
  for (let i = 0; i < spec.tenants.length; i++) {
    const t = spec.tenants[i]!;
    if ((t.role ?? (t.arrival.kind === "back-to-back" ? "job" : "service")) !== "service") { out.push(null); continue; }
    const s = (await replay(aloneSpec(spec, i))).summary.tenants[0] as ServiceSummary;
    out.push(sloX * s.p50_us);
  }
  return out;
}

const traceKey = (t: TenantSpec) => `${typeof t.trace === "string" ? t.trace : `workload:${t.trace.source}`}\0${JSON.stringify(t.split ?? "auto")}`;

/** Loads every trace the points name once; returns the points' scenarios with workloads in place of paths. */
async function resolveTraces(specs: ScenarioSpec[]): Promise<{ specs: ScenarioSpec[]; keys: Map<Workload, string> }> {
  const cache = new Map<string, Workload>();
  const keys = new Map<Workload, string>();
  const out: ScenarioSpec[] = [];
  for (const s of specs) {
    const tenants: TenantSpec[] = [];
    for (const t of s.tenants) {
      if (typeof t.trace !== "string") { keys.set(t.trace, keys.get(t.trace) ?? `w${keys.size}`); tenants.push(t); continue; }
      const key = traceKey(t);
      let w = cache.get(key);
      if (!w) { w = await loadWorkload(t.trace, { split: t.split }); cache.set(key, w); keys.set(w, key); }
      tenants.push({ ...t, trace: w });
    }
    out.push({ ...s, tenants });
  }
  return { specs: out, keys };
}

const isService = (s: TenantSummary): s is ServiceSummary => s.role === "service";
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

/** Compares `spec` under each system, next to each tenant alone (see the header). */
export async function compareSystems(spec: ScenarioSpec, options: CompareOptions = {}): Promise<CompareResult> {
  const systems = options.systems && options.systems.length ? [...options.systems] : [...POLICY_NAMES];
  for (const s of systems) policyEntry(s);
  const sweeps = options.sweeps ?? [];
  checkSweeps(spec, sweeps);
  if (options.sloX != null && !(options.sloX > 0)) throw new Error(`the SLO multiple must be > 0, got ${options.sloX}`);
  const sloX = options.sloX ?? (spec.sloUs ? null : DEFAULT_SLO_X);
  const points = sweepPoints(sweeps);
  const { specs, keys } = await resolveTraces(points.map((p) => applyPoint(spec, p)));
  const durationNs = spec.durationS * 1e9;

  const aloneCache = new Map<string, ReplayResult>();
  const runCache = new Map<string, ReplayResult>();
  const alone: AloneRow[] = [];
  const raw: { system: string; point: SweepPoint; r: ReplayResult; aloneRuns: ReplayResult[]; offered: (number | null)[] }[] = [];
  for (let p = 0; p < points.length; p++) {
    const point = points[p]!, s = specs[p]!;
    const aloneRuns: ReplayResult[] = [];
    for (let i = 0; i < s.tenants.length; i++) {
      const a = aloneSpec(s, i);
      const t = a.tenants[0]!;
      const key = JSON.stringify([keys.get(t.trace as Workload), t.arrival, t.role, t.gapUs, a.seed, a.gpu, a.durationS]);
      let r = aloneCache.get(key);
      if (!r) {
        options.onReplay?.(`alone ${t.name} ${pointLabel(point)}`.trim());
        r = await replay(a);
        aloneCache.set(key, r);
      }
      aloneRuns.push(r);
      alone.push({ point, tenant: t.name, seed: a.seed, summary: r.summary.tenants[0]!, energy_j: r.summary.energy_j });
    }
    const slos = s.tenants.map((_, i) => {
      const a = aloneRuns[i]!.summary.tenants[0]!;
      if (!isService(a)) return null;
      return sloX !== null ? sloX * a.p50_us : (spec.sloUs ?? null);
    });
    const offered = s.tenants.map((t, i) => {
      const a = aloneRuns[i]!.summary.tenants[0]!;
      if (!isService(a) || t.arrival.kind === "closed-loop") return null;
      return arrivalsFor(t.arrival, durationNs, s.seed + i)!.length / s.durationS;
    });
    const withSlo: ScenarioSpec = { ...s, tenants: s.tenants.map((t, i) => ({ ...t, sloUs: slos[i] })) };
    for (const system of systems) {
      // Systems that ignore LithOS options give the same run at every lithos.* value: replay once.
      const key = JSON.stringify([system, readsLithosOptions(system) ? point : withoutLithos(point)]);
      let r = runCache.get(key);
      if (!r) {
        options.onReplay?.(`${system} ${pointLabel(point)}`.trim());
        try {
          r = await replay({ ...withSlo, policy: system });
        } catch (e) {
          throw new Error(`${system}${points.length > 1 ? ` at ${pointLabel(point)}` : ""}: ${(e as Error).message}`);
        }
        runCache.set(key, r);
      }
      raw.push({ system, point, r, aloneRuns, offered });
    }
  }

  const rows = raw.map(({ system, point, r, aloneRuns, offered }) => {
    const services: ServiceCell[] = [];
    const jobs: JobCell[] = [];
    let aggregate = 0, good: number | null = 0, work = 0;
    r.summary.tenants.forEach((t, i) => {
      const a = aloneRuns[i]!.summary.tenants[0]!;
      if (isService(t) && isService(a)) {
        const off = offered[i] ?? null;
        const per = off ?? a.throughput_rps;
        const norm = off !== null ? Math.min(1, ratio(t.throughput_rps, off)) : ratio(t.throughput_rps, a.throughput_rps);
        const goodNorm = t.goodput_rps === null ? null : off !== null ? Math.min(1, ratio(t.goodput_rps, off)) : ratio(t.goodput_rps, per);
        aggregate += norm;
        good = good === null || goodNorm === null ? null : good + goodNorm;
        work += ratio(t.requests, per);
        services.push({
          name: t.name, p50_us: t.p50_us, p95_us: t.p95_us, p99_us: t.p99_us,
          p95_x: ratio(t.p95_us, a.p95_us), p99_x: ratio(t.p99_us, a.p99_us),
          slo_us: t.slo_us, slo_attainment: t.slo_attainment, goodput_rps: t.goodput_rps,
          throughput_rps: t.throughput_rps, offered_rps: off, normalized_throughput: norm, normalized_goodput: goodNorm, p99_vs_baseline: null,
        });
      } else if (!isService(t) && !isService(a)) {
        const x = ratio(t.throughput_its, (a as JobSummary).throughput_its);
        aggregate += x;
        if (good !== null) good += x;
        work += ratio(t.iterations, (a as JobSummary).throughput_its);
        jobs.push({ name: t.name, throughput_its: t.throughput_its, its_x: x, slowdown_vs_baseline: null });
      }
    });
    const smNs = r.sim.tenants.reduce((s, t) => s + t.smNs, 0);
    const row: CompareRow = {
      system, point, services, jobs, aggregate_throughput: aggregate, aggregate_goodput: good,
      energy_j: r.summary.energy_j, simulated_s: r.summary.simulated_s, avg_power_w: r.summary.avg_power_w,
      work_units: work, j_per_work: ratio(r.summary.energy_j, work),
      sm_share: ratio(smNs, r.sim.endNs * r.gpu.smCount), sm_s: smNs / 1e9,
      capacity_saved: null, energy_saved: null, truncated: r.sim.truncated,
    };
    return row;
  });
  return { gpu: specs[0]!.gpu, durationS: spec.durationS, seed: spec.seed, systems, sweeps, slo: sloX !== null ? { x: sloX } : spec.sloUs ? { us: spec.sloUs } : null, alone, rows: withBaselines(rows, sweeps) };
}

/** Fills the "vs baseline" columns: each row against the row of the same system at its baseline point. */
function withBaselines(rows: CompareRow[], sweeps: readonly SweepSpec[]): CompareRow[] {
  const find = (system: string, point: SweepPoint) => rows.find((r) => r.system === system && pointLabel(r.point) === pointLabel(point));
  return rows.map((row) => {
    const bp = baselinePoint(row.point, sweeps);
    const base = bp ? find(row.system, bp) : undefined;
    if (!base) return row;
    const perWork = (x: number, r: CompareRow) => ratio(x, r.work_units);
    return {
      ...row,
      capacity_saved: 1 - ratio(perWork(row.sm_s, row), perWork(base.sm_s, base)),
      energy_saved: 1 - ratio(row.j_per_work, base.j_per_work),
      services: row.services.map((c, i) => ({ ...c, p99_vs_baseline: ratio(c.p99_us, base.services[i]!.p99_us) })),
      jobs: row.jobs.map((c, i) => ({ ...c, slowdown_vs_baseline: ratio(base.jobs[i]!.throughput_its, c.throughput_its) })),
    };
  });
}

/** A row as flat columns (for CSV and frames): point keys, system, `<service>_p99_us`, `<job>_its_x`, …, totals. */
export function flatCompareRow(row: CompareRow): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(row.point)) out[k] = k.endsWith(".trace") ? (v.split(/[\\/]/).pop() ?? v) : v;
  out.system = row.system;
  for (const c of row.services) {
    for (const k of ["p50_us", "p95_us", "p99_us", "p95_x", "p99_x", "slo_us", "slo_attainment", "goodput_rps", "throughput_rps", "offered_rps", "normalized_throughput", "normalized_goodput", "p99_vs_baseline"] as const) {
      out[`${c.name}_${k}`] = c[k];
    }
  }
  for (const c of row.jobs) for (const k of ["throughput_its", "its_x", "slowdown_vs_baseline"] as const) out[`${c.name}_${k}`] = c[k];
  for (const k of ["aggregate_throughput", "aggregate_goodput", "energy_j", "simulated_s", "avg_power_w", "work_units", "j_per_work", "sm_share", "sm_s", "capacity_saved", "energy_saved", "truncated"] as const) out[k] = row[k];
  return out;
}
