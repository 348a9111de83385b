/**
 * The one place that wires a scenario together: traces → workloads, arrivals, GPU spec and calibration,
 * policy (by name from the registry), engine, metrics. The CLI (`stack`, `run`) and notebooks call this.
 */
import { calibrationFor } from "./gpu/calibration";
import { powerParamsFor } from "./gpu/power";
import { gpuSpec, mpsSmsForPercentage, type GpuSpec } from "./gpu/specs";
import { policyEntry, type PolicyOptions } from "./policies";
import { simulate, type SimResult, type SimTenant } from "./sim/engine";
import { aloneClockMHz } from "./sim/recorded-clock";
import type { LoadedLatencyCurve } from "./sim/memory-load";
import { mps } from "./policies/mps";
import { summarize, type ReplaySummary } from "./metrics/summary";
import { arrivalsFromFile, poissonArrivals, uniformArrivals } from "./workload/arrivals";
import { loadWorkload, type ExtractOptions } from "./workload/extract";
import type { Workload } from "./workload/workload";

/** How a tenant's units arrive. */
export type ArrivalSpec =
  | { readonly kind: "poisson"; readonly ratePerS: number }
  | { readonly kind: "uniform"; readonly ratePerS: number }
  | { readonly kind: "file"; readonly path: string }
  /** A service with `concurrency` requests always outstanding (each completion sends the next). */
  | { readonly kind: "closed-loop"; readonly concurrency: number }
  | { readonly kind: "back-to-back" };

export interface TenantSpec {
  readonly name: string;
  /** A trace file any importer reads, or an imported `.arrow`; or a workload already extracted. */
  readonly trace: string | Workload;
  /** Default: "service" for timed arrivals, "job" for back-to-back. */
  readonly role?: "service" | "job";
  readonly arrival: ArrivalSpec;
  /** Larger is more urgent; default 0. */
  readonly priority?: number;
  /** MPS active-thread percentage (1–100); default none. */
  readonly limitPct?: number | null;
  /** Guaranteed share of the GPU for quota-based policies (LithOS), percent (0–100; 0: it only borrows); default none. */
  readonly quotaPct?: number | null;
  /** How to split the trace into units (default auto). */
  readonly split?: ExtractOptions["split"];
  /** Jobs: host time between iterations, µs, or "recorded" for the trace's own gaps. Default 0 (back to back). */
  readonly gapUs?: number | "recorded";
  /** Services: this service's SLO, µs, instead of the scenario's `sloUs`. */
  readonly sloUs?: number | null;
}

export interface ScenarioSpec {
  /** GPU key or alias: h200, h100, a100-80gb, ... */
  readonly gpu: string;
  readonly policy: string;
  readonly policyOptions?: PolicyOptions;
  readonly tenants: readonly TenantSpec[];
  readonly durationS: number;
  readonly seed: number;
  /** SLO for services, µs (for attainment and goodput). */
  readonly sloUs?: number | null;
  /** Keep every kernel execution for timelines. */
  readonly record?: boolean;
  /** Slowdown of blocks on SMs shared with another tenant (src/sim/co-residency.ts); default: the calibration's. */
  readonly coResidentSlowdown?: number;
  /** Extra µs per kernel whose SMs hold another tenant's blocks (src/sim/engine.ts SimOptions); default: the calibration's. */
  readonly coResidentDelayUs?: number;
  /** Slowdown per eligible warp of other tenants per warp scheduler on a kernel's SMs (src/sim/engine.ts SimOptions); default: the calibration's. */
  readonly issueContention?: number;
  /** Slowdown of latency-bound kernels under other tenants' DRAM traffic (src/sim/memory-load.ts); null turns it off; default: the calibration's. */
  readonly loadedLatency?: LoadedLatencyCurve | null;
}

export interface ReplayResult {
  readonly spec: ScenarioSpec;
  readonly gpu: GpuSpec;
  readonly workloads: readonly Workload[];
  readonly sim: SimResult;
  readonly summary: ReplaySummary;
  /** Each tenant's request arrival times, ns (undefined for jobs and closed-loop services). */
  readonly arrivals: readonly (Float64Array | undefined)[];
  /** Wall time of the simulation alone (no trace loading), ms. */
  readonly wallMs: number;
}

/** Arrival times in ns for one tenant; each tenant's Poisson stream gets its own seed derived from the run's. */
export function arrivalsFor(spec: ArrivalSpec, durationNs: number, seed: number): Float64Array | undefined {
  switch (spec.kind) {
    case "poisson": return poissonArrivals(spec.ratePerS, durationNs, seed);
    case "uniform": return uniformArrivals(spec.ratePerS, durationNs);
    case "file": return arrivalsFromFile(spec.path).filter((t) => t < durationNs);
    case "closed-loop": return undefined;
    case "back-to-back": return undefined;
  }
}

/** A quota of `pct` percent of the GPU in SMs, whole TPCs, rounded down (LithOS allocates TPCs; lithos.md §2.2). */
export function quotaSms(gpu: GpuSpec, pct: number): number {
  const smsPerTpc = gpu.smCount / gpu.tpcCount;
  return smsPerTpc * Math.floor((pct / 100) * gpu.tpcCount + 1e-9);
}

export async function replay(spec: ScenarioSpec): Promise<ReplayResult> {
  const gpu = gpuSpec(spec.gpu);
  const entry = policyEntry(spec.policy);
  if (!(spec.durationS > 0)) throw new Error(`duration must be > 0 s, got ${spec.durationS}`);
  if (spec.tenants.length === 0) throw new Error("a scenario needs at least one tenant");
  const workloads: Workload[] = [];
  for (const t of spec.tenants) {
    workloads.push(typeof t.trace === "string" ? await loadWorkload(t.trace, { split: t.split }) : t.trace);
  }
  const durationNs = spec.durationS * 1e9;
  const tenants: SimTenant[] = spec.tenants.map((t, i) => {
    const role = t.role ?? (t.arrival.kind === "back-to-back" ? "job" : "service");
    if (role === "service" && t.arrival.kind === "back-to-back") throw new Error(`tenant ${t.name}: a service needs an arrival process`);
    const limit = entry.honoursLimits && t.limitPct != null ? mpsSmsForPercentage(gpu, t.limitPct) : null;
    if (t.arrival.kind === "closed-loop" && !(Number.isInteger(t.arrival.concurrency) && t.arrival.concurrency >= 1)) {
      throw new Error(`tenant ${t.name}: closed-loop concurrency must be an integer ≥ 1`);
    }
    if (t.quotaPct != null && !(t.quotaPct >= 0 && t.quotaPct <= 100)) throw new Error(`tenant ${t.name}: quota must be 0–100%`);
    return {
      name: t.name,
      workload: workloads[i]!,
      role,
      arrivals: role === "service" ? arrivalsFor(t.arrival, durationNs, spec.seed + i) : undefined,
      closedLoop: role === "service" && t.arrival.kind === "closed-loop" ? t.arrival.concurrency : undefined,
      quotaSms: t.quotaPct != null ? quotaSms(gpu, t.quotaPct) : null,
      priority: entry.honoursPriorities ? (t.priority ?? 0) : 0,
      smLimit: limit,
      gapNs: t.gapUs === "recorded" ? null : (t.gapUs ?? 0) * 1e3,
    };
  });
  const cal = calibrationFor(gpu);
  const began = performance.now();
  // Recorded durations are taken at the clock each tenant's trace ran at alone on the GPU it was recorded on.
  const withClocks = tenants.map((t) => {
    const from = t.workload.recordedOn;
    const fromCal = from.key === gpu.key ? cal : calibrationFor(from);
    const probe = { gpu: from, timing: fromCal.timing, power: fromCal.power ?? powerParamsFor(from), policy: mps };
    return { ...t, recordedClockMHz: aloneClockMHz(t, probe, durationNs) };
  });
  const sim = simulate({
    gpu,
    timing: cal.timing,
    power: cal.power ?? powerParamsFor(gpu),
    policy: entry.make(spec.policyOptions ?? {}),
    coResidentSlowdown: spec.coResidentSlowdown ?? cal.interference?.coResidentSlowdown ?? 0,
    coResidentDelayUs: spec.coResidentDelayUs ?? cal.interference?.coResidentDelayUs ?? 0,
    issueContention: spec.issueContention ?? cal.interference?.issueContention ?? 0,
    loadedLatency: spec.loadedLatency !== undefined ? spec.loadedLatency : (cal.interference?.loadedLatency ?? null),
    tenants: withClocks,
    durationNs,
    record: spec.record,
  });
  const wallMs = performance.now() - began;
  const slos = spec.tenants.map((t) => t.sloUs ?? spec.sloUs ?? null);
  return { spec, gpu, workloads, sim, summary: summarize(sim, slos), arrivals: tenants.map((t) => t.arrivals), wallMs };
}
