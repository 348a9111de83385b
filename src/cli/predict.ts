/**
 * `lithos-replay predict --gpu h200 --kernels <in.csv> --sms 8,16,… --out <out.csv>` (a contract: keep it exactly).
 * in.csv has at least name,grid,block,regs,smem,us (grid/block as XxYxZ; us measured with all SMs of the GPU);
 * out.csv is in.csv, every input byte carried through, plus one column us_at_<n> per SM count.
 */
import { calibrationFor, readCalibration } from "../gpu/calibration";
import { parseDims, parseNonNegative } from "../gpu/measurements";
import { prepareKernel, preparedUs } from "../gpu/timing";
import { parseCsv } from "../util/csv";
import { parseArgs, UsageError } from "./args";
import { gpuOption } from "./gpu-option";
import { InputError, readInputText, writeOutput } from "./output";

export const PREDICT_USAGE = "lithos-replay predict --gpu h200 --kernels <in.csv> --sms 8,16,24,… --out <out.csv> [--from-gpu h200] [--clock MHz] [--calibration file.json]";
const REQUIRED = ["name", "grid", "block", "regs", "smem", "us"];

export async function predictCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--gpu", "--from-gpu", "--kernels", "--sms", "--out", "-o", "--clock", "--calibration"], []);
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const str = (k: string) => { const v = options.get(k); return typeof v === "string" ? v : undefined; };
  const input = str("--kernels"), out = str("--out") ?? str("-o"), smsText = str("--sms");
  if (!input || !out || !smsText) throw new UsageError("predict needs --kernels, --sms and --out");
  const to = gpuOption(options.get("--gpu"));
  const from = gpuOption(options.get("--from-gpu"), to.key);
  const sms = smsText.split(",").map((s) => Number(s.trim()));
  if (sms.some((n) => !Number.isInteger(n) || n < 1 || n > to.smCount)) throw new UsageError(`--sms takes whole numbers from 1 to ${to.smCount} (the SMs of ${to.name})`);
  const clock = str("--clock") === undefined ? undefined : Number(str("--clock"));
  if (clock !== undefined && !(clock > 0)) throw new UsageError("--clock takes MHz");
  const calFile = str("--calibration");
  const cal = calFile ? readCalibration(calFile) : calibrationFor(from);

  const text = readInputText(input);
  const { header, headerRaw, records } = parseCsv(text);
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) throw new InputError(input, `missing column${missing.length > 1 ? "s" : ""} ${missing.join(",")} (needs ${REQUIRED.join(",")})`);
  const col = (c: string) => header.indexOf(c);
  const lines = [`${headerRaw},${sms.map((n) => `us_at_${n}`).join(",")}`];
  records.forEach((r, i) => {
    const f = r.fields;
    let grid: number[], block: number[];
    try {
      grid = parseDims(f[col("grid")]);
      block = parseDims(f[col("block")]);
    } catch (e) {
      throw new InputError(input, `record ${i + 1}: ${(e as Error).message}`);
    }
    const us = parseNonNegative(f[col("us")]);
    if (us === null) throw new InputError(input, `record ${i + 1}: us "${f[col("us")] ?? ""}" is not a duration`);
    const kernel = {
      name: f[col("name")], gridBlocks: grid[0] * grid[1] * grid[2], us, threadsPerBlock: block[0] * block[1] * block[2],
      regsPerThread: Number(f[col("regs")]) || null, smemPerBlockBytes: Number(f[col("smem")]) || 0,
    };
    // Prepared once per kernel (the measured-curve lookup), then evaluated at each SM count: predictKernelUs per count.
    const prepared = prepareKernel(cal.timing, kernel, { gpu: from }, to);
    const preds = sms.map((n) => preparedUs(prepared, n, clock ?? to.maxClockMHz, 1));
    lines.push(`${r.raw},${preds.map((p) => p.toFixed(3)).join(",")}`);
  });
  // Keep the input's line ending and byte-order mark, so that its bytes carry through.
  const eol = /\r\n/.test(text) ? "\r\n" : "\n";
  await writeOutput(out, `${text.startsWith("\uFEFF") ? "\uFEFF" : ""}${lines.join(eol)}${eol}`);
  process.stderr.write(`${input} → ${out}: ${records.length} kernels predicted at ${sms.length} SM counts on ${to.name}\n`);
  return 0;
}
