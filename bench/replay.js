// @ts-check
/**
 * (c) Replay speed: the 12 s two-tenant co-location scenario (ResNet-50 graph service at 300 req/s beside
 * ResNet-50 training, the H200 fixtures) under each policy. Reports simulated kernel executions per second of
 * wall time for the simulation alone (workloads loaded and recorded clocks found beforehand), and the wall time.
 * Each policy runs twice: without the interference terms, and with the calibration's (`cal.interference`, passed as
 * src/replay.ts passes it: what `lithos-replay stack` and experiments run). The co-resident delay makes every
 * allocation change re-plan the pool's running kernels, so the second line is the one users see.
 * `node bench/replay.js [policy …]` runs only the policies named.
 */
"use strict";
const { lithos, shared, si } = require("./common");

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
      const t0 = process.hrtime.bigint();
      const r = lr.simulate({ ...options, policy: lr.POLICIES[policy].make({}), durationNs });
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(`replay ${(policy + label).padEnd(18)} 12 s two tenants: ${si(r.kernelsExecuted)} kernels, ${si(r.events)} events in ${s.toFixed(2)} s = ${(r.kernelsExecuted / s / 1e6).toFixed(2)} M kernel executions/s`);
    }
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
