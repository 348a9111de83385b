/**
 * The SM clock a workload's recorded kernel durations were measured at. Traces do not record the clock,
 * but the power limiter set it: a GEMM-heavy job that drives the board to its limit ran below the maximum
 * clock (hardware.md §7.5: ~1.47 GHz for a sustained full-chip GEMM). Replaying such a job alone must give
 * back its recorded durations, so its kernels are taken as recorded at the clock the simulated limiter
 * settles at when the workload runs alone: one short replay of the tenant by itself, its kernels first taken
 * at the maximum clock, gives the time-weighted mean clock (one fixed-point step; the model's own power
 * estimate then only moves durations through the difference between shared and alone).
 */
import { simulate, type SimOptions, type SimTenant } from "./engine";

/** Mean SM clock, MHz, of `tenant` replayed alone for up to `probeNs` under `options`' GPU and power model. */
export function aloneClockMHz(tenant: SimTenant, options: Omit<SimOptions, "tenants" | "durationNs">, durationNs: number, probeNs = 2e9): number {
  const span = Math.min(durationNs, probeNs);
  const arrivals = tenant.arrivals?.filter((t) => t < span);
  const r = simulate({
    ...options,
    tenants: [{ ...tenant, arrivals, smLimit: null, recordedClockMHz: options.gpu.maxClockMHz }],
    durationNs: span,
    record: false,
  });
  const p = r.power;
  let weighted = 0, total = 0;
  for (let i = 0; i < p.startNs.length; i++) {
    const end = i + 1 < p.startNs.length ? p.startNs[i + 1]! : r.endNs;
    const dt = end - p.startNs[i]!;
    weighted += p.clockMHz[i]! * dt;
    total += dt;
  }
  return total > 0 ? weighted / total : options.gpu.maxClockMHz;
}
