/**
 * Interference between tenants in the engine. Blocks of different tenants on the same SMs: which SMs a kernel's
 * blocks sit on, how much of a kernel's spread overlaps other tenants', and the slowdown of co-resident blocks.
 * Contention for issue slots between their eligible warps. Memory latency under other tenants' DRAM traffic (a
 * loaded-latency curve). On the real H200 co-location workloads.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { calibrationFor } from "../../src/gpu/calibration";
import { gpuSpec } from "../../src/gpu/specs";
import { POLICIES } from "../../src/policies";
import { physicalSpan, sharedFraction } from "../../src/sim/co-residency";
import type { LoadedLatencyCurve } from "../../src/sim/memory-load";
import { simulate, type SimResult, type SimTenant } from "../../src/sim/engine";
import { poissonArrivals } from "../../src/workload/arrivals";
import type { Workload } from "../../src/workload/workload";
import { loadColocationWorkloads } from "../helpers/colocation-workloads";

describe("physicalSpan", () => {
  it("is every SM a kernel spreads over until its last wave", () => {
    expect(physicalSpan(1000, 2, 132, 4, false)).toBe(132);
  });
  it("is one SM per last-wave block (breadth-first), at most its spread, in its last wave", () => {
    // 300 blocks, 2 per SM on 132 SMs: two waves, 36 blocks in the last.
    expect(physicalSpan(300, 2, 132, 2, true)).toBe(36);
    expect(physicalSpan(32, 4, 132, 1, true)).toBe(32);
    expect(physicalSpan(500, 4, 100, 2, true)).toBe(100);
  });
});

describe("sharedFraction", () => {
  it("is zero while the spreads fit the pool side by side", () => {
    expect(sharedFraction(32, 100, 132)).toBe(0);
    expect(sharedFraction(32, 0, 132)).toBe(0);
  });
  it("is the excess over the pool, as a share of the kernel's own spread", () => {
    // A 32-SM kernel beside 132 SMs of another tenant's blocks: all of its SMs are shared.
    expect(sharedFraction(32, 132, 132)).toBe(1);
    // The other way round: 32 of the 132.
    expect(sharedFraction(132, 32, 132)).toBeCloseTo(32 / 132, 12);
    expect(sharedFraction(100, 60, 132)).toBeCloseTo(28 / 100, 12);
  });
});

describe("the engine", () => {
  const gpu = gpuSpec("h200");
  const cal = calibrationFor(gpu);
  let service: Workload, job: Workload;
  beforeAll(async () => {
    ({ service, job } = await loadColocationWorkloads());
  });
  const tenants = (): SimTenant[] => [
    { name: "hp", workload: service, role: "service", arrivals: poissonArrivals(300, 0.5e9, 1), priority: 1 },
    { name: "be", workload: job, role: "job" },
  ];
  const run = (policy: string, coResidentSlowdown: number, ts = tenants(), loadedLatency: LoadedLatencyCurve | null = null, coResidentDelayUs = 0): SimResult =>
    simulate({ gpu, timing: cal.timing, power: cal.power!, policy: POLICIES[policy]!.make({}), tenants: ts, durationNs: 0.5e9, coResidentSlowdown, loadedLatency, coResidentDelayUs });
  const delayed = (policy: string, us: number, ts = tenants()) => run(policy, 0, ts, null, us);
  const total = (r: SimResult, t: number) => r.tenants[t]!.latenciesNs.reduce((a, b) => a + b, 0);

  it("slows both tenants under MPS when their blocks share SMs, more the larger the slowdown", () => {
    const none = run("mps", 0), some = run("mps", 0.5), more = run("mps", 1);
    expect(total(some, 0)).toBeGreaterThan(total(none, 0));
    expect(total(more, 0)).toBeGreaterThan(total(some, 0));
    expect(more.tenants[1]!.completionsNs.length).toBeLessThanOrEqual(none.tenants[1]!.completionsNs.length);
  });

  it("leaves a tenant alone untouched: nobody shares its SMs", () => {
    const alone = [tenants()[0]!];
    expect(run("mps", 1, alone).tenants[0]!.latenciesNs).toEqual(run("mps", 0, alone).tenants[0]!.latenciesNs);
  });

  it("leaves LithOS untouched: its TPC masks keep tenants on disjoint SMs", () => {
    expect(run("lithos", 1).tenants[0]!.latenciesNs).toEqual(run("lithos", 0).tenants[0]!.latenciesNs);
  });

  it("delays each kernel whose SMs hold the other tenant's blocks: the service's requests take longer, more the longer the delay", () => {
    const none = delayed("mps", 0), some = delayed("mps", 2), more = delayed("mps", 4);
    expect(total(some, 0)).toBeGreaterThan(total(none, 0));
    expect(total(more, 0)).toBeGreaterThan(total(some, 0));
  });

  it("delays nobody who runs alone, on LithOS's disjoint TPCs or in separate MIG instances", () => {
    const alone = [tenants()[0]!];
    expect(delayed("mps", 4, alone).tenants[0]!.latenciesNs).toEqual(delayed("mps", 0, alone).tenants[0]!.latenciesNs);
    expect(delayed("lithos", 4).tenants[0]!.latenciesNs).toEqual(delayed("lithos", 0).tenants[0]!.latenciesNs);
    expect(delayed("mig", 4).tenants[0]!.latenciesNs).toEqual(delayed("mig", 0).tenants[0]!.latenciesNs);
  });

  const issue = (policy: string, k: number, ts = tenants()) =>
    simulate({ gpu, timing: cal.timing, power: cal.power!, policy: POLICIES[policy]!.make({}), tenants: ts, durationNs: 0.5e9, issueContention: k });
  const steps = (r: SimResult) => r.tenants[1]!.completionsNs.length;

  it("slows both tenants by each other's eligible warps on shared SMs: the service's requests and the training's steps, more the larger the contention", () => {
    const none = issue("mps", 0), some = issue("mps", 0.5), more = issue("mps", 1.5);
    expect(total(some, 0)).toBeGreaterThan(total(none, 0));
    expect(total(more, 0)).toBeGreaterThan(total(some, 0));
    expect(steps(more)).toBeLessThanOrEqual(steps(none));
    // The eligible-warp table is in the shipped calibration (measured): the training's kernels have 3–35% of their
    // warps ready, so the service is slowed by far less than it would be if every resident warp competed.
    const everyWarp = simulate({ gpu, timing: { ...cal.timing, eligible: undefined }, power: cal.power!, policy: POLICIES.mps!.make({}), tenants: tenants(), durationNs: 0.5e9, issueContention: 1.5 });
    expect(total(everyWarp, 0)).toBeGreaterThan(total(more, 0) * 1.2);
  });

  it("contends with nobody who runs alone, on LithOS's disjoint TPCs, in separate MIG instances or in turns", () => {
    const alone = [tenants()[0]!];
    expect(issue("mps", 1.5, alone).tenants[0]!.latenciesNs).toEqual(issue("mps", 0, alone).tenants[0]!.latenciesNs);
    for (const policy of ["lithos", "mig", "timeslice"]) expect(issue(policy, 1.5).tenants[0]!.latenciesNs, policy).toEqual(issue(policy, 0).tenants[0]!.latenciesNs);
  });

  const curve: LoadedLatencyCurve = { utilisation: [0, 0.5, 0.9], slowdown: [1, 1.5, 4] };

  it("slows the service's latency-bound kernels under the training's DRAM traffic, by the loaded-latency curve", () => {
    const none = run("mps", 0), loaded = run("mps", 0, tenants(), curve);
    // The training's DRAM traffic is ~0.4 TB/s, 8% of the H200's peak (about what Nsight Compute counts,
    // calibrations/power-h200), so the curve's first segment slows the service by a few percent (2.4% here).
    expect(total(loaded, 0)).toBeGreaterThan(total(none, 0) * 1.01);
  });

  it("leaves a tenant alone untouched by the curve: its own traffic does not slow it", () => {
    const alone = [tenants()[1]!];
    expect(run("mps", 0, alone, curve).tenants[0]!.latenciesNs).toEqual(run("mps", 0, alone).tenants[0]!.latenciesNs);
  });
});
