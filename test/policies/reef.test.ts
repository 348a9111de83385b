/**
 * REEF-N on the real H200 co-location traces (a ResNet-50 batch-1 service, a ResNet-50 training job): each rule
 * checked at every decision the policy makes inside the engine (test/helpers/policy-observer.ts), and the HP/BE
 * split it shares with Orion and TGS (`highPriorityTenants`).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { calibrationFor } from "../../src/gpu/calibration";
import { gpuSpec } from "../../src/gpu/specs";
import { POLICIES } from "../../src/policies";
import { highPriorityTenants } from "../../src/policies/fill";
import type { Policy, TenantView } from "../../src/policies/policy";
import { makeReef } from "../../src/policies/reef";
import { simulate, type SimResult, type SimTenant } from "../../src/sim/engine";
import { poissonArrivals } from "../../src/workload/arrivals";
import type { Workload } from "../../src/workload/workload";
import { loadColocationWorkloads } from "../helpers/colocation-workloads";
import { observe } from "../helpers/policy-observer";

const gpu = gpuSpec("h200");
const cal = calibrationFor(gpu);
let service: Workload, job: Workload;

beforeAll(async () => {
  ({ service, job } = await loadColocationWorkloads());
});

function run(policy: Policy, tenants: SimTenant[], durationNs = 0.5e9): SimResult {
  return simulate({ gpu, timing: cal.timing, power: cal.power!, policy, tenants, durationNs, record: true });
}
const hp = (rate = 300, durationNs = 0.5e9, seed = 1): SimTenant => ({ name: "hp", workload: service, role: "service", arrivals: poissonArrivals(rate, durationNs, seed), priority: 1 });
const be = (name = "be"): SimTenant => ({ name, workload: job, role: "job" });
const p50 = (r: SimResult, t = 0) => [...r.tenants[t]!.latenciesNs].sort((a, b) => a - b)[r.tenants[t]!.latenciesNs.length >> 1]!;

describe("high priority vs best effort (fill.ts, shared by REEF, Orion and TGS)", () => {
  const view = (ts: [TenantView["role"], number][]) => ({
    tenants: ts.map(([role, priority], index) => ({ index, name: `t${index}`, role, priority, smLimit: null, pool: 0, quota: null })),
  });
  it("is a priority above the lowest; with equal priorities, services are HP and jobs BE", () => {
    expect(highPriorityTenants(view([["service", 1], ["job", 0]]))).toEqual([true, false]);
    expect(highPriorityTenants(view([["job", 2], ["service", 0], ["job", 1]]))).toEqual([true, false, true]);
    expect(highPriorityTenants(view([["service", 0], ["job", 0]]))).toEqual([true, false]);
    expect(highPriorityTenants(view([["job", 3], ["job", 3]]))).toEqual([false, false]);
  });
});

describe("reef", () => {
  it("starts a job kernel beside a request only under the padding rule: no longer and at least as wide as an HP kernel", () => {
    const o = observe(makeReef());
    const r = run(o.policy, [hp(), be()]);
    expect(r.truncated).toBe(false);
    const beStarts = o.starts.filter((s) => s.kind === "start" && s.kernel.tenant === 1);
    const beside = beStarts.filter((s) => s.busy[0]);
    const between = beStarts.filter((s) => !s.busy[0]);
    // Both ways of running happen on these traces.
    expect(beside.length).toBeGreaterThan(10);
    expect(between.length).toBeGreaterThan(beside.length);
    for (const s of beside) {
      const partners = [...s.running, ...s.waiting].filter((h) => h.tenant === 0);
      const fits = partners.some((h) => s.kernel.profileNs <= h.profileNs && s.kernel.need >= h.need);
      expect(fits, `job kernel of ${s.kernel.profileNs} ns, ${s.kernel.need} SMs at ${s.now} ns`).toBe(true);
    }
    // Without the rule the job's median kernel (11 µs) and its long ones (up to 1.4 ms) would start during requests.
    expect(Math.max(...beside.map((s) => s.kernel.profileNs))).toBeLessThan(Math.max(...between.map((s) => s.kernel.profileNs)) / 10);
  });

  it("dispatches the service's kernels first: a waiting one takes SMs from job kernels as their blocks finish", () => {
    const o = observe(makeReef());
    run(o.policy, [hp(), be()]);
    const hpStarts = o.starts.filter((s) => s.kind === "start" && s.kernel.tenant === 0);
    expect(hpStarts.length).toBeGreaterThan(1000);
    // No job kernel starts or grows while a service kernel waits.
    expect(o.starts.filter((s) => s.kind !== "reclaim" && s.kernel.tenant === 1 && s.waiting.some((w) => w.tenant === 0)).length).toBe(0);
    // A service kernel that finds the SMs taken reclaims them from running job kernels, never the other way round.
    const reclaims = o.starts.filter((s) => s.kind === "reclaim");
    expect(reclaims.length).toBeGreaterThan(0);
    for (const s of reclaims) {
      expect(s.kernel.tenant).toBe(1);
      expect(s.waiting.some((w) => w.tenant === 0) || s.running.some((r) => r.tenant === 0)).toBe(true);
    }
  });

  it("releases at most `depth` job kernels at once between requests", () => {
    // A service with no requests keeps the HP class present but never busy: only rule 4 applies.
    const idle: SimTenant = { name: "hp", workload: service, role: "service", arrivals: new Float64Array(0), priority: 1 };
    const overlaps = (depth: number) => {
      const o = observe(makeReef({ depth }));
      run(o.policy, [idle, be("be0"), be("be1")], 0.2e9);
      // Job kernels running when another job kernel starts.
      return Math.max(...o.starts.filter((s) => s.kind === "start").map((s) => s.running.filter((k) => k.tenant > 0).length));
    };
    expect(overlaps(1)).toBe(0);
    expect(overlaps(12)).toBeGreaterThanOrEqual(1);
  });

  it("runs a job alone exactly as MPS does", () => {
    const a = run(makeReef(), [be()], 0.3e9);
    const m = run(POLICIES.mps!.make({}), [be()], 0.3e9);
    expect(a.tenants[0]!.latenciesNs.length).toBeGreaterThan(5);
    expect(Array.from(a.tenants[0]!.latenciesNs)).toEqual(Array.from(m.tenants[0]!.latenciesNs));
  });

  it("gives the service a better median than MPS at 300 req/s while the job keeps most of its throughput", () => {
    const reef = run(POLICIES.reef!.make({}), [hp(300, 1e9), be()], 1e9);
    const mps = run(POLICIES.mps!.make({}), [hp(300, 1e9), be()], 1e9);
    expect(p50(reef)).toBeLessThan(p50(mps) * 0.6);
    expect(reef.tenants[1]!.latenciesNs.length).toBeGreaterThan(mps.tenants[1]!.latenciesNs.length * 0.5);
  });

  it("is deterministic", () => {
    const a = run(makeReef(), [hp(300, 0.3e9, 5), be()], 0.3e9);
    const b = run(makeReef(), [hp(300, 0.3e9, 5), be()], 0.3e9);
    expect(Array.from(b.tenants[0]!.latenciesNs)).toEqual(Array.from(a.tenants[0]!.latenciesNs));
    expect(Array.from(b.tenants[1]!.latenciesNs)).toEqual(Array.from(a.tenants[1]!.latenciesNs));
    expect(b.energyJ).toBe(a.energyJ);
  });
});
