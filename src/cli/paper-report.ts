/**
 * `lithos-replay paper-report <results-dir> [--out report.md]`: the evidence tables of LithOS's evaluation replayed
 * (src/analysis/paper-report.ts), from the `compare --json` results that scripts/paper-runs.sh keeps as
 * <results-dir>/<gpu>/<experiment>.json.
 */
import { paperReport, readPaperResults, ResultsError } from "../analysis/paper-report";
import { parseArgs, UsageError } from "./args";
import { InputError, writeOutput } from "./output";

export const PAPER_REPORT_USAGE = "lithos-replay paper-report <results-dir> [--out <report.md>]";

export async function paperReportCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--out", "-o"], []);
  if (positionals.length !== 1) throw new UsageError("paper-report takes one folder of results");
  const dir = positionals[0]!;
  let report: string;
  try {
    report = paperReport(readPaperResults(dir));
  } catch (e) {
    // A file that cannot be read is named; a claim that cannot be computed (a system not run) names the folder.
    throw e instanceof ResultsError ? new InputError(e.file, e.cause_) : new InputError(dir, (e as Error).message);
  }
  const out = options.get("--out") ?? options.get("-o");
  if (typeof out === "string") await writeOutput(out, report);
  else process.stdout.write(report);
  return 0;
}
