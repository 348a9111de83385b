/**
 * Simulated against measured stacking of several tenants: services with open-loop Poisson arrivals, services in a
 * closed loop and training jobs sharing one GPU, measured under each sharing mechanism (tools/measure/stacking.sh)
 * and replayed from the tenants' traces under the matching policy. One row per scenario and tenant: a service's
 * p50, p99 and requests/s, a job's iterations/s, simulated next to measured. The two-tenant case with its queueing
 * split is ./colocation.ts; this one takes any number of tenants, in the order the scenario's files number them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { latencyStats } from "../metrics/latency";
import { relativeError, type LatencyComparison } from "./colocation";
import type { JobSummary, ServiceSummary } from "../metrics/summary";
import { replay, type TenantSpec } from "../replay";
import type { Workload } from "../workload/workload";

/**
 * A measured scenario file stem → the policy that models it. `limitsPct`: the MPS active-thread percentage of each
 * tenant, in file order (stacking.sh's `mps_limits`: the paper's inference-stacking limits, 75/25/25).
 */
export const STACKING_SCENARIOS: readonly { scenario: string; policy: string; limitsPct?: readonly number[]; what: string }[] = [
  { scenario: "alone", policy: "mps", what: "each tenant alone" },
  { scenario: "timeslice", policy: "timeslice", what: "one process each, default time slicing" },
  { scenario: "mps", policy: "mps", what: "one MPS client each" },
  { scenario: "mps_limits", policy: "mps-limit", limitsPct: [75, 25, 25], what: "MPS clients at 75/25/25% active threads" },
  { scenario: "prio", policy: "priority", what: "one process, services on high-priority streams" },
];

/** One measured tenant of a scenario, as the lab scripts write it (colocate.py, stacking.py). */
interface LabRecord {
  role: "infer" | "train";
  model?: string;
  rate?: number;
  closed_loop?: number;
  lat_us?: number[];
  secs?: number;
  steps?: number;
}

/** A tenant as measured: which workload it ran, how its units arrived, and what it got. */
export interface MeasuredTenant {
  /** `resnet50`, `bert` (the service's model) or `train`: the name its trace is given under. */
  readonly name: string;
  readonly arrival: TenantSpec["arrival"];
  readonly p50Us: number | null;
  readonly p99Us: number | null;
  /** Requests/s (services) or iterations/s (jobs). */
  readonly throughput: number | null;
}

/** One tenant of one scenario: its latency (services; null for jobs) and throughput, measured next to replayed. */
export interface StackingRow extends LatencyComparison {
  readonly tenant: string;
  /** Requests/s for services, iterations/s for jobs. */
  readonly measured_throughput: number | null;
  readonly simulated_throughput: number | null;
  readonly throughput_error: number | null;
}

function tenantOf(r: LabRecord, where: string): MeasuredTenant {
  if (r.role === "train") {
    if (!(r.steps! > 0 && r.secs! > 0)) throw new Error(`${where}: a training record needs steps and secs`);
    return { name: "train", arrival: { kind: "back-to-back" }, p50Us: null, p99Us: null, throughput: r.steps! / r.secs! };
  }
  if (r.role !== "infer" || !Array.isArray(r.lat_us) || r.lat_us.length === 0 || typeof r.model !== "string") {
    throw new Error(`${where}: neither a service (role infer, model, lat_us) nor a training (role train) record`);
  }
  const lat = latencyStats(Float64Array.from(r.lat_us));
  if (r.closed_loop !== undefined) {
    if (!(r.secs! > 0)) throw new Error(`${where}: a closed-loop service record needs secs`);
    return { name: r.model, arrival: { kind: "closed-loop", concurrency: r.closed_loop }, p50Us: lat.p50, p99Us: lat.p99, throughput: r.lat_us.length / r.secs! };
  }
  if (!(r.rate! > 0)) throw new Error(`${where}: an open-loop service record needs its rate`);
  // The lab's open-loop service runs for its duration of arrivals, one request each (colocate.py infer).
  return { name: r.model, arrival: { kind: "poisson", ratePerS: r.rate! }, p50Us: lat.p50, p99Us: lat.p99, throughput: null };
}

/**
 * Reads a folder of measured scenarios: `<scenario>.<n>.json` (one tenant, or a list of tenants for a one-process
 * scenario), numbered in tenant order; each tenant alone as `alone_<name>.1.json`.
 */
export function readMeasuredStacking(dir: string): Map<string, MeasuredTenant[]> {
  const files = fs.readdirSync(dir).filter((n) => /\.\d+\.json$/.test(n));
  const byScenario = new Map<string, { n: number; tenants: MeasuredTenant[] }[]>();
  for (const f of files) {
    const m = /^(.*)\.(\d+)\.json$/.exec(f)!;
    const scenario = m[1]!.startsWith("alone_") ? "alone" : m[1]!;
    let parsed: LabRecord | LabRecord[];
    try {
      parsed = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as LabRecord | LabRecord[];
    } catch (e) {
      throw new Error(`${path.join(dir, f)}: not JSON (${(e as Error).message})`);
    }
    const tenants = (Array.isArray(parsed) ? parsed : [parsed]).map((r) => tenantOf(r, path.join(dir, f)));
    const list = byScenario.get(scenario) ?? [];
    list.push({ n: Number(m[2]), tenants });
    byScenario.set(scenario, list);
  }
  if (byScenario.size === 0) throw new Error(`${dir}: no measured scenarios (<scenario>.<n>.json)`);
  const out = new Map<string, MeasuredTenant[]>();
  for (const [scenario, list] of byScenario) {
    // Alone files are one tenant each (all numbered 1): keep them in the order of the shared scenarios' tenants.
    out.set(scenario, list.sort((a, b) => a.n - b.n).flatMap((e) => e.tenants));
  }
  const order = [...out.entries()].find(([s]) => s !== "alone")?.[1].map((t) => t.name);
  const alone = out.get("alone");
  if (order && alone) out.set("alone", [...alone].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name)));
  return out;
}

const ms = (us: number | null) => (us === null ? null : us / 1e3);

/**
 * Replays every measured scenario of `dir` with the tenants' workloads (by name: the service's model or `train`) and
 * compares. Services are urgent (priority 1), jobs are not (0), as in the lab's priority scenario.
 */
export async function stackingValidation(dir: string, workloads: Readonly<Record<string, Workload>>, options: { gpu?: string; seed?: number; durationS?: number } = {}): Promise<StackingRow[]> {
  const measured = readMeasuredStacking(dir);
  const missing = [...new Set([...measured.values()].flat().map((t) => t.name))].filter((n) => workloads[n] === undefined);
  if (missing.length > 0) throw new Error(`no trace given for ${missing.join(", ")}`);
  const rows: StackingRow[] = [];
  const base = { gpu: options.gpu ?? "h200", durationS: options.durationS ?? 12, seed: options.seed ?? 1 };
  for (const s of STACKING_SCENARIOS) {
    const tenants = measured.get(s.scenario);
    if (!tenants) continue;
    const specs: TenantSpec[] = tenants.map((t, i) => ({
      name: t.name, trace: workloads[t.name]!, arrival: t.arrival, priority: t.arrival.kind === "back-to-back" ? 0 : 1,
      limitPct: s.limitsPct?.[i] ?? null,
    }));
    const runs = s.scenario === "alone" ? specs.map((t) => [t]) : [specs];
    let k = 0;
    for (const group of runs) {
      const r = await replay({ ...base, policy: s.policy, tenants: group });
      for (const summary of r.summary.tenants) {
        const m = tenants[k++]!;
        const svc = summary.role === "service" ? (summary as ServiceSummary) : null;
        const p50 = svc ? ms(svc.p50_us) : null, p99 = svc ? ms(svc.p99_us) : null;
        // An open-loop service's throughput is its arrival rate; only a closed loop's says how fast it was served.
        const thr = svc ? (m.arrival.kind === "closed-loop" ? svc.throughput_rps : null) : (summary as JobSummary).throughput_its;
        rows.push({
          scenario: s.scenario, policy: s.policy, tenant: m.name,
          measured_p50_ms: ms(m.p50Us), simulated_p50_ms: p50, p50_error: relativeError(p50, ms(m.p50Us)),
          measured_p99_ms: ms(m.p99Us), simulated_p99_ms: p99, p99_error: relativeError(p99, ms(m.p99Us)),
          measured_throughput: m.throughput, simulated_throughput: thr, throughput_error: relativeError(thr, m.throughput),
        });
      }
    }
  }
  return rows;
}
