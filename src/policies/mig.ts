/**
 * MIG: the GPU cut into static GPU instances, one per tenant (or per group of tenants sharing one, as MPS
 * clients inside an instance do), each with the SMs of its profile and its memory slices' share of DRAM
 * bandwidth and L2 (hardware.md §2). Tenants of different instances never contend for SMs or bandwidth;
 * inside an instance kernels are dispatched first come, first served. Profiles are the GPU's real ones
 * (`spec.migProfiles`).
 */
import type { GpuSpec, MigProfile } from "../gpu/specs/spec";
import { fcfsOrder, fill } from "./fill";
import type { Policy, PoolSpec, TenantView } from "./policy";

export interface MigOptions {
  /**
   * Profile per tenant, in tenant order ("4g", "3g.71gb", ...); with `instances`, tenants of one instance name
   * the same profile or leave it "" (at least one names it). Default: the largest even split (see below).
   */
  profiles?: readonly string[];
  /**
   * Instance per tenant, in tenant order: tenants with the same number share one instance (first come, first
   * served inside it). Instances are numbered in order of first appearance. Default: one instance per tenant.
   */
  instances?: readonly number[];
}

/** Tenants' instance groups: the pool index of each tenant and, per pool, its tenants (first appearance order). */
export function migGroups(n: number, instances?: readonly number[]): { tenantPool: number[]; members: number[][] } {
  if (instances && instances.length !== n) throw new Error(`MIG instance grouping names ${instances.length} tenants, the scenario has ${n}`);
  const poolOf = new Map<number, number>();
  const members: number[][] = [];
  const tenantPool = Array.from({ length: n }, (_, i) => {
    const g = instances ? instances[i]! : i;
    let p = poolOf.get(g);
    if (p === undefined) { p = members.length; poolOf.set(g, p); members.push([]); }
    members[p]!.push(i);
    return p;
  });
  return { tenantPool, members };
}

/** One profile name per instance from the per-tenant names (tenants of an instance must agree; "" defers). */
function instanceProfiles(members: readonly number[][], profiles: readonly string[]): string[] {
  return members.map((ts) => {
    const named = [...new Set(ts.map((t) => profiles[t] ?? "").filter((p) => p !== ""))];
    if (named.length === 0) throw new Error(`MIG instance of tenants ${ts.join(", ")} has no profile`);
    if (named.length > 1) throw new Error(`tenants ${ts.join(", ")} share one MIG instance but name different profiles (${named.join(", ")})`);
    return named[0]!;
  });
}

/** Default layout for n tenants: one instance each, as large as a valid placement allows. */
const DEFAULT_LAYOUTS: readonly (readonly string[])[] = [
  ["7g"], ["4g", "3g"], ["3g", "2g", "2g"], ["2g", "2g", "2g", "1g"],
  ["2g", "2g", "1g", "1g", "1g"], ["2g", "1g", "1g", "1g", "1g", "1g"], ["1g", "1g", "1g", "1g", "1g", "1g", "1g"],
];

/** The profile whose name is `name` or starts with `name.` ("3g" → "3g.71gb"), without media engines. */
export function findMigProfile(gpu: GpuSpec, name: string): MigProfile {
  const p = gpu.migProfiles.find((m) => m.name === name) ?? gpu.migProfiles.find((m) => m.name.startsWith(`${name}.`) && !m.name.endsWith("+me"));
  if (!p) throw new Error(`unknown MIG profile "${name}" for ${gpu.name}; known: ${gpu.migProfiles.map((m) => m.name).join(", ")}`);
  return p;
}

export function makeMig(options: MigOptions = {}): Policy {
  return {
    name: "mig",
    pools(gpu: GpuSpec, tenants: readonly TenantView[]) {
      if (gpu.migProfiles.length === 0) throw new Error(`${gpu.name} does not support MIG`);
      const { tenantPool, members } = migGroups(tenants.length, options.instances);
      if (options.profiles && options.profiles.length !== tenants.length) throw new Error(`MIG needs one profile per tenant (${tenants.length} tenants, ${options.profiles.length} profiles)`);
      const names = options.profiles ? instanceProfiles(members, options.profiles) : DEFAULT_LAYOUTS[members.length - 1];
      if (!names) throw new Error(`MIG has at most 7 instances; ${members.length} asked for`);
      const profiles = names.map((n) => findMigProfile(gpu, n));
      const slices = profiles.reduce((s, p) => s + p.computeSlices, 0);
      const memory = profiles.reduce((s, p) => s + p.memorySlices, 0);
      if (slices > 7 || memory > 8) throw new Error(`MIG profiles ${names.join(" + ")} need ${slices} compute and ${memory} memory slices; the GPU has 7 and 8`);
      const pools: PoolSpec[] = profiles.map((p) => ({
        name: p.name,
        smCount: p.smCount,
        memBandwidthBytesPerS: (gpu.memBandwidthBytesPerS * p.memorySlices) / 8,
      }));
      return { pools, tenantPool };
    },
    schedule(view) {
      fill(view, fcfsOrder(view));
    },
  };
}
