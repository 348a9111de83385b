/**
 * Where a served request's own time goes, measured and replayed: from the host starting it to its first kernel
 * running (waiting for the GPU: a time-sliced context waits out the other context's turn and two switches), from
 * its first kernel's start to its last kernel's end (on the GPU, preemptions included), and from there to the host
 * seeing it complete. The measurement stamps the GPU's global timer around each request
 * (tools/measure/timeslice_stamps.py); the replay records every kernel interval.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { latencyStats } from "../metrics/latency";
import { replay, type ReplayResult, type TenantSpec } from "../replay";
import type { Workload } from "../workload/workload";

/** Per request, µs. */
export interface RequestPhases {
  readonly toGpu: Float64Array;
  readonly onGpu: Float64Array;
  readonly back: Float64Array;
}

export interface PhaseSummary {
  readonly requests: number;
  readonly to_gpu_p50_us: number;
  readonly to_gpu_mean_us: number;
  readonly on_gpu_p50_us: number;
  readonly on_gpu_mean_us: number;
  readonly back_p50_us: number;
  /** Whole own time (the three together). */
  readonly own_p50_us: number;
  readonly own_mean_us: number;
}

interface StampRecord { rate?: number; launch_us?: number[]; start_us?: number[]; end_us?: number[]; done_us?: number[] }

function readStamps(file: string): StampRecord {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as StampRecord;
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
}

/** Reads a timeslice_stamps.py result: the host's launch and completion times and the GPU stamps, one per request. */
export function measuredPhases(file: string): RequestPhases {
  return phasesOf(readStamps(file), file);
}

function phasesOf(r: StampRecord, file: string): RequestPhases {
  const { launch_us: launch, start_us: start, end_us: end, done_us: done } = r;
  if (!launch || !start || !end || !done || launch.length === 0 || [start, end, done].some((a) => a.length !== launch.length)) {
    throw new Error(`${file}: needs launch_us, start_us, end_us and done_us of equal length (tools/measure/timeslice_stamps.py)`);
  }
  const n = launch.length;
  const out = { toGpu: new Float64Array(n), onGpu: new Float64Array(n), back: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    out.toGpu[i] = start[i]! - launch[i]!;
    out.onGpu[i] = end[i]! - start[i]!;
    out.back[i] = done[i]! - end[i]!;
  }
  return out;
}

/**
 * The same phases of a replayed service that takes requests one at a time (tenant `tenant` of a run made with
 * `record`): request i starts when it has arrived and request i − 1 has completed; its kernels are the tenant's
 * intervals between its start and its completion.
 */
export function simulatedPhases(r: ReplayResult, tenant: number): RequestPhases {
  const tl = r.sim.timeline;
  const arrivals = r.arrivals[tenant];
  if (!tl || !arrivals) throw new Error("request phases need a recorded replay (record: true) of a service with arrivals");
  const lat = r.sim.tenants[tenant]!.latenciesNs;
  const n = lat.length;
  // This tenant's intervals in start order (a preempted kernel gives several).
  const idx: number[] = [];
  for (let i = 0; i < tl.count; i++) if (tl.tenant[i] === tenant) idx.push(i);
  idx.sort((a, b) => tl.startNs[a]! - tl.startNs[b]!);
  const out = { toGpu: new Float64Array(n), onGpu: new Float64Array(n), back: new Float64Array(n) };
  let k = 0, previous = -Infinity;
  for (let i = 0; i < n; i++) {
    const completion = arrivals[i]! + lat[i]!;
    const begin = Math.max(arrivals[i]!, previous);
    let first = Infinity, last = -Infinity;
    while (k < idx.length && tl.startNs[idx[k]!]! < completion) {
      first = Math.min(first, tl.startNs[idx[k]!]!);
      last = Math.max(last, tl.endNs[idx[k]!]!);
      k++;
    }
    if (first === Infinity) throw new Error(`request ${i} of tenant ${tenant} ran no kernel`);
    out.toGpu[i] = (first - begin) / 1e3;
    out.onGpu[i] = (last - first) / 1e3;
    out.back[i] = (completion - last) / 1e3;
    previous = completion;
  }
  return out;
}

export function summarizePhases(p: RequestPhases): PhaseSummary {
  const own = p.toGpu.map((v, i) => v + p.onGpu[i]! + p.back[i]!);
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  return {
    requests: own.length,
    to_gpu_p50_us: latencyStats(p.toGpu).p50, to_gpu_mean_us: mean(p.toGpu),
    on_gpu_p50_us: latencyStats(p.onGpu).p50, on_gpu_mean_us: mean(p.onGpu),
    back_p50_us: latencyStats(p.back).p50,
    own_p50_us: latencyStats(own).p50, own_mean_us: mean(own),
  };
}

export interface PhaseRow {
  readonly scenario: string;
  readonly policy: string;
  readonly measured: PhaseSummary;
  readonly simulated: PhaseSummary;
}

/** The stamped scenarios (tools/measure/timeslice_stamps.py: alone, and beside `colocate.py train` or its thread). */
export const STAMPED_SCENARIOS: readonly { scenario: string; policy: string; withJob: boolean }[] = [
  { scenario: "alone", policy: "mps", withJob: false },
  { scenario: "timeslice", policy: "timeslice", withJob: true },
  { scenario: "mps", policy: "mps", withJob: true },
  // One process: the service on a high-priority stream, the training on a low-priority one (timeslice_stamps.py prio).
  { scenario: "prio", policy: "priority", withJob: true },
];

/**
 * Replays each stamped scenario of `dir` (`<scenario>.1.json` the service's stamps, with its `rate`) with the service
 * and job workloads, recording kernels, and sets the phases side by side.
 */
export async function phaseValidation(dir: string, service: Workload, job: Workload, options: { gpu?: string; seed?: number; durationS?: number } = {}): Promise<PhaseRow[]> {
  const rows: PhaseRow[] = [];
  for (const s of STAMPED_SCENARIOS) {
    const file = path.join(dir, `${s.scenario}.1.json`);
    if (!fs.existsSync(file)) continue;
    const record = readStamps(file);
    const measured = phasesOf(record, file);
    const rate = record.rate;
    if (!(rate! > 0)) throw new Error(`${file}: no request rate`);
    const tenants: TenantSpec[] = [{ name: "service", trace: service, arrival: { kind: "poisson", ratePerS: rate! }, priority: 1 }];
    if (s.withJob) tenants.push({ name: "job", trace: job, arrival: { kind: "back-to-back" } });
    const r = await replay({ gpu: options.gpu ?? "h200", policy: s.policy, tenants, durationS: options.durationS ?? 12, seed: options.seed ?? 1, record: true });
    rows.push({ scenario: s.scenario, policy: s.policy, measured: summarizePhases(measured), simulated: summarizePhases(simulatedPhases(r, 0)) });
  }
  if (rows.length === 0) throw new Error(`${dir}: no stamped scenarios (${STAMPED_SCENARIOS.map((s) => `${s.scenario}.1.json`).join(", ")})`);
  return rows;
}
