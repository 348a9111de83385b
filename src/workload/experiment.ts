/**
 * Experiment files for `lithos-replay run`: the `Experiment` message of `schemas/experiment.proto` in
 * protobuf's JSON mapping, read with protobufjs and turned into a `ScenarioSpec`. Paths in the file are
 * relative to the file.
 */
import * as path from "node:path";
import type * as protobuf from "protobufjs";
import type { LithosOptions } from "../policies/lithos";
import type { ScenarioSpec, TenantSpec } from "../replay";
import { decodeJsonMessage, schemaType } from "../util/schemas";
import { parseSplitOption } from "./split";

/** The `lithos.replay.Experiment` message type, field names kept in snake_case. */
export function experimentMessage(): protobuf.Type {
  return schemaType("experiment.proto", "lithos.replay.Experiment");
}

/** One parameter of a `compare` sweep and its values (schemas/experiment.proto, message Sweep). */
export interface SweepSpec {
  readonly key: string;
  readonly values: readonly string[];
}

/** An experiment file: the scenario, plus what `compare` reads. */
export interface ExperimentSpec extends ScenarioSpec {
  /** SLO of each service as a multiple of its p50 alone, or null (then `sloUs` applies). */
  readonly sloX: number | null;
  /** `compare`: systems to run (empty: all registered) and sweeps (trace values already resolved against the file). */
  readonly compare: { readonly systems: readonly string[]; readonly sweeps: readonly SweepSpec[] };
}

interface ExperimentJson {
  gpu: string; policy: string; duration_s: number; seed: number | { toNumber(): number }; slo_us: number; slo_x: number;
  tenants: {
    name: string; trace: string; arrival?: string; poisson?: { rate_per_s: number }; uniform?: { rate_per_s: number };
    arrivals_file?: string; back_to_back?: object; closed_loop?: { concurrency: number }; priority: number; limit_pct: number;
    split: string; mig_profile: string; quota_pct?: number; mig_instance?: number;
  }[];
  policy_options?: {
    slice_us: number; switch_us: number; atom_us: number; rightsizing_slip: number; dvfs_k: number;
    right_sizing?: boolean; dvfs?: boolean; atomization?: boolean; stealing?: boolean;
  };
  compare?: { systems: string[]; sweeps: { key: string; values: string[] }[] };
}

/** LithOS options set in the file; unset ones are left out, so the variant's own defaults stay. */
function lithosOptions(po: NonNullable<ExperimentJson["policy_options"]>): LithosOptions | undefined {
  if (po.atom_us < 0) throw new Error("experiment.policy_options: atom_us must be > 0");
  if (po.rightsizing_slip !== 0 && !(po.rightsizing_slip >= 1)) throw new Error("experiment.policy_options: rightsizing_slip must be ≥ 1");
  if (po.dvfs_k < 0) throw new Error("experiment.policy_options: dvfs_k must be > 0");
  const o: { -readonly [K in keyof LithosOptions]: LithosOptions[K] } = {};
  if (po.atom_us > 0) o.atomUs = po.atom_us;
  if (po.rightsizing_slip > 0) o.slip = po.rightsizing_slip;
  if (po.dvfs_k > 0) o.dvfsK = po.dvfs_k;
  if (po.right_sizing !== undefined) o.rightSizing = po.right_sizing;
  if (po.dvfs !== undefined) o.dvfs = po.dvfs;
  if (po.atomization !== undefined) o.atomization = po.atomization;
  if (po.stealing !== undefined) o.stealing = po.stealing;
  return Object.keys(o).length ? o : undefined;
}

/** Parses an experiment's JSON text; `file` names it in errors and anchors relative paths. */
export function parseExperiment(text: string, file: string): ExperimentSpec {
  const msg = decodeJsonMessage(text, experimentMessage(), "experiment") as unknown as ExperimentJson;
  const dir = path.dirname(path.resolve(file));
  const at = (p: string) => (path.isAbsolute(p) ? p : path.join(dir, p));
  if (!msg.gpu) throw new Error("experiment: gpu is required");
  if (!msg.policy) throw new Error("experiment: policy is required");
  if (!(msg.duration_s > 0)) throw new Error("experiment: duration_s must be > 0");
  if (msg.tenants.length === 0) throw new Error("experiment: tenants is empty");
  if (msg.slo_x < 0) throw new Error("experiment: slo_x must be > 0");
  const tenants: TenantSpec[] = msg.tenants.map((t, i) => {
    const where = `experiment.tenants[${i}]`;
    if (!t.trace) throw new Error(`${where}: trace is required`);
    let arrival: TenantSpec["arrival"];
    if (t.arrival === "poisson") arrival = { kind: "poisson", ratePerS: t.poisson!.rate_per_s };
    else if (t.arrival === "uniform") arrival = { kind: "uniform", ratePerS: t.uniform!.rate_per_s };
    else if (t.arrival === "arrivals_file") arrival = { kind: "file", path: at(t.arrivals_file!) };
    else if (t.arrival === "back_to_back") arrival = { kind: "back-to-back" };
    else if (t.arrival === "closed_loop") arrival = { kind: "closed-loop", concurrency: t.closed_loop!.concurrency };
    else throw new Error(`${where}: give one arrival: poisson, uniform, arrivals_file, closed_loop or back_to_back`);
    if (arrival.kind === "closed-loop" && !(arrival.concurrency >= 1)) throw new Error(`${where}: closed_loop.concurrency must be ≥ 1`);
    if (t.quota_pct !== undefined && !(t.quota_pct >= 0 && t.quota_pct <= 100)) throw new Error(`${where}: quota_pct must be in 0-100`);
    if ((arrival.kind === "poisson" || arrival.kind === "uniform") && !(arrival.ratePerS > 0)) throw new Error(`${where}: rate_per_s must be > 0`);
    if (t.limit_pct < 0 || t.limit_pct > 100) throw new Error(`${where}: limit_pct must be in 0-100`);
    let split: TenantSpec["split"];
    try {
      split = parseSplitOption(t.split);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    return {
      name: t.name || `tenant${i}`,
      trace: at(t.trace),
      arrival,
      priority: t.priority,
      limitPct: t.limit_pct > 0 ? t.limit_pct : null,
      quotaPct: t.quota_pct ?? null,
      split,
    };
  });
  const profiles = msg.tenants.map((t) => t.mig_profile);
  const grouped = msg.tenants.some((t) => t.mig_instance !== undefined);
  // Tenants without mig_instance get an instance of their own (numbers past any given).
  const top = Math.max(0, ...msg.tenants.map((t) => (t.mig_instance ?? 0) + 1));
  const instances = msg.tenants.map((t, i) => t.mig_instance ?? top + i);
  const named = grouped ? profiles.some((p) => p) : profiles.every((p) => p);
  const po = msg.policy_options;
  const names = new Set(tenants.map((t) => t.name));
  const sweeps = (msg.compare?.sweeps ?? []).map((sw, i) => {
    const where = `experiment.compare.sweeps[${i}]`;
    if (!sw.key) throw new Error(`${where}: key is required`);
    if (sw.values.length === 0) throw new Error(`${where}: values is empty`);
    const dot = sw.key.lastIndexOf(".");
    const isTrace = dot > 0 && sw.key.slice(dot + 1) === "trace" && names.has(sw.key.slice(0, dot));
    return { key: sw.key, values: isTrace ? sw.values.map(at) : [...sw.values] };
  });
  return {
    gpu: msg.gpu,
    policy: msg.policy,
    durationS: msg.duration_s,
    seed: typeof msg.seed === "number" ? msg.seed : msg.seed.toNumber(),
    sloUs: msg.slo_us > 0 ? msg.slo_us : null,
    sloX: msg.slo_x > 0 ? msg.slo_x : null,
    tenants,
    policyOptions: {
      mig: named ? { profiles, instances: grouped ? instances : undefined } : grouped ? { instances } : undefined,
      timeslice: po ? { sliceNs: po.slice_us > 0 ? po.slice_us * 1e3 : undefined, switchNs: po.switch_us > 0 ? po.switch_us * 1e3 : undefined } : undefined,
      lithos: po ? lithosOptions(po) : undefined,
    },
    compare: { systems: msg.compare?.systems ?? [], sweeps },
  };
}
