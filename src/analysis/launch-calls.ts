/**
 * The API call that launched each GPU operation: the `api` row with the same process id and correlation id (the
 * CUPTI link, trace-formats.md). GPU rows without a process id link within the trace's one API process, when it has
 * exactly one. Used by the idle-time, launch-statistics and per-iteration analyses.
 */
import { numberColumn } from "../trace/access";
import type { Trace } from "../trace/tables";

/** For each GPU row (its process and correlation id columns), the index of its launching `api` row, or -1. */
export function launchCallIndex(trace: Trace, proc: Float64Array, corr: Float64Array): Int32Array {
  const aProc = numberColumn(trace.api, "process_id"), aCorr = numberColumn(trace.api, "correlation_id");
  const byKey = new Map<string, number>();
  for (let i = 0; i < aCorr.length; i++) if (!Number.isNaN(aCorr[i]!)) byKey.set(`${aProc[i]}/${aCorr[i]}`, i);
  const processes = new Set(aProc);
  const only = processes.size === 1 ? [...processes][0] : undefined;
  const out = new Int32Array(corr.length).fill(-1);
  for (let i = 0; i < corr.length; i++) {
    if (Number.isNaN(corr[i]!)) continue;
    const p = Number.isNaN(proc[i]!) ? only : proc[i];
    out[i] = byKey.get(`${p}/${corr[i]}`) ?? -1;
  }
  return out;
}
