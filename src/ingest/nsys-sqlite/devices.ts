/**
 * devices from TARGET_INFO_GPU (nsys ≥ 2022: one row per adapter with its properties) or, in older exports
 * whose TARGET_INFO_GPU holds only names, from TARGET_INFO_CUDA_GPU (clock in kHz, bandwidth in kB/s).
 *
 * device_id is the CUDA ordinal that kernels carry in deviceId, which is not always TARGET_INFO_GPU.id:
 * TARGET_INFO_CUDA_DEVICE (gpuId → cudaId per process) and the TARGET_INFO_GPU.cuDevice column give the mapping
 * (observed: the CloverLeaf export lists id 0 as cuDevice 3). Adapters without SMs (an Intel iGPU or the
 * "Microsoft Basic Render Driver" in Windows captures) are dropped.
 */
import type { DeviceRow } from "../../trace/schema";
import { num, type NsysDb, type SqlRow } from "./db";
import type { ImportContext } from "./context";

const GPU = "TARGET_INFO_GPU";
const CUDA_GPU = "TARGET_INFO_CUDA_GPU";
const CUDA_DEVICE = "TARGET_INFO_CUDA_DEVICE";

/** Writes one device row per CUDA device the export describes or the GPU records use, by device_id. */
export function writeDevices(ctx: ImportContext): void {
  const { db, sink } = ctx;
  const rows = new Map<number, DeviceRow>();
  const add = (row: DeviceRow, smCount: number | null): void => {
    if (smCount === 0) sink.diagnose("nsys.gpu_without_sms", 1, row.name);
    else if (rows.has(row.device_id)) sink.diagnose("nsys.duplicate_device", 1, `device ${row.device_id}`);
    else rows.set(row.device_id, row);
  };
  if (db.has(GPU) && db.columns(GPU).has("smCount")) readGpuTable(ctx, add);
  else if (db.has(CUDA_GPU)) readCudaGpuTable(db, add);
  else if (db.has(GPU)) readGpuNames(db, add);
  else sink.diagnose("nsys.missing_table", 1, GPU);

  for (const device of ctx.seen.devices) {
    if (rows.has(device)) continue;
    rows.set(device, { device_id: device, name: `CUDA device ${device}` });
    sink.diagnose("nsys.device_without_properties", 1, `device ${device}`);
  }
  for (const id of [...rows.keys()].sort((a, b) => a - b)) sink.device(rows.get(id)!);
}

/** Current schema: everything in TARGET_INFO_GPU, clockRate in Hz and memoryBandwidth in bytes/s (observed). */
function readGpuTable(ctx: ImportContext, add: (row: DeviceRow, smCount: number | null) => void): void {
  const c = ctx.db.columns(GPU);
  const ordinals = cudaOrdinals(ctx);
  const query = `SELECT ${c.first("id", "deviceId")} AS id, ${c.expr("cuDevice")} AS cu, ${c.expr("name")} AS name,
    ${c.expr("smCount")} AS sms, ${c.expr("clockRate")} AS clock, ${c.expr("memoryBandwidth")} AS bw,
    ${c.expr("totalMemory")} AS mem, ${c.expr("l2CacheSize")} AS l2, ${c.expr("computeMajor")} AS major,
    ${c.expr("computeMinor")} AS minor, ${c.expr("maxWarpsPerSm")} AS warps, ${c.expr("threadsPerWarp")} AS warp,
    ${c.expr("maxRegistersPerSm")} AS regs, ${c.expr("maxShmemPerSm")} AS smem FROM ${c.from}`;
  ctx.db.each(query, (r) => {
    const id = num(r.id), cu = num(r.cu), sms = num(r.sms);
    const deviceId = (id !== null ? ordinals.get(id) : undefined) ?? cu ?? id ?? 0;
    add(deviceRow(r, deviceId, typeof r.name === "string" && r.name ? r.name : `CUDA device ${deviceId}`), sms);
  });
}

/**
 * TARGET_INFO_GPU.id → CUDA ordinal from TARGET_INFO_CUDA_DEVICE, preferring the mapping of a process that
 * did GPU work (each process may see its own ordinals under CUDA_VISIBLE_DEVICES).
 */
function cudaOrdinals(ctx: ImportContext): Map<number, number> {
  const out = new Map<number, number>();
  if (!ctx.db.has(CUDA_DEVICE)) return out;
  const c = ctx.db.columns(CUDA_DEVICE);
  if (!c.has("gpuId") || !c.has("cudaId")) return out;
  const fromWorkers = new Set<number>();
  ctx.db.each(`SELECT "gpuId" AS g, "cudaId" AS cu, ${c.expr("pid")} AS pid FROM ${c.from}`, (r) => {
    const g = num(r.g), cu = num(r.cu), pid = num(r.pid);
    if (g === null || cu === null) return;
    const worker = pid !== null && ctx.seen.processes.has(pid);
    if (!out.has(g) || (worker && !fromWorkers.has(g))) out.set(g, cu);
    if (worker) fromWorkers.add(g);
  });
  return out;
}

/** Old schema (about 2021): properties per CUDA device in TARGET_INFO_CUDA_GPU, clock in kHz, bandwidth in kB/s. */
function readCudaGpuTable(db: NsysDb, add: (row: DeviceRow, smCount: number | null) => void): void {
  const names = db.has(GPU) ? gpuNames(db) : new Map<number, string>();
  const c = db.columns(CUDA_GPU);
  const query = `SELECT ${c.expr("deviceId")} AS id, ${c.expr("name")} AS name, ${c.expr("numMultiprocessors")} AS sms,
    (${c.expr("coreClockRate")}) * 1000 AS clock, (${c.expr("globalMemoryBandwidth")}) * 1000 AS bw,
    ${c.expr("globalMemorySize")} AS mem, ${c.expr("l2CacheSize")} AS l2, ${c.expr("computeCapabilityMajor")} AS major,
    ${c.expr("computeCapabilityMinor")} AS minor, ${c.expr("maxWarpsPerMultiprocessor")} AS warps,
    ${c.expr("numThreadsPerWarp")} AS warp, ${c.expr("maxRegistersPerMultiprocessor")} AS regs,
    ${c.expr("maxSharedMemoryPerMultiprocessor")} AS smem FROM ${c.from}`;
  const seen = new Set<number>();
  db.each(query, (r) => {
    const id = num(r.id) ?? 0;
    if (seen.has(id)) return; // one row per (device, profiled process): the properties repeat
    seen.add(id);
    add(deviceRow(r, id, (typeof r.name === "string" && r.name) || names.get(id) || `CUDA device ${id}`), num(r.sms));
  });
}

/**
 * The device row from a query whose columns both schema readers alias alike (sms, clock in Hz, bw in bytes/s, mem,
 * l2, major, minor, warps, warp, regs, smem); the old schema's kHz and kB/s are converted in its SQL.
 */
function deviceRow(r: SqlRow, deviceId: number, name: string): DeviceRow {
  const warps = num(r.warps);
  return {
    device_id: deviceId,
    name,
    sm_count: num(r.sms),
    clock_hz: num(r.clock),
    mem_bandwidth_bytes_per_s: num(r.bw),
    total_mem_bytes: num(r.mem),
    l2_bytes: num(r.l2),
    compute_major: num(r.major),
    compute_minor: num(r.minor),
    max_threads_per_sm: warps === null ? null : warps * (num(r.warp) || 32),
    regs_per_sm: num(r.regs),
    smem_per_sm_bytes: num(r.smem),
  };
}

/** Old TARGET_INFO_GPU without TARGET_INFO_CUDA_GPU: names only. */
function readGpuNames(db: NsysDb, add: (row: DeviceRow, smCount: number | null) => void): void {
  for (const [id, name] of gpuNames(db)) add({ device_id: id, name }, null);
}

function gpuNames(db: NsysDb): Map<number, string> {
  const c = db.columns(GPU);
  const out = new Map<number, string>();
  db.each(`SELECT ${c.first("deviceId", "cuDevice", "id")} AS id, ${c.expr("name")} AS name FROM ${c.from}`, (r) => {
    const id = num(r.id);
    if (id !== null && typeof r.name === "string" && !out.has(id)) out.set(id, r.name);
  });
  return out;
}
