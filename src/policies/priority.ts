/**
 * Stream priorities in one process (one context): kernels of more urgent streams get pending block
 * slots first, but running blocks are never preempted ("Higher-priority tasks do not preempt already running
 * lower-priority tasks", CUDA Programming Guide; hardware.md §4.1). An urgent kernel therefore waits for
 * blocks of the running kernels to finish, not for whole kernels: modelled by `reclaimForUrgent`.
 * Deliberate deviation: host-side effects of sharing one process (the Python GIL between two threads) are
 * not modelled.
 */
import { fill, priorityOrder, reclaimForUrgent } from "./fill";
import type { Policy, SchedulerView } from "./policy";

/** Priority dispatch shared by stream priorities and MPS client priorities. */
export function schedulePriorities(view: SchedulerView): void {
  const starved = fill(view, priorityOrder(view));
  reclaimForUrgent(view, starved);
}

export const priority: Policy = {
  name: "priority",
  schedule: schedulePriorities,
};
