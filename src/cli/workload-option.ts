/** Trace arguments of the replay commands: loaded into workloads, failures as one-line errors naming the file. */
import * as fs from "node:fs";
import { ImportError } from "../ingest/errors";
import { loadWorkload, type ExtractOptions } from "../workload/extract";
import { parseSplitOption } from "../workload/split";
import type { Workload } from "../workload/workload";
import { UsageError } from "./args";
import { InputError } from "./output";

/** `--hp-split` / `--be-split`: auto, steps, syncs, repeat, whole, or range:<regex>. */
export function splitOption(value: string | undefined): ExtractOptions["split"] {
  try {
    return parseSplitOption(value ?? "auto");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `--be-gap`: host time between a job's iterations, µs, or "recorded" for the trace's own gaps; default 0. */
export function gapOption(value: string | true | undefined): number | "recorded" {
  if (value === undefined) return 0;
  if (value === "recorded") return "recorded";
  const gap = typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!(gap >= 0 && Number.isFinite(gap))) throw new UsageError(`--be-gap takes microseconds ≥ 0 or "recorded", got "${String(value)}"`);
  return gap;
}

export async function workloadInput(file: string, split: ExtractOptions["split"]): Promise<Workload> {
  try {
    return await loadWorkload(file, { split });
  } catch (e) {
    if (e instanceof ImportError || e instanceof InputError) throw e;
    throw new InputError(file, (e as Error).message);
  }
}

/**
 * `<name>=<trace>[,<name>=<trace>…]` (coresidency's `--hp`, stacking's `--trace`): each trace loaded into a workload,
 * by name.
 */
export async function namedWorkloads(value: string, flag: string): Promise<Record<string, Workload>> {
  const out: Record<string, Workload> = {};
  for (const pair of value.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag} takes <name>=<trace> pairs, not "${pair}"`);
    out[pair.slice(0, eq)] = await workloadInput(pair.slice(eq + 1), "auto");
  }
  return out;
}

/** The one folder of measurements the validation commands (colocation, stacking, phases) take: `what` it holds. */
export function measurementsFolder(positionals: readonly string[], command: string, what: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes one folder of ${what}`);
  const dir = positionals[0]!;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError(dir, `not a folder of ${what}`);
  return dir;
}

/** `--hp <service trace>` and `--be <job trace>`, both required (colocation, phases); loaded by the caller. */
export function serviceAndJobTraces(options: ReadonlyMap<string, string | true>, command: string): { hp: string; be: string } {
  const hp = options.get("--hp"), be = options.get("--be");
  if (typeof hp !== "string" || typeof be !== "string") throw new UsageError(`${command} needs --hp <service trace> and --be <job trace>`);
  return { hp, be };
}
