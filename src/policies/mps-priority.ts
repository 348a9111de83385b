/**
 * MPS with client priorities (`CUDA_MPS_CLIENT_PRIORITY`, CUDA 12.4+): every stream of a high-priority
 * client is treated as high priority by the shared dispatcher, so its pending blocks go first; as with
 * stream priorities, running blocks are not preempted (hardware.md §3, §4.1). Client limits (`smLimit`)
 * apply too.
 */
import type { Policy } from "./policy";
import { schedulePriorities } from "./priority";

export const mpsPriority: Policy = {
  name: "mps-priority",
  schedule: schedulePriorities,
};
