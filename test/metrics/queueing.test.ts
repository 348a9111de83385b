/**
 * Latency split into queueing and service (src/metrics/queueing.ts): worked cases, the refusal of completions out
 * of order, and the measured H200 co-location, whose arrivals are recovered from the lab script's seed: alone, the
 * service times found that way must match the solo time the script measured separately in the same run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { labArrivalsUs } from "../../src/analysis/colocation";
import { latencyStats } from "../../src/metrics/latency";
import { queueingSplit } from "../../src/metrics/queueing";
import { CALIBRATION_DATA } from "../helpers/fixtures";

describe("queueingSplit", () => {
  it("splits worked cases: a request arriving while the one before is served waits for it", () => {
    // Arrivals 0, 1, 10; latencies 3, 4, 2: completions 3, 5, 12. The second starts at 3 (waits 2, served 2).
    const s = queueingSplit([0, 1, 10], [3, 4, 2])!;
    expect(Array.from(s.service)).toEqual([3, 2, 2]);
    expect(Array.from(s.wait)).toEqual([0, 2, 0]);
    expect(s.busy).toBeCloseTo(7 / 12, 12);
  });

  it("refuses completions out of order (not one at a time, or not these arrivals), within the tolerance", () => {
    expect(queueingSplit([0, 1], [5, 1])).toBeNull();
    expect(queueingSplit([0, 1], [5, 3.9], 0.2)).not.toBeNull();
    expect(queueingSplit([0], [])).toBeNull();
  });

  it("recovers the measured H200 service's own time alone: the solo time the lab measured beside it", () => {
    const lab = JSON.parse(fs.readFileSync(path.join(CALIBRATION_DATA, "colocation", "resnet50_300rps", "alone_infer.1.json"), "utf8")) as
      { rate: number; lat_us: number[]; solo_service_us: number };
    const split = queueingSplit(labArrivalsUs(lab.rate, lab.lat_us.length), lab.lat_us, 0.2);
    expect(split).not.toBeNull();
    const service = latencyStats(split!.service);
    expect(Math.abs(service.p50 / lab.solo_service_us - 1)).toBeLessThan(0.05);
    // Wrong arrivals (another seed) leave completions out of order.
    expect(queueingSplit(labArrivalsUs(lab.rate, lab.lat_us.length, 2), lab.lat_us, 0.2)).toBeNull();
  });
});
