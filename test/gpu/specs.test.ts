/**
 * The GPU specs: structural sanity, a source for every number, MIG profiles and placements as hardware.md §2.2
 * lists them, the MPS rounding rule measured on the H200 (§3.3), clocks, and agreement with the device
 * properties real traces recorded.
 */
import { describe, expect, it } from "vitest";
import {
  GPU_KEYS,
  GPU_SPECS,
  H100_SXM,
  H200_SXM,
  A100_40GB,
  A100_80GB,
  mpsSmsForPercentage,
  mpsSmsForSmCount,
  snapClockMHz,
  specForDeviceName,
  supportedClocksMHz,
  type GpuSpec,
} from "../../src/gpu/specs";
import { fixture, readJson } from "../helpers/fixtures";

const SPECS = GPU_KEYS.map((k) => GPU_SPECS[k]);

describe.each(SPECS.map((s) => [s.key, s] as const))("%s", (_key, spec: GpuSpec) => {
  it("has a non-empty source for every numeric field, MIG and MPS", () => {
    const fields = Object.entries(spec).filter(([, v]) => typeof v === "number" || v === null).map(([k]) => k);
    expect(fields.length).toBeGreaterThanOrEqual(34);
    for (const field of [...fields, "migProfiles", "mps"]) {
      const source = (spec.sources as Record<string, string | undefined>)[field];
      expect(typeof source === "string" && source.length > 10, `${spec.key}.${field} has no source`).toBe(true);
    }
    // and no source names a field that does not exist
    for (const field of Object.keys(spec.sources)) expect(spec, field).toHaveProperty(field);
  });

  it("is structurally consistent", () => {
    expect(spec.tpcCount * spec.smsPerTpc).toBe(spec.smCount);
    expect(spec.maxWarpsPerSm * spec.threadsPerWarp).toBe(spec.maxThreadsPerSm);
    expect(spec.maxSmemPerBlockBytes + spec.smemReservedPerBlockBytes).toBe(spec.smemPerSmBytes);
    expect(spec.regsPerSm % (spec.warpAllocGranularity * spec.regAllocUnit)).toBe(0);
    expect(spec.minClockMHz).toBeLessThanOrEqual(spec.baseClockMHz);
    expect(spec.baseClockMHz).toBeLessThan(spec.maxClockMHz);
    expect((spec.maxClockMHz - spec.minClockMHz) % spec.clockStepMHz).toBe(0);
    expect(spec.idlePowerW).toBeLessThan(spec.idleContextPowerW);
    expect(spec.idleContextPowerW).toBeLessThan(spec.tdpW);
    if (spec.sustainedMemBandwidthBytesPerS !== null) {
      expect(spec.sustainedMemBandwidthBytesPerS).toBeLessThan(spec.memBandwidthBytesPerS);
    }
  });

  it("has MIG profiles that fit the 7 compute / 8 memory slices", () => {
    expect(spec.migProfiles).toHaveLength(7);
    for (const p of spec.migProfiles) {
      expect(p.smCount).toBeLessThanOrEqual(spec.smCount);
      // memory is proportional to memory slices (within 15 % of the whole-GPU profile's per-slice share)
      const whole = spec.migProfiles[spec.migProfiles.length - 1];
      expect(p.memBytes / p.memorySlices / (whole.memBytes / 8)).toBeGreaterThan(0.85);
      expect(p.memBytes / p.memorySlices / (whole.memBytes / 8)).toBeLessThan(1.15);
      expect(p.placementSlotCount).toBe(p.memorySlices);
      for (const start of p.placementStartSlots) expect(start + p.placementSlotCount).toBeLessThanOrEqual(8);
      expect(p.maxInstances).toBeLessThanOrEqual(Math.floor(7 / p.computeSlices));
      if (!p.name.endsWith("+me")) expect(p.name).toMatch(new RegExp(`^${p.computeSlices}g\\.\\d+gb$`));
    }
  });
});

/** [name, profile id, max instances, SMs, placement starts, slots] as hardware.md §2.2 lists them. */
type Row = [string, number, number, number, number[], number];
const ALL = [0, 1, 2, 3, 4, 5, 6];
function migTable(spec: GpuSpec): Row[] {
  return spec.migProfiles.map((p) => [p.name, p.profileId, p.maxInstances, p.smCount, [...p.placementStartSlots], p.placementSlotCount]);
}

describe("MIG profiles (hardware.md §2.2)", () => {
  it("H200, read on the H200", () => {
    expect(migTable(H200_SXM)).toEqual([
      ["1g.18gb", 19, 7, 16, ALL, 1], ["1g.18gb+me", 20, 1, 16, ALL, 1], ["1g.35gb", 15, 4, 26, [0, 2, 4, 6], 2],
      ["2g.35gb", 14, 3, 32, [0, 2, 4], 2], ["3g.71gb", 9, 2, 60, [0, 4], 4], ["4g.71gb", 5, 1, 64, [0], 4],
      ["7g.141gb", 0, 1, 132, [0], 8],
    ]);
    expect(H200_SXM.migProfiles.map((p) => p.memBytes / 2 ** 30)).toEqual([16, 16, 32.5, 32.5, 69.75, 69.75, 140]);
  });

  it("H100 SXM5", () => {
    expect(migTable(H100_SXM).map((r) => [r[0], r[3]])).toEqual([
      ["1g.10gb", 16], ["1g.10gb+me", 16], ["1g.20gb", 26], ["2g.20gb", 32], ["3g.40gb", 60], ["4g.40gb", 64], ["7g.80gb", 132],
    ]);
    expect(migTable(H100_SXM).map((r) => r.slice(4))).toEqual(migTable(H200_SXM).map((r) => r.slice(4)));
  });

  it("A100 40GB and 80GB: 14 SMs per slice, 98 of 108 SMs in 7g", () => {
    expect(migTable(A100_40GB)).toEqual([
      ["1g.5gb", 19, 7, 14, ALL, 1], ["1g.5gb+me", 20, 1, 14, ALL, 1], ["1g.10gb", 15, 4, 14, [0, 2, 4, 6], 2],
      ["2g.10gb", 14, 3, 28, [0, 2, 4], 2], ["3g.20gb", 9, 2, 42, [0, 4], 4], ["4g.20gb", 5, 1, 56, [0], 4],
      ["7g.40gb", 0, 1, 98, [0], 8],
    ]);
    expect(A100_80GB.migProfiles.map((p) => p.name)).toEqual(["1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"]);
    expect(A100_80GB.migProfiles.find((p) => p.name === "1g.20gb")?.smCount).toBe(14);
  });
});

describe("MPS active-thread percentage → SMs", () => {
  it("reproduces every point measured on the H200 (hardware.md §3.3)", () => {
    const measured: [number, number][] = [
      [100, 132], [99, 130], [90, 118], [80, 104], [75, 98], [70, 92], [60, 78], [50, 66], [40, 52], [33, 42],
      [30, 38], [25, 32], [20, 26], [15, 18], [12.5, 16], [12, 14], [10, 12], [7.5, 8], [7, 8], [1, 8],
    ];
    for (const [pct, sms] of measured) expect(mpsSmsForPercentage(H200_SXM, pct), `${pct} %`).toBe(sms);
  });

  it("programmatic SM counts round up to a TPC (hardware.md §3.3)", () => {
    const measured: [number, number][] = [
      [1, 8], [8, 8], [9, 10], [10, 10], [12, 12], [14, 14], [16, 16], [17, 18], [20, 20], [24, 24], [30, 30],
      [33, 34], [40, 40], [50, 50], [64, 64], [66, 66], [100, 100], [128, 128], [131, 132], [132, 132],
    ];
    for (const [n, sms] of measured) expect(mpsSmsForSmCount(H200_SXM, n), `${n} SMs`).toBe(sms);
  });

  it("applies the same (assumed) rule to the A100 and refuses bad percentages", () => {
    expect(mpsSmsForPercentage(A100_40GB, 100)).toBe(108);
    expect(mpsSmsForPercentage(A100_40GB, 50)).toBe(54);
    expect(mpsSmsForPercentage(A100_40GB, 33)).toBe(34); // 35.64 → 17 TPCs
    expect(A100_40GB.mps.measured).toBe(false);
    expect(H200_SXM.mps.measured).toBe(true);
    for (const bad of [0, -5, 101, Number.NaN]) expect(() => mpsSmsForPercentage(H200_SXM, bad)).toThrow(RangeError);
  });
});

describe("clocks", () => {
  it("H200: 345–1980 MHz in 15 MHz steps, 110 values (hardware.md §1.3)", () => {
    const clocks = supportedClocksMHz(H200_SXM);
    expect(clocks).toHaveLength(110);
    expect(clocks[0]).toBe(345);
    expect(clocks[109]).toBe(1980);
    expect(clocks).toContain(1470);
  });

  it("snaps a clock down to a supported step", () => {
    expect(snapClockMHz(H200_SXM, 1479)).toBe(1470);
    expect(snapClockMHz(H200_SXM, 5000)).toBe(1980);
    expect(snapClockMHz(H200_SXM, 100)).toBe(345);
    expect(supportedClocksMHz(A100_40GB)).toHaveLength(81);
  });
});

describe("agreement with device properties recorded in real traces", () => {
  const files = [
    "h200/bert_infer_bs1.pt.trace.json.gz",
    "real/tracelens/h100/gaunernst_bert-small-uncased__1016001.json.gz",
    "real/hta/negative_queue_length_values_check/rank0.json.gz",
    "real/hta/critical_path/cuda_event_sync_multi_stream/event_sync_trace.json.gz",
  ];
  it.each(files)("%s", (file) => {
    const doc = readJson(fixture(file)) as { deviceProperties: Record<string, number | string>[] };
    const dev = doc.deviceProperties[0];
    const spec = specForDeviceName(String(dev.name));
    expect(spec, String(dev.name)).not.toBeNull();
    expect(spec!.smCount).toBe(dev.numSms);
    expect(spec!.memBytes).toBe(dev.totalGlobalMem);
    expect(spec!.maxThreadsPerSm).toBe(dev.maxThreadsPerMultiprocessor);
    expect(spec!.maxThreadsPerBlock).toBe(dev.maxThreadsPerBlock);
    expect(spec!.regsPerSm).toBe(dev.regsPerMultiprocessor);
    expect(spec!.maxRegsPerBlock).toBe(dev.regsPerBlock);
    expect(spec!.smemPerSmBytes).toBe(dev.sharedMemPerMultiprocessor);
    expect(spec!.maxSmemPerBlockBytes).toBe(dev.sharedMemPerBlockOptin);
    expect(spec!.defaultSmemPerBlockBytes).toBe(dev.sharedMemPerBlock);
    expect(spec!.computeCapability).toBe(`${dev.computeMajor}.${dev.computeMinor}`);
  });
});
