/**
 * LithOS's mechanisms on cases whose answer is known by hand (synthetic kernels: one long best-effort kernel,
 * a known scaling curve, a memory-bound and a compute-bound mix), then on the real H200 co-location traces.
 */
import { describe, expect, it } from "vitest";
import { calibrationFor } from "../../src/gpu/calibration";
import { gpuSpec } from "../../src/gpu/specs";
import { POLICIES } from "../../src/policies";
import { makeLithos, type LithosOptions } from "../../src/policies/lithos";
import { atomCount } from "../../src/policies/lithos/atomizer";
import { dvfsClockMHz, sensitivity } from "../../src/policies/lithos/dvfs";
import { fitAmdahl, LatencyPredictor } from "../../src/policies/lithos/predictor";
import { occupancyTpcs, rightSizedTpcs } from "../../src/policies/lithos/right-size";
import { atomBlocks, simulate, type SimResult, type SimTenant } from "../../src/sim/engine";
import { poissonArrivals } from "../../src/workload/arrivals";
import { loadColocationWorkloads } from "../helpers/colocation-workloads";
import { syntheticWorkload } from "../helpers/workloads";

const gpu = gpuSpec("h200");
const cal = calibrationFor(gpu);

function sim(options: LithosOptions, tenants: SimTenant[], durationNs: number): SimResult {
  return simulate({ gpu, timing: cal.timing, power: cal.power!, policy: makeLithos(options), tenants, durationNs, record: true });
}

/** Timeline runs of one tenant, in start order. */
function runsOf(r: SimResult, tenant: number): { start: number; end: number; sms: number }[] {
  const tl = r.timeline!;
  const out = [];
  for (let i = 0; i < tl.count; i++) if (tl.tenant[i] === tenant) out.push({ start: tl.startNs[i]!, end: tl.endNs[i]!, sms: tl.sms[i]! });
  return out.sort((a, b) => a.start - b.start);
}

describe("TPC stealing and atoms", () => {
  // A best-effort job of one 10 ms GEMM with 40 waves of blocks, and a service of one 100 µs kernel.
  const be = syntheticWorkload("long-gemm", [{ name: "sm90_xmma_gemm_bf16", us: 10_000, blocks: 132 * 2 * 40, threads: 256, regs: 128 }]);
  const hp = syntheticWorkload("short", [{ name: "sm90_xmma_gemm_bf16", us: 100, blocks: 132 }]);
  // The request arrives in the job's third iteration (the first one, unseen, is never atomized).
  const arrival = 25e6;
  const tenants = (): SimTenant[] => [
    { name: "hp", workload: hp, role: "service", arrivals: Float64Array.of(arrival) },
    { name: "be", workload: be, role: "job" },
  ];

  it("lends the idle service's TPCs to the job, which has no quota", () => {
    const r = sim({ name: "+tpc", atomization: false, rightSizing: false, dvfs: false }, tenants(), 40e6);
    const first = runsOf(r, 1)[0]!;
    expect(first.sms).toBe(132);
  });

  it("without atoms, the owner waits for the borrower's whole kernel (head-of-line blocking)", () => {
    const r = sim({ name: "+tpc", atomization: false, rightSizing: false, dvfs: false }, tenants(), 40e6);
    const blocking = runsOf(r, 1).find((x) => x.start <= arrival && x.end > arrival)!;
    const hpRun = runsOf(r, 0)[0]!;
    // It can start only as the borrower's last wave frees SMs: milliseconds after arrival.
    expect(hpRun.start - arrival).toBeGreaterThan(2e6);
    expect(hpRun.start).toBeGreaterThan(blocking.end - (blocking.end - blocking.start) / 20);
  });

  it("with atoms, the stolen TPCs come back at the next atom boundary and no atom steals while the owner has work", () => {
    const r = sim({ name: "+atom", rightSizing: false, dvfs: false }, tenants(), 40e6);
    const beRuns = runsOf(r, 1);
    const hpRun = runsOf(r, 0)[0]!;
    const inFlight = beRuns.find((x) => x.start <= arrival && x.end > arrival)!;
    // The atom running at arrival is about one quantum (500 µs) long (predicted from durations seen at the
    // clock before the power limiter lowered it: up to 1980/1500 longer), and the owner starts when it ends.
    expect(inFlight.end - inFlight.start).toBeLessThanOrEqual(500e3 * (1980 / 1500) * 1.02);
    expect(hpRun.start).toBeLessThanOrEqual(inFlight.end + 1);
    expect(hpRun.start - arrival).toBeLessThan(700e3);
    // The borrower's next atom waits until the request is done.
    const next = beRuns.find((x) => x.start >= inFlight.end)!;
    expect(next.start).toBeGreaterThanOrEqual(hpRun.end - 1);
    // Its atoms cover the kernel: ≥ 10 ms at 500 µs each → at least 20 atoms per iteration once seen.
    expect(r.policyReport!.kernels_atomized).toBeGreaterThanOrEqual(1);
    expect((r.policyReport!.atoms as number) / (r.policyReport!.kernels_atomized as number)).toBeGreaterThanOrEqual(20);
  });
});

describe("atomizer", () => {
  it("splits a grid into contiguous ranges that add up to its blocks and differ by at most one", () => {
    for (const [blocks, n] of [[10, 3], [5280, 20], [7, 7], [1000, 999]] as const) {
      const sizes = Array.from({ length: n }, (_, i) => atomBlocks(blocks, n, i));
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(blocks);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it("leaves short, unseen and single-wave kernels whole, and rounds the atom count up", () => {
    expect(atomCount(400e3, 1000, 10, 500e3)).toBe(1);
    expect(atomCount(null, 1000, 10, 500e3)).toBe(1);
    expect(atomCount(5e6, 132, 1, 500e3)).toBe(1);
    expect(atomCount(1.2e6, 1000, 10, 500e3)).toBe(3);
    expect(atomCount(50e6, 1000, 10, 500e3)).toBe(10); // no atom smaller than a wave
  });
});

describe("latency predictor and right-sizing", () => {
  it("fits T(t) = m/t + b from two TPC counts and predicts a third; falls back to linear scaling from one", () => {
    const p = new LatencyPredictor();
    const curve = (t: number) => 1000e3 / t + 100e3;
    p.observe(1, 66, curve(66));
    expect(p.predict(1, 33)).toBeCloseTo(curve(66) * 2, 3);
    p.observe(1, 1, curve(1));
    expect(p.predict(1, 20)).toBeCloseTo(curve(20), 3);
    expect(p.stats().predictions).toBe(1);
    expect(p.stats().mispredictions).toBe(1); // linear scaling from 66 TPCs badly misses 1 TPC
  });

  it("keeps the fit of the current medians, and the p99 error of a full sort", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const p = new LatencyPredictor();
    const seen = new Map<number, number[]>();
    const errors: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const tpcs = 1 + Math.floor(rnd() * 4);
      // Many repeated durations (medians that stay put) among scattered ones.
      const ns = rnd() < 0.4 ? 5000 : Math.floor(rnd() * 1e5);
      const predicted = p.predict(3, tpcs);
      if (predicted !== null) errors.push(Math.abs(predicted - ns));
      p.observe(3, tpcs, ns);
      seen.set(tpcs, [...(seen.get(tpcs) ?? []), ns].slice(-16));
      if (seen.size >= 2) expect(p.fit(3)).toEqual(fitAmdahl(seen));
    }
    const sorted = Float64Array.from(errors).sort();
    expect(p.stats().p99AbsErrorNs).toBe(sorted[Math.ceil(0.99 * sorted.length) - 1]);
  });

  it("chooses the knee of a known curve: the fewest TPCs within the slip of all TPCs", () => {
    // l(t) = 1000/t + 100; l(66) = 115.15; 1.1·l(66) = 126.67 → l(38) = 126.3 fits, l(37) = 127.0 does not.
    const fit = fitAmdahl(new Map([[66, [1000 / 66 + 100]], [1, [1100]]]));
    expect(fit.m).toBeCloseTo(1000, 6);
    expect(fit.b).toBeCloseTo(100, 6);
    expect(rightSizedTpcs(fit, 66, 1.1)).toBe(38);
    expect(rightSizedTpcs({ m: 0, b: 50 }, 66, 1.1)).toBe(1); // flat: one TPC is enough
    expect(rightSizedTpcs({ m: 1000, b: 0 }, 66, 1.0)).toBe(66); // perfectly parallel, no slip: all
    expect(occupancyTpcs(20, 2)).toBe(10); // one block per SM: 20 blocks fill 10 TPCs of 2 SMs
    expect(occupancyTpcs(1, 2)).toBe(1);
  });

  it("right-sizes a kernel that stops scaling after a probe, and saves SM·time", () => {
    // 132 blocks of one wave that take as long on 16 SMs as on 132? No: a latency-bound small grid: 8 blocks.
    const w = syntheticWorkload("small", [{ name: "sm90_xmma_gemm_bf16", us: 200, blocks: 8, threads: 1024, regs: 64 }]);
    const t: SimTenant = { name: "s", workload: w, role: "service", arrivals: poissonArrivals(100, 0.2e9, 3) };
    const off = sim({ rightSizing: false, dvfs: false }, [t], 0.2e9);
    const on = sim({ dvfs: false }, [t], 0.2e9);
    expect(Math.max(...runsOf(on, 0).map((x) => x.sms))).toBeLessThanOrEqual(8);
    expect(on.tenants[0]!.smNs).toBeLessThanOrEqual(off.tenants[0]!.smNs * 1.001);
  });
});

describe("power management", () => {
  it("recovers a kernel's frequency sensitivity from two clocks, and sets f = f_max/(1 + k/S)", () => {
    const T = (s: number, f: number) => 100 * (1 + s * (1980 / f - 1));
    expect(sensitivity(1980, { f: 1980, ns: T(0.3, 1980) }, { f: 1500, ns: T(0.3, 1500) })).toBeCloseTo(0.3, 9);
    expect(sensitivity(1980, { f: 1700, ns: T(1, 1700) }, { f: 1200, ns: T(1, 1200) })).toBeCloseTo(1, 9);
    expect(dvfsClockMHz(1980, 1, 0.1)).toBeCloseTo(1800, 6);
    expect(dvfsClockMHz(1980, 0.1, 0.1)).toBeCloseTo(990, 6);
  });

  const alone = (name: string): SimTenant => ({ name: "j", workload: syntheticWorkload("mix", [{ name, us: 300, blocks: 16 }]), role: "job" });
  const lastClock = (r: SimResult) => Math.min(...r.power.clockMHz.slice(-30, -1));
  const iterations = (r: SimResult) => r.tenants[0]!.latenciesNs.length;

  it("drops the clock for a clock-insensitive mix and keeps it within the slip for a compute-bound one", () => {
    // 16 SMs busy: far below the power cap, so without DVFS both run at 1980 MHz.
    // "other" class: the timing model's most clock-insensitive kernels (θ = −0.6: the SM-side part is 40%).
    const flat = sim({ rightSizing: false }, [alone("my_custom_kernel")], 1e9);
    const flatOff = sim({ rightSizing: false, dvfs: false }, [alone("my_custom_kernel")], 1e9);
    const gemm = sim({ rightSizing: false }, [alone("sm90_xmma_gemm_bf16")], 1e9);
    const gemmOff = sim({ rightSizing: false, dvfs: false }, [alone("sm90_xmma_gemm_bf16")], 1e9);
    expect(Math.max(...flatOff.power.clockMHz)).toBe(1980);
    expect(lastClock(flat)).toBeLessThan(1000);
    expect(iterations(flat)).toBeGreaterThan(iterations(flatOff) * 0.9);
    // Compute-bound (S = 1): f = 1980/1.1 = 1800 → the supported step below, 1785 MHz; ≤ 10% slower.
    expect(lastClock(gemm)).toBe(1785);
    expect(iterations(gemm)).toBeGreaterThanOrEqual(Math.floor(iterations(gemmOff) / 1.1));
    expect(gemm.policyReport!.clock_switches).toBeGreaterThan(0);
  });
});

describe("on the real H200 co-location traces", () => {
  it("ranks the service's p99 beside training: +atom ≤ +tpc < mps, and keeps the job running", async () => {
    const { service, job } = await loadColocationWorkloads();
    const run = (policy: string) => simulate({
      gpu, timing: cal.timing, power: cal.power!, policy: POLICIES[policy]!.make({}), durationNs: 1e9,
      tenants: [
        { name: "hp", workload: service, role: "service", arrivals: poissonArrivals(300, 1e9, 1), priority: 1 },
        { name: "be", workload: job, role: "job" },
      ],
    });
    const p99 = (r: SimResult) => [...r.tenants[0]!.latenciesNs].sort((a, b) => a - b)[Math.floor(0.99 * r.tenants[0]!.latenciesNs.length)]!;
    const mps = run("mps"), tpc = run("+tpc"), atom = run("+atom");
    expect(p99(tpc)).toBeLessThan(p99(mps));
    expect(p99(atom)).toBeLessThanOrEqual(p99(tpc) * 1.02);
    expect(atom.tenants[1]!.latenciesNs.length).toBeGreaterThan(5);
  });
});
