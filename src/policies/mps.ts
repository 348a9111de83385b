/**
 * MPS: one shared context for all clients; their kernels run at once and the hardware hands out SMs to
 * blocks first come, first served, with no time slicing between clients (hardware.md §3). A kernel that
 * arrives while another holds every SM waits until that kernel's last wave frees SMs. A client limited by
 * `CUDA_MPS_ACTIVE_THREAD_PERCENTAGE` (its tenant's `smLimit`) never holds more SMs than the limit allows.
 */
import { fcfsOrder, fill } from "./fill";
import type { Policy } from "./policy";

export const mps: Policy = {
  name: "mps",
  schedule(view) {
    fill(view, fcfsOrder(view));
  },
};
