/**
 * A sweep worker (worker_threads): parses the plan it is given once, then replays the points it is sent, one at a
 * time, and posts each point's rows back. Traces are loaded once per worker and reused by every point.
 */
import { parentPort, workerData } from "node:worker_threads";
import { replay, type TenantSpec } from "../replay";
import { loadWorkload } from "../workload/extract";
import type { Workload } from "../workload/workload";
import { parseSweepPlan, pointScenario } from "./plan";
import { pointRows } from "./rows";

export interface WorkerInit { readonly planText: string; readonly planFile: string }
export type WorkerReply =
  | { readonly index: number; readonly rows: ReturnType<typeof pointRows> }
  | { readonly index: number; readonly error: string };

const { planText, planFile } = workerData as WorkerInit;
const plan = parseSweepPlan(planText, planFile);
const workloads = new Map<string, Promise<Workload>>();

async function withWorkloads(tenants: readonly TenantSpec[]): Promise<TenantSpec[]> {
  return Promise.all(tenants.map(async (t) => {
    if (typeof t.trace !== "string") return t;
    const key = `${t.trace}\0${JSON.stringify(t.split ?? "auto")}`;
    let w = workloads.get(key);
    if (!w) { w = loadWorkload(t.trace, { split: t.split }); workloads.set(key, w); }
    return { ...t, trace: await w };
  }));
}

parentPort!.on("message", async (index: number) => {
  try {
    const p = plan.points[index]!;
    const spec = pointScenario(plan, p);
    const r = await replay({ ...spec, tenants: await withWorkloads(spec.tenants) });
    parentPort!.postMessage({ index, rows: pointRows(p, r.summary, r.wallMs) } satisfies WorkerReply);
  } catch (e) {
    parentPort!.postMessage({ index, error: (e as Error).message } satisfies WorkerReply);
  }
});
