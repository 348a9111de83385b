/**
 * `lithos-replay coresidency <dir> --hp <service>=<trace>[,<service>=<trace>] [--gpu h100] [--delay µs] [--issue k]
 * [--fit <calibration.json>] [--json]`: the co-residency microbenchmark (tools/measure/coresidency.py, carveout.py)
 * replayed, service and co-runner slowdowns measured next to simulated. The per-kernel co-resident delay is fitted
 * on the sleeping co-runners' rows (or taken from `--delay`), then the issue contention on the FMA spinners' (or
 * taken from `--issue`); `--fit` writes both into a calibration file (its other contents kept).
 */
import * as path from "node:path";
import { coResidencyFit, readCoResidency, type CoResidencyFit, type CoResidencySet } from "../analysis/co-residency";
import { parseArgs, UsageError } from "./args";
import { gpuOption } from "./gpu-option";
import { readFitTarget, writeInterferenceFit } from "./interference-fit";
import { InputError } from "./output";
import { namedWorkloads, workloadInput } from "./workload-option";

export const CO_RESIDENCY_USAGE = "lithos-replay coresidency <dir> --hp <service>=<trace>[,<service>=<trace>…] [--gpu h100] [--delay µs] [--issue k] [--fit <calibration.json>] [--json]";

const x = (v: number) => `${v.toFixed(2)}×`;

export function formatCoResidency(fit: CoResidencyFit, fittedDelay: boolean, fittedIssue: boolean): string {
  const head = fittedDelay
    ? `co-resident delay fitted on the ${fit.fittedRows} one-process sleeping co-runners: ${fit.delayUs.toFixed(2)} µs per kernel (rms log error ${fit.rmsLogError.toFixed(3)})`
    : `co-resident delay given: ${fit.delayUs.toFixed(2)} µs per kernel`;
  const issue = fittedIssue
    ? `issue contention fitted on the ${fit.issueFittedRows} one-process FMA co-runners at that delay: ${fit.issueContention.toFixed(2)} per eligible warp per scheduler (rms log error ${fit.issueRmsLogError.toFixed(3)})`
    : `issue contention given: ${fit.issueContention.toFixed(2)} per eligible warp per scheduler`;
  const lines = [head, issue, "service   setting      co-runner                 service slowdown: measured  no terms  delay     delay+issue   co-runner kept: measured  simulated"];
  for (const c of fit.conditions) {
    lines.push(`${c.service.padEnd(9)} ${c.setting.padEnd(12)} ${c.coRunner.padEnd(25)} ${"".padEnd(18)}${x(c.measuredSlowdown).padEnd(9)} ${x(c.simulatedNoDelay).padEnd(9)} ${x(c.simulatedDelayOnly).padEnd(9)} ${x(c.simulatedSlowdown).padEnd(13)} ${"".padEnd(16)}${`${(c.measuredCoRunner * 100).toFixed(0)}%`.padEnd(9)} ${(c.simulatedCoRunner * 100).toFixed(0)}%`);
  }
  return `${lines.join("\n")}\n`;
}

export async function coResidencyCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["--hp", "--fit", "--gpu", "--delay", "--issue"], ["--json"]);
  if (positionals.length !== 1) throw new UsageError("coresidency takes one folder of measurements");
  const dir = positionals[0]!;
  const hp = options.get("--hp");
  if (typeof hp !== "string") throw new UsageError("coresidency needs --hp <service>=<trace>, one per service measured");
  const gpu = gpuOption(options.get("--gpu"));
  const fit = options.get("--fit");
  if (fit !== undefined && typeof fit !== "string") throw new UsageError("--fit takes the calibration file to write into");
  const delay = options.get("--delay");
  const delayUs = delay === undefined ? undefined : Number(delay);
  if (delayUs !== undefined && !(Number.isFinite(delayUs) && delayUs >= 0)) throw new UsageError("--delay takes µs ≥ 0");
  const issue = options.get("--issue");
  const issueContention = issue === undefined ? undefined : Number(issue);
  if (issueContention !== undefined && !(Number.isFinite(issueContention) && issueContention >= 0)) throw new UsageError("--issue takes a slowdown ≥ 0");
  if ((delayUs !== undefined || issueContention !== undefined) && fit !== undefined) throw new UsageError("--fit writes the fitted delay and issue contention: leave out --delay and --issue");
  let set: CoResidencySet;
  try {
    set = readCoResidency(dir);
  } catch (e) {
    throw new InputError(dir, (e as Error).message.replace(`${dir}: `, "").replace(/^ENOENT.*/, "no such folder"));
  }
  const services = await namedWorkloads(hp, "--hp");
  const missing = [...new Set(set.rows.map((r) => r.service))].filter((s) => services[s] === undefined);
  if (missing.length > 0) throw new UsageError(`no --hp trace for the service${missing.length > 1 ? "s" : ""} measured: ${missing.join(", ")}`);
  // Read before the fit, which takes a while, so that a bad file fails at once.
  const cal = typeof fit === "string" ? readFitTarget(fit) : undefined;
  const result = await coResidencyFit(set, services, (t) => workloadInput(t, "auto"), { gpu: gpu.key, delayUs, issueContention });
  if (cal !== undefined && typeof fit === "string") {
    await writeInterferenceFit(fit, cal, "coResidentDelayUs", result.delayUs, `${path.basename(path.resolve(dir))} (${set.gpu}): services' request time beside co-runner blocks that sleep on the same SMs, one process (${result.fittedRows} rows, least squares on log slowdown)`);
    await writeInterferenceFit(fit, cal, "issueContention", result.issueContention, `${path.basename(path.resolve(dir))} (${set.gpu}): services' request time beside co-runner blocks that spin on FMA on the same SMs, one process, at the fitted delay, with the co-runners' eligible warps from the calibration's timing.eligible (${result.issueFittedRows} rows, least squares on log slowdown)`);
    process.stderr.write(`wrote ${fit}: co-resident delay ${result.delayUs} µs per kernel, issue contention ${result.issueContention}\n`);
  }
  process.stdout.write(options.has("--json") ? `${JSON.stringify(result)}\n` : formatCoResidency(result, delayUs === undefined, issueContention === undefined));
  return 0;
}
