/** Trace arguments of the replay commands: loaded into workloads, failures as one-line errors naming the file. */
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
