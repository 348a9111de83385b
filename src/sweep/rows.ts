/**
 * The results of a sweep as one table: a row per point and tenant, with the point's coordinates, the tenant's
 * latency or throughput, and the run's energy; written as one Arrow IPC file that notebooks read with
 * apache-arrow's `tableFromIPC` (or pyarrow's `pa.ipc.open_file`).
 */
import * as arrow from "apache-arrow";
import type { ReplaySummary } from "../metrics/summary";
import type { PlanPoint } from "./plan";

export interface SweepRow {
  readonly policy: string;
  readonly load: number;
  readonly seed: number;
  readonly mix: string;
  readonly tenant: string;
  readonly role: "service" | "job";
  /** Services: completed requests and latency (µs); null for jobs. */
  readonly requests: number | null;
  readonly mean_us: number | null;
  readonly p50_us: number | null;
  readonly p95_us: number | null;
  readonly p99_us: number | null;
  readonly p999_us: number | null;
  readonly slo_attainment: number | null;
  readonly goodput_rps: number | null;
  /** Requests/s (services) or iterations/s (jobs). */
  readonly throughput: number;
  /** Jobs: iterations; null for services. */
  readonly iterations: number | null;
  readonly sm_share: number;
  /** The whole run (every tenant of the point). */
  readonly energy_j: number;
  readonly avg_power_w: number;
  readonly simulated_s: number;
  readonly kernels: number;
  /** Wall time of the point's simulation, ms (not deterministic; everything else is). */
  readonly wall_ms: number;
}

/** One row per tenant of a point's summary. */
export function pointRows(p: PlanPoint, s: ReplaySummary, wallMs: number): SweepRow[] {
  return s.tenants.map((t) => ({
    policy: p.policy, load: p.load, seed: p.seed, mix: p.mix, tenant: t.name, role: t.role,
    requests: t.role === "service" ? t.requests : null,
    mean_us: t.role === "service" ? t.mean_us : null,
    p50_us: t.role === "service" ? t.p50_us : null,
    p95_us: t.role === "service" ? t.p95_us : null,
    p99_us: t.role === "service" ? t.p99_us : null,
    p999_us: t.role === "service" ? t.p999_us : null,
    slo_attainment: t.role === "service" ? t.slo_attainment : null,
    goodput_rps: t.role === "service" ? t.goodput_rps : null,
    throughput: t.role === "service" ? t.throughput_rps : t.throughput_its,
    iterations: t.role === "job" ? t.iterations : null,
    sm_share: t.sm_share,
    energy_j: s.energy_j, avg_power_w: s.avg_power_w, simulated_s: s.simulated_s, kernels: s.kernels, wall_ms: wallMs,
  }));
}

/** Column order of the table (every field of SweepRow). */
export const SWEEP_COLUMNS: readonly (keyof SweepRow)[] = [
  "policy", "load", "seed", "mix", "tenant", "role", "requests", "mean_us", "p50_us", "p95_us", "p99_us", "p999_us",
  "slo_attainment", "goodput_rps", "throughput", "iterations", "sm_share", "energy_j", "avg_power_w", "simulated_s",
  "kernels", "wall_ms",
];
const TEXT: readonly (keyof SweepRow)[] = ["policy", "mix", "tenant", "role"];

/** The rows as one Arrow table: text columns dictionary-encoded, numbers as float64 (null where a role lacks them). */
export function rowsTable(rows: readonly SweepRow[]): arrow.Table {
  const columns: Record<string, arrow.Vector> = {};
  for (const k of SWEEP_COLUMNS) {
    const values = rows.map((r) => r[k]);
    columns[k] = TEXT.includes(k)
      ? arrow.vectorFromArray(values as string[], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()))
      : arrow.vectorFromArray(values as (number | null)[], new arrow.Float64());
  }
  return new arrow.Table(columns);
}
