/**
 * `lithos-replay run <experiment.json> [--json] [--out result.json]`: any number of tenants, each with its
 * trace, arrival process, priority and limit, under one policy (file format: schemas/experiment.proto).
 */
import { aloneSlos } from "../analysis/compare";
import { replay } from "../replay";
import { parseExperiment } from "../workload/experiment";
import { parseArgs, UsageError } from "./args";
import { InputError, readInputText, writeOutput } from "./output";
import { formatStackText } from "./stack-format";

export const RUN_USAGE = "lithos-replay run <experiment.json> [--json] [--out <result.json>]";

export async function runCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--out", "-o"], ["--json"]);
  if (positionals.length !== 1) throw new UsageError("run takes one experiment file");
  const file = positionals[0]!;
  let spec;
  try {
    spec = parseExperiment(readInputText(file), file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, (e as Error).message);
  }
  let r;
  try {
    // slo_x: each service's SLO is a multiple of its p50 alone, so each service is replayed alone first.
    if (spec.sloX !== null) {
      const slos = await aloneSlos(spec, spec.sloX);
      spec = { ...spec, tenants: spec.tenants.map((t, i) => ({ ...t, sloUs: slos[i] })) };
    }
    r = await replay(spec);
  } catch (e) {
    if (e instanceof InputError || (e as Error).name === "ImportError") throw e;
    throw new InputError(file, (e as Error).message);
  }
  const json = `${JSON.stringify({ ...r.summary, seed: spec.seed, wall_ms: r.wallMs })}\n`;
  const out = options.get("--out") ?? options.get("-o");
  if (typeof out === "string") await writeOutput(out, json);
  process.stdout.write(options.has("--json") ? json : formatStackText(r));
  return 0;
}
