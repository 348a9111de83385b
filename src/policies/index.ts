/**
 * Registry of sharing policies: the name used on the command line and in experiment files → a factory.
 * Adding a policy is one file plus one entry here.
 */
import { makeMig, type MigOptions } from "./mig";
import { mps } from "./mps";
import { mpsLimit } from "./mps-limit";
import { mpsPriority } from "./mps-priority";
import type { Policy } from "./policy";
import { priority } from "./priority";
import { makeTimeslice, type TimesliceOptions } from "./timeslice";

export interface PolicyOptions {
  timeslice?: TimesliceOptions;
  mig?: MigOptions;
}

export interface PolicyEntry {
  readonly description: string;
  /** True when tenants' thread-percentage limits apply (MPS clients); other policies ignore them. */
  readonly honoursLimits: boolean;
  /** True when tenants' priorities apply. */
  readonly honoursPriorities: boolean;
  make(options: PolicyOptions): Policy;
}

export const POLICIES: Readonly<Record<string, PolicyEntry>> = {
  timeslice: { description: "separate processes, no MPS: one context at a time, ~2 ms turns", honoursLimits: false, honoursPriorities: false, make: (o) => makeTimeslice(o.timeslice) },
  mps: { description: "MPS: kernels of all clients run concurrently, blocks first come first served", honoursLimits: true, honoursPriorities: false, make: () => mps },
  "mps-limit": { description: "MPS with per-client active-thread percentage (--hp-limit/--be-limit)", honoursLimits: true, honoursPriorities: false, make: () => mpsLimit },
  "mps-priority": { description: "MPS with client priorities: the service's blocks dispatch first", honoursLimits: true, honoursPriorities: true, make: () => mpsPriority },
  priority: { description: "one process, high- and low-priority streams", honoursLimits: false, honoursPriorities: true, make: () => priority },
  mig: { description: "static MIG instances, one per tenant", honoursLimits: false, honoursPriorities: false, make: (o) => makeMig(o.mig) },
};

export const POLICY_NAMES = Object.keys(POLICIES);

export function policyEntry(name: string): PolicyEntry {
  const e = POLICIES[name];
  if (!e) throw new Error(`unknown policy "${name}"; known: ${POLICY_NAMES.join(", ")}`);
  return e;
}

export type { Policy, SchedulerView, KernelWork, TenantView, PoolSpec } from "./policy";
