/**
 * State shared by the table readers of one nsys import: the open export, the sink, the time shift, and what
 * the event tables referenced (processes, devices, streams, contexts), from which the streams, devices and
 * processes tables are completed at the end.
 */
import type { DiagnosticCode } from "../diagnostics";
import type { TraceSink } from "../sink";
import { quoteId, type NsysDb, type TableColumns } from "./db";
import type { NsysEnums } from "./enums";

/** The nsys event tables, read row by row. */
export const TABLE = {
  kernel: "CUPTI_ACTIVITY_KIND_KERNEL",
  memcpy: "CUPTI_ACTIVITY_KIND_MEMCPY",
  memset: "CUPTI_ACTIVITY_KIND_MEMSET",
  sync: "CUPTI_ACTIVITY_KIND_SYNCHRONIZATION",
  runtime: "CUPTI_ACTIVITY_KIND_RUNTIME",
  nvtx: "NVTX_EVENTS",
} as const;

/** A (device, context, stream) that carried GPU work, with the first process seen on it. */
export interface StreamUse {
  readonly device: number;
  readonly context: number | null;
  readonly stream: number;
  readonly pid: number | null;
}

/** What the event tables referenced; filled while rows stream by, read when the small tables are written. */
export class SeenIds {
  readonly processes = new Set<number>();
  readonly devices = new Set<number>();
  /** Keyed by `device|context|stream`, in first-seen order. */
  readonly streams = new Map<string, StreamUse>();
  /** Keys of `streams` that more than one process used (ids are per process, the canonical key is not). */
  readonly sharedStreams = new Set<string>();
  /** `pid|context` → device of the first GPU record on that context. */
  readonly contextDevices = new Map<string, number>();
  private lastDevice = NaN;
  private lastContext: number | null = NaN;
  private lastStream = NaN;
  private lastPid: number | null = NaN;

  process(pid: number | null): void {
    if (pid !== null) this.processes.add(pid);
  }

  /** Notes one GPU record; consecutive records on the same stream cost one comparison. */
  gpuWork(device: number, context: number | null, stream: number, pid: number | null): void {
    if (device === this.lastDevice && context === this.lastContext && stream === this.lastStream && pid === this.lastPid) return;
    this.lastDevice = device;
    this.lastContext = context;
    this.lastStream = stream;
    this.lastPid = pid;
    this.devices.add(device);
    if (pid !== null) this.processes.add(pid);
    const key = `${device}|${context}|${stream}`;
    const known = this.streams.get(key);
    if (!known) this.streams.set(key, { device, context, stream, pid });
    else if (known.pid !== pid) this.sharedStreams.add(key);
    const ctxKey = `${pid}|${context}`;
    if (!this.contextDevices.has(ctxKey)) this.contextDevices.set(ctxKey, device);
  }
}

/** Diagnostics counted locally while streaming and reported once per table (keeps the row loop lean). */
export class Tally {
  private readonly counts = new Map<string, { code: DiagnosticCode; detail: string; n: number }>();

  add(code: DiagnosticCode, detail: string, n = 1): void {
    const key = `${code}\u0000${detail}`;
    const c = this.counts.get(key);
    if (c) c.n += n;
    else this.counts.set(key, { code, detail, n });
  }

  flush(sink: TraceSink): void {
    for (const { code, detail, n } of this.counts.values()) if (n > 0) sink.diagnose(code, n, detail);
    this.counts.clear();
  }
}

/** Everything the table readers of one import share. */
export class ImportContext {
  readonly seen = new SeenIds();
  readonly tally = new Tally();
  /**
   * pid → correlation id → thread, for API calls that wait on the GPU; filled only when the export has a
   * synchronization table, whose rows carry no thread of their own.
   */
  readonly waitingThreads: Map<number, Map<number, number>> | null;

  constructor(
    readonly db: NsysDb,
    readonly sink: TraceSink,
    readonly enums: NsysEnums,
    /** Subtracted from every timestamp in SQL; 0 unless the export holds absolute (--ts-normalize) times. */
    readonly timeShiftNs: bigint,
  ) {
    this.waitingThreads = db.has(TABLE.sync) ? new Map() : null;
  }

  /** Remembers the thread of a waiting API call, for the sync row with the same process and correlation id. */
  noteWaitingThread(pid: number, correlationId: number, tid: number): void {
    if (!this.waitingThreads) return;
    let byCorrelation = this.waitingThreads.get(pid);
    if (!byCorrelation) this.waitingThreads.set(pid, (byCorrelation = new Map()));
    byCorrelation.set(correlationId, tid);
  }

  /** The thread of the API call behind a sync row, or null. */
  waitingThread(pid: number | null, correlationId: number | null): number | null {
    if (pid === null || correlationId === null) return null;
    return this.waitingThreads?.get(pid)?.get(correlationId) ?? null;
  }

  /** SQL for a timestamp column relative to the time base (exact 64-bit integer arithmetic in SQLite). */
  time(cols: TableColumns, column: string): string {
    if (!cols.has(column)) return "NULL";
    return this.timeShiftNs === 0n ? quoteId(column) : `(${quoteId(column)} - ${this.timeShiftNs})`;
  }

  /** Columns of `table`, or null after counting `nsys.missing_table` when the export lacks it. */
  table(table: string): TableColumns | null {
    if (this.db.has(table)) return this.db.columns(table);
    this.sink.diagnose("nsys.missing_table", 1, table);
    return null;
  }
}
