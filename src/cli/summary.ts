/**
 * `lithos-replay summary [files or folders…] [-o out/]`: the main job until the replay exists. Imports every trace
 * given (default: the package's bundled sample traces), prints one line per trace and, with -o, writes each as
 * `<out>/<name>.arrow`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { traceInfo } from "../analysis/trace-info";
import { ExportFolder, FOLDER_IMPORTERS, importTrace } from "../ingest";
import { writeTraceFile } from "../trace/io";
import { packageRoot } from "../util/paths";
import { parseArgs } from "./args";
import { formatNs, formatTable, shorten } from "./format";

export const SUMMARY_USAGE = "lithos-replay summary [files or folders…] [-o out/]   (default: the bundled traces/)";

/** Files in a folder that may be traces: documentation and licences are skipped. */
function traceFilesIn(dir: string): string[] {
  return fs.readdirSync(dir)
    .filter((f) => !/\.(md|txt)$|^LICENSE|^NOTICE|^\./i.test(f))
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile())
    .sort();
}

async function isExportFolder(dir: string): Promise<boolean> {
  const folder = await ExportFolder.open(dir);
  return FOLDER_IMPORTERS.some((i) => i.sniffFolder(folder));
}

export async function summaryCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["-o", "--out"], []);
  const inputs = positionals.length ? positionals : [path.join(packageRoot(), "traces")];
  const files: string[] = [];
  for (const p of inputs) {
    const isDir = fs.existsSync(p) && fs.statSync(p).isDirectory();
    // an nsys arrowdir / parquetdir export is one trace, not a folder of traces
    files.push(...(isDir && !(await isExportFolder(p)) ? traceFilesIn(p) : [p]));
  }
  const out = options.get("-o") ?? options.get("--out");
  if (typeof out === "string") fs.mkdirSync(out, { recursive: true });

  const rows: (string | number)[][] = [];
  for (const file of files) {
    const trace = await importTrace(file);
    const info = traceInfo(trace, 1);
    if (typeof out === "string") await writeTraceFile(trace, path.join(out, `${path.basename(file).replace(/(\.pt)?\.trace\.json(\.gz)?$|\.json(\.gz)?$|\.sqlite$/, "")}.arrow`));
    const dev = info.devices[0];
    rows.push([
      path.basename(file), dev ? `${dev.name} (${dev.sms ?? "?"} SMs)` : "-", info.tables.kernels.rows,
      info.span ? formatNs(info.span.duration_ns) : "-", formatNs(info.kernel_time_ns),
      info.top_kernels[0] ? `${info.top_kernels[0].pct.toFixed(0)}% ${shorten(info.top_kernels[0].name, 48)}` : "-",
    ]);
  }
  process.stdout.write(`${formatTable(["trace", "device", "kernels", "GPU span", "kernel time", "top kernel"], rows, [false, false, true, true, true, false])}\n`);
  if (typeof out === "string") process.stdout.write(`\nwrote ${files.length} .arrow files to ${out}\n`);
  return 0;
}
