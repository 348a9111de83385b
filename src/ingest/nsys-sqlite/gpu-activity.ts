/**
 * GPU activity: CUPTI_ACTIVITY_KIND_KERNEL → kernels, CUPTI_ACTIVITY_KIND_MEMCPY / _MEMSET → memops,
 * CUPTI_ACTIVITY_KIND_SYNCHRONIZATION → syncs. Each table is one streamed SELECT built from the columns the
 * export has; PIDs are decoded from globalPid and timestamps shifted in SQL, so JS sees exact small integers.
 * One row object per table is reused for every append (the sink copies the values).
 */
import type { KernelRow, MemopRow, SyncRow } from "../../trace/schema";
import { selectList, type RowCursor, type TableColumns } from "./db";
import { launchType, syncKind } from "./enums";
import { TABLE, type ImportContext } from "./context";

/** CUPTI writes 0xFFFFFFFF (or -1) for "no stream / no event / no device". */
const NONE_U32 = 4294967295;

function id32(v: number | null): number | null {
  return v === null || v === NONE_U32 || v === -1 ? null : v;
}

/** The columns every CUPTI activity table shares, with fixed aliases. */
function common(ctx: ImportContext, c: TableColumns) {
  return {
    r: c.rowid(), s: ctx.time(c, "start"), e: ctx.time(c, "end"), dev: c.expr("deviceId"), ctx: c.expr("contextId"),
    str: c.expr("streamId"), corr: c.expr("correlationId"), pid: c.pid("globalPid"),
  };
}

/** Streams CUPTI_ACTIVITY_KIND_KERNEL into sink.kernel; the caller has checked that the table exists. */
export function readKernels(ctx: ImportContext): void {
  const c = ctx.table(TABLE.kernel);
  if (!c) return;
  const { list, at } = selectList({
    ...common(ctx, c), dn: c.expr("demangledName"), sn: c.expr("shortName"), mn: c.expr("mangledName"),
    lt: c.expr("launchType"), gx: c.expr("gridX"), gy: c.expr("gridY"), gz: c.expr("gridZ"),
    bx: c.expr("blockX"), by: c.expr("blockY"), bz: c.expr("blockZ"), regs: c.expr("registersPerThread"),
    ss: c.expr("staticSharedMemory"), ds: c.expr("dynamicSharedMemory"),
    gn: c.nonZero("graphNodeId"), gid: c.nonZero("graphId"),
  });
  const nameCol = `${TABLE.kernel}.demangledName`;
  const row: KernelRow = { device_id: 0, stream_id: 0, start_ns: 0, end_ns: 0, name: "", source_row: 0 };
  let index = 0;
  ctx.db.rows(`SELECT ${list} FROM ${c.from}`, (r) => {
    index++;
    if (!fillGpuWork(ctx, row, r, at, index, TABLE.kernel)) return;
    const lt = r.num(at.lt);
    const kind = launchType(lt);
    if (kind === null && lt !== null) ctx.tally.add("nsys.unknown_launch_type", TABLE.kernel);
    const ss = r.num(at.ss), ds = r.num(at.ds);
    row.name = kernelName(ctx, r, at.dn, at.sn, at.mn, nameCol);
    row.grid_x = r.num(at.gx);
    row.grid_y = r.num(at.gy);
    row.grid_z = r.num(at.gz);
    row.block_x = r.num(at.bx);
    row.block_y = r.num(at.by);
    row.block_z = r.num(at.bz);
    row.registers_per_thread = r.num(at.regs);
    row.static_smem_bytes = ss;
    row.dynamic_smem_bytes = ds;
    row.smem_bytes = ss !== null && ds !== null ? ss + ds : null;
    row.launch_type = kind;
    row.graph_id = r.num(at.gid);
    ctx.sink.kernel(row);
  });
}

/** demangledName, else shortName, else mangledName; an id missing from StringIds stays as its number (counted). */
function kernelName(ctx: ImportContext, r: RowCursor, demangled: number, short: number, mangled: number, what: string): string {
  const first = r.value(demangled);
  if (typeof first === "number") {
    const s = ctx.db.string(first); // the common case: one cached lookup
    if (s) return s;
  }
  let firstId: number | null = null;
  for (const i of [demangled, short, mangled]) {
    const v = r.value(i);
    if (typeof v === "string") {
      if (v !== "") return v; // a user-rewritten export may hold the text itself
      continue;
    }
    if (v === null) continue;
    firstId ??= v;
    const s = ctx.db.string(v);
    if (s) return s;
  }
  ctx.tally.add("nsys.unresolved_string", what);
  return firstId === null ? "" : String(firstId);
}

/** Streams CUPTI_ACTIVITY_KIND_MEMCPY and _MEMSET into sink.memop (either may be absent: nothing was recorded). */
export function readMemops(ctx: ImportContext): void {
  readMemcpy(ctx);
  readMemset(ctx);
}

function readMemcpy(ctx: ImportContext): void {
  const c = ctx.table(TABLE.memcpy);
  if (!c) return;
  const { list, at } = selectList({
    ...common(ctx, c), b: c.expr("bytes"), ck: c.expr("copyKind"), sk: c.expr("srcKind"), dk: c.expr("dstKind"),
    gn: c.nonZero("graphNodeId"),
  });
  const row: MemopRow = { device_id: 0, stream_id: 0, start_ns: 0, end_ns: 0, kind: "memcpy", bytes: 0, source_row: 0 };
  let index = 0;
  ctx.db.rows(`SELECT ${list} FROM ${c.from}`, (r) => {
    index++;
    if (!fillGpuWork(ctx, row, r, at, index, TABLE.memcpy)) return;
    row.bytes = r.num(at.b) ?? 0;
    row.copy_kind = ctx.enums.copyKind(r.num(at.ck));
    row.src_kind = ctx.enums.memKind(r.num(at.sk));
    row.dst_kind = ctx.enums.memKind(r.num(at.dk));
    ctx.sink.memop(row);
  });
}

function readMemset(ctx: ImportContext): void {
  const c = ctx.table(TABLE.memset);
  if (!c) return;
  const { list, at } = selectList({
    ...common(ctx, c), b: c.expr("bytes"), v: c.expr("value"), mk: c.expr("memKind"), gn: c.nonZero("graphNodeId"),
  });
  const row: MemopRow = { device_id: 0, stream_id: 0, start_ns: 0, end_ns: 0, kind: "memset", bytes: 0, source_row: 0 };
  let index = 0;
  ctx.db.rows(`SELECT ${list} FROM ${c.from}`, (r) => {
    index++;
    if (!fillGpuWork(ctx, row, r, at, index, TABLE.memset)) return;
    row.bytes = r.num(at.b) ?? 0;
    row.value = r.num(at.v);
    row.dst_kind = ctx.enums.memKind(r.num(at.mk));
    ctx.sink.memop(row);
  });
}

type GpuWorkColumns = Record<"r" | "s" | "e" | "dev" | "ctx" | "str" | "corr" | "pid" | "gn", number>;

/** Fills the columns kernel, memcpy and memset rows share; false (counted) when start, end, device or stream is missing. */
function fillGpuWork(ctx: ImportContext, row: KernelRow | MemopRow, r: RowCursor, at: GpuWorkColumns, index: number, table: string): boolean {
  const s = r.num(at.s), e = r.num(at.e), dev = r.num(at.dev), str = r.num(at.str);
  if (s === null || e === null || dev === null || str === null) {
    ctx.tally.add("nsys.incomplete_row", table);
    return false;
  }
  const context = r.num(at.ctx), pid = r.num(at.pid);
  row.device_id = dev;
  row.context_id = context;
  row.stream_id = str;
  row.process_id = pid;
  row.correlation_id = r.num(at.corr);
  row.start_ns = s;
  row.end_ns = e;
  row.graph_node_id = r.num(at.gn);
  row.source_row = r.num(at.r) ?? index;
  ctx.seen.gpuWork(dev, context, str, pid);
  return true;
}

/**
 * Streams CUPTI_ACTIVITY_KIND_SYNCHRONIZATION into sink.sync. Must run after the API calls: a sync row has no
 * thread, which is taken from the API call with the same process and correlation id.
 */
export function readSyncs(ctx: ImportContext): void {
  const c = ctx.table(TABLE.sync);
  if (!c) return;
  const { list, at } = selectList({ ...common(ctx, c), st: c.first("syncType", "deprecatedSyncType"), ev: c.expr("eventId") });
  const row: SyncRow = { start_ns: 0, end_ns: 0, sync_kind: "unknown", source_row: 0 };
  let index = 0;
  ctx.db.rows(`SELECT ${list} FROM ${c.from}`, (r) => {
    index++;
    const s = r.num(at.s), e = r.num(at.e);
    if (s === null || e === null) {
      ctx.tally.add("nsys.incomplete_row", TABLE.sync);
      return;
    }
    const kind = syncKind(r.num(at.st));
    const pid = r.num(at.pid), corr = r.num(at.corr);
    row.device_id = id32(r.num(at.dev));
    row.context_id = id32(r.num(at.ctx));
    row.stream_id = kind === "context" ? null : id32(r.num(at.str));
    row.process_id = pid;
    row.thread_id = ctx.waitingThread(pid, corr);
    row.correlation_id = corr;
    row.start_ns = s;
    row.end_ns = e;
    row.sync_kind = kind;
    row.event_id = id32(r.num(at.ev));
    row.source_row = r.num(at.r) ?? index;
    ctx.seen.process(pid);
    ctx.sink.sync(row);
  });
}
