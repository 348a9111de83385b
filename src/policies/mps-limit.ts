/**
 * MPS with per-client active-thread limits (`CUDA_MPS_ACTIVE_THREAD_PERCENTAGE`): the MPS dispatcher, each
 * client confined to the SMs its percentage gives under the GPU's rounding rule (on the H200
 * max(8, 2·floor(p·132/200)); `mpsSmsForPercentage`, hardware.md §3). The limits are the tenants' `smLimit`,
 * set from `--hp-limit` / `--be-limit` or an experiment's `limit_pct`.
 */
import { mps } from "./mps";
import type { Policy } from "./policy";

export const mpsLimit: Policy = {
  name: "mps-limit",
  schedule: mps.schedule,
};
