/**
 * The GPU spec registry: every known spec by key, lookup by key or alias (`gpuSpec`, for command lines and
 * configs) and by the device name a trace reports (`specForDeviceName`, for importers and the simulator
 * picking the GPU a trace ran on).
 */
import { A100_40GB, A100_80GB } from "./a100";
import { H100_SXM } from "./h100";
import { H200_SXM } from "./h200";
import type { GpuSpec } from "./spec";

export * from "./spec";
export { A100_40GB, A100_80GB, A100_40GB_MIG_PROFILES, A100_80GB_MIG_PROFILES } from "./a100";
export { H100_SXM, H100_MIG_PROFILES } from "./h100";
export { H200_SXM, H200_MIG_PROFILES } from "./h200";

/** Registry keys. */
export type GpuKey = "a100-40gb" | "a100-80gb" | "h100-sxm" | "h200-sxm";

/** Every known spec by key. */
export const GPU_SPECS: Readonly<Record<GpuKey, GpuSpec>> = {
  "a100-40gb": A100_40GB,
  "a100-80gb": A100_80GB,
  "h100-sxm": H100_SXM,
  "h200-sxm": H200_SXM,
};

/** The registry keys, in registry order. */
export const GPU_KEYS = Object.keys(GPU_SPECS) as GpuKey[];

/**
 * Device names as profilers report them (Kineto `deviceProperties[].name`, nsys `TARGET_INFO_GPU.name`),
 * normalized, → spec key. PCIe, NVL and MIG-slice device names are deliberately absent (other clocks, power
 * limits or SM counts than these specs): `specForDeviceName` returns null for them.
 */
const DEVICE_NAMES: Readonly<Record<string, GpuKey>> = {
  "h200": "h200-sxm", // "NVIDIA H200" (fixtures/h200/*, traces/nvfuser_h200_matmul.sqlite)
  "h100-80gb-hbm3": "h100-sxm", // "NVIDIA H100 80GB HBM3" (fixtures/real/tracelens/h100/*)
  "h100-sxm5-80gb": "h100-sxm",
  "a100-sxm4-40gb": "a100-40gb", // "NVIDIA A100-SXM4-40GB" (nsys, fixtures/real/pipit/saxpy-*)
  "a100-sxm4-80gb": "a100-80gb", // "NVIDIA A100-SXM4-80GB" (fixtures/real/pipit/cloverleaf-*, hta/negative_queue_*)
  // "NVIDIA A100-PG509-200": an A100 board variant (Meta's HTA fixtures). Its trace reports 108 SMs, CC 8.0,
  // 164 KB smem/SM and totalGlobalMem 42,297,524,224 B — byte-identical to A100-SXM4-40GB — so it is the 40 GB part.
  "a100-pg509-200": "a100-40gb",
};

/** Extra names `gpuSpec` accepts besides keys and device names (normalized). */
const ALIASES: Readonly<Record<string, GpuKey>> = {
  "a100-sxm4": "a100-40gb",
  "a100-sxm-40gb": "a100-40gb",
  "a100-sxm-80gb": "a100-80gb",
  // Bare "a100" means the 80 GB part (the later and more common SXM4 board); ask for "a100-40gb" explicitly.
  "a100": "a100-80gb",
  "h100": "h100-sxm",
  "h100-sxm5": "h100-sxm",
  "h100-80gb": "h100-sxm",
  "h200-sxm-141gb": "h200-sxm",
  "h200-141gb": "h200-sxm",
  ...DEVICE_NAMES,
};

/** Lower case, runs of spaces/underscores → "-", no leading "NVIDIA". "NVIDIA H100 80GB HBM3" → "h100-80gb-hbm3". */
function normalize(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^nvidia-/, "");
}

/** `record[name]` if `name` is the record's own key (so "constructor" or "__proto__" never match). */
function lookup(record: Readonly<Record<string, GpuKey>>, name: string): GpuKey | undefined {
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

/**
 * The spec for a key, alias or reported device name, case- and spacing-insensitive:
 * "h200", "h200-sxm", "NVIDIA H200", "a100" (= a100-80gb), "A100-SXM4-80GB", "NVIDIA H100 80GB HBM3", ….
 * Throws an Error listing the known keys when nothing matches.
 */
export function gpuSpec(keyOrAlias: string): GpuSpec {
  const n = normalize(keyOrAlias);
  const key = (GPU_KEYS as string[]).includes(n) ? (n as GpuKey) : lookup(ALIASES, n);
  if (key) return GPU_SPECS[key];
  throw new Error(
    `unknown GPU "${keyOrAlias}"; known: ${GPU_KEYS.join(", ")} (aliases: ${Object.keys(ALIASES).join(", ")})`,
  );
}

/**
 * The spec for the device name a trace reports ("NVIDIA H200", "NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-80GB",
 * "A100-SXM4-40GB", "NVIDIA A100-PG509-200" → a100-40gb), or null for any other GPU (PCIe/NVL parts, MIG slices,
 * other architectures). Only exact reported names match, not loose aliases such as "a100".
 */
export function specForDeviceName(name: string): GpuSpec | null {
  const key = lookup(DEVICE_NAMES, normalize(name));
  return key ? GPU_SPECS[key] : null;
}
