/** `lithos-replay import <input> -o <out.arrow> [--format F]` (contract: exit 0 on success, 2 on bad input). */
import * as fs from "node:fs";
import * as path from "node:path";
import { importTrace } from "../ingest";
import { writeTraceFile } from "../trace/io";
import { parseArgs, UsageError } from "./args";

export const IMPORT_USAGE = "lithos-replay import <input> -o <out.arrow> [--format kineto-json|nsys-sqlite|nsys-json|nsys-arrow|nsys-arrowdir|nsys-parquetdir|nsys-rep|cupti-stream|chakra-et|chakra-json]";

export async function importCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["-o", "--out", "--format"], []);
  if (positionals.length !== 1) throw new UsageError("import takes exactly one input");
  const out = options.get("-o") ?? options.get("--out");
  if (typeof out !== "string") throw new UsageError("import needs -o <out.arrow>");
  const input = positionals[0];
  if (fs.existsSync(input) && fs.existsSync(out) && fs.realpathSync(input) === fs.realpathSync(out)) {
    throw new UsageError("the output would overwrite the input");
  }
  if (!fs.existsSync(path.dirname(path.resolve(out)))) throw new UsageError(`output folder ${path.dirname(out)} does not exist`);
  const format = options.get("--format");
  const trace = await importTrace(input, { format: typeof format === "string" ? format : undefined });
  await writeTraceFile(trace, out);
  const k = trace.kernels.numRows, m = trace.memops.numRows, a = trace.api.numRows;
  process.stderr.write(`${input} → ${out}: ${k} kernels, ${m} memops, ${a} api calls (${trace.meta.sourceFormat})\n`);
  return 0;
}
