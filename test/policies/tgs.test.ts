/**
 * TGS on the real H200 co-location traces (a ResNet-50 batch-1 service, a ResNet-50 training job): the job's
 * kernel rate follows the service's load (cut while the service is loaded, restored when it goes quiet), a job
 * alone is not throttled at all, and the controller is deterministic and stops with the work.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { calibrationFor } from "../../src/gpu/calibration";
import { gpuSpec } from "../../src/gpu/specs";
import { POLICIES } from "../../src/policies";
import type { Policy } from "../../src/policies/policy";
import { makeTgs } from "../../src/policies/tgs";
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

function run(policy: Policy, tenants: SimTenant[], durationNs = 1e9): SimResult {
  return simulate({ gpu, timing: cal.timing, power: cal.power!, policy, tenants, durationNs, record: true });
}
/** The service, with Poisson requests at `rate` until `untilNs`. */
const hp = (rate = 300, untilNs = 1e9, seed = 1): SimTenant => ({ name: "hp", workload: service, role: "service", arrivals: poissonArrivals(rate, untilNs, seed), priority: 1 });
const be = (): SimTenant => ({ name: "be", workload: job, role: "job" });
const p50 = (r: SimResult, t = 0) => [...r.tenants[t]!.latenciesNs].sort((a, b) => a - b)[r.tenants[t]!.latenciesNs.length >> 1]!;
const done = (r: SimResult, t: number, from: number, to: number) => Array.from(r.tenants[t]!.completionsNs).filter((c) => c >= from && c < to).length;

describe("tgs", () => {
  it("cuts the job's rate while the service is loaded and restores it once the service goes quiet", () => {
    // Requests for the first half second only.
    const tgs = run(makeTgs(), [hp(300, 0.5e9), be()]);
    const mps = run(POLICIES.mps!.make({}), [hp(300, 0.5e9), be()]);
    expect(done(mps, 1, 0, 0.5e9)).toBeGreaterThan(10);
    expect(done(tgs, 1, 0, 0.5e9)).toBeLessThan(done(mps, 1, 0, 0.5e9) * 0.3);
    // From the floor the rate is back to open in ~200 ms: the last quarter runs at MPS's pace.
    expect(done(tgs, 1, 0.75e9, 1e9)).toBeGreaterThanOrEqual(done(mps, 1, 0.75e9, 1e9) * 0.8);
    expect(done(tgs, 1, 0.5e9, 1e9)).toBeGreaterThan(done(tgs, 1, 0, 0.5e9) * 3);
  });

  it("keeps the service's median within 15% of the service alone, and better than MPS, at 300 req/s", () => {
    const alone = p50(run(POLICIES.mps!.make({}), [hp()]));
    const tgs = run(POLICIES.tgs!.make({}), [hp(), be()]);
    const mps = run(POLICIES.mps!.make({}), [hp(), be()]);
    expect(p50(tgs)).toBeLessThan(alone * 1.15);
    expect(p50(tgs)).toBeLessThan(p50(mps) * 0.6);
    expect(tgs.tenants[1]!.latenciesNs.length).toBeGreaterThan(0);
  });

  it("never preempts and never reclaims: admitted kernels share the SMs first come, first served", () => {
    const o = observe(makeTgs());
    run(o.policy, [hp(300, 0.3e9), be()], 0.3e9);
    expect(o.starts.filter((s) => s.kind === "reclaim").length).toBe(0);
    expect(o.starts.filter((s) => s.kind === "start" && s.kernel.tenant === 1).length).toBeGreaterThan(100);
  });

  it("runs a job alone exactly as MPS does", () => {
    const a = run(makeTgs(), [be()], 0.3e9);
    const m = run(POLICIES.mps!.make({}), [be()], 0.3e9);
    expect(a.tenants[0]!.latenciesNs.length).toBeGreaterThan(5);
    expect(Array.from(a.tenants[0]!.latenciesNs)).toEqual(Array.from(m.tenants[0]!.latenciesNs));
  });

  it("is deterministic, and its timers stop with the work", () => {
    const a = run(makeTgs(), [hp(300, 0.3e9, 5), be()], 0.3e9);
    const b = run(makeTgs(), [hp(300, 0.3e9, 5), be()], 0.3e9);
    expect(Array.from(b.tenants[0]!.latenciesNs)).toEqual(Array.from(a.tenants[0]!.latenciesNs));
    expect(Array.from(b.tenants[1]!.latenciesNs)).toEqual(Array.from(a.tenants[1]!.latenciesNs));
    expect(b.energyJ).toBe(a.energyJ);
    expect(a.truncated).toBe(false);
    // The last job iteration ends within a few of its lengths after the arrivals stop (none start after 0.3 s).
    expect(a.endNs).toBeLessThan(0.3e9 + 0.2e9);
  });
});
