/**
 * Sweep plans for `lithos-replay sweep`: the `SweepPlan` message of `schemas/sweep.proto` (protobuf's JSON mapping)
 * over one experiment file, expanded into points (policy × load × seed × mix, policies outermost), each a scenario
 * of its own. A point's key hashes what its result depends on (the experiment file's bytes, its traces' sizes and
 * modification times, the point, the duration, the package version), so a kept result is reused only when its inputs
 * are the same; after changing the package's code without a new version, start from an empty output folder.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as protobuf from "protobufjs";
import { keepTenants } from "../analysis/sweep";
import { POLICY_NAMES, policyEntry } from "../policies";
import type { ScenarioSpec } from "../replay";
import { packageRoot } from "../util/paths";
import { decodeJsonMessage, schemaType } from "../util/schemas";
import { parseExperiment, type ExperimentSpec } from "../workload/experiment";

function planMessage(): protobuf.Type {
  return schemaType("sweep.proto", "lithos.replay.SweepPlan");
}

/** One combination of the plan. */
export interface PlanPoint {
  readonly policy: string;
  readonly load: number;
  readonly seed: number;
  readonly mix: string;
  /** Indices of the experiment's tenants in this mix. */
  readonly tenants: readonly number[];
}

export interface SweepPlan {
  /** The experiment file, absolute. */
  readonly experimentFile: string;
  readonly experiment: ExperimentSpec;
  readonly durationS: number;
  readonly points: readonly PlanPoint[];
  /** Hash of the experiment file's bytes and the package version (part of every point's key). */
  readonly fingerprint: string;
}

interface PlanJson {
  experiment: string; policies: string[]; loads: number[]; seeds: number[]; mixes: { name: string; tenants: string[] }[]; duration_s: number;
}

/** Parses a plan's JSON text; `file` names it in errors and anchors the experiment's path. */
export function parseSweepPlan(text: string, file: string): SweepPlan {
  const msg = decodeJsonMessage(text, planMessage(), "sweep") as unknown as PlanJson;
  if (!msg.experiment) throw new Error("sweep: experiment is required");
  const experimentFile = path.resolve(path.dirname(path.resolve(file)), msg.experiment);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(experimentFile);
  } catch {
    throw new Error(`sweep.experiment: cannot read ${experimentFile}`);
  }
  let experiment: ExperimentSpec;
  try {
    experiment = parseExperiment(bytes.toString("utf8"), experimentFile);
  } catch (e) {
    throw new Error(`sweep.experiment ${experimentFile}: ${(e as Error).message}`);
  }
  const policies = msg.policies.length === 0 ? [experiment.policy] : msg.policies.includes("all") ? [...POLICY_NAMES] : msg.policies;
  for (const p of policies) {
    try {
      policyEntry(p);
    } catch {
      throw new Error(`sweep.policies: unknown policy "${p}" (known: ${POLICY_NAMES.join(", ")}, all)`);
    }
  }
  const loads = msg.loads.length ? msg.loads : [1];
  for (const l of loads) if (!(l > 0 && Number.isFinite(l))) throw new Error(`sweep.loads: ${l} is not a number > 0`);
  const seeds = msg.seeds.length ? msg.seeds : [experiment.seed];
  const names = experiment.tenants.map((t) => t.name);
  const mixes = msg.mixes.length ? msg.mixes : [{ name: "all", tenants: names }];
  const mixList = mixes.map((m, i) => {
    if (m.tenants.length === 0) throw new Error(`sweep.mixes[${i}]: tenants is empty`);
    const idx = m.tenants.map((n) => {
      const j = names.indexOf(n);
      if (j < 0) throw new Error(`sweep.mixes[${i}]: no tenant "${n}" in the experiment (tenants: ${names.join(", ")})`);
      return j;
    });
    return { name: m.name || m.tenants.join("+"), tenants: [...new Set(idx)].sort((a, b) => a - b) };
  });
  if (new Set(mixList.map((m) => m.name)).size !== mixList.length) throw new Error("sweep.mixes: two mixes have the same name");
  if (msg.duration_s < 0) throw new Error("sweep: duration_s must be > 0");
  const points: PlanPoint[] = [];
  for (const policy of policies) {
    for (const load of loads) for (const seed of seeds) for (const m of mixList) points.push({ policy, load, seed, mix: m.name, tenants: m.tenants });
  }
  const version = JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")).version as string;
  const hash = crypto.createHash("sha256").update(bytes).update(`\0${version}`);
  // A trace replaced under the same name changes the results too: its size and modification time join the key.
  for (const t of experiment.tenants) {
    if (typeof t.trace !== "string") continue;
    const st = fs.statSync(t.trace, { throwIfNoEntry: false });
    hash.update(`\0${t.trace}\0${st ? `${st.size}:${st.mtimeMs}` : "missing"}`);
  }
  const fingerprint = hash.digest("hex");
  return { experimentFile, experiment, durationS: msg.duration_s > 0 ? msg.duration_s : experiment.durationS, points, fingerprint };
}

/** The scenario of one point: the mix's tenants, open-loop rates × load, the point's seed and policy. */
export function pointScenario(plan: SweepPlan, p: PlanPoint): ScenarioSpec {
  const kept = keepTenants(plan.experiment, p.tenants);
  return {
    gpu: kept.gpu,
    policy: p.policy,
    policyOptions: kept.policyOptions,
    durationS: plan.durationS,
    seed: p.seed,
    sloUs: kept.sloUs,
    tenants: kept.tenants.map((t) => {
      const a = t.arrival;
      return a.kind === "poisson" || a.kind === "uniform" ? { ...t, arrival: { ...a, ratePerS: a.ratePerS * p.load } } : t;
    }),
  };
}

/** A point's key: a file name that changes with anything its result depends on. */
export function pointKey(plan: SweepPlan, p: PlanPoint): string {
  const h = crypto.createHash("sha256").update(plan.fingerprint).update(JSON.stringify([p.policy, p.load, p.seed, p.tenants, plan.durationS])).digest("hex");
  return `${p.policy.replace(/[^a-z0-9-]/gi, "_")}-${h.slice(0, 16)}`;
}
