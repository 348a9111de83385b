/**
 * Power model (src/gpu/power.ts) and its fit (src/gpu/power-fit.ts) against the H200 measurements in
 * shared/calibration/h200/micro.csv: the rows that carry watts, the idle row, the clock the power cap sets on a
 * full-chip GEMM, energy integration, clock snapping, a two-fold cross-validation, and the derived A100/H100
 * parameters. POWER_REPORT=1 prints the measured-vs-predicted table.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  A100_40GB_POWER,
  A100_80GB_POWER,
  H100_SXM_POWER,
  H200_POWER,
  POWER_PARAMS,
  boardPowerW,
  cappedClockMHz,
  energyJ,
  powerParamsFor,
  type PowerLoad,
  type PowerParams,
} from "../../src/gpu/power";
import {
  evaluatePowerParams,
  fitPowerParams,
  microRowLoad,
  parseMicroCsv,
  type MicroRow,
  type PowerEvaluation,
} from "../../src/gpu/power-fit";
import { A100_40GB, A100_80GB, GPU_SPECS, H100_SXM, H200_SXM, supportedClocksMHz } from "../../src/gpu/specs";

const MICRO_CSV = path.resolve(__dirname, "../../../shared/calibration/h200/micro.csv");
const ROWS = parseMicroCsv(fs.readFileSync(MICRO_CSV, "utf8"));
const FIT = fitPowerParams(ROWS, { fittedOn: "calibration/h200/micro.csv (rows with watts)" });
const CONST = evaluatePowerParams(H200_SXM, H200_POWER, ROWS);

/** 8192³ fp16 GEMM on n SMs as micro.csv measured it (its compulsory DRAM traffic over its measured time). */
function gemm8192(n: number): PowerLoad {
  const row = ROWS.find((r) => r.kernel === "gemm_fp16" && r.size === 8192 && r.sms === n);
  if (!row) throw new Error(`no gemm_fp16 8192 row for ${n} SMs`);
  return microRowLoad(H200_SXM, row, H200_SXM.maxClockMHz);
}

const pct = (x: number): string => x.toFixed(1);

function table(ev: PowerEvaluation): string {
  const head = "kernel        size        sms  meas W  pred W@meas MHz  pred W capped  meas MHz  pred MHz";
  const lines = ev.rows.map((r) =>
    [
      r.kernel.padEnd(13),
      String(r.size).padEnd(11),
      String(r.sms).padStart(3),
      r.measuredW.toFixed(1).padStart(7),
      r.predictedW.toFixed(1).padStart(16),
      r.cappedW.toFixed(1).padStart(14),
      String(r.measuredMHz).padStart(9),
      String(r.cappedMHz).padStart(9),
    ].join(" "),
  );
  return [head, ...lines].join("\n");
}

if (process.env.POWER_REPORT) {
  console.log(`${table(FIT)}\nat measured clocks: ${JSON.stringify(FIT.power)}\ncapped: ${JSON.stringify(FIT.cappedPower)}\nclock: ${JSON.stringify(FIT.clock)}`);
}

describe("parseMicroCsv", () => {
  it("reads micro.csv: 121 kernel rows + idle, 33 kernel rows with watts and clock", () => {
    expect(ROWS).toHaveLength(122);
    expect(ROWS.filter((r) => r.kernel !== "idle" && r.watts !== null && r.smMHz !== null)).toHaveLength(33);
    expect(ROWS[0]).toEqual({ kernel: "gemm_fp16", size: 256, sms: 8, us: 30.895, watts: null, smMHz: null });
    expect(ROWS.at(-1)).toEqual({ kernel: "idle", size: 0, sms: 0, us: 0, watts: 159.0, smMHz: 1980 });
  });

  it("refuses a wrong header, a short line and a non-number", () => {
    expect(() => parseMicroCsv("kernel,size\n")).toThrow(/header/);
    expect(() => parseMicroCsv("kernel,size,sms,us,watts,sm_mhz\ngemm_fp16,256,8\n")).toThrow(/line 2: expected 6 fields/);
    expect(() => parseMicroCsv("kernel,size,sms,us,watts,sm_mhz\ngemm_fp16,256,x,1,,\n")).toThrow(/sms "x"/);
    expect(() => parseMicroCsv("kernel,size,sms,us,watts,sm_mhz\r\ngemm_fp16,256,8,1,,\r\n")).not.toThrow();
  });
});

describe("fit on micro.csv (H200)", () => {
  it(`reproduces the measured watts at the measured clocks: mean ${pct(FIT.power.meanAbsPct)} %, max ${pct(FIT.power.maxAbsPct)} %`, () => {
    expect(FIT.power.n).toBe(33);
    expect(FIT.power.meanAbsPct).toBeLessThanOrEqual(5);
    expect(FIT.power.maxAbsPct).toBeLessThanOrEqual(15);
    // Every GEMM and add row (the sdpa rows carry the thermal-history error, see power.ts) within 8 %.
    for (const r of FIT.rows.filter((x) => x.kernel !== "sdpa_fp16")) {
      expect(Math.abs(r.predictedW - r.measuredW) / r.measuredW).toBeLessThanOrEqual(0.08);
    }
  });

  it(`reproduces the watts with the model's own capped clock: mean ${pct(FIT.cappedPower.meanAbsPct)} %, max ${pct(FIT.cappedPower.maxAbsPct)} %; clocks within ${FIT.rows.reduce((m, r) => Math.max(m, Math.abs(r.cappedMHz - r.measuredMHz)), 0)} MHz`, () => {
    expect(FIT.cappedPower.meanAbsPct).toBeLessThanOrEqual(5);
    expect(FIT.cappedPower.maxAbsPct).toBeLessThanOrEqual(15);
    for (const r of FIT.rows) expect(Math.abs(r.cappedMHz - r.measuredMHz)).toBeLessThanOrEqual(75);
  });

  it("gives physically sensible parameters: α in [2, 3.5], per-SM compute ≫ memory, limit below the 700 W nameplate", () => {
    const p = FIT.params;
    expect(p.clockExponent).toBeGreaterThanOrEqual(2);
    expect(p.clockExponent).toBeLessThanOrEqual(3.5);
    expect(p.smW.compute).toBeGreaterThan(6);
    expect(p.smW.compute).toBeLessThan(10); // README: ~8.6 W per busy SM (slope incl. DRAM), hardware.md §7.2
    expect(p.smW.memory).toBeLessThan(p.smW.compute / 10);
    expect(p.memWPerTBps).toBeGreaterThan(50);
    expect(p.memWPerTBps).toBeLessThan(150);
    expect(p.powerLimitW).toBeGreaterThan(620);
    expect(p.powerLimitW).toBeLessThanOrEqual(H200_SXM.tdpW);
  });

  it("H200_POWER is the fit's output (5 significant digits), so the constant cannot drift from micro.csv", () => {
    const fit = FIT.params;
    const close = (a: number, b: number): void => expect(Math.abs(a - b) / Math.abs(b)).toBeLessThan(1e-4);
    close(H200_POWER.idleW, fit.idleW);
    close(H200_POWER.smW.compute, fit.smW.compute);
    close(H200_POWER.smW.memory, fit.smW.memory);
    close(H200_POWER.smW.other, fit.smW.other);
    close(H200_POWER.memWPerTBps, fit.memWPerTBps);
    close(H200_POWER.powerLimitW, fit.powerLimitW);
    expect(H200_POWER.clockExponent).toBe(fit.clockExponent);
    expect(H200_POWER.fittedOn).toBe("calibration/h200/micro.csv (rows with watts)");
    expect(H200_POWER.assumed).toBe(false);
    // The constant scores the same as the fit.
    expect(CONST.power.meanAbsPct).toBeCloseTo(FIT.power.meanAbsPct, 2);
    expect(CONST.rows.map((r) => r.cappedMHz)).toEqual(FIT.rows.map((r) => r.cappedMHz));
  });

  it("idle power is the measured idle row (159.0 W, context open)", () => {
    expect(CONST.idle).toEqual({ measuredW: 159.0, predictedW: 159.0 });
    expect(boardPowerW(H200_SXM, H200_POWER, { activeSms: 0, memBandwidthBytesPerS: 0, computeFraction: 0 })).toBe(159.0);
  });
});

describe("power cap (H200)", () => {
  it("full-chip 8192³ GEMM: the cap pulls the clock to ~1.4–1.5 GHz (measured 1440 MHz, 1470 MHz p50 sustained)", () => {
    const c = cappedClockMHz(H200_SXM, H200_POWER, gemm8192(132));
    expect(c.clockMHz).toBeGreaterThanOrEqual(1400);
    expect(c.clockMHz).toBeLessThanOrEqual(1500);
    expect(c.limited).toBe(true);
    expect(c.overLimit).toBe(false);
    expect(c.uncappedPowerW).toBeGreaterThan(1000); // what 132 SMs would draw at 1980 MHz
    expect(c.powerW).toBeLessThanOrEqual(H200_POWER.powerLimitW);
    // One step up would break the limit.
    expect(boardPowerW(H200_SXM, H200_POWER, { ...gemm8192(132), clockMHz: c.clockMHz + 15 })).toBeGreaterThan(H200_POWER.powerLimitW);
  });

  it("GEMM on ≤ 48 SMs stays at 1980 MHz; the clock falls monotonically as SMs are added past the cap", () => {
    for (const n of [8, 16, 24, 32, 48]) {
      const c = cappedClockMHz(H200_SXM, H200_POWER, gemm8192(n));
      expect(c.clockMHz).toBe(1980);
      expect(c.limited).toBe(false);
    }
    const clocks = [64, 80, 96, 112, 128, 132].map((n) => cappedClockMHz(H200_SXM, H200_POWER, gemm8192(n)).clockMHz);
    for (let i = 1; i < clocks.length; i++) expect(clocks[i]).toBeLessThan(clocks[i - 1]!);
    expect(clocks[0]).toBeLessThan(1980);
  });

  it("full-bandwidth streaming on all SMs does not trigger the cap (hardware.md §7.5)", () => {
    const add = ROWS.find((r) => r.kernel === "add_fp32" && r.size === 2 ** 28 && r.sms === 132)!;
    const c = cappedClockMHz(H200_SXM, H200_POWER, microRowLoad(H200_SXM, add, 1980));
    expect(c.clockMHz).toBe(1980);
    expect(c.powerW).toBeGreaterThan(580);
  });

  it("clocks are snapped to the spec's 15 MHz steps, at most the requested clock", () => {
    const steps = new Set(supportedClocksMHz(H200_SXM));
    for (let n = 2; n <= 132; n += 2) {
      for (const f of [1980, 1979, 1700, 1500]) {
        const c = cappedClockMHz(H200_SXM, H200_POWER, { ...gemm8192(132), activeSms: n, clockMHz: f });
        expect(steps.has(c.clockMHz)).toBe(true);
        expect(steps.has(c.requestedClockMHz)).toBe(true);
        expect(c.clockMHz).toBeLessThanOrEqual(f);
      }
    }
    const light: PowerLoad = { activeSms: 8, memBandwidthBytesPerS: 0, computeFraction: 1 };
    expect(cappedClockMHz(H200_SXM, H200_POWER, { ...light, clockMHz: 1700 }).clockMHz).toBe(1695);
    expect(cappedClockMHz(H200_SXM, H200_POWER, { ...light, clockMHz: 1979 }).clockMHz).toBe(1965);
    expect(cappedClockMHz(H200_SXM, H200_POWER, light).clockMHz).toBe(1980);
  });

  it("a limit nothing fits under gives the lowest clock, flagged overLimit", () => {
    const tiny: PowerParams = { ...H200_POWER, powerLimitW: 100 };
    const c = cappedClockMHz(H200_SXM, tiny, gemm8192(132));
    expect(c).toMatchObject({ clockMHz: 345, overLimit: true, limited: true, limitW: 100 });
  });
});

describe("boardPowerW", () => {
  it("is the stated formula: idle + n·Σ x_c·smW_c·(f/f_max)^α + W/TB/s · TB/s", () => {
    const p = H200_POWER;
    const load: PowerLoad = { activeSms: 50, clockMHz: 1500, memBandwidthBytesPerS: 2e12, computeFraction: 0.5, memoryFraction: 0.3 };
    const perSm = 0.5 * p.smW.compute + 0.3 * p.smW.memory + 0.2 * p.smW.other;
    const expected = p.idleW + 50 * perSm * (1500 / 1980) ** p.clockExponent + 2 * p.memWPerTBps;
    expect(boardPowerW(H200_SXM, p, load)).toBeCloseTo(expected, 9);
  });

  it("rises with busy SMs, clock and DRAM traffic", () => {
    const base: PowerLoad = { activeSms: 40, clockMHz: 1500, memBandwidthBytesPerS: 1e12, computeFraction: 1 };
    const p0 = boardPowerW(H200_SXM, H200_POWER, base);
    expect(boardPowerW(H200_SXM, H200_POWER, { ...base, activeSms: 41 })).toBeGreaterThan(p0);
    expect(boardPowerW(H200_SXM, H200_POWER, { ...base, clockMHz: 1515 })).toBeGreaterThan(p0);
    expect(boardPowerW(H200_SXM, H200_POWER, { ...base, memBandwidthBytesPerS: 2e12 })).toBeGreaterThan(p0);
    expect(boardPowerW(H200_SXM, H200_POWER, { ...base, computeFraction: 0 })).toBeLessThan(p0);
  });

  it("refuses loads outside the spec and parameters of another GPU", () => {
    const ok: PowerLoad = { activeSms: 10, memBandwidthBytesPerS: 0, computeFraction: 1 };
    expect(() => boardPowerW(H200_SXM, H200_POWER, { ...ok, activeSms: 133 })).toThrow(RangeError);
    expect(() => boardPowerW(H200_SXM, H200_POWER, { ...ok, activeSms: -1 })).toThrow(RangeError);
    expect(() => boardPowerW(H200_SXM, H200_POWER, { ...ok, clockMHz: 2000 })).toThrow(RangeError);
    expect(() => boardPowerW(H200_SXM, H200_POWER, { ...ok, clockMHz: 300 })).toThrow(RangeError);
    expect(() => boardPowerW(H200_SXM, H200_POWER, { ...ok, computeFraction: 0.7, memoryFraction: 0.4 })).toThrow(RangeError);
    expect(() => boardPowerW(H200_SXM, H200_POWER, { ...ok, memBandwidthBytesPerS: NaN })).toThrow(RangeError);
    expect(() => boardPowerW(H100_SXM, H200_POWER, ok)).toThrow(/h200-sxm/);
    expect(boardPowerW(H200_SXM, H200_POWER, { ...ok, activeSms: 12.5 })).toBeGreaterThan(159);
  });
});

describe("energyJ", () => {
  it("integrates piecewise-constant power: 100 W × 1 s + 200 W × 0.5 s + 50 W × 2 ms = 200.1 J", () => {
    expect(
      energyJ([
        { startNs: 0, endNs: 1e9, powerW: 100 },
        { startNs: 1e9, endNs: 1.5e9, powerW: 200 },
        { startNs: 1.5e9, endNs: 1.502e9, powerW: 50 },
      ]),
    ).toBeCloseTo(200.1, 9);
  });

  it("takes segments in any order, counts gaps as nothing, an empty series as 0 J", () => {
    expect(energyJ([{ startNs: 5e9, endNs: 6e9, powerW: 10 }, { startNs: 0, endNs: 1e9, powerW: 20 }])).toBeCloseTo(30, 9);
    expect(energyJ([])).toBe(0);
    expect(energyJ([{ startNs: 3, endNs: 3, powerW: 700 }])).toBe(0);
  });

  it("a replay's energy: idle, then a capped full-chip GEMM, then idle again", () => {
    const idleW = boardPowerW(H200_SXM, H200_POWER, { activeSms: 0, memBandwidthBytesPerS: 0, computeFraction: 0 });
    const gemm = cappedClockMHz(H200_SXM, H200_POWER, gemm8192(132));
    const j = energyJ([
      { startNs: 0, endNs: 1e6, powerW: idleW },
      { startNs: 1e6, endNs: 11e6, powerW: gemm.powerW },
      { startNs: 11e6, endNs: 12e6, powerW: idleW },
    ]);
    expect(j).toBeCloseTo(2e-3 * 159 + 10e-3 * gemm.powerW, 9);
  });

  it("refuses overlaps, reversed segments and bad power", () => {
    expect(() => energyJ([{ startNs: 0, endNs: 10, powerW: 1 }, { startNs: 5, endNs: 20, powerW: 1 }])).toThrow(/overlap/);
    expect(() => energyJ([{ startNs: 10, endNs: 0, powerW: 1 }])).toThrow(RangeError);
    expect(() => energyJ([{ startNs: 0, endNs: 10, powerW: -1 }])).toThrow(RangeError);
    expect(() => energyJ([{ startNs: 0, endNs: 10, powerW: Infinity }])).toThrow(RangeError);
  });
});

/**
 * Two-fold cross-validation by SM count: fit on the watt rows at 8, 24, 48, 80, 112, 132 SMs (+ idle), score on
 * 16, 32, 64, 96, 128, and the other way round. Each half holds every kernel type and clock-limited rows, which the
 * fit needs: a split by kernel type would leave one activity class's per-SM power with no data at all.
 */
describe("cross-validation (halves by SM count)", () => {
  const A = new Set([8, 24, 48, 80, 112, 132]);
  const withIdle = (keep: (r: MicroRow) => boolean): MicroRow[] => ROWS.filter((r) => r.kernel === "idle" || keep(r));
  const folds = [
    { name: "fit on 8/24/48/80/112/132, test on 16/32/64/96/128", train: withIdle((r) => A.has(r.sms)), test: withIdle((r) => !A.has(r.sms)) },
    { name: "fit on 16/32/64/96/128, test on 8/24/48/80/112/132", train: withIdle((r) => !A.has(r.sms)), test: withIdle((r) => A.has(r.sms)) },
  ];
  for (const fold of folds) {
    const fit = fitPowerParams(fold.train);
    const test = evaluatePowerParams(H200_SXM, fit.params, fold.test);
    it(`${fold.name}: held-out mean ${pct(test.power.meanAbsPct)} %, max ${pct(test.power.maxAbsPct)} % (capped ${pct(test.cappedPower.meanAbsPct)} %, α ${fit.params.clockExponent})`, () => {
      expect(test.power.n).toBeGreaterThanOrEqual(15);
      expect(test.power.meanAbsPct).toBeLessThanOrEqual(5);
      expect(test.power.maxAbsPct).toBeLessThanOrEqual(15);
      expect(test.cappedPower.meanAbsPct).toBeLessThanOrEqual(5);
      for (const r of test.rows) expect(Math.abs(r.cappedMHz - r.measuredMHz)).toBeLessThanOrEqual(75);
      expect(Math.abs(fit.params.smW.compute - FIT.params.smW.compute) / FIT.params.smW.compute).toBeLessThan(0.1);
    });
  }

  it("the fit refuses rows that lack an activity class or the idle row", () => {
    expect(() => fitPowerParams(ROWS.filter((r) => r.kernel !== "sdpa_fp16"))).toThrow(/"other"/);
    expect(() => fitPowerParams(ROWS.filter((r) => r.kernel !== "idle"))).toThrow(/idle/);
  });
});

describe("A100 / H100 parameters (derived from the H200 fit, assumed)", () => {
  it("every GPU spec has power parameters; derived ones are marked assumed in every source", () => {
    for (const spec of Object.values(GPU_SPECS)) {
      const p = powerParamsFor(spec);
      expect(p.gpu).toBe(spec.key);
      for (const v of [p.idleW, p.smW.compute, p.smW.memory, p.smW.other, p.clockExponent, p.memWPerTBps, p.powerLimitW]) {
        expect(Number.isFinite(v) && v >= 0).toBe(true);
      }
      expect(p.powerLimitW).toBeLessThanOrEqual(spec.tdpW);
      expect(p.idleW).toBeGreaterThan(spec.idleContextPowerW); // warm context idle
      for (const s of Object.values(p.sources)) expect(s.length).toBeGreaterThan(10);
      if (p.assumed) {
        expect(p.fittedOn).toMatch(/^assumed/);
        for (const s of Object.values(p.sources)) expect(s).toMatch(/^assumed/);
      }
    }
    expect(POWER_PARAMS["h200-sxm"]!.assumed).toBe(false);
    expect([A100_40GB_POWER, A100_80GB_POWER, H100_SXM_POWER].every((p) => p.assumed)).toBe(true);
  });

  it("H100 SXM: same per-SM power as the H200, so a full-chip GEMM is also capped near 1.45 GHz", () => {
    expect(H100_SXM_POWER.smW).toEqual(H200_POWER.smW);
    const c = cappedClockMHz(H100_SXM, H100_SXM_POWER, { ...gemm8192(132) });
    expect(c.clockMHz).toBeGreaterThanOrEqual(1400);
    expect(c.clockMHz).toBeLessThanOrEqual(1500);
  });

  it("A100: a full-chip compute-bound load at 1410 MHz draws the 400 W TDP; under the held limit it runs a little below 1410", () => {
    for (const [spec, p] of [[A100_40GB, A100_40GB_POWER], [A100_80GB, A100_80GB_POWER]] as const) {
      const full: PowerLoad = { activeSms: spec.smCount, memBandwidthBytesPerS: 0, computeFraction: 1 };
      expect(boardPowerW(spec, p, full)).toBeCloseTo(spec.tdpW, 0);
      const c = cappedClockMHz(spec, p, full);
      expect(c.clockMHz).toBeLessThan(spec.maxClockMHz);
      expect(c.clockMHz).toBeGreaterThan(1200);
      // Streaming at ~90 % of the datasheet bandwidth stays under the limit.
      const stream: PowerLoad = { activeSms: spec.smCount, memBandwidthBytesPerS: 0.9 * spec.memBandwidthBytesPerS, computeFraction: 0, memoryFraction: 1 };
      expect(cappedClockMHz(spec, p, stream).limited).toBe(false);
    }
  });

  it("powerParamsFor refuses an unknown GPU", () => {
    expect(() => powerParamsFor({ ...H200_SXM, key: "b200" })).toThrow(/no power parameters/);
  });
});
