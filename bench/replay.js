// @ts-check
/**
 * (c) Replay speed: the 12 s two-tenant co-location scenario (ResNet-50 graph service at 300 req/s beside
 * ResNet-50 training, the H200 fixtures) under each policy. Reports simulated kernel executions per second of
 * wall time for the simulation alone (workloads loaded and recorded clocks found beforehand), and the wall time.
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
  const probe = { ...base, policy: lr.POLICIES.mps.make({}) };
  /** @type {import("../dist/src").SimTenant[]} */
  const tenants = [
    { name: "hp", workload: service, role: "service", arrivals: lr.poissonArrivals(300, durationNs, 1), priority: 1 },
    { name: "be", workload: job, role: "job" },
  ];
  const clocked = tenants.map((t) => ({ ...t, recordedClockMHz: lr.aloneClockMHz(t, probe, durationNs) }));
  for (const policy of ["mps", "timeslice", "priority", "mps-limit", "+tpc", "lithos"]) {
    const ts = policy === "mps-limit" ? clocked.map((t) => (t.name === "be" ? { ...t, smLimit: lr.mpsSmsForPercentage(gpu, 25) } : t)) : clocked;
    lr.simulate({ ...base, policy: lr.POLICIES[policy].make({}), tenants: ts, durationNs: 1e9 }); // warm-up (JIT)
    const t0 = process.hrtime.bigint();
    const r = lr.simulate({ ...base, policy: lr.POLICIES[policy].make({}), tenants: ts, durationNs });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`replay ${policy.padEnd(10)} 12 s two tenants: ${si(r.kernelsExecuted)} kernels, ${si(r.events)} events in ${s.toFixed(2)} s = ${si(r.kernelsExecuted / s)} kernel executions/s`);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
