/**
 * Registry of sharing policies: the name used on the command line and in experiment files → a factory.
 * Adding a policy is one file plus one entry here.
 */
import { LITHOS_VARIANTS, makeLithos, type LithosOptions } from "./lithos";
import { makeMig, type MigOptions } from "./mig";
import { mps } from "./mps";
import { mpsLimit } from "./mps-limit";
import { mpsPriority } from "./mps-priority";
import { makeOrion, type OrionOptions } from "./orion";
import type { Policy } from "./policy";
import { priority } from "./priority";
import { makeReef, type ReefOptions } from "./reef";
import { makeTgs, type TgsOptions } from "./tgs";
import { makeTimeslice, type TimesliceOptions } from "./timeslice";

export interface PolicyOptions {
  timeslice?: TimesliceOptions;
  mig?: MigOptions;
  reef?: ReefOptions;
  orion?: OrionOptions;
  tgs?: TgsOptions;
  /** LithOS and its ablations: overrides of the variant's mechanisms and parameters. */
  lithos?: LithosOptions;
}

export interface PolicyEntry {
  readonly description: string;
  /**
   * True when tenants' thread-percentage limits apply: only `mps-limit`, so that one experiment file configures
   * every system (its `limit_pct` is the limits system's setting, not plain MPS's or MPS priority's).
   */
  readonly honoursLimits: boolean;
  /** True when tenants' priorities apply. */
  readonly honoursPriorities: boolean;
  make(options: PolicyOptions): Policy;
}

export const POLICIES: Readonly<Record<string, PolicyEntry>> = {
  timeslice: { description: "separate processes, no MPS: one context at a time, ~2 ms turns", honoursLimits: false, honoursPriorities: false, make: (o) => makeTimeslice(o.timeslice) },
  mps: { description: "MPS: kernels of all clients run concurrently, blocks first come first served", honoursLimits: false, honoursPriorities: false, make: () => mps },
  "mps-limit": { description: "MPS with per-client active-thread percentage (--hp-limit/--be-limit)", honoursLimits: true, honoursPriorities: false, make: () => mpsLimit },
  "mps-priority": { description: "MPS with client priorities: the service's blocks dispatch first", honoursLimits: false, honoursPriorities: true, make: () => mpsPriority },
  priority: { description: "one process, high- and low-priority streams", honoursLimits: false, honoursPriorities: true, make: () => priority },
  mig: { description: "static MIG instances, one per tenant or per group of tenants (mig_instance)", honoursLimits: false, honoursPriorities: false, make: (o) => makeMig(o.mig) },
  reef: { description: "REEF-N (OSDI'22): service kernels at once; job kernels between requests or padded beside a longer service kernel", honoursLimits: false, honoursPriorities: true, make: (o) => makeReef(o.reef) },
  orion: { description: "Orion (EuroSys'24): job kernels between requests, or beside service kernels of the opposite profile, duration-throttled", honoursLimits: false, honoursPriorities: true, make: (o) => makeOrion(o.orion) },
  tgs: { description: "TGS (NSDI'23): the job's kernel rate adapted (AIMD) to the service's throughput", honoursLimits: false, honoursPriorities: true, make: (o) => makeTgs(o.tgs) },
  "+tpc": { description: "LithOS ablation: TPC quotas and stealing only", honoursLimits: false, honoursPriorities: true, make: (o) => makeLithos({ ...LITHOS_VARIANTS["+tpc"], ...o.lithos }) },
  "+atom": { description: "LithOS ablation: TPC scheduling with kernel atomization", honoursLimits: false, honoursPriorities: true, make: (o) => makeLithos({ ...LITHOS_VARIANTS["+atom"], ...o.lithos }) },
  lithos: { description: "LithOS: TPC scheduling and stealing, atomization, right-sizing, DVFS", honoursLimits: false, honoursPriorities: true, make: (o) => makeLithos({ ...LITHOS_VARIANTS.lithos, ...o.lithos }) },
};

export const POLICY_NAMES = Object.keys(POLICIES);

export function policyEntry(name: string): PolicyEntry {
  const e = POLICIES[name];
  if (!e) throw new Error(`unknown policy "${name}"; known: ${POLICY_NAMES.join(", ")}`);
  return e;
}

export type { Policy, SchedulerView, KernelWork, TenantView, PoolSpec } from "./policy";
