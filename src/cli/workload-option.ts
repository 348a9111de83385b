/** Trace arguments of the replay commands: loaded into workloads, failures as one-line errors naming the file. */
import { ImportError } from "../ingest/errors";
import { loadWorkload, type ExtractOptions } from "../workload/extract";
import type { Workload } from "../workload/workload";
import { UsageError } from "./args";
import { InputError } from "./output";

/** `--hp-split` / `--be-split`: auto, steps, syncs, repeat, whole, or range:<regex>. */
export function splitOption(value: string | undefined): ExtractOptions["split"] {
  if (value === undefined || value === "auto") return "auto";
  if (value === "steps" || value === "syncs" || value === "repeat" || value === "whole") return value;
  if (value.startsWith("range:") && value.length > 6) return { range: value.slice(6) };
  throw new UsageError(`split "${value}": use auto, steps, syncs, repeat, whole or range:<regex>`);
}

export async function workloadInput(file: string, split: ExtractOptions["split"]): Promise<Workload> {
  try {
    return await loadWorkload(file, { split });
  } catch (e) {
    if (e instanceof ImportError || e instanceof InputError) throw e;
    throw new InputError(file, (e as Error).message);
  }
}
