/** Human-readable output of the replay commands (`stack`, `run` without --json). */
import type { ReplayResult } from "../replay";

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");

export function formatStackText(r: ReplayResult): string {
  const s = r.summary;
  const lines = [
    `policy ${s.policy} on ${r.gpu.name}: ${f(s.duration_s, 1)} s of arrivals, ${f(s.simulated_s, 3)} s simulated, ${s.kernels} kernels in ${f(r.wallMs, 0)} ms`,
    `energy ${f(s.energy_j, 0)} J, average power ${f(s.avg_power_w, 0)} W`,
    "",
  ];
  r.workloads.forEach((w, i) => {
    const t = s.tenants[i]!;
    lines.push(`${t.name}: ${w.name} (${w.units.count} units, ${w.split.method}: ${w.split.detail})`);
    if (t.role === "service") {
      lines.push(`  requests ${t.requests}/${t.arrived}  p50 ${f(t.p50_us / 1e3, 3)} ms  p99 ${f(t.p99_us / 1e3, 3)} ms  p99.9 ${f(t.p999_us / 1e3, 3)} ms  mean ${f(t.mean_us / 1e3, 3)} ms  ${f(t.throughput_rps)} req/s`);
      if (t.slo_us !== null) lines.push(`  SLO ${f(t.slo_us, 0)} µs: ${f((t.slo_attainment ?? 0) * 100)}% within, goodput ${f(t.goodput_rps ?? 0)} req/s`);
    } else {
      lines.push(`  iterations ${t.iterations}  ${f(t.throughput_its, 2)} it/s  iteration p50 ${f(t.iteration_p50_ms, 2)} ms`);
    }
    lines.push(`  SM share ${f(t.sm_share * 100)}%`);
  });
  return `${lines.join("\n")}\n`;
}
