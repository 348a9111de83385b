/**
 * The interference microbenchmark (tools/measure/interference.py sweep) replayed: the ResNet-50 service's requests one
 * at a time (closed loop) in a green context, beside a co-runner launching back to back in the complementary green
 * context (disjoint SMs: only L2, DRAM, power and the front end shared), or beside device-to-device copies on the
 * copy engines. Co-runners: a DRAM-streaming elementwise kernel on 8…66 SMs, a tensor-core GEMM, the copies.
 *
 * `loadedLatencyCurve` turns the streaming rows into the engine's loaded-latency curve (service slowdown against the
 * co-runner's measured DRAM utilisation); `interferenceConditions` replays every row, streaming ones included, so
 * the copies and the GEMM check the curve out of sample. The co-location runs of shared/calibration/h200/colocation
 * stay out of it.
 */
import * as fs from "node:fs";
import { gpuSpec, specForDeviceName, type GpuSpec } from "../gpu/specs";
import { replay, type TenantSpec } from "../replay";
import type { LoadedLatencyCurve } from "../sim/memory-load";
import type { Workload } from "../workload/workload";

interface Stats { p50_us: number }
/** One condition of the sweep, as interference.py writes it. */
export interface SweepRow {
  kind: "copy" | "stream" | "gemm";
  svc_sms: number;
  hog_sms: number;
  svc_alone: Stats;
  svc_with: Stats;
  hog_alone_its: number;
  hog_with_its: number;
  hog_alone_gbps: number;
  hog_with_gbps: number;
}
export interface InterferenceSweep { gpu: string; sms: number; rows: SweepRow[] }

export function readInterferenceSweep(file: string): InterferenceSweep {
  const obj = JSON.parse(fs.readFileSync(file, "utf8")) as InterferenceSweep & { role?: string };
  if (obj.role !== "sweep" || !Array.isArray(obj.rows) || !(obj.sms > 0)) throw new Error("not an interference sweep (tools/measure/interference.py sweep writes one)");
  if (!sweepGpu(obj)) throw new Error(`measured on "${String(obj.gpu)}", a GPU this package has no spec of`);
  for (const r of obj.rows) {
    if (!["copy", "stream", "gemm"].includes(r.kind) || !(r.svc_alone?.p50_us > 0) || !(r.svc_with?.p50_us > 0) || !(r.hog_with_gbps >= 0)) throw new Error(`malformed row ${JSON.stringify(r).slice(0, 80)}`);
  }
  return obj;
}

const slowdown = (r: SweepRow) => r.svc_with.p50_us / r.svc_alone.p50_us;

/** The GPU the sweep was measured on (its device name), whose peak bandwidth turns bytes/s into utilisation. */
export function sweepGpu(sweep: InterferenceSweep): GpuSpec | null {
  return typeof sweep.gpu === "string" ? specForDeviceName(sweep.gpu) : null;
}

/**
 * The loaded-latency curve from the streaming rows: each row's service slowdown at the DRAM utilisation its co-runner
 * reached beside the service (measured bytes/s over the GPU's peak), in ascending utilisation, kept non-decreasing
 * (a point below an earlier one takes the earlier value: the curve must not reward more load).
 */
export function loadedLatencyCurve(sweep: InterferenceSweep, peakBytesPerS = sweepGpu(sweep)!.memBandwidthBytesPerS): LoadedLatencyCurve {
  const pts = sweep.rows.filter((r) => r.kind === "stream").map((r) => [Math.min(1, (r.hog_with_gbps * 1e9) / peakBytesPerS), slowdown(r)] as const).sort((a, b) => a[0] - b[0]);
  const utilisation = [0], out = [1];
  for (const [u, s] of pts) {
    if (u <= utilisation[utilisation.length - 1]!) continue;
    utilisation.push(Math.round(u * 1e4) / 1e4);
    out.push(Math.round(Math.max(s, out[out.length - 1]!) * 1e3) / 1e3);
  }
  return { utilisation, slowdown: out };
}

export interface InterferenceCondition {
  readonly coRunner: "copy" | "stream" | "gemm";
  readonly serviceSms: number;
  readonly coRunnerSms: number;
  /** Co-runner DRAM utilisation beside the service, measured (bytes moved / the measured GPU's peak). */
  readonly measuredUtilisation: number;
  /** Service request time beside the co-runner over without it (p50), measured and simulated. */
  readonly measuredSlowdown: number;
  readonly simulatedSlowdown: number;
  /** Simulated with the sweep's own loaded-latency curve (`loadedLatencyCurve`; the streaming rows are its data). */
  readonly withCurveSlowdown: number;
  /** Co-runner iterations/s beside the service, measured and simulated. */
  readonly measuredIts: number;
  readonly simulatedIts: number;
}

/** Replays every row of the sweep with the calibration as it is, and with the sweep's own loaded-latency curve. */
export async function interferenceConditions(sweep: InterferenceSweep, service: Workload, coRunners: Record<"copy" | "stream" | "gemm", Workload>, options: { gpu?: string; durationS?: number } = {}): Promise<InterferenceCondition[]> {
  const gpu = options.gpu ?? "h200";
  const spec = gpuSpec(gpu);
  const measuredOn = sweepGpu(sweep)!;
  const curve = loadedLatencyCurve(sweep);
  const base = { gpu, durationS: options.durationS ?? 1, seed: 1 };
  // Green contexts of n SMs as MPS limits that give exactly n SMs (n even: whole TPCs).
  const pct = (n: number) => (n >= spec.smCount ? null : (100 * n) / spec.smCount + 1e-6);
  const svc = (n: number): TenantSpec => ({ name: "service", trace: service, arrival: { kind: "closed-loop", concurrency: 1 }, limitPct: pct(n) });
  const hog = (kind: SweepRow["kind"], n: number): TenantSpec => ({ name: kind, trace: coRunners[kind], arrival: { kind: "back-to-back" }, gapUs: 0, limitPct: kind === "copy" ? null : pct(n) });
  const out: InterferenceCondition[] = [];
  for (const r of sweep.rows) {
    const svcSms = Math.min(r.svc_sms, spec.smCount);
    const alone = await replay({ ...base, policy: "mps-limit", tenants: [svc(svcSms)] });
    const both = await replay({ ...base, policy: "mps-limit", tenants: [svc(svcSms), hog(r.kind, r.hog_sms)] });
    const withCurve = await replay({ ...base, policy: "mps-limit", loadedLatency: curve, tenants: [svc(svcSms), hog(r.kind, r.hog_sms)] });
    const p50 = (x: typeof alone) => (x.summary.tenants[0] as { p50_us: number }).p50_us;
    out.push({
      coRunner: r.kind, serviceSms: svcSms, coRunnerSms: r.hog_sms,
      measuredUtilisation: (r.hog_with_gbps * 1e9) / measuredOn.memBandwidthBytesPerS,
      measuredSlowdown: slowdown(r), simulatedSlowdown: p50(both) / p50(alone), withCurveSlowdown: p50(withCurve) / p50(alone),
      measuredIts: r.hog_with_its, simulatedIts: (both.summary.tenants[1] as { throughput_its: number }).throughput_its,
    });
  }
  return out;
}
