/**
 * The event-record JSON that `nsys export --type json` writes (nsys 2025.3 among others; [NSYS-OLD json_text_format]
 * in ../shared/reference/trace-formats.md §1.11): one protobuf message serialised per line, `{"Type":N,"<Kind>Event":{…}}`
 * for each event, then one `{"data":[strings…],"files":[…]}` line whose array index is the StringIds id, then thread
 * and stream lines. 64-bit numbers are JSON strings.
 *
 * Each event is mapped onto the row the SQLite export holds for it, column for column, so the SQLite importer's
 * row builders read it (checked against the SQLite export of the same report in test/ingest/nsys-rn50.test.ts).
 * The Type numbers and field names below are those seen in traces/nsys-rn50/rn50.json.gz (nsys 2025.3.1).
 * What this format does not hold: device properties (TARGET_INFO_GPU), stream priorities and types
 * (TARGET_INFO_CUDA_STREAM), the session's epoch (TARGET_INFO_SESSION_START_TIME) and the export's version.
 */
import type { StageValue, StagingDb } from "../nsys-common/staging";

/** Event Type numbers (nsys's own event types, ENUM_NSYS_EVENT_TYPE in the SQLite export of the same report). */
export const LEGACY_TYPE = {
  process: 27, // CommEvent: one per process, with its name → PROCESSES
  apiEnter: 47, // TraceProcessEvent of classes that are not API calls (CUDA start)
  api: 48, // TraceProcessEvent: CUDA runtime / driver calls → CUPTI_ACTIVITY_KIND_RUNTIME
  nvtxRange: 59, // NvtxEvent push/pop range; any NvtxEvent goes to NVTX_EVENTS with its own Type
  kernel: 79, // CudaEvent with `kernel`
  memop: 80, // CudaEvent with `memcpy` or `memset`
  sync: 106, // CudaEvent with `sync`
} as const;

/**
 * TraceProcessEvent eventClass values that the SQLite export files under CUPTI_ACTIVITY_KIND_RUNTIME
 * (ENUM_NSYS_EVENT_CLASS: 0 CUDA runtime, 1 CUDA driver, 67 CUDA backtrace); class 3 (TSP overhead) goes to
 * PROFILER_OVERHEAD, which is not read.
 */
const RUNTIME_CLASSES = new Set([0, 1, 67]);

/** CUPTI's CUpti_ActivitySynchronizationType names → the numbers the SQLite export stores (ENUM_CUPTI_SYNC_TYPE). */
const SYNC_TYPES: Readonly<Record<string, number>> = {
  SYNCHRONIZATION_TYPE_UNKNOWN: 0,
  SYNCHRONIZATION_TYPE_EVENT_SYNCHRONIZE: 1,
  SYNCHRONIZATION_TYPE_STREAM_WAIT_EVENT: 2,
  SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE: 3,
  SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE: 4,
};

/** Types that can become a row; the others are passed over without being parsed. */
export const LEGACY_READ_TYPES: ReadonlySet<number> = new Set([
  LEGACY_TYPE.process, LEGACY_TYPE.api, LEGACY_TYPE.kernel, LEGACY_TYPE.memop, LEGACY_TYPE.sync,
]);

/** NvtxEvent lines are recognised by their key, whatever their Type (ranges, marks, domain declarations). */
export const NVTX_KEY = '"NvtxEvent"';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A number or a decimal string (how 64-bit values are written) as the integer SQLite would store; else null. */
function int(v: unknown): StageValue {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && /^-?\d+$/.test(v)) {
    const b = BigInt(v);
    return b > MAX_SAFE || b < -MAX_SAFE ? b : Number(b);
  }
  return null;
}

function str(v: unknown): StageValue {
  return typeof v === "string" ? v : null;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** Columns every CUPTI activity row shares, in the SQLite export's names. */
const GPU_COLUMNS = ["start", "end", "deviceId", "contextId", "greenContextId", "streamId", "correlationId", "globalPid"];
function gpuValues(e: Obj): StageValue[] {
  return [int(e.startNs), int(e.endNs), int(e.deviceId), int(e.contextId), int(e.greenContextId), int(e.streamId), int(e.correlationId), int(e.globalPid)];
}

const KERNEL_FIELDS = [
  "demangledName", "shortName", "mangledName", "cacheConfig", "registersPerThread", "gridX", "gridY", "gridZ", "blockX",
  "blockY", "blockZ", "staticSharedMemory", "dynamicSharedMemory", "localMemoryPerThread", "localMemoryTotal", "gridId",
  "sharedMemoryExecuted", "graphNodeId", "graphId", "sharedMemoryLimitConfig",
];
const KERNEL_COLUMNS = [...GPU_COLUMNS, ...KERNEL_FIELDS, "launchType"];
const MEMCPY_COLUMNS = [...GPU_COLUMNS, "bytes", "copyKind", "srcKind", "dstKind", "graphNodeId", "copyCount"];
const MEMSET_COLUMNS = [...GPU_COLUMNS, "bytes", "value", "memKind", "graphNodeId"];
const SYNC_COLUMNS = [...GPU_COLUMNS, "syncType", "eventId", "eventSyncId"];
const RUNTIME_COLUMNS = ["start", "end", "eventClass", "globalTid", "correlationId", "nameId", "returnValue"];
const NVTX_COLUMNS = ["start", "end", "eventType", "text", "textId", "globalTid", "domainId", "category", "color"];
const PROCESS_COLUMNS = ["globalPid", "pid", "name"];

/** Thrown for a line that is JSON but not an event record this reader understands. */
export class LegacyShapeError extends Error {}

/** Stages one parsed line of a `--type json` export. */
export function stageLegacyLine(line: Obj, stage: StagingDb): void {
  if (typeof line.Type === "number") return stageEvent(line.Type, line, stage);
  if (Array.isArray(line.data) && "files" in line) {
    // the strings line: index = StringIds id
    const out = stage.table("StringIds", ["id", "value"]);
    line.data.forEach((s, i) => out.add([i, typeof s === "string" ? s : null]));
    return;
  }
  if (Array.isArray(line.data)) return; // thread names, stdout/stderr streams: not read
  throw new LegacyShapeError("neither an event record ({\"Type\": …}) nor a strings/threads line");
}

function stageEvent(type: number, line: Obj, stage: StagingDb): void {
  if ("NvtxEvent" in line) {
    const e = obj(line.NvtxEvent);
    stage.table("NVTX_EVENTS", NVTX_COLUMNS).add([
      int(e.Timestamp), int(e.EndTimestamp), int(e.Type ?? type), str(e.Text), int(e.TextId), int(e.GlobalTid),
      int(e.DomainId), int(e.Category), int(e.Color),
    ]);
    return;
  }
  switch (type) {
    case LEGACY_TYPE.kernel: {
      const e = obj(line.CudaEvent), k = obj(e.kernel);
      stage.table("CUPTI_ACTIVITY_KIND_KERNEL", KERNEL_COLUMNS).add([
        ...gpuValues(e), ...KERNEL_FIELDS.map((f) => int(k[f])),
        int(k.launchType ?? k.launched), // nsys 2025.3 writes the launch type as `launched` (same values: 1 = regular)
      ]);
      return;
    }
    case LEGACY_TYPE.memop: {
      const e = obj(line.CudaEvent);
      if ("memcpy" in e) {
        const m = obj(e.memcpy);
        stage.table("CUPTI_ACTIVITY_KIND_MEMCPY", MEMCPY_COLUMNS).add([
          ...gpuValues(e), int(m.sizebytes), int(m.copyKind), int(m.srcKind), int(m.dstKind), int(m.graphNodeId), int(m.copyCount),
        ]);
      } else if ("memset" in e) {
        const m = obj(e.memset);
        stage.table("CUPTI_ACTIVITY_KIND_MEMSET", MEMSET_COLUMNS).add([
          ...gpuValues(e), int(m.sizebytes), int(m.value), int(m.memKind), int(m.graphNodeId),
        ]);
      }
      return;
    }
    case LEGACY_TYPE.sync: {
      const e = obj(line.CudaEvent), s = obj(e.sync);
      const kind = typeof s.syncType === "string" ? (SYNC_TYPES[s.syncType.replace(/^CUPTI_ACTIVITY_/, "")] ?? 0) : int(s.syncType);
      stage.table("CUPTI_ACTIVITY_KIND_SYNCHRONIZATION", SYNC_COLUMNS).add([...gpuValues(e), kind, int(s.eventId), int(s.eventSyncId)]);
      return;
    }
    case LEGACY_TYPE.api: {
      const e = obj(line.TraceProcessEvent);
      const cls = int(e.eventClass);
      if (typeof cls !== "number" || !RUNTIME_CLASSES.has(cls)) return;
      stage.table("CUPTI_ACTIVITY_KIND_RUNTIME", RUNTIME_COLUMNS).add([
        int(e.startNs), int(e.endNs), cls, int(e.globalTid), int(e.correlationId), int(e.name), int(e.returnValue32 ?? e.returnValue),
      ]);
      return;
    }
    case LEGACY_TYPE.process: {
      const e = obj(line.CommEvent);
      const gp = int(e.GlobalPid);
      const pid = typeof gp === "number" || typeof gp === "bigint" ? Number((BigInt(gp) >> 24n) & 0xffffffn) : null; // globalPid = <hw:8><vm:8><pid:24><tid:24>
      // The profiled process itself has no Commname, only the Command it was launched with (PROCESSES.name is
      // that command's file name: "python3" in traces/nsys-rn50)
      const command = typeof e.Command === "string" ? e.Command.split("/").pop() || null : null;
      stage.table("PROCESSES", PROCESS_COLUMNS).add([gp, pid, str(e.Commname) ?? command]);
      return;
    }
    default:
      return;
  }
}
