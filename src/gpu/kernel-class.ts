/**
 * Kernel classes for the timing model, from what a trace gives about a kernel: its name. The class selects the
 * fitted scaling parameters (src/gpu/timing.ts). Families: matrix engines (GEMM, convolution, attention) are
 * "compute"; elementwise, normalisation, reductions, pooling and layout transforms are "memory"; the rest "other".
 * The patterns follow the kernel names in the H200 calibration traces (cuBLAS nvjet/cutlass/xmma, cuDNN engines,
 * PyTorch at::native kernels) and the Kineto fixtures.
 */
export type KernelClass = "compute" | "memory" | "other";

export const KERNEL_CLASSES: readonly KernelClass[] = ["compute", "memory", "other"];

const COMPUTE = /gemm|gemv|nvjet|cutlass|xmma|conv|implicit|fprop|dgrad|wgrad|engines_precompiled::(?!nchwToNhwc|nhwcToNchw)|fmha|flash|attention|sdpa|splitk/i;
const MEMORY = /elementwise|copy|batch_norm|layer_norm|group_norm|rms_?norm|norm_|reduce|softmax|pool|nchwToNhwc|nhwcToNchw|transpose|permute|cat_|index|embedding|dropout|gelu|fill|memset/i;

/** The class of a kernel from its (demangled) name. */
export function classifyKernel(name: string): KernelClass {
  if (COMPUTE.test(name)) return "compute";
  if (MEMORY.test(name)) return "memory";
  return "other";
}
