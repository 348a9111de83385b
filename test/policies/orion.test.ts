/**
 * Orion on the real H200 co-location traces (a ResNet-50 batch-1 service, a ResNet-50 training job), each rule
 * checked at every decision the policy makes inside the engine (test/helpers/policy-observer.ts). The
 * opposite-profile rule never fires on H200 traces (every kernel is memory bound under the H200 calibration, a
 * fact the first test pins down), so it is checked on a hand-built view.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { calibrationFor } from "../../src/gpu/calibration";
import { gpuSpec } from "../../src/gpu/specs";
import { POLICIES } from "../../src/policies";
import { makeOrion } from "../../src/policies/orion";
import type { KernelWork, Policy, SchedulerView, TenantView } from "../../src/policies/policy";
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

/**
 * A hand-built view: one HP service (tenant 0) and one BE job (tenant 1) on a 132-SM pool. Kernels hold the SMs
 * they are started on; `start` moves a kernel from `waiting` to `running`.
 */
function stubView(hpBusy: boolean, running: KernelWork[], waiting: KernelWork[]): SchedulerView & { started: KernelWork[] } {
  const tenants: TenantView[] = [
    { index: 0, name: "hp", role: "service", priority: 1, smLimit: null, pool: 0, quota: null },
    { index: 1, name: "be", role: "job", priority: 0, smLimit: null, pool: 0, quota: null },
  ];
  const started: KernelWork[] = [];
  const held = (t?: number) => running.filter((k) => t === undefined || k.tenant === t).reduce((s, k) => s + k.cap, 0);
  const set = (k: KernelWork, sms: number) => Object.assign(k as { sms: number; cap: number }, { sms, cap: sms });
  return {
    now: 1e6, gpu, tenants, pools: [{ name: "gpu", smCount: 132, memBandwidthBytesPerS: gpu.memBandwidthBytesPerS }],
    waiting, running, started, clockMHz: gpu.maxClockMHz,
    free: () => 132 - held(),
    held: (t) => held(t),
    busy: (t) => (t === 0 ? hpBusy : true),
    start(k, sms) { waiting.splice(waiting.indexOf(k), 1); running.push(k); set(k, sms); started.push(k); },
    grow(k, sms) { set(k, sms); },
    capFor: (_k, sms) => sms,
    preempt() { throw new Error("orion never preempts"); },
    reclaim() {},
    setTimer() {},
    setClockCap() {},
  };
}
let nextKey = 0;
/** A kernel whose grid fills `need` SMs (one block per SM), `memoryBoundness` as given, 10 µs profiled. */
function kernel(tenant: number, need: number, memoryBoundness: number): KernelWork {
  return {
    tenant, stream: tenant, readyAt: 0, blocks: need, resident: 1, sms: 0, cap: 0, inLastWave: true, remaining: 1, reclaiming: 0,
    key: nextKey++, profileNs: 10e3, memoryBoundness, atom: 0, atoms: 1, kernelBlocks: need,
  };
}

describe("orion", () => {
  it("starts a job kernel during a request only beside an HP kernel of the opposite profile", () => {
    const o = observe(makeOrion());
    const r = run(o.policy, [hp(), be()]);
    expect(r.truncated).toBe(false);
    const starts = o.starts.filter((s) => s.kind === "start");
    const beStarts = starts.filter((s) => s.kernel.tenant === 1);
    expect(beStarts.length).toBeGreaterThan(1000);
    // The rule, at every decision: the last HP kernel started and this one are on opposite sides of 0.5.
    let hpMemoryBound: boolean | null = null;
    for (const s of starts) {
      if (s.kernel.tenant === 0) { hpMemoryBound = s.kernel.memoryBoundness >= 0.5; continue; }
      if (!s.busy[0] || hpMemoryBound === null) continue;
      expect(s.kernel.memoryBoundness >= 0.5).not.toBe(hpMemoryBound);
      const smsOut = s.running.filter((k) => k.tenant === 1).reduce((n, k) => n + k.need, 0);
      expect(smsOut + s.kernel.need).toBeLessThanOrEqual(132);
    }
    // Both profiles occur (convolutions are compute-bound, batch norms and elementwise kernels memory-bound), so
    // some job kernels do start during requests.
    expect(starts.some((s) => s.kernel.memoryBoundness >= 0.5) && starts.some((s) => s.kernel.memoryBoundness < 0.5)).toBe(true);
    expect(beStarts.filter((s) => s.busy[0]).length).toBeGreaterThan(0);
    // The service's kernels still start at once, taking SMs from running job kernels as their blocks finish.
    expect(o.starts.filter((s) => s.kind === "reclaim" && s.kernel.tenant === 1).length).toBeGreaterThan(0);
    expect(o.starts.filter((s) => s.kind === "reclaim" && s.kernel.tenant === 0).length).toBe(0);
  });

  it("beside a request, admits job kernels of the opposite profile while their SMs stay within SM_THRESHOLD", () => {
    const policy = makeOrion({ smThreshold: 60 });
    const hpKernel = kernel(0, 20, 0.9); // memory bound, running
    Object.assign(hpKernel, { sms: 20, cap: 20 });
    const compute40 = kernel(1, 40, 0.2), memory10 = kernel(1, 10, 0.8), compute30 = kernel(1, 30, 0.1);
    const running = [hpKernel];
    const view = stubView(true, running, [compute40, memory10, compute30]);
    policy.schedule(view);
    // 40 ≤ 60 and opposite: in. Same profile as HP: out. 40 + 30 > 60: out.
    expect(view.started).toEqual([compute40]);
    // Once the first is done, 30 fits.
    running.splice(running.indexOf(compute40), 1);
    policy.onKernelDone!(view, compute40, 10e3);
    policy.schedule(view);
    expect(view.started).toEqual([compute40, compute30]);
    expect(view.waiting).toEqual([memory10]);
  });

  it("admits any job kernel when no request is in flight", () => {
    const policy = makeOrion({ smThreshold: 60 });
    const ks = [kernel(1, 100, 0.9), kernel(1, 100, 0.2)];
    const view = stubView(false, [], [...ks]);
    policy.schedule(view);
    expect(view.started).toEqual(ks);
  });

  it("stops issuing job work past DUR_THRESHOLD until every issued job kernel has finished", () => {
    // A service with no requests keeps the HP class present but never busy; two jobs give two BE streams.
    const idle: SimTenant = { name: "hp", workload: service, role: "service", arrivals: new Float64Array(0), priority: 1 };
    const overlaps = (durThresholdNs: number) => {
      const o = observe(makeOrion({ durThresholdNs }));
      run(o.policy, [idle, be("be0"), be("be1")], 0.2e9);
      return o.starts.filter((s) => s.kind === "start" && s.kernel.tenant > 0 && s.running.some((k) => k.tenant > 0)).length;
    };
    // 1 ns: every job kernel passes the threshold, so the next waits for the drain: the jobs never overlap.
    expect(overlaps(1)).toBe(0);
    expect(overlaps(1e12)).toBeGreaterThan(100);
  });

  it("runs a job alone exactly as MPS does", () => {
    const a = run(makeOrion(), [be()], 0.3e9);
    const m = run(POLICIES.mps!.make({}), [be()], 0.3e9);
    expect(a.tenants[0]!.latenciesNs.length).toBeGreaterThan(5);
    expect(Array.from(a.tenants[0]!.latenciesNs)).toEqual(Array.from(m.tenants[0]!.latenciesNs));
  });

  it("gives the service a better median than MPS at 300 req/s while the job keeps most of its throughput", () => {
    const orion = run(POLICIES.orion!.make({}), [hp(300, 1e9), be()], 1e9);
    const mps = run(POLICIES.mps!.make({}), [hp(300, 1e9), be()], 1e9);
    expect(p50(orion)).toBeLessThan(p50(mps) * 0.6);
    expect(orion.tenants[1]!.latenciesNs.length).toBeGreaterThan(mps.tenants[1]!.latenciesNs.length * 0.5);
  });

  it("is deterministic", () => {
    const a = run(makeOrion(), [hp(300, 0.3e9, 5), be()], 0.3e9);
    const b = run(makeOrion(), [hp(300, 0.3e9, 5), be()], 0.3e9);
    expect(Array.from(b.tenants[0]!.latenciesNs)).toEqual(Array.from(a.tenants[0]!.latenciesNs));
    expect(Array.from(b.tenants[1]!.latenciesNs)).toEqual(Array.from(a.tenants[1]!.latenciesNs));
    expect(b.energyJ).toBe(a.energyJ);
  });
});
