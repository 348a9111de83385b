/**
 * What each tenant experienced in a replay, in the units papers report: request latency percentiles (µs),
 * throughput, SLO attainment and goodput for services; iterations and iterations/s for jobs; SM time,
 * and the device's energy and average power.
 */
import type { SimResult, SimTenantResult } from "../sim/engine";
import { fractionWithin, latencyStats } from "./latency";

export interface ServiceSummary {
  readonly name: string;
  readonly role: "service";
  /** Requests completed. */
  readonly requests: number;
  readonly arrived: number;
  readonly mean_us: number;
  readonly p50_us: number;
  readonly p90_us: number;
  readonly p95_us: number;
  readonly p99_us: number;
  readonly p999_us: number;
  readonly max_us: number;
  /** Completed requests per second, over the time to the last completion. */
  readonly throughput_rps: number;
  /** With an SLO: fraction of requests within it, and requests/s within it. */
  readonly slo_us: number | null;
  readonly slo_attainment: number | null;
  readonly goodput_rps: number | null;
  /** Average SM-equivalents held, as a fraction of the GPU. */
  readonly sm_share: number;
  readonly kernels: number;
}

export interface JobSummary {
  readonly name: string;
  readonly role: "job";
  readonly iterations: number;
  /** Iterations per second, over the time to the last completed iteration. */
  readonly throughput_its: number;
  readonly iteration_mean_ms: number;
  readonly iteration_p50_ms: number;
  readonly sm_share: number;
  readonly kernels: number;
}

export type TenantSummary = ServiceSummary | JobSummary;

export interface ReplaySummary {
  readonly policy: string;
  readonly gpu: string;
  readonly duration_s: number;
  /** Simulated time until every tenant finished, s. */
  readonly simulated_s: number;
  readonly energy_j: number;
  readonly avg_power_w: number;
  readonly kernels: number;
  readonly tenants: TenantSummary[];
  /** What the policy reports of itself (LithOS: atoms, right-sizing, predictor error), or null. */
  readonly policy_report: Record<string, unknown> | null;
}

const us = (ns: number) => ns / 1e3;

function lastCompletionS(t: SimTenantResult): number {
  return t.completionsNs.length ? t.completionsNs[t.completionsNs.length - 1]! / 1e9 : 0;
}

export function summarizeTenant(t: SimTenantResult, result: SimResult, sloUs: number | null = null): TenantSummary {
  const span = Math.max(result.endNs, 1);
  const smShare = t.smNs / (span * result.gpu.smCount);
  const done = t.latenciesNs.length;
  const end = lastCompletionS(t);
  if (t.role === "service") {
    const s = latencyStats(t.latenciesNs);
    const attainment = sloUs === null ? null : fractionWithin(t.latenciesNs, sloUs * 1e3);
    return {
      name: t.name, role: "service", requests: done, arrived: t.started,
      mean_us: us(s.mean), p50_us: us(s.p50), p90_us: us(s.p90), p95_us: us(s.p95), p99_us: us(s.p99), p999_us: us(s.p999), max_us: us(s.max),
      throughput_rps: end > 0 ? done / end : 0,
      slo_us: sloUs, slo_attainment: attainment, goodput_rps: attainment === null || end <= 0 ? null : (attainment * done) / end,
      sm_share: smShare, kernels: t.kernels,
    };
  }
  const s = latencyStats(t.latenciesNs);
  return {
    name: t.name, role: "job", iterations: done, throughput_its: end > 0 ? done / end : 0,
    iteration_mean_ms: s.mean / 1e6, iteration_p50_ms: s.p50 / 1e6, sm_share: smShare, kernels: t.kernels,
  };
}

/** `sloUs`: one SLO for every service, or one per tenant (null: none). */
export function summarize(result: SimResult, sloUs: number | null | readonly (number | null)[] = null): ReplaySummary {
  const simulated = result.endNs / 1e9;
  return {
    policy: result.policy,
    gpu: result.gpu.key,
    duration_s: result.durationNs / 1e9,
    simulated_s: simulated,
    energy_j: result.energyJ,
    avg_power_w: simulated > 0 ? result.energyJ / simulated : 0,
    kernels: result.kernelsExecuted,
    tenants: result.tenants.map((t, i) => summarizeTenant(t, result, t.role !== "service" ? null : Array.isArray(sloUs) ? (sloUs[i] ?? null) : (sloUs as number | null))),
    policy_report: result.policyReport,
  };
}
