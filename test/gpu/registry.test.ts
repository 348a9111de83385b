/**
 * The spec registry: keys, aliases, trace device names (including the names real fixtures report) and the error
 * for unknown GPUs.
 */
import { describe, expect, it } from "vitest";
import { GPU_KEYS, GPU_SPECS, gpuSpec, specForDeviceName } from "../../src/gpu/specs";

describe("gpuSpec", () => {
  it("finds every key, and each spec carries its own key", () => {
    expect(GPU_KEYS).toEqual(["a100-40gb", "a100-80gb", "h100-sxm", "h200-sxm"]);
    for (const key of GPU_KEYS) {
      expect(gpuSpec(key)).toBe(GPU_SPECS[key]);
      expect(GPU_SPECS[key].key).toBe(key);
    }
  });

  it.each([
    ["h200", "h200-sxm"], ["H200-SXM", "h200-sxm"], ["NVIDIA H200", "h200-sxm"], ["  nvidia   h200 ", "h200-sxm"],
    ["h200_sxm_141gb", "h200-sxm"], ["h100", "h100-sxm"], ["H100-SXM5", "h100-sxm"], ["NVIDIA H100 80GB HBM3", "h100-sxm"],
    ["a100", "a100-80gb"], ["A100-SXM4-80GB", "a100-80gb"], ["NVIDIA A100-SXM4-40GB", "a100-40gb"], ["a100-40gb", "a100-40gb"],
    ["NVIDIA A100-PG509-200", "a100-40gb"],
  ])("%s → %s", (alias, key) => {
    expect(gpuSpec(alias).key).toBe(key);
  });

  it("throws for unknown GPUs, listing the known keys", () => {
    for (const name of ["v100", "H100 PCIe", "h200-nvl", "constructor", "__proto__", ""]) {
      expect(() => gpuSpec(name), name).toThrow(/known: a100-40gb, a100-80gb, h100-sxm, h200-sxm/);
    }
  });
});

describe("specForDeviceName", () => {
  it.each([
    ["NVIDIA H200", "h200-sxm"], // fixtures/h200, traces/nvfuser_h200_matmul.sqlite
    ["NVIDIA H100 80GB HBM3", "h100-sxm"], // fixtures/real/tracelens/h100
    ["NVIDIA A100-SXM4-80GB", "a100-80gb"], // fixtures/real/hta/negative_queue_length_values_check, pipit cloverleaf
    ["NVIDIA A100-SXM4-40GB", "a100-40gb"], // fixtures/real/pipit/saxpy
    ["A100-SXM4-40GB", "a100-40gb"],
    ["NVIDIA A100-PG509-200", "a100-40gb"], // fixtures/real/hta: 108 SMs, same totalGlobalMem as A100-SXM4-40GB
  ])("%s → %s", (name, key) => {
    expect(specForDeviceName(name)?.key).toBe(key);
  });

  it.each([
    "NVIDIA B200", "Tesla V100-SXM2-32GB", "A100-PCIE-40GB", "NVIDIA H100 PCIe", "NVIDIA H100 NVL", "NVIDIA H200 NVL",
    "GeForce GTX 1060 with Max-Q Design", "a100", "h100", "toString", "",
  ])("%s → null", (name) => {
    expect(specForDeviceName(name)).toBeNull();
  });
});
