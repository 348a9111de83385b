/**
 * MPS with client priorities (`CUDA_MPS_CLIENT_PRIORITY`, CUDA 12.4+): every stream of a high-priority
 * client is treated as high priority by the shared dispatcher, so its pending blocks go first; as with
 * stream priorities, running blocks are not preempted (hardware.md §3, §4.1). The registry gives it no client
 * limits (`honoursLimits`: thread limits are the `mps-limit` system's setting); a view with `smLimit` set is
 * still respected by the dispatcher.
 */
import type { Policy } from "./policy";
import { schedulePriorities } from "./priority";

export const mpsPriority: Policy = {
  name: "mps-priority",
  schedule: schedulePriorities,
};
