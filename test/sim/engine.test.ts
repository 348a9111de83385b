/**
 * The simulator on the real H200 co-location workloads: alone it gives back the recorded behaviour, shared it
 * respects each policy's rules (checked on the kernel timeline), and it is deterministic for a seed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { calibrationFor } from "../../src/gpu/calibration";
import { gpuSpec, mpsSmsForPercentage } from "../../src/gpu/specs";
import { POLICIES } from "../../src/policies";
import { simulate, type SimOptions, type SimResult, type SimTenant } from "../../src/sim/engine";
import { aloneClockMHz } from "../../src/sim/recorded-clock";
import { poissonArrivals } from "../../src/workload/arrivals";
import { OP_KERNEL, type Workload } from "../../src/workload/workload";
import { loadColocationWorkloads } from "../helpers/colocation-workloads";
import { syntheticWorkload } from "../helpers/workloads";

const gpu = gpuSpec("h200");
const cal = calibrationFor(gpu);
let service: Workload, job: Workload;

beforeAll(async () => {
  ({ service, job } = await loadColocationWorkloads());
});

function run(policy: string, tenants: SimTenant[], durationNs = 1e9, extra: Partial<SimOptions> = {}): SimResult {
  return simulate({ gpu, timing: cal.timing, power: cal.power!, policy: POLICIES[policy]!.make({}), tenants, durationNs, record: true, ...extra });
}
const hp = (rate = 300, seed = 1, durationNs = 1e9): SimTenant => ({ name: "hp", workload: service, role: "service", arrivals: poissonArrivals(rate, durationNs, seed), priority: 1 });
const be = (extra: Partial<SimTenant> = {}): SimTenant => ({ name: "be", workload: job, role: "job", ...extra });

/** Recorded span of one unit: Σ host gaps + GPU launch latencies + kernel time, for a serial single-stream unit. */
function recordedKernelNs(w: Workload, u: number): number {
  let ns = 0;
  for (let i = w.units.start[u]!; i < w.units.start[u + 1]!; i++) if (w.ops.kind[i] === OP_KERNEL) ns += w.kernels.recordedNs[w.ops.item[i]!]!;
  return ns;
}

describe("a tenant alone", () => {
  it("replays a training step in its recorded kernel time plus its recorded gaps (within 10%)", () => {
    const clock = aloneClockMHz(be(), { gpu, timing: cal.timing, power: cal.power!, policy: POLICIES.mps!.make({}) }, 1e9);
    const r = run("mps", [be({ recordedClockMHz: clock })]);
    const kernelMs = recordedKernelNs(job, 0) / 1e6;
    const step = [...r.tenants[0]!.latenciesNs].sort((a, b) => a - b)[Math.floor(r.tenants[0]!.latenciesNs.length / 2)]! / 1e6;
    expect(step).toBeGreaterThan(kernelMs);
    expect(step).toBeLessThan(kernelMs * 1.1);
  });

  it("serves a request no faster than its kernels run back to back", () => {
    const r = run("mps", [hp(50)]);
    const min = Math.min(...r.tenants[0]!.latenciesNs);
    expect(min).toBeGreaterThanOrEqual(recordedKernelNs(service, 0) * 0.95);
    expect(r.tenants[0]!.latenciesNs.length).toBe(r.tenants[0]!.started);
  });

  it("runs every kernel of a stream in order, one at a time (one stream here)", () => {
    const r = run("mps", [hp(300)]);
    const tl = r.timeline!;
    for (let i = 1; i < tl.count; i++) expect(tl.startNs[i]!).toBeGreaterThanOrEqual(tl.endNs[i - 1]! - 1e-6);
  });
});

describe("determinism", () => {
  it("gives the same numbers for the same seed and different ones for another", () => {
    const a = run("mps", [hp(300, 7), be()]);
    const b = run("mps", [hp(300, 7), be()]);
    const c = run("mps", [hp(300, 8), be()]);
    expect(Array.from(b.tenants[0]!.latenciesNs)).toEqual(Array.from(a.tenants[0]!.latenciesNs));
    expect(b.energyJ).toBe(a.energyJ);
    expect(Array.from(c.tenants[0]!.latenciesNs)).not.toEqual(Array.from(a.tenants[0]!.latenciesNs));
  });

  it("gives the same numbers whether its kernels were prepared afresh or kept from an earlier run", () => {
    // Another calibration object: nothing is kept for it yet, so `a` prepares every kernel and `b` reuses them.
    const timing = { ...cal.timing };
    const a = run("mps", [hp(300, 7), be()], 0.3e9, { timing });
    const b = run("mps", [hp(300, 7), be()], 0.3e9, { timing });
    const ta = a.timeline!, tb = b.timeline!;
    expect(tb.count).toBe(ta.count);
    expect(Array.from(tb.endNs.subarray(0, tb.count))).toEqual(Array.from(ta.endNs.subarray(0, ta.count)));
    expect(Array.from(tb.sms.subarray(0, tb.count))).toEqual(Array.from(ta.sms.subarray(0, ta.count)));
    expect(b.energyJ).toBe(a.energyJ);
  });
});

describe("policies on the kernel timeline", () => {
  it("time slicing never runs kernels of two tenants at once", () => {
    const r = run("timeslice", [hp(300), be()], 0.5e9);
    const tl = r.timeline!;
    const idx = Array.from({ length: tl.count }, (_, i) => i).sort((x, y) => tl.startNs[x]! - tl.startNs[y]!);
    let overlaps = 0;
    const lastEnd = [-Infinity, -Infinity];
    for (const i of idx) {
      const t = tl.tenant[i]!, other = 1 - t;
      if (tl.startNs[i]! < lastEnd[other]!) overlaps++;
      lastEnd[t] = Math.max(lastEnd[t]!, tl.endNs[i]!);
    }
    expect(r.tenants[0]!.latenciesNs.length).toBeGreaterThan(50);
    expect(r.tenants[1]!.latenciesNs.length).toBeGreaterThan(3);
    expect(overlaps).toBe(0);
  });

  it("MPS with a 25% limit never spreads the job over more SMs than the H200's rounding rule gives", () => {
    const limit = mpsSmsForPercentage(gpu, 25);
    expect(limit).toBe(32);
    const r = run("mps-limit", [hp(300), be({ smLimit: limit })]);
    const tl = r.timeline!;
    let max = 0;
    for (let i = 0; i < tl.count; i++) if (tl.tenant[i] === 1) max = Math.max(max, tl.sms[i]!);
    expect(max).toBe(32);
  });

  it("MIG keeps each tenant inside its instance's SMs", () => {
    const r = run("mig", [hp(300), be()]);
    expect(r.pools.map((p) => p.smCount)).toEqual([64, 60]);
    const tl = r.timeline!;
    const max = [0, 0];
    for (let i = 0; i < tl.count; i++) max[tl.tenant[i]!] = Math.max(max[tl.tenant[i]!]!, tl.sms[i]!);
    expect(max[0]).toBeLessThanOrEqual(64);
    expect(max[1]).toBe(60);
  });

  it("ranks the service's median latency alone < stream priorities < MPS < time slicing", () => {
    const p50 = (r: SimResult) => [...r.tenants[0]!.latenciesNs].sort((a, b) => a - b)[r.tenants[0]!.latenciesNs.length >> 1]!;
    const alone = p50(run("mps", [hp()]));
    const prio = p50(run("priority", [hp(), be()]));
    const mps = p50(run("mps", [hp(), be()]));
    const ts = p50(run("timeslice", [hp(), be()]));
    expect(alone).toBeLessThan(prio);
    expect(prio).toBeLessThan(mps);
    expect(mps).toBeLessThan(ts);
  });

  it("accounts energy as the integral of the power series", () => {
    const r = run("mps", [hp(), be()]);
    expect(r.power.powerW.length).toBeGreaterThan(50);
    const idleW = cal.power!.idleW;
    expect(Math.min(...r.power.powerW)).toBeGreaterThanOrEqual(idleW - 1e-9);
    expect(Math.max(...r.power.powerW)).toBeLessThanOrEqual(cal.power!.powerLimitW * 1.25);
    const avg = r.energyJ / (r.endNs / 1e9);
    expect(avg).toBeGreaterThan(idleW);
  });
});

describe("closed-loop services", () => {
  it("keeps exactly `concurrency` requests outstanding: each completion sends the next at once", () => {
    const r = run("mps", [{ name: "hp", workload: service, role: "service", closedLoop: 1 }], 0.2e9);
    const t = r.tenants[0]!;
    expect(t.latenciesNs.length).toBeGreaterThan(50);
    // One client: every request arrives as the previous completes, so latency + completion gaps tile time.
    for (let i = 1; i < t.completionsNs.length; i++) {
      expect(t.completionsNs[i]! - t.completionsNs[i - 1]!).toBeCloseTo(t.latenciesNs[i]!, 3);
    }
    // Two clients on one host thread: each request also waits for the other's, so latency roughly doubles.
    const r2 = run("mps", [{ name: "hp", workload: service, role: "service", closedLoop: 2 }], 0.2e9);
    const median = (a: Float64Array) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
    expect(median(r2.tenants[0]!.latenciesNs) / median(t.latenciesNs)).toBeGreaterThan(1.7);
    expect(r2.tenants[0]!.latenciesNs.length).toBeLessThanOrEqual(t.latenciesNs.length + 2);
  });
});

describe("atoms", () => {
  it("runs an atomized kernel as its atoms, in order on its stream, with the kernel count unchanged", () => {
    const whole = run("mps", [be()], 0.3e9);
    const split = POLICIES.mps!.make({});
    const r = simulate({
      gpu, timing: cal.timing, power: cal.power!, tenants: [be()], durationNs: 0.3e9, record: true,
      policy: { ...split, name: "mps-atoms", atomize: (_v, k) => (k.blocks >= 4 && k.profileNs > 300e3 ? 4 : 1) },
    });
    // Jobs finish every iteration they start: the same kernels per iteration, however they were cut.
    expect(r.tenants[0]!.started).toBeGreaterThan(0);
    expect(r.kernelsExecuted / r.tenants[0]!.started).toBe(whole.kernelsExecuted / whole.tenants[0]!.started);
    // Every kernel of ≥ 4 blocks and ≥ 300 µs shows up as 4 runs on the timeline.
    expect(r.timeline!.count / r.tenants[0]!.started).toBeGreaterThan(whole.timeline!.count / whole.tenants[0]!.started);
    // Each atom pays the launch cost again and loses its tail overlap: slower, but not by much.
    const it0 = (x: SimResult) => x.tenants[0]!.latenciesNs[0]!;
    expect(it0(r)).toBeGreaterThan(it0(whole));
    expect(it0(r)).toBeLessThan(it0(whole) * 1.5);
  });
});

describe("a reclaim due when the kernel's last wave starts", () => {
  it("goes first: the urgent kernel gets the SMs the first wave leaves, not the end of the last wave", () => {
    // Edge case no real trace pins down: a two-wave job kernel (4 blocks per SM on the H200 at 256 threads and 64
    // registers) asked for SMs during its first wave frees them at the wave's end, the time its last wave starts.
    const full = 4 * gpu.smCount;
    const svc = syntheticWorkload("svc", [{ name: "urgent", us: 50, blocks: full }]);
    const long = syntheticWorkload("job", [{ name: "two_waves", us: 2000, blocks: 2 * full }]);
    const r = run("priority", [
      { name: "hp", workload: svc, role: "service", arrivals: Float64Array.from([200e3]), priority: 1 },
      { name: "be", workload: long, role: "job" },
    ], 1e6);
    const tl = r.timeline!;
    const first = (tenant: number) => { for (let i = 0; i < tl.count; i++) if (tl.tenant[i] === tenant) return i; return -1; };
    const s = first(0), j = first(1);
    expect(s).toBeGreaterThanOrEqual(0);
    const jobStart = tl.startNs[j]!, jobEnd = tl.endNs[j]!;
    // The service kernel arrived in the first wave and starts at the wave boundary, about half way through the job's
    // kernel (its first wave at full speed), well before the job's kernel ends.
    expect(tl.startNs[s]!).toBeGreaterThan(jobStart + 0.3 * (jobEnd - jobStart));
    expect(tl.startNs[s]!).toBeLessThan(jobStart + 0.7 * (jobEnd - jobStart));
    expect(tl.startNs[s]!).toBeLessThan(jobEnd - 100e3);
  });
});
