/** `lithos-replay info <input or .arrow> [--json] [--top N]`: what a trace holds (contract: keep the JSON keys). */
import { traceInfo, type TraceInfo } from "../analysis/trace-info";
import { loadTrace } from "../ingest";
import { parseArgs, UsageError } from "./args";
import { formatNs, formatTable, shorten } from "./format";

export const INFO_USAGE = "lithos-replay info <input or .arrow> [--json] [--top N]";

export async function infoCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--top", "--format"], ["--json"]);
  if (positionals.length !== 1) throw new UsageError("info takes exactly one input");
  const top = options.has("--top") ? Number(options.get("--top")) : 10;
  if (!Number.isInteger(top) || top < 0) throw new UsageError("--top needs a whole number");
  const format = options.get("--format");
  const trace = await loadTrace(positionals[0], { format: typeof format === "string" ? format : undefined });
  const info = traceInfo(trace, top);
  process.stdout.write(options.has("--json") ? `${JSON.stringify(info)}\n` : `${renderInfo(info)}\n`);
  return 0;
}

export function renderInfo(info: TraceInfo): string {
  const out: string[] = [];
  out.push(`${info.source_file}  (${info.source_format}; ${info.source_tool})`);
  if (info.time_base_epoch_ns !== null) out.push(`time base: ${new Date(Number(BigInt(info.time_base_epoch_ns) / 1000000n)).toISOString()} (epoch ns ${info.time_base_epoch_ns})`);
  out.push("", formatTable(["table", "rows"], Object.entries(info.tables).map(([t, { rows }]) => [t, rows]), [false, true]));
  out.push("", formatTable(
    ["device", "name", "SMs", "clock", "mem bandwidth"],
    info.devices.map((d) => [d.id, d.name, d.sms ?? "?", d.clock_hz ? `${(d.clock_hz / 1e6).toFixed(0)} MHz` : "?", d.mem_bandwidth_bytes_per_s ? `${(d.mem_bandwidth_bytes_per_s / 1e12).toFixed(2)} TB/s` : "?"]),
    [true, false, true, true, true],
  ));
  out.push("", formatTable(["device", "stream", "kernels", "kernel time"], info.streams.map((s) => [s.device, s.stream, s.kernels, formatNs(s.kernel_time_ns)]), [true, true, true, true]));
  out.push("", info.span ? `GPU span: ${formatNs(info.span.duration_ns)}   kernel time: ${formatNs(info.kernel_time_ns)} (${info.kernel_time_ns} ns)` : "no GPU activity");
  if (info.top_kernels.length) {
    out.push("", formatTable(
      ["time %", "total", "count", "mean", "kernel"],
      info.top_kernels.map((k) => [k.pct.toFixed(1), formatNs(k.total_ns), k.count, formatNs(Math.round(k.mean_ns)), shorten(k.name)]),
      [true, true, true, true, false],
    ));
  }
  if (info.diagnostics.length) {
    out.push("", "diagnostics:");
    for (const d of info.diagnostics) out.push(`  ${d.severity} ${d.code} ×${d.count}: ${d.message}`);
  }
  return out.join("\n");
}
