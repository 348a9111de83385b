/**
 * The small descriptive tables of an nsys export: export version (META_DATA_EXPORT, called EXPORT_META_DATA in
 * 2022.x), session time base (TARGET_INFO_SESSION_START_TIME), streams (TARGET_INFO_CUDA_STREAM plus the streams
 * GPU records used) and processes (PROCESSES names for the processes the records reference).
 */
import type { StreamRow } from "../../trace/schema";
import type { TraceSink } from "../sink";
import { num, type NsysDb } from "./db";
import { streamType } from "./enums";
import { TABLE, type ImportContext } from "./context";

/** "nsys 2024.5.1.113, export schema 3.13.2", or "nsys (version not recorded)" for exports from about 2021. */
export function readSourceTool(db: NsysDb): string {
  const table = ["META_DATA_EXPORT", "EXPORT_META_DATA"].find((t) => db.has(t));
  if (!table) return "nsys (version not recorded)";
  const c = db.columns(table);
  if (!c.has("name") || !c.has("value")) return "nsys (version not recorded)";
  const meta = new Map<string, string>();
  db.each(`SELECT "name" AS k, "value" AS v FROM ${c.from} WHERE "name" IN ('EXPORT_PRODUCT_VERSION', 'EXPORT_SCHEMA_VERSION')`, (r) => {
    if (r.v !== null) meta.set(String(r.k), String(r.v));
  });
  const product = meta.get("EXPORT_PRODUCT_VERSION");
  const schema = meta.get("EXPORT_SCHEMA_VERSION");
  const tool = product ? `nsys ${product}` : "nsys (version not recorded)";
  return schema ? `${tool}, export schema ${schema}` : tool;
}

/**
 * Sets `sink.meta.timeBaseEpochNs` and returns the shift to subtract from every timestamp.
 *
 * Normally timestamps are ns since session start and the shift is 0; the epoch of time 0 is
 * TARGET_INFO_SESSION_START_TIME.utcEpochNs. An export made with `--ts-normalize` holds Unix-epoch ns instead
 * (beyond 2^53, so they cannot be JS numbers): time 0 then becomes the first kernel start floored to a whole
 * second, and that instant is the time base.
 */
export function readTimeBase(db: NsysDb, sink: TraceSink): bigint {
  const first = firstStart(db);
  if (typeof first === "bigint" || (typeof first === "number" && !Number.isSafeInteger(first))) {
    const shift = (BigInt(first) / 1_000_000_000n) * 1_000_000_000n;
    sink.meta.timeBaseEpochNs = shift;
    sink.diagnose("nsys.absolute_timestamps", 1, `time 0 = ${shift} ns since the Unix epoch`);
    return shift;
  }
  sink.meta.timeBaseEpochNs = sessionStartEpochNs(db);
  return 0n;
}

function firstStart(db: NsysDb): number | bigint | null {
  for (const table of [TABLE.kernel, TABLE.runtime]) {
    if (!db.has(table) || !db.columns(table).has("start")) continue;
    const v = db.first(`SELECT MIN("start") AS m FROM ${db.columns(table).from}`)?.m;
    if (typeof v === "number" || typeof v === "bigint") return v;
  }
  return null;
}

function sessionStartEpochNs(db: NsysDb): bigint | null {
  const table = "TARGET_INFO_SESSION_START_TIME";
  if (!db.has(table) || !db.columns(table).has("utcEpochNs")) return null;
  const v = db.first(`SELECT "utcEpochNs" AS v FROM ${db.columns(table).from} LIMIT 1`)?.v;
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  return null;
}

/**
 * One stream row per (device, context, stream): those TARGET_INFO_CUDA_STREAM describes (with priority and type),
 * then those that GPU records used and the table lacks. A described stream's device comes from its context
 * (TARGET_INFO_CUDA_CONTEXT_INFO or, in older exports, TARGET_INFO_CUDA_NULL_STREAM), else from the GPU records on
 * that context, else 0.
 */
export function writeStreams(ctx: ImportContext): void {
  const { db, sink, seen } = ctx;
  const contextDevices = describedContextDevices(db);
  const rows = new Map<string, StreamRow>();
  const table = ctx.table("TARGET_INFO_CUDA_STREAM");
  if (table && table.has("streamId")) {
    const query = `SELECT "streamId" AS str, ${table.expr("contextId")} AS ctx, ${table.expr("processId")} AS pid,
      ${table.expr("priority")} AS prio, ${table.expr("flag")} AS flag FROM ${table.from}`;
    db.each(query, (r) => {
      const stream = num(r.str), context = num(r.ctx), pid = num(r.pid), prio = num(r.prio);
      if (stream === null) return;
      const device = contextDevices.get(`${pid}|${context}`) ?? seen.contextDevices.get(`${pid}|${context}`)
        ?? deviceOfStream(ctx, context, stream) ?? 0;
      const key = `${device}|${context}|${stream}`;
      const known = rows.get(key);
      if (known) {
        if (known.process_id !== pid) seen.sharedStreams.add(key);
        return;
      }
      seen.process(pid);
      rows.set(key, {
        device_id: device, context_id: context, stream_id: stream, process_id: pid,
        priority: prio === null ? null : prio | 0, // stored as unsigned 32-bit: 4294967291 is priority -5
        stream_type: streamType(num(r.flag)),
      });
    });
  }
  for (const [key, use] of seen.streams) {
    if (rows.has(key)) continue;
    rows.set(key, { device_id: use.device, context_id: use.context, stream_id: use.stream, process_id: use.pid });
  }
  if (seen.sharedStreams.size > 0) sink.diagnose("nsys.stream_shared_by_processes", seen.sharedStreams.size);
  const order = (r: StreamRow): number[] => [r.device_id, r.context_id ?? -1, r.stream_id];
  const sorted = [...rows.values()].sort((a, b) => {
    const x = order(a), y = order(b);
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  for (const row of sorted) sink.stream(row);
}

/** Device of the first GPU record on (context, stream) in any process, when the process ids do not match up. */
function deviceOfStream(ctx: ImportContext, context: number | null, stream: number): number | undefined {
  for (const use of ctx.seen.streams.values()) if (use.context === context && use.stream === stream) return use.device;
  return undefined;
}

/** `pid|context` → device, from the tables that describe contexts. */
function describedContextDevices(db: NsysDb): Map<string, number> {
  const out = new Map<string, number>();
  for (const table of ["TARGET_INFO_CUDA_CONTEXT_INFO", "TARGET_INFO_CUDA_NULL_STREAM"]) {
    if (!db.has(table)) continue;
    const c = db.columns(table);
    if (!c.has("deviceId") || !c.has("contextId")) continue;
    db.each(`SELECT ${c.expr("processId")} AS pid, "contextId" AS ctx, "deviceId" AS dev FROM ${c.from}`, (r) => {
      const key = `${num(r.pid)}|${num(r.ctx)}`;
      const dev = num(r.dev);
      if (dev !== null && !out.has(key)) out.set(key, dev);
    });
  }
  return out;
}

/**
 * One process row per process that the other tables reference, named from PROCESSES when the export has it.
 * PROCESSES lists every process on the machine (hundreds of system daemons in the fixtures); those without
 * CUDA, NVTX or GPU records are counted, not written.
 */
export function writeProcesses(ctx: ImportContext): void {
  const { db, sink, seen } = ctx;
  const names = new Map<number, string | null>();
  const table = ctx.table("PROCESSES");
  if (table) {
    const pid = table.has("pid") ? `COALESCE("pid", ${table.pid("globalPid")})` : table.pid("globalPid");
    db.each(`SELECT ${pid} AS pid, ${table.expr("name")} AS name FROM ${table.from}`, (r) => {
      const p = num(r.pid);
      if (p === null) return;
      const name = typeof r.name === "string" && r.name !== "" ? r.name : null;
      if (!names.has(p) || (names.get(p) === null && name !== null)) names.set(p, name);
    });
  }
  let unrelated = 0;
  for (const p of names.keys()) if (!seen.processes.has(p)) unrelated++;
  if (unrelated > 0) sink.diagnose("nsys.unrelated_processes", unrelated);
  for (const p of [...seen.processes].sort((a, b) => a - b)) sink.process({ process_id: p, name: names.get(p) ?? null });
}
