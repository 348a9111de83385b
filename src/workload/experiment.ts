/**
 * Experiment files for `lithos-replay run`: the `Experiment` message of `schemas/experiment.proto` in
 * protobuf's JSON mapping, read with protobufjs and turned into a `ScenarioSpec`. Paths in the file are
 * relative to the file.
 */
import * as path from "node:path";
import * as protobuf from "protobufjs";
import type { ScenarioSpec, TenantSpec } from "../replay";
import { packageRoot } from "../util/paths";
import { parseSplitOption } from "./split";

let experimentType: protobuf.Type | undefined;

/** The `lithos.replay.Experiment` message type, field names kept in snake_case. */
export function experimentMessage(): protobuf.Type {
  if (!experimentType) {
    const root = new protobuf.Root();
    root.loadSync(path.join(packageRoot(), "schemas", "experiment.proto"), { keepCase: true });
    experimentType = root.lookupType("lithos.replay.Experiment");
  }
  return experimentType;
}

interface ExperimentJson {
  gpu: string; policy: string; duration_s: number; seed: number | { toNumber(): number }; slo_us: number;
  tenants: {
    name: string; trace: string; arrival?: string; poisson?: { rate_per_s: number }; uniform?: { rate_per_s: number };
    arrivals_file?: string; back_to_back?: object; closed_loop?: { concurrency: number }; priority: number; limit_pct: number;
    split: string; mig_profile: string; quota_pct?: number;
  }[];
  policy_options?: { slice_us: number; switch_us: number };
}

/** Checks every field name against the schema (protobufjs's fromObject drops unknown ones silently). */
function checkFields(obj: unknown, type: protobuf.Type, where: string): void {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new Error(`${where}: expected an object`);
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key];
    if (!field) throw new Error(`${where}: unknown field "${key}" (known: ${Object.keys(type.fields).join(", ")})`);
    field.resolve();
    if (field.resolvedType instanceof protobuf.Type) {
      const items = field.repeated ? (Array.isArray(value) ? value : [value]) : [value];
      items.forEach((v, i) => checkFields(v, field.resolvedType as protobuf.Type, field.repeated ? `${where}.${key}[${i}]` : `${where}.${key}`));
    }
  }
}

/** Parses an experiment's JSON text; `file` names it in errors and anchors relative paths. */
export function parseExperiment(text: string, file: string): ScenarioSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`);
  }
  const type = experimentMessage();
  checkFields(json, type, "experiment");
  const bad = type.verify(json as Record<string, unknown>);
  if (bad) throw new Error(`experiment: ${bad}`);
  const msg = type.toObject(type.fromObject(json as Record<string, unknown>), { defaults: true, oneofs: true, longs: Number }) as ExperimentJson;
  const dir = path.dirname(path.resolve(file));
  const at = (p: string) => (path.isAbsolute(p) ? p : path.join(dir, p));
  if (!msg.gpu) throw new Error("experiment: gpu is required");
  if (!msg.policy) throw new Error("experiment: policy is required");
  if (!(msg.duration_s > 0)) throw new Error("experiment: duration_s must be > 0");
  if (msg.tenants.length === 0) throw new Error("experiment: tenants is empty");
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
  const po = msg.policy_options;
  return {
    gpu: msg.gpu,
    policy: msg.policy,
    durationS: msg.duration_s,
    seed: typeof msg.seed === "number" ? msg.seed : msg.seed.toNumber(),
    sloUs: msg.slo_us > 0 ? msg.slo_us : null,
    tenants,
    policyOptions: {
      mig: profiles.every((p) => p) ? { profiles } : undefined,
      timeslice: po ? { sliceNs: po.slice_us > 0 ? po.slice_us * 1e3 : undefined, switchNs: po.switch_us > 0 ? po.switch_us * 1e3 : undefined } : undefined,
    },
  };
}
