/**
 * Kernel classes for the timing model, from what a trace gives about a kernel: its name. The class selects the
 * fitted scaling parameters (src/gpu/timing.ts). Families: matrix engines (GEMM, convolution, attention) are
 * "compute"; batch and group norms "norm"; reductions, softmax and pooling "reduce"; elementwise ops (whatever
 * functor they run), layer norms, gathers, copies and layout transforms "memory"; the rest "other".
 * This split was chosen by leaving one calibration workload out at a time (`lithos-replay model-error`): batch norms
 * (per-channel, NCHW) saturate memory bandwidth differently from row-wise ops. Choosing it on those same folds makes
 * the held-out numbers somewhat optimistic. A class without calibration kernels borrows its parent's parameters
 * (PARENT_CLASS).
 * The patterns follow the kernel names in the H200 calibration traces (cuBLAS nvjet/cutlass/xmma, cuDNN engines,
 * PyTorch at::native kernels) and the Kineto fixtures.
 */
export type KernelClass = "compute" | "skinny" | "memory" | "norm" | "reduce" | "other";

/** Fitting order: a class comes after its parent. */
export const KERNEL_CLASSES: readonly KernelClass[] = ["other", "compute", "skinny", "memory", "norm", "reduce"];

/** The class whose parameters a class without calibration data takes. */
export const PARENT_CLASS: Readonly<Record<KernelClass, KernelClass | null>> = {
  other: null, compute: "other", skinny: "compute", memory: "other", norm: "memory", reduce: "memory",
};

/** Layout transforms move data only, though cuDNN names them inside its engines: checked first. */
const LAYOUT = /nchwToNhwc|nhwcToNchw|nchw2nhwc|nhwc2nchw|transpose|permute/i;
const COMPUTE = /gemm|gemv|nvjet|cutlass|xmma|conv|implicit|fprop|dgrad|wgrad|engines_precompiled|fmha|flash|attention|sdpa|splitk/i;
/** Elementwise templates behave as elementwise ops whatever functor they run (some carry a batch_norm functor). */
const ELEMENTWISE = /elementwise_kernel/i;
const NORM = /batch_norm|group_norm/i;
const REDUCE = /reduce|softmax|pool|argmax|topk/i;
const MEMORY = /elementwise|copy|layer_norm|rms_?norm|gather|scatter|norm_|cat_|index|embedding|dropout|gelu|fill|memset/i;

/**
 * Matrix kernels with a skinny tile (one side ≤ 16, as cuBLAS picks for matrix-vector work such as LLM decode)
 * move more bytes per FLOP than square tiles. The tile is read from cuBLAS/CUTLASS names (`nvjet_sm90_hsh_64x8_…`).
 */
function isSkinny(head: string): boolean {
  if (/gemv/i.test(head)) return true;
  const tile = /(?:nvjet|cutlass|gemm)\w*?_(\d+)x(\d+)_/i.exec(head);
  return tile !== null && Math.min(Number(tile[1]), Number(tile[2])) <= 16;
}

/**
 * Full-chip duration above which a skinny-tile matrix kernel is taken as bandwidth-bound: shorter ones are bound by
 * latency (they finish before moving enough bytes to load DRAM). 8 µs ≈ 35 MB at the H200's measured 4.4 TB/s.
 */
export const SKINNY_MIN_US = 8;

/**
 * The function name and template arguments of a demangled kernel name, without its parameter list ("(anonymous
 * namespace)" is part of the name). Kernel classes and the measured curves' matching both read it.
 */
export function functionHead(name: string): string {
  return name.replace(/\(anonymous namespace\)/g, "").split("(")[0]!;
}

/** The class of a kernel from its (demangled) name and, for skinny matrix kernels, its recorded duration. */
export function classifyKernel(name: string, us = Infinity): KernelClass {
  const head = functionHead(name);
  if (LAYOUT.test(head)) return "memory";
  if (COMPUTE.test(head)) return isSkinny(head) && us >= SKINNY_MIN_US ? "skinny" : "compute";
  if (ELEMENTWISE.test(head)) return "memory";
  if (NORM.test(head)) return "norm";
  if (REDUCE.test(head)) return "reduce";
  if (MEMORY.test(head)) return "memory";
  return "other";
}

/**
 * Kernels whose threads wait rather than work (`nanosleep` loops: the co-residency microbenchmark's sleepers): they
 * hold their SM slots but issue almost no instructions (Nsight Compute: 2% of their warps eligible,
 * calibrations/eligible-h100), and their time is their sleep, which no other tenant's warps lengthen. The engine's
 * issue contention neither counts their warps nor slows them.
 */
const IDLE = /sleep/i;

/** Whether a kernel's warps issue instructions while resident: false for kernels named as sleeping. */
export function issuesInstructions(name: string): boolean {
  return !IDLE.test(functionHead(name));
}
