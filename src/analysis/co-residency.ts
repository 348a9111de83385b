/**
 * The co-residency microbenchmark (tools/measure/coresidency.py, carveout.py) replayed, and the engine's per-kernel
 * co-resident delay fitted on it. A service's CUDA-graph requests run one at a time (closed loop), alone and beside a
 * co-runner whose small blocks leave room on every SM, so the service's blocks share SMs with them instead of
 * waiting for them. Co-runners: blocks that sleep (`nanosleep`: they hold their slots and issue almost nothing),
 * FMA spinners (issue-bound) and L2 pointer chasers.
 *
 * The delay is fitted on the one-process sleeping rows only: they isolate what the engine's term stands for (a
 * kernel's start delayed by other tenants' resident blocks). The spinning rows add contention for issue slots (FMA)
 * and L2 (chase): the engine's issue contention (src/sim/engine.ts `issueContention`, scaled by the co-runner's
 * eligible warps per SM) is fitted on the one-process FMA rows, at the fitted delay; the chase rows are what the
 * engine misses for L2.
 * The MPS rows (`mps/`, tools/measure/mps_coresidency.sh: service and co-runner as two MPS clients, the co-runner
 * also at 25% active threads) check the fit out of sample. The co-location runs (shared/calibration/h200/colocation
 * and the held-out ones) stay out of it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { specForDeviceName } from "../gpu/specs";
import { replay, type TenantSpec } from "../replay";
import type { Workload } from "../workload/workload";

interface Stats { p50_us: number }
interface MeasuredRow { co_runner: string; kind?: string; svc_with: Stats; co_alone_its: number; co_with_its: number }
/** One measurement file (`coresidency_<service>.json` or `carveout_<service>.json`). */
interface MeasuredFile { role: "coresidency" | "carveout"; gpu: string; sms: number; model: string; svc_alone: Stats; rows: MeasuredRow[] }

/** One condition: a service beside one co-runner, measured. */
export interface CoResidencyRow {
  readonly service: string;
  /** `one process` (two streams), `MPS` (two clients), or `MPS 25%` (the co-runner at 25% active threads). */
  readonly setting: "one process" | "MPS" | "MPS 25%";
  /** Whether the delay is fitted on this row: the one-process sleeping rows. */
  readonly fitted: boolean;
  /**
   * Whether the issue contention is fitted on this row: the one-process FMA rows (issue-bound). The L2 chasers'
   * warps mostly wait on loads; what they cost a service goes through L2, which the engine does not model.
   */
  readonly fittedIssue: boolean;
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
/** The co-runner of mps_coresidency.sh's conditions, and the active-thread percentage it ran at. */
const MPS_CONDITIONS: Record<string, { coRunner: string; pct: number | null }> = {
  sleep: { coRunner: "sleep_w8_b4", pct: null }, sleep25: { coRunner: "sleep_w8_b4", pct: 25 }, fma: { coRunner: "fma_w4_b1", pct: null },
};

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;

/** Reads every measurement file of a folder; throws with the file and the cause on anything malformed. */
export function readCoResidency(dir: string): CoResidencySet {
  // `_2`, `_3`: repeats of a file's measurement in later runs.
  const files = fs.readdirSync(dir).filter((f) => /^(coresidency|carveout)_[a-z0-9]+(_[0-9]+)?\.json$/.test(f)).sort();
  if (files.length === 0) throw new Error(`${dir}: no coresidency_<service>.json or carveout_<service>.json (tools/measure/coresidency.py writes them)`);
  const rows: CoResidencyRow[] = [];
  let gpu = "";
  for (const f of files) {
    const file = path.join(dir, f);
    const m = readJson<MeasuredFile>(file);
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
        service: m.model, setting: "one process", fitted: kind === "sleep", fittedIssue: kind === "fma", coRunner: r.co_runner, kind,
        trace: path.join(dir, `${m.model}_${traceName}.pt.trace.json.gz`),
        measuredSlowdown: r.svc_with.p50_us / m.svc_alone.p50_us,
        measuredCoRunner: r.co_with_its / r.co_alone_its,
      });
    }
  }
  rows.push(...readMpsRows(path.join(dir, "mps"), gpu));
  return { gpu, rows };
}

/** The MPS conditions (`mps/mps_<service>_<condition>.json` and `…_co.json`), if the folder has them. */
function readMpsRows(dir: string, gpu: string): CoResidencyRow[] {
  if (!fs.existsSync(dir)) return [];
  const rows: CoResidencyRow[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => /^mps_[a-z0-9]+_alone\.json$/.test(n)).sort()) {
    const service = f.slice(4, -"_alone.json".length);
    const alone = readJson<{ p50_us: number; gpu: string }>(path.join(dir, f));
    if (!(alone.p50_us > 0)) throw new Error(`${path.join(dir, f)}: not a service measurement`);
    if (alone.gpu !== gpu) throw new Error(`${path.join(dir, f)}: measured on ${alone.gpu}, the folder's other files on ${gpu}`);
    for (const [cond, c] of Object.entries(MPS_CONDITIONS)) {
      const svcFile = path.join(dir, `mps_${service}_${cond}.json`), coFile = path.join(dir, `mps_${service}_${cond}_co.json`);
      if (!fs.existsSync(svcFile)) continue;
      const svc = readJson<{ p50_us: number }>(svcFile), co = readJson<{ its: number; launch_us: number; per_iter?: number }>(coFile);
      if (!(svc.p50_us > 0) || !(co.its > 0) || !(co.launch_us > 0)) throw new Error(`${svcFile}: malformed measurement`);
      const kind = KINDS.find((k) => c.coRunner.startsWith(`${k}_`))!;
      rows.push({
        service, setting: c.pct === null ? "MPS" : "MPS 25%", fitted: false, fittedIssue: false, coRunner: c.coRunner, kind,
        trace: path.join(dir, "..", `${service}_${c.coRunner}.pt.trace.json.gz`),
        measuredSlowdown: svc.p50_us / alone.p50_us,
        // Its rate alone was not measured in this run: 8 launches of its calibrated length per iteration.
        measuredCoRunner: co.its / (1e6 / (8 * co.launch_us)),
      });
    }
  }
  return rows;
}

export interface CoResidencyCondition extends CoResidencyRow {
  /** Service slowdown simulated with neither term, with the delay only, and with the delay and the issue contention. */
  readonly simulatedNoDelay: number;
  readonly simulatedDelayOnly: number;
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
  /** Fitted issue contention (slowdown per eligible warp of another tenant per warp scheduler), its rms log error and rows. */
  readonly issueContention: number;
  readonly issueRmsLogError: number;
  readonly issueFittedRows: number;
  readonly conditions: CoResidencyCondition[];
}

const PROBE_US = 8;
const PROBE_ISSUE = 0.5;

/** Best value on a grid from 0 to `max` in steps of `step` for a sum of squared errors. */
function gridFit(sq: (v: number) => number, max: number, step: number): number {
  let best = Infinity, at = 0;
  for (let i = 0; i * step <= max + 1e-9; i++) {
    const e = sq(i * step);
    if (e < best) { best = e; at = i * step; }
  }
  return at;
}

/** Squared log error of lines `at0 + slope · v` against each row's measured slowdown. */
const sqLog = (lines: readonly RowLine[], v: number) => lines.reduce((s, l) => s + Math.log((l.at0 + l.slope * v) / l.row.measuredSlowdown) ** 2, 0);

/**
 * Replays every row at delay 0 and at `PROBE_US`, fits the delay that minimises the squared log error of the
 * sleeping rows' slowdown on those lines (a grid of 0.01 µs); then, at that delay, the spinning rows at issue
 * contention 0 and `PROBE_ISSUE`, and fits the issue contention the same way (a grid of 0.01). Finally every row is
 * replayed at both. `delayUs` or `issueContention` given: that one is not fitted.
 */
export async function coResidencyFit(set: CoResidencySet, services: Record<string, Workload>, load: (trace: string) => Promise<Workload>, options: { gpu?: string; delayUs?: number; issueContention?: number; durationS?: number } = {}): Promise<CoResidencyFit> {
  const gpu = options.gpu ?? specForDeviceName(set.gpu)!.key;
  // mps-limit: MPS that honours an active-thread percentage (none given: plain MPS).
  const base = { gpu, durationS: options.durationS ?? 1, seed: 1, policy: "mps-limit", coResidentSlowdown: 0, issueContention: 0 };
  const svc = (w: Workload): TenantSpec => ({ name: "service", trace: w, arrival: { kind: "closed-loop", concurrency: 1 } });
  const coTenant = (w: Workload, pct: number | null = null): TenantSpec => ({ name: "co-runner", trace: w, arrival: { kind: "back-to-back" }, gapUs: 0, limitPct: pct });
  const pctOf = (row: CoResidencyRow) => (row.setting === "MPS 25%" ? 25 : null);
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
  const slowdown = async (row: CoResidencyRow, d: number, issue: number) => p50(await replay({ ...base, coResidentDelayUs: d, issueContention: issue, tenants: [svc(serviceOf(row.service)), coTenant(await workload(row.trace), pctOf(row))] })) / alone.get(row.service)!;
  const lines: RowLine[] = [];
  for (const row of set.rows) {
    const co = await workload(row.trace);
    const at = (d: number) => slowdown(row, d, 0);
    const at0 = await at(0);
    lines.push({ row, at0, slope: ((await at(PROBE_US)) - at0) / PROBE_US });
    const coKey = `${row.trace} ${pctOf(row)}`;
    if (!coAlone.has(coKey)) coAlone.set(coKey, its(await replay({ ...base, coResidentDelayUs: 0, tenants: [coTenant(co, pctOf(row))] }), 0));
  }
  const fitted = lines.filter((l) => l.row.fitted);
  let delayUs = options.delayUs ?? 0;
  if (options.delayUs === undefined) {
    if (fitted.length === 0) throw new Error("no one-process sleeping co-runner rows to fit the delay on");
    delayUs = Math.round(gridFit((d) => sqLog(fitted, d), 50, 0.01) * 100) / 100;
  }
  // The issue contention, on the FMA rows at the fitted delay (sleepers issue nothing: it leaves them alone).
  const delayOnly = new Map<CoResidencyRow, number>();
  for (const row of set.rows) delayOnly.set(row, await slowdown(row, delayUs, 0));
  const issueLines: RowLine[] = [];
  for (const row of set.rows.filter((r) => r.fittedIssue)) {
    const at0 = delayOnly.get(row)!;
    issueLines.push({ row, at0, slope: ((await slowdown(row, delayUs, PROBE_ISSUE)) - at0) / PROBE_ISSUE });
  }
  let issueContention = options.issueContention ?? 0;
  if (options.issueContention === undefined) {
    if (issueLines.length === 0) throw new Error("no one-process FMA co-runner rows to fit the issue contention on");
    issueContention = Math.round(gridFit((v) => sqLog(issueLines, v), 10, 0.01) * 100) / 100;
  }
  const conditions: CoResidencyCondition[] = [];
  for (const l of lines) {
    const both = await replay({ ...base, coResidentDelayUs: delayUs, issueContention, tenants: [svc(serviceOf(l.row.service)), coTenant(await workload(l.row.trace), pctOf(l.row))] });
    conditions.push({ ...l.row, simulatedNoDelay: l.at0, simulatedDelayOnly: delayOnly.get(l.row)!, simulatedSlowdown: p50(both) / alone.get(l.row.service)!, simulatedCoRunner: its(both, 1) / coAlone.get(`${l.row.trace} ${pctOf(l.row)}`)! });
  }
  const rms = (ls: readonly RowLine[], v: number) => (ls.length > 0 ? Math.sqrt(sqLog(ls, v) / ls.length) : NaN);
  // The issue term is fitted on lines through two replays, but the co-runner slows too, so the error is taken from
  // the replays at the fitted value.
  const issueRows = conditions.filter((c) => c.fittedIssue);
  const issueRms = issueRows.length > 0 ? Math.sqrt(issueRows.reduce((s, c) => s + Math.log(c.simulatedSlowdown / c.measuredSlowdown) ** 2, 0) / issueRows.length) : NaN;
  return {
    delayUs, rmsLogError: rms(fitted, delayUs), fittedRows: fitted.length,
    issueContention, issueRmsLogError: issueRms, issueFittedRows: issueLines.length, conditions,
  };
}
