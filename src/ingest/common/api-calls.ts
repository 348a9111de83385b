/**
 * Facts about CUDA API calls shared by every importer: the name without nsys's version suffix, whether it is a
 * runtime or driver call, and whether (and why) the host thread waits for the GPU inside it.
 */

/**
 * cudaLaunchKernel_v7000 → cudaLaunchKernel (nsys appends the API version as `_v` and 4+ digits; CUPTI/Kineto do not).
 * Short suffixes such as cuMemcpyHtoD_v2 are part of the driver function's real name and stay.
 */
export function stripApiVersion(name: string): string {
  return name.replace(/_v\d{4,}$/, "");
}

/** "runtime" for cuda* calls, "driver" for cu* calls, null for anything else. */
export function apiDomain(name: string): "runtime" | "driver" | null {
  if (name.startsWith("cuda")) return "runtime";
  if (name.startsWith("cu")) return "driver";
  return null;
}

const SYNC_KIND: Record<string, string> = {
  cudaStreamSynchronize: "stream", cuStreamSynchronize: "stream",
  cudaDeviceSynchronize: "device", cudaThreadSynchronize: "device", cuCtxSynchronize: "device",
  cudaEventSynchronize: "event", cuEventSynchronize: "event",
};

/**
 * Why the host blocks on the GPU in this call: stream, device, event, memcpy (synchronous copies) or
 * memset (synchronous memsets); null when the call returns without waiting.
 */
export function apiSyncKind(name: string): string | null {
  // Per-thread-default-stream variants (_ptds, _ptsz) synchronise like the plain call.
  const base = stripApiVersion(name).replace(/_pt(ds|sz)$/, "");
  const known = SYNC_KIND[base];
  if (known) return known;
  if (base.endsWith("Async")) return null;
  if (/^cudaMemcpy(2D|3D|Peer|ToSymbol|FromSymbol|ToArray|FromArray|2DToArray|2DFromArray|3DPeer)?$/.test(base)) return "memcpy";
  if (/^cuMemcpy(HtoD|DtoH|DtoD|HtoA|AtoH|AtoD|DtoA|AtoA|2D|3D|Peer|3DPeer)?(_v2)?$/.test(base)) return "memcpy";
  if (/^cudaMemset(2D|3D)?$/.test(base) || /^cuMemsetD(8|16|32|2D8|2D16|2D32)(_v2)?$/.test(base)) return "memset";
  return null;
}
