// @ts-check
/**
 * (c) Replay speed: the 12 s two-tenant co-location scenario (ResNet-50 graph service at 300 req/s beside
 * ResNet-50 training, the H200 fixtures) under each policy. Reports simulated kernel executions per second of
 * wall time for the simulation alone (workloads loaded and recorded clocks found beforehand), and the wall time:
 * the median of three runs, with the range of their rates.
 * Each policy runs twice: without the interference terms, and with the calibration's (`cal.interference`, passed as
 * src/replay.ts passes it: what `lithos-replay stack` and experiments run). The co-resident delay and the issue
 * contention make every allocation change re-plan the pool's running kernels, so the second line is the one users see.
 * `node bench/replay.js [policy …]` runs only the policies named.
 */
"use strict";
const { lithos, shared, si } = require("./common");

/** Timed runs per policy and interference setting. */
const RUNS = 3;

async function main() {
  const lr = lithos();
  const gpu = lr.gpuSpec("h200");
  const cal = lr.calibrationFor(gpu);
  const service = await lr.loadWorkload(shared("fixtures/h200/resnet50_graph_infer_bs1.pt.trace.json.gz"));
  const job = await lr.loadWorkload(shared("fixtures/h200/resnet50_colo_train_bs64.pt.trace.json.gz"));
  const durationNs = 12e9;
  const base = { gpu, timing: cal.timing, power: /** @type {any} */ (cal.power) };
  // As src/replay.ts passes the calibration's interference terms (0 or null where it has none).
  const interference = {
    coResidentSlowdown: cal.interference?.coResidentSlowdown ?? 0,
    coResidentDelayUs: cal.interference?.coResidentDelayUs ?? 0,
    issueContention: cal.interference?.issueContention ?? 0,
    loadedLatency: cal.interference?.loadedLatency ?? null,
  };
  const probe = { ...base, policy: lr.POLICIES.mps.make({}) };
  /** @type {import("../dist/src").SimTenant[]} */
  const tenants = [
    { name: "hp", workload: service, role: "service", arrivals: lr.poissonArrivals(300, durationNs, 1), priority: 1 },
    { name: "be", workload: job, role: "job" },
  ];
  const clocked = tenants.map((t) => ({ ...t, recordedClockMHz: lr.aloneClockMHz(t, probe, durationNs) }));
  const named = process.argv.slice(2);
  for (const policy of ["mps", "timeslice", "priority", "mps-limit", "+tpc", "lithos"]) {
    if (named.length > 0 && !named.includes(policy)) continue;
    const ts = policy === "mps-limit" ? clocked.map((t) => (t.name === "be" ? { ...t, smLimit: lr.mpsSmsForPercentage(gpu, 25) } : t)) : clocked;
    for (const [label, terms] of /** @type {[string, Partial<typeof interference>][]} */ ([["", {}], [" +interf", interference]])) {
      const options = { ...base, ...terms, tenants: ts };
      lr.simulate({ ...options, policy: lr.POLICIES[policy].make({}), durationNs: 1e9 }); // warm-up (JIT)
      // Three runs, the median reported with the range: on a shared machine one run can be a quarter off.
      /** @type {number[]} */
      const runs = [];
      let kernels = 0, events = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = process.hrtime.bigint();
        const r = lr.simulate({ ...options, policy: lr.POLICIES[policy].make({}), durationNs });
        runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
        kernels = r.kernelsExecuted;
        events = r.events;
      }
      runs.sort((a, b) => a - b);
      const s = runs[RUNS >> 1], rate = (/** @type {number} */ t) => (kernels / t / 1e6).toFixed(2);
      console.log(`replay ${(policy + label).padEnd(18)} 12 s two tenants: ${si(kernels)} kernels, ${si(events)} events in ${s.toFixed(2)} s (median of ${RUNS}) = ${rate(s)} M kernel executions/s (${rate(runs[RUNS - 1])}–${rate(runs[0])})`);
    }
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
