/**
 * MIG: the GPU cut into static GPU instances, one per tenant, each with the SMs of its profile and its
 * memory slices' share of DRAM bandwidth and L2 (hardware.md §2). Tenants never contend for SMs or
 * bandwidth; inside an instance kernels are dispatched first come, first served. Profiles are the GPU's
 * real ones (`spec.migProfiles`).
 */
import type { GpuSpec, MigProfile } from "../gpu/specs/spec";
import { fcfsOrder, fill } from "./fill";
import type { Policy, PoolSpec, TenantView } from "./policy";

export interface MigOptions {
  /** Profile per tenant, in tenant order ("4g", "3g.71gb", ...). Default: the largest even split (see below). */
  profiles?: readonly string[];
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
      const names = options.profiles ?? DEFAULT_LAYOUTS[tenants.length - 1];
      if (!names || names.length !== tenants.length) throw new Error(`MIG needs one profile per tenant (${tenants.length} tenants, ${names?.length ?? 0} profiles; at most 7 instances)`);
      const profiles = names.map((n) => findMigProfile(gpu, n));
      const slices = profiles.reduce((s, p) => s + p.computeSlices, 0);
      const memory = profiles.reduce((s, p) => s + p.memorySlices, 0);
      if (slices > 7 || memory > 8) throw new Error(`MIG profiles ${names.join(" + ")} need ${slices} compute and ${memory} memory slices; the GPU has 7 and 8`);
      const pools: PoolSpec[] = profiles.map((p) => ({
        name: p.name,
        smCount: p.smCount,
        memBandwidthBytesPerS: (gpu.memBandwidthBytesPerS * p.memorySlices) / 8,
      }));
      return { pools, tenantPool: tenants.map((_, i) => i) };
    },
    schedule(view) {
      fill(view, fcfsOrder(view));
    },
  };
}
