/**
 * Kernel classes for the timing model, from what a trace gives about a kernel: its name. The class selects the
 * fitted scaling parameters (src/gpu/timing.ts). Families: matrix engines (GEMM, convolution, attention) are
 * "compute"; elementwise, normalisation, reductions, pooling and layout transforms are "memory"; the rest "other".
 * The patterns follow the kernel names in the H200 calibration traces (cuBLAS nvjet/cutlass/xmma, cuDNN engines,
 * PyTorch at::native kernels) and the Kineto fixtures.
 */
export type KernelClass = "compute" | "memory" | "other";

export const KERNEL_CLASSES: readonly KernelClass[] = ["compute", "memory", "other"];

/** Layout transforms move data only, though cuDNN names them inside its engines: checked first. */
const LAYOUT = /nchwToNhwc|nhwcToNchw|nchw2nhwc|nhwc2nchw|transpose|permute/i;
const COMPUTE = /gemm|gemv|nvjet|cutlass|xmma|conv|implicit|fprop|dgrad|wgrad|engines_precompiled|fmha|flash|attention|sdpa|splitk/i;
const MEMORY = /elementwise|copy|batch_norm|layer_norm|group_norm|rms_?norm|norm_|reduce|softmax|pool|cat_|index|embedding|dropout|gelu|fill|memset/i;

/** The class of a kernel from its (demangled) name. */
export function classifyKernel(name: string): KernelClass {
  const head = name.split("(")[0]; // the function name and template arguments, not the parameter list
  if (LAYOUT.test(head)) return "memory";
  if (COMPUTE.test(head)) return "compute";
  if (MEMORY.test(head)) return "memory";
  return "other";
}
