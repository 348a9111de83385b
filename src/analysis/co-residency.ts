/**
 * The co-residency microbenchmark (tools/measure/coresidency.py, carveout.py) replayed, and the engine's per-kernel
 * co-resident delay fitted on it. A service's CUDA-graph requests run one at a time (closed loop), alone and beside a
 * co-runner whose small blocks leave room on every SM, so the service's blocks share SMs with them instead of
 * waiting for them. Co-runners: blocks that sleep (`nanosleep`: they hold their slots and issue almost nothing),
 * FMA spinners (issue-bound) and L2 pointer chasers.
 *
 * The delay is fitted on the sleeping rows only: they isolate what the engine's term stands for (a kernel's start
 * delayed by other tenants' resident blocks). The spinning rows add contention for issue slots and L2, which the
 * engine does not model; they are replayed at the fitted delay and reported as what the model misses. The
 * co-location runs (shared/calibration/h200/colocation and the held-out ones) stay out of it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { gpuSpec, specForDeviceName } from "../gpu/specs";
import { replay, type TenantSpec } from "../replay";
import type { Workload } from "../workload/workload";

interface Stats { p50_us: number }
interface MeasuredRow { co_runner: string; kind?: string; svc_with: Stats; co_alone_its: number; co_with_its: number }
/** One measurement file (`coresidency_<service>.json` or `carveout_<service>.json`). */
interface MeasuredFile { role: "coresidency" | "carveout"; gpu: string; sms: number; model: string; svc_alone: Stats; rows: MeasuredRow[] }

/** One condition: a service beside one co-runner, measured. */
export interface CoResidencyRow {
  readonly service: string;
  /** The co-runner as measured (`sleep_w8_b4`, `sleep_smem32k`, `fma_w4_b1`, …). */
  readonly coRunner: string;
  readonly kind: "sleep" | "fma" | "chase";
  /** Kineto trace of the co-runner the replay uses (carveout.py's sleepers: the Triton sleeper of the same run's geometry). */
  readonly trace: string;
  /** Service request time (p50) beside the co-runner over alone. */
  readonly measuredSlowdown: number;
  /** Co-runner iterations/s beside the service over alone. */
  readonly measuredCoRunner: number;
}

export interface CoResidencySet { gpu: string; rows: CoResidencyRow[] }

const KINDS = ["sleep", "fma", "chase"] as const;

/** Reads every measurement file of a folder; throws with the file and the cause on anything malformed. */
export function readCoResidency(dir: string): CoResidencySet {
  const files = fs.readdirSync(dir).filter((f) => /^(coresidency|carveout)_[a-z0-9]+\.json$/.test(f)).sort();
  if (files.length === 0) throw new Error(`${dir}: no coresidency_<service>.json or carveout_<service>.json (tools/measure/coresidency.py writes them)`);
  const rows: CoResidencyRow[] = [];
  let gpu = "";
  for (const f of files) {
    const file = path.join(dir, f);
    const m = JSON.parse(fs.readFileSync(file, "utf8")) as MeasuredFile;
    if ((m.role !== "coresidency" && m.role !== "carveout") || !(m.svc_alone?.p50_us > 0) || !Array.isArray(m.rows) || typeof m.model !== "string") throw new Error(`${file}: not a co-residency measurement`);
    if (specForDeviceName(m.gpu) === null) throw new Error(`${file}: measured on "${String(m.gpu)}", a GPU this package has no spec of`);
    if (gpu !== "" && m.gpu !== gpu) throw new Error(`${file}: measured on ${m.gpu}, the folder's other files on ${gpu}`);
    gpu = m.gpu;
    for (const r of m.rows) {
      if (!(r.svc_with?.p50_us > 0) || !(r.co_alone_its > 0) || !(r.co_with_its >= 0) || typeof r.co_runner !== "string") throw new Error(`${file}: malformed row ${JSON.stringify(r).slice(0, 80)}`);
      // carveout.py's rows are all sleepers (with different shared-memory requests), without a trace of their own.
      const kind = m.role === "carveout" ? "sleep" : KINDS.find((k) => r.co_runner.startsWith(`${k}_`));
      if (kind === undefined) throw new Error(`${file}: unknown co-runner ${r.co_runner}`);
      const traceName = m.role === "carveout" ? "sleep_w8_b4" : r.co_runner;
      rows.push({
        service: m.model, coRunner: r.co_runner, kind,
        trace: path.join(dir, `${m.model}_${traceName}.pt.trace.json.gz`),
        measuredSlowdown: r.svc_with.p50_us / m.svc_alone.p50_us,
        measuredCoRunner: r.co_with_its / r.co_alone_its,
      });
    }
  }
  return { gpu, rows };
}

export interface CoResidencyCondition extends CoResidencyRow {
  /** Service slowdown simulated at delay 0 and at the delay given. */
  readonly simulatedNoDelay: number;
  readonly simulatedSlowdown: number;
  readonly simulatedCoRunner: number;
}

/** Where a row's simulated slowdown lies against the delay: a line (the replay is linear in it to within a percent). */
interface RowLine { row: CoResidencyRow; at0: number; slope: number }

export interface CoResidencyFit {
  /** Fitted delay, µs per kernel whose SMs all hold another tenant's blocks. */
  readonly delayUs: number;
  /** Root-mean-square error of log slowdown over the rows fitted on, and how many. */
  readonly rmsLogError: number;
  readonly fittedRows: number;
  readonly conditions: CoResidencyCondition[];
}

const PROBE_US = 8;

/**
 * Replays every row at delay 0 and at `PROBE_US`, fits the delay that minimises the squared log error of the
 * sleeping rows' slowdown on those lines (a grid of 0.01 µs), then replays every row at the fitted delay (or at
 * `delayUs` when given: no fit).
 */
export async function coResidencyFit(set: CoResidencySet, services: Record<string, Workload>, load: (trace: string) => Promise<Workload>, options: { gpu?: string; delayUs?: number; durationS?: number } = {}): Promise<CoResidencyFit> {
  const gpu = options.gpu ?? specForDeviceName(set.gpu)!.key;
  gpuSpec(gpu);
  const base = { gpu, durationS: options.durationS ?? 1, seed: 1, policy: "mps", coResidentSlowdown: 0 };
  const svc = (w: Workload): TenantSpec => ({ name: "service", trace: w, arrival: { kind: "closed-loop", concurrency: 1 } });
  const coTenant = (w: Workload): TenantSpec => ({ name: "co-runner", trace: w, arrival: { kind: "back-to-back" }, gapUs: 0 });
  const p50 = (r: Awaited<ReturnType<typeof replay>>) => (r.summary.tenants[0] as { p50_us: number }).p50_us;
  const its = (r: Awaited<ReturnType<typeof replay>>, i: number) => (r.summary.tenants[i] as { throughput_its: number }).throughput_its;
  const alone = new Map<string, number>(), coAlone = new Map<string, number>(), traces = new Map<string, Workload>();
  const workload = async (t: string) => traces.get(t) ?? traces.set(t, await load(t)).get(t)!;
  const serviceOf = (name: string) => {
    const w = services[name];
    if (w === undefined) throw new Error(`no service trace given for "${name}"`);
    return w;
  };
  for (const name of new Set(set.rows.map((r) => r.service))) alone.set(name, p50(await replay({ ...base, coResidentDelayUs: 0, tenants: [svc(serviceOf(name))] })));
  const lines: RowLine[] = [];
  for (const row of set.rows) {
    const co = await workload(row.trace);
    const at = async (d: number) => p50(await replay({ ...base, coResidentDelayUs: d, tenants: [svc(serviceOf(row.service)), coTenant(co)] })) / alone.get(row.service)!;
    const at0 = await at(0);
    lines.push({ row, at0, slope: ((await at(PROBE_US)) - at0) / PROBE_US });
    if (!coAlone.has(row.trace)) coAlone.set(row.trace, its(await replay({ ...base, coResidentDelayUs: 0, tenants: [coTenant(co)] }), 0));
  }
  const fitted = lines.filter((l) => l.row.kind === "sleep");
  const sq = (d: number) => fitted.reduce((s, l) => s + Math.log((l.at0 + l.slope * d) / l.row.measuredSlowdown) ** 2, 0);
  let delayUs = options.delayUs ?? 0;
  if (options.delayUs === undefined) {
    if (fitted.length === 0) throw new Error("no sleeping co-runner rows to fit the delay on");
    let best = Infinity;
    for (let d = 0; d <= 50 + 1e-9; d += 0.01) {
      const e = sq(d);
      if (e < best) { best = e; delayUs = Math.round(d * 100) / 100; }
    }
  }
  const conditions: CoResidencyCondition[] = [];
  for (const l of lines) {
    const both = await replay({ ...base, coResidentDelayUs: delayUs, tenants: [svc(serviceOf(l.row.service)), coTenant(await workload(l.row.trace))] });
    conditions.push({ ...l.row, simulatedNoDelay: l.at0, simulatedSlowdown: p50(both) / alone.get(l.row.service)!, simulatedCoRunner: its(both, 1) / coAlone.get(l.row.trace)! });
  }
  return { delayUs, rmsLogError: fitted.length > 0 ? Math.sqrt(sq(delayUs) / fitted.length) : NaN, fittedRows: fitted.length, conditions };
}
