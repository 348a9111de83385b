/**
 * The interference microbenchmark (tools/measure/interference.sh) replayed: the ResNet-50 service's requests one at
 * a time (closed loop) beside a synthetic co-runner launching back to back, a tensor-core GEMM or a large device copy,
 * either as two MPS clients (their blocks share SMs once their spreads exceed the GPU) or in complementary green
 * contexts of 66 SMs each (disjoint SMs: only L2, DRAM and power shared). Each condition's service slowdown (request
 * time beside the co-runner over request time without it) measured next to simulated, and the co-runner's
 * iterations/s. `fitCoResidentSlowdown` fits the engine's one interference parameter on the MPS conditions; the
 * green-context conditions, where it plays no part, check the bandwidth model, and the co-location runs of
 * shared/calibration/h200/colocation stay out of the fit.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { replay, type TenantSpec } from "../replay";
import type { Workload } from "../workload/workload";

/** One measured result file of interference.py. */
interface Measured { role: "svc" | "hog" | "gc"; p50_us?: number; its?: number; hog_its?: number | null; svc_sms?: number; hog_sms?: number }

export interface InterferenceCondition {
  /** "mps" (two MPS clients) or "green" (complementary green contexts). */
  readonly sharing: "mps" | "green";
  readonly coRunner: "gemm" | "copy";
  /** Service request time beside the co-runner over without it (p50), measured and simulated. */
  readonly measuredSlowdown: number;
  simulatedSlowdown: number;
  /** Co-runner iterations/s beside the service, measured and simulated. */
  readonly measuredIts: number | null;
  simulatedIts: number;
}

export interface InterferenceData {
  readonly dir: string;
  readonly measured: Map<string, Measured>;
  readonly coRunners: Record<"gemm" | "copy", Workload>;
}

const read = (dir: string, name: string): Measured => {
  const file = path.join(dir, `${name}.json`);
  if (!fs.existsSync(file)) throw new Error(`${file}: missing (tools/measure/interference.sh writes it)`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Measured;
};

export const INTERFERENCE_FILES = ["mps_svc_alone", "mps_gemm_alone", "mps_copy_alone", "mps_svc_gemm", "mps_gemm_svc", "mps_svc_copy", "mps_copy_svc", "gc66_none", "gc66_gemm", "gc66_copy"] as const;

export function readInterference(dir: string, coRunners: Record<"gemm" | "copy", Workload>): InterferenceData {
  return { dir, coRunners, measured: new Map(INTERFERENCE_FILES.map((n) => [n, read(dir, n)])) };
}

/** Replays every condition at `coResidentSlowdown` (default: the calibration's). */
export async function interferenceConditions(data: InterferenceData, service: Workload, options: { coResidentSlowdown?: number; durationS?: number; gpu?: string } = {}): Promise<InterferenceCondition[]> {
  const m = data.measured;
  const durationS = options.durationS ?? 1;
  const base = { gpu: options.gpu ?? "h200", durationS, seed: 1, coResidentSlowdown: options.coResidentSlowdown };
  const svc = (limitPct: number | null): TenantSpec => ({ name: "service", trace: service, arrival: { kind: "closed-loop", concurrency: 1 }, limitPct });
  const hog = (kind: "gemm" | "copy", limitPct: number | null): TenantSpec => ({ name: kind, trace: data.coRunners[kind], arrival: { kind: "back-to-back" }, gapUs: 0, limitPct });
  const p50 = async (policy: string, tenants: TenantSpec[]) => {
    const r = await replay({ ...base, policy, tenants });
    const t = r.summary.tenants;
    return { p50: (t[0] as { p50_us: number }).p50_us, its: tenants.length > 1 ? (t[1] as { throughput_its: number }).throughput_its : 0 };
  };
  const out: InterferenceCondition[] = [];
  // Green contexts of 66 SMs: the MPS limit that gives 66 SMs (50%) keeps each tenant on its own SMs.
  const half = 50;
  const aloneMps = await p50("mps", [svc(null)]);
  const aloneGreen = await p50("mps-limit", [svc(half)]);
  for (const kind of ["gemm", "copy"] as const) {
    const mps = await p50("mps", [svc(null), hog(kind, null)]);
    out.push({
      sharing: "mps", coRunner: kind,
      measuredSlowdown: m.get(`mps_svc_${kind}`)!.p50_us! / m.get("mps_svc_alone")!.p50_us!, simulatedSlowdown: mps.p50 / aloneMps.p50,
      measuredIts: m.get(`mps_${kind}_svc`)!.its ?? null, simulatedIts: mps.its,
    });
    const green = await p50("mps-limit", [svc(half), hog(kind, half)]);
    out.push({
      sharing: "green", coRunner: kind,
      measuredSlowdown: m.get(`gc66_${kind}`)!.p50_us! / m.get("gc66_none")!.p50_us!, simulatedSlowdown: green.p50 / aloneGreen.p50,
      measuredIts: m.get(`gc66_${kind}`)!.hog_its ?? null, simulatedIts: green.its,
    });
  }
  return out;
}

/**
 * The co-resident slowdown that best reproduces the measured MPS conditions' service slowdowns (least squares on
 * their logarithms), by golden-section search over 0 … `max`. Returns it with the conditions replayed at it.
 */
export async function fitCoResidentSlowdown(data: InterferenceData, service: Workload, options: { max?: number; durationS?: number; gpu?: string } = {}): Promise<{ coResidentSlowdown: number; conditions: InterferenceCondition[] }> {
  const loss = async (g: number) => {
    const c = await interferenceConditions(data, service, { ...options, coResidentSlowdown: g });
    return c.filter((x) => x.sharing === "mps").reduce((s, x) => s + Math.log(x.simulatedSlowdown / x.measuredSlowdown) ** 2, 0);
  };
  let lo = 0, hi = options.max ?? 3;
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
  let fa = await loss(a), fb = await loss(b);
  while (hi - lo > 0.01) {
    if (fa <= fb) { hi = b; b = a; fb = fa; a = hi - phi * (hi - lo); fa = await loss(a); }
    else { lo = a; a = b; fa = fb; b = lo + phi * (hi - lo); fb = await loss(b); }
  }
  const g = Math.round(((lo + hi) / 2) * 100) / 100;
  return { coResidentSlowdown: g, conditions: await interferenceConditions(data, service, { ...options, coResidentSlowdown: g }) };
}
