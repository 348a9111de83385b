/**
 * Simulated against measured co-location: a latency-critical service beside a best-effort job, measured on
 * real hardware under each sharing mechanism (`../shared/calibration/h200/colocation/<case>/`, made by
 * `lab/colocate.py`), replayed from the two workloads' traces under the matching policy. One row per
 * scenario: service p50 and p99 and job iterations/s, simulated next to measured, and the relative error.
 *
 * Each side's latencies are also split into queueing and service (../metrics/queueing.ts): the measured arrivals
 * are recovered from the lab script's seed, so the error in a request's own time is seen apart from the queue,
 * which magnifies it near saturation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { latencyStats } from "../metrics/latency";
import { queueingSplit, type QueueingSplit } from "../metrics/queueing";
import type { JobSummary, ServiceSummary } from "../metrics/summary";
import { replay, type ReplayResult, type TenantSpec } from "../replay";
import { PythonRandom } from "../util/python-random";
import type { Workload } from "../workload/workload";

/** A measured scenario file stem → the policy that models it and the job's thread limit. */
export const COLOCATION_SCENARIOS: readonly { scenario: string; policy: string; beLimitPct?: number; what: string }[] = [
  { scenario: "alone", policy: "mps", what: "each alone" },
  { scenario: "timeslice", policy: "timeslice", what: "two processes, default time slicing" },
  { scenario: "mps", policy: "mps", what: "two MPS clients" },
  { scenario: "mps_train25", policy: "mps-limit", beLimitPct: 25, what: "MPS, job at 25% active threads" },
  { scenario: "prio", policy: "priority", what: "one process, service on a high-priority stream" },
];

export interface MeasuredScenario {
  readonly scenario: string;
  readonly serviceP50Us: number | null;
  readonly serviceP99Us: number | null;
  readonly jobItsPerS: number | null;
  readonly requests: number | null;
  readonly rate: number | null;
  readonly durationS: number | null;
  /** Median time a request took once the service started it, µs, and the service's load (see `queueingSplit`); null when the arrivals cannot be recovered. */
  readonly serviceTimeP50Us: number | null;
  readonly busy: number | null;
}

/** A scenario's service latency, measured next to replayed, and the relative errors (`relativeError`). */
export interface LatencyComparison {
  readonly scenario: string;
  readonly policy: string;
  readonly measured_p50_ms: number | null;
  readonly simulated_p50_ms: number | null;
  readonly p50_error: number | null;
  readonly measured_p99_ms: number | null;
  readonly simulated_p99_ms: number | null;
  readonly p99_error: number | null;
}

export interface ColocationRow extends LatencyComparison {
  readonly measured_its: number | null;
  readonly simulated_its: number | null;
  readonly its_error: number | null;
  /** Median time a request took once started (its latency less its wait behind earlier requests), and the error. */
  readonly measured_service_ms: number | null;
  readonly simulated_service_ms: number | null;
  readonly service_error: number | null;
  /** Fraction of the time the service was serving a request (its load; the queue grows as it nears 1). */
  readonly measured_busy: number | null;
  readonly simulated_busy: number | null;
}

interface LabRecord { role: "infer" | "train"; lat_us?: number[]; rate?: number; steps?: number; secs?: number }

/**
 * The request arrival times (µs from the start line) that `lab/colocate.py` measured `count` latencies from: it draws
 * `a += random.Random(seed).expovariate(rate)` until past the duration, with seed 1 unless told otherwise.
 */
export function labArrivalsUs(rate: number, count: number, seed = 1): Float64Array {
  const rnd = new PythonRandom(seed);
  const out = new Float64Array(count);
  let a = 0;
  for (let i = 0; i < count; i++) { a += rnd.expovariate(rate); out[i] = a * 1e6; }
  return out;
}

/**
 * The lab's latencies are rounded to 0.1 µs and timed from each request's target arrival, so recovered completions may
 * step back by a rounding: anything more means the arrivals are not the ones measured from.
 */
const LAB_ROUNDING_US = 0.2;

/** Reads the measured scenarios of one case folder (files `<scenario>[_infer|_train].<n>.json`). */
export function readMeasuredColocation(dir: string): MeasuredScenario[] {
  const records = new Map<string, LabRecord[]>();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const stem = f.replace(/\.\d+\.json$/, "").replace(/_(infer|train)$/, "");
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as LabRecord | LabRecord[];
    const list = records.get(stem) ?? [];
    list.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    records.set(stem, list);
  }
  return [...records.entries()].map(([scenario, list]) => {
    const infer = list.find((r) => r.role === "infer");
    const train = list.find((r) => r.role === "train");
    const lat = infer?.lat_us ? latencyStats(Float64Array.from(infer.lat_us)) : null;
    const split: QueueingSplit | null = infer?.lat_us && infer.rate
      ? queueingSplit(labArrivalsUs(infer.rate, infer.lat_us.length), infer.lat_us, LAB_ROUNDING_US) : null;
    return {
      scenario,
      serviceP50Us: lat?.p50 ?? null,
      serviceP99Us: lat?.p99 ?? null,
      jobItsPerS: train?.steps && train.secs ? train.steps / train.secs : null,
      requests: infer?.lat_us?.length ?? null,
      rate: infer?.rate ?? null,
      durationS: train?.secs ?? null,
      serviceTimeP50Us: split ? latencyStats(split.service).p50 : null,
      busy: split?.busy ?? null,
    };
  });
}

/** Simulated / measured − 1, or null when either is missing (or nothing was measured). */
export const relativeError = (sim: number | null, meas: number | null) => (sim === null || meas === null || meas === 0 ? null : sim / meas - 1);

/** Replays every measured scenario of `dir` with the service and job workloads and compares. */
export async function colocationValidation(dir: string, service: Workload, job: Workload, options: { gpu?: string; seed?: number; durationS?: number; jobGapUs?: number | "recorded" } = {}): Promise<ColocationRow[]> {
  const measured = new Map(readMeasuredColocation(dir).map((m) => [m.scenario, m]));
  const rows: ColocationRow[] = [];
  for (const s of COLOCATION_SCENARIOS) {
    const m = measured.get(s.scenario);
    if (!m) continue;
    const rate = m.rate ?? 300;
    const durationS = options.durationS ?? 12;
    const hp: TenantSpec = { name: "service", trace: service, arrival: { kind: "poisson", ratePerS: rate }, priority: 1 };
    const be: TenantSpec = { name: "job", trace: job, arrival: { kind: "back-to-back" }, priority: 0, limitPct: s.beLimitPct ?? null, gapUs: options.jobGapUs ?? 0 };
    const base = { gpu: options.gpu ?? "h200", policy: s.policy, durationS, seed: options.seed ?? 1 };
    let svc: ServiceSummary | null = null, jb: JobSummary | null = null, split: QueueingSplit | null = null;
    /** The service is tenant 0 of every run below. */
    const splitService = (r: ReplayResult) => queueingSplit(r.arrivals[0]!, r.sim.tenants[0]!.latenciesNs);
    if (s.scenario === "alone") {
      if (m.serviceP50Us !== null) {
        const r = await replay({ ...base, tenants: [hp] });
        svc = r.summary.tenants[0] as ServiceSummary;
        split = splitService(r);
      }
      if (m.jobItsPerS !== null) jb = (await replay({ ...base, tenants: [be] })).summary.tenants[0] as JobSummary;
    } else {
      const r = await replay({ ...base, tenants: [hp, be] });
      svc = r.summary.tenants[0] as ServiceSummary;
      jb = r.summary.tenants[1] as JobSummary;
      split = splitService(r);
    }
    const p50 = svc ? svc.p50_us / 1e3 : null, p99 = svc ? svc.p99_us / 1e3 : null, its = jb ? jb.throughput_its : null;
    const mp50 = m.serviceP50Us === null ? null : m.serviceP50Us / 1e3, mp99 = m.serviceP99Us === null ? null : m.serviceP99Us / 1e3;
    rows.push({
      scenario: s.scenario, policy: s.policy,
      measured_p50_ms: mp50, simulated_p50_ms: p50, p50_error: relativeError(p50, mp50),
      measured_p99_ms: mp99, simulated_p99_ms: p99, p99_error: relativeError(p99, mp99),
      measured_its: m.jobItsPerS, simulated_its: its, its_error: relativeError(its, m.jobItsPerS),
      ...serviceColumns(m, split),
    });
  }
  return rows;
}

/** The service-time and load columns of a row, from the measured scenario and the replay's split (ns). */
function serviceColumns(m: MeasuredScenario, split: QueueingSplit | null) {
  const measured = m.serviceTimeP50Us === null ? null : m.serviceTimeP50Us / 1e3;
  const simulated = split ? latencyStats(split.service).p50 / 1e6 : null;
  return {
    measured_service_ms: measured, simulated_service_ms: simulated, service_error: relativeError(simulated, measured),
    measured_busy: m.busy, simulated_busy: split?.busy ?? null,
  };
}

/** Positions of scenarios when sorted by a column (ascending), for comparing simulated and measured rankings. */
export function rankBy(rows: readonly ColocationRow[], key: keyof ColocationRow): string[] {
  return rows.filter((r) => typeof r[key] === "number").sort((a, b) => (a[key] as number) - (b[key] as number)).map((r) => r.scenario);
}

/**
 * How far one measurement moves from run to run, as a fraction: four runs of one MPS co-location on an H100
 * (`calibrations/train-under-mps-h100`, README part 2) spread 4% in the service's p50 and 2% in training steps/s.
 * Two scenarios measured closer than this have no measured order to check a replay's order against.
 */
export const MEASURED_SPREAD = { p50: 0.04, its: 0.02 } as const;

/** A pair of scenarios the replay orders the other way round from the measurement, and pairs measured too close to order. */
export interface RankingCheck {
  /** [lower, higher] as measured, simulated the other way round. */
  readonly swapped: readonly (readonly [string, string])[];
  /** Pairs measured within `tie` of each other (not checked). */
  readonly ties: readonly (readonly [string, string])[];
}

/**
 * Compares the order of scenarios by a measured column with the order by its simulated column, pair by pair:
 * pairs measured within `tie` (relative to the smaller) are ties, not an order the replay can get wrong.
 */
export function checkRanking(rows: readonly ColocationRow[], measured: keyof ColocationRow, simulated: keyof ColocationRow, tie: number): RankingCheck {
  const swapped: (readonly [string, string])[] = [], ties: (readonly [string, string])[] = [];
  const order = rankBy(rows, measured);
  const byName = new Map(rows.map((r) => [r.scenario, r]));
  for (let i = 0; i < order.length; i++) {
    for (let j = i + 1; j < order.length; j++) {
      const a = byName.get(order[i]!)!, b = byName.get(order[j]!)!;
      const ma = a[measured] as number, mb = b[measured] as number;
      if (mb - ma <= tie * Math.min(Math.abs(ma), Math.abs(mb))) { ties.push([a.scenario, b.scenario]); continue; }
      const sa = a[simulated], sb = b[simulated];
      if (typeof sa === "number" && typeof sb === "number" && sa > sb) swapped.push([a.scenario, b.scenario]);
    }
  }
  return { swapped, ties };
}
