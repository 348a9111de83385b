/**
 * Where a region's warps spend their time, from Nsight Compute's warp state statistics (tools/measure/ncu_issue.sh
 * TAG=stall): for each stall reason, the warps stalled for it per issued instruction over the warps active per issued
 * instruction is the share of warp time in that state; weighted by each launch's duration, the region's share.
 * Used to ask whether a kernel's waiting on memory or for an issue slot says how much another tenant slows it
 * (calibrations/stall-h100).
 */
import type { NcuLaunch } from "../gpu/eligible-warps";

const STALLED = "smsp__average_warps_issue_stalled_";
const PER_ISSUE = "_per_issue_active.ratio";
const ACTIVE = "smsp__average_warps_active_per_issue_active.ratio";
const DURATION = "gpu__time_duration.sum";

export interface WarpStallSummary {
  /** Launches with the warp state statistics. */
  readonly launches: number;
  /** Their GPU time under the profiler, µs. */
  readonly gpuUs: number;
  /** Instructions issued per scheduler per active cycle, duration-weighted. */
  readonly issueActive: number;
  /** Share of warp time per stall reason (Nsight Compute's names: long_scoreboard, not_selected, selected, …), duration-weighted, largest first. */
  readonly shares: Readonly<Record<string, number>>;
}

/** The duration-weighted warp state shares of `launches`; launches without the statistics or a duration are left out. */
export function warpStallSummary(launches: readonly NcuLaunch[]): WarpStallSummary {
  const used = launches.filter((l) => (l.metrics[ACTIVE] ?? 0) > 0 && (l.metrics[DURATION] ?? 0) > 0);
  if (used.length === 0) throw new Error(`no launch with ${ACTIVE} and ${DURATION} (not a TAG=stall export?)`);
  const total = used.reduce((a, l) => a + l.metrics[DURATION]!, 0);
  const shares: Record<string, number> = {};
  let issue = 0;
  for (const l of used) {
    const w = l.metrics[DURATION]! / total;
    issue += w * (l.metrics["smsp__issue_active.avg.per_cycle_active"] ?? 0);
    for (const [m, v] of Object.entries(l.metrics)) {
      if (!m.startsWith(STALLED) || !m.endsWith(PER_ISSUE)) continue;
      const reason = m.slice(STALLED.length, -PER_ISSUE.length);
      shares[reason] = (shares[reason] ?? 0) + (w * v) / l.metrics[ACTIVE]!;
    }
  }
  const sorted = Object.fromEntries(Object.entries(shares).sort((a, b) => b[1] - a[1]));
  return { launches: used.length, gpuUs: total / 1e3, issueActive: issue, shares: sorted };
}
