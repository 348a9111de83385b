/**
 * Sweeps of `compare`: one or more parameters, each with a list of values, turned into scenario points (every
 * combination, the first sweep outermost) and applied to a scenario. Keys:
 * - `lithos.slip`, `lithos.dvfs_k`, `lithos.atom_us`: a LithOS option (lithos, +tpc, +atom only). A number sets it
 *   and switches its mechanism on (right-sizing, DVFS, atomization); "off" switches the mechanism off.
 * - `tenant`: keep only the named tenant (each tenant alone).
 * - `<tenant>.trace`: that tenant's trace file.
 * The first value of every `lithos.*` sweep is the baseline of the "saved" and "vs baseline" columns.
 * Used by src/analysis/compare.ts and the compare command; pure.
 */
import { LITHOS_VARIANTS, type LithosOptions } from "../policies/lithos";
import type { ScenarioSpec, TenantSpec } from "../replay";
import type { SweepSpec } from "../workload/experiment";

export type { SweepSpec } from "../workload/experiment";

/** One combination of sweep values: key → value; empty without sweeps. */
export type SweepPoint = Readonly<Record<string, string>>;

const LITHOS_KEYS: Readonly<Record<string, { option: keyof LithosOptions; mechanism: keyof LithosOptions; min: number }>> = {
  "lithos.slip": { option: "slip", mechanism: "rightSizing", min: 1 },
  "lithos.dvfs_k": { option: "dvfsK", mechanism: "dvfs", min: 0 },
  "lithos.atom_us": { option: "atomUs", mechanism: "atomization", min: 0 },
};

/** True for the systems that read LithOS options (the full system and its ablations). */
export function readsLithosOptions(system: string): boolean {
  return Object.prototype.hasOwnProperty.call(LITHOS_VARIANTS, system);
}

/** `key=v1,v2,...[;key=...]` (the `--sweep` option) → sweeps. */
export function parseSweepOption(text: string): SweepSpec[] {
  return text.split(";").filter((s) => s.trim() !== "").map((part) => {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new Error(`--sweep takes key=v1,v2,...; got "${part}"`);
    const values = part.slice(eq + 1).split(",").map((v) => v.trim()).filter((v) => v !== "");
    if (values.length === 0) throw new Error(`--sweep ${part.slice(0, eq)}: no values`);
    return { key: part.slice(0, eq).trim(), values };
  });
}

/** Throws, naming the sweep, when a key is unknown or a value does not fit it. */
export function checkSweeps(spec: ScenarioSpec, sweeps: readonly SweepSpec[]): void {
  const names = spec.tenants.map((t) => t.name);
  const seen = new Set<string>();
  for (const s of sweeps) {
    if (seen.has(s.key)) throw new Error(`sweep ${s.key} is given twice`);
    seen.add(s.key);
    if (s.values.length === 0) throw new Error(`sweep ${s.key} has no values`);
    const lithos = LITHOS_KEYS[s.key];
    if (lithos) {
      for (const v of s.values) {
        const n = Number(v);
        if (v !== "off" && !(v.trim() !== "" && Number.isFinite(n) && (lithos.min === 1 ? n >= 1 : n > 0))) {
          throw new Error(`sweep ${s.key}: "${v}" is neither "off" nor a number ${lithos.min === 1 ? "≥ 1" : "> 0"}`);
        }
      }
    } else if (s.key === "tenant") {
      for (const v of s.values) if (!names.includes(v)) throw new Error(`sweep tenant: no tenant "${v}" (tenants: ${names.join(", ")})`);
    } else if (s.key.endsWith(".trace") && names.includes(s.key.slice(0, -".trace".length))) {
      // Any file: loading it reports what is wrong with it.
    } else {
      throw new Error(`unknown sweep key "${s.key}" (known: ${Object.keys(LITHOS_KEYS).join(", ")}, tenant, <tenant>.trace with tenants ${names.join(", ")})`);
    }
  }
}

/** Every combination of the sweeps' values, the first sweep outermost; one empty point without sweeps. */
export function sweepPoints(sweeps: readonly SweepSpec[]): SweepPoint[] {
  let points: Record<string, string>[] = [{}];
  for (const s of sweeps) points = points.flatMap((p) => s.values.map((v) => ({ ...p, [s.key]: v })));
  return points;
}

/** The point whose `lithos.*` values are each sweep's first (the baseline of savings), or null without such sweeps. */
export function baselinePoint(point: SweepPoint, sweeps: readonly SweepSpec[]): SweepPoint | null {
  const lithos = sweeps.filter((s) => LITHOS_KEYS[s.key]);
  if (lithos.length === 0) return null;
  const base: Record<string, string> = { ...point };
  for (const s of lithos) base[s.key] = s.values[0]!;
  return base;
}

/** The point without its `lithos.*` values (what systems that ignore LithOS options see). */
export function withoutLithos(point: SweepPoint): SweepPoint {
  return Object.fromEntries(Object.entries(point).filter(([k]) => !LITHOS_KEYS[k]));
}

/** "lithos.slip=1.1 tenant=resnet"; a trace is named by its file name; "" for the empty point. */
export function pointLabel(point: SweepPoint): string {
  return Object.entries(point).map(([k, v]) => `${k}=${k.endsWith(".trace") ? v.split(/[\\/]/).pop() : v}`).join(" ");
}

/** The scenario with only the tenants at `keep` (indices, in order), their MIG profiles and instances kept with them. */
export function keepTenants(spec: ScenarioSpec, keep: readonly number[]): ScenarioSpec {
  const mig = spec.policyOptions?.mig;
  const pick = <T>(xs: readonly T[] | undefined) => (xs ? keep.map((i) => xs[i]!) : undefined);
  return {
    ...spec,
    tenants: keep.map((i) => spec.tenants[i]!),
    policyOptions: { ...spec.policyOptions, mig: mig ? { profiles: pick(mig.profiles), instances: pick(mig.instances) } : undefined },
  };
}

/** The scenario at one point: tenants kept or retargeted, LithOS options merged (a number switches its mechanism on). */
export function applyPoint(spec: ScenarioSpec, point: SweepPoint): ScenarioSpec {
  let keep = spec.tenants.map((_, i) => i);
  if (point.tenant !== undefined) keep = keep.filter((i) => spec.tenants[i]!.name === point.tenant);
  const kept = keepTenants(spec, keep);
  const tenants: TenantSpec[] = kept.tenants.map((t) => {
    const trace = point[`${t.name}.trace`];
    return trace === undefined ? t : { ...t, trace };
  });
  const lithos: { -readonly [K in keyof LithosOptions]: LithosOptions[K] } = { ...spec.policyOptions?.lithos };
  for (const [key, value] of Object.entries(point)) {
    const k = LITHOS_KEYS[key];
    if (!k) continue;
    (lithos as Record<string, unknown>)[k.mechanism] = value !== "off";
    if (value !== "off") (lithos as Record<string, unknown>)[k.option] = Number(value);
  }
  return {
    ...kept,
    tenants,
    policyOptions: { ...kept.policyOptions, lithos: Object.keys(lithos).length ? lithos : undefined },
  };
}
