/**
 * TraceSink: where an importer puts rows. One typed append per canonical table, counted diagnostics, and the
 * file metadata; `finish` turns it all into a Trace. Importers never build Arrow data themselves.
 */
import { TableBuffer } from "../trace/columns";
import {
  ANNOTATIONS, API, DEVICES, DIAGNOSTICS, KERNELS, MEMOPS, PROCESSES, SCHEMA_VERSION, STREAMS, SYNCS, TABLES,
  type AnnotationRow, type ApiRow, type DeviceRow, type KernelRow, type MemopRow, type ProcessRow, type StreamRow,
  type SyncRow, type TableName,
} from "../trace/schema";
import { Trace, metaToArrow, type TraceMeta, type TraceTables } from "../trace/tables";
import { producer } from "../util/version";
import { DIAGNOSTIC_CODES, type DiagnosticCode } from "./diagnostics";

export class TraceSink {
  readonly kernels = new TableBuffer(KERNELS);
  readonly memops = new TableBuffer(MEMOPS);
  readonly api = new TableBuffer(API);
  readonly syncs = new TableBuffer(SYNCS);
  readonly annotations = new TableBuffer(ANNOTATIONS);
  readonly devices = new TableBuffer(DEVICES);
  readonly streams = new TableBuffer(STREAMS);
  readonly processes = new TableBuffer(PROCESSES);
  private readonly diagnosticCounts = new Map<DiagnosticCode, { count: number; detail: string }>();
  readonly meta: TraceMeta;

  constructor(sourceFormat: string, sourceFile: string) {
    this.meta = { schemaVersion: SCHEMA_VERSION, sourceFormat, sourceFile, sourceTool: "", timeBaseEpochNs: null, producer: producer() };
  }

  kernel(row: KernelRow): void { this.kernels.append(row); }
  memop(row: MemopRow): void { this.memops.append(row); }
  apiCall(row: ApiRow): void { this.api.append(row); }
  sync(row: SyncRow): void { this.syncs.append(row); }
  annotation(row: AnnotationRow): void { this.annotations.append(row); }
  device(row: DeviceRow): void { this.devices.append(row); }
  stream(row: StreamRow): void { this.streams.append(row); }
  process(row: ProcessRow): void { this.processes.append(row); }

  /** Counts `n` records under a declared code; `detail` (e.g. which tables) is appended to the message once. */
  diagnose(code: DiagnosticCode, n = 1, detail = ""): void {
    const d = this.diagnosticCounts.get(code);
    if (d) {
      d.count += n;
      if (detail && !d.detail.split(", ").includes(detail)) d.detail = d.detail ? `${d.detail}, ${detail}` : detail;
    } else this.diagnosticCounts.set(code, { count: n, detail });
  }

  /** The finished trace. The sink must not be used afterwards. */
  finish(): Trace {
    const metadata = metaToArrow(this.meta);
    const diagnostics = new TableBuffer(DIAGNOSTICS);
    for (const [code, { count, detail }] of [...this.diagnosticCounts].sort(([a], [b]) => a.localeCompare(b))) {
      const [severity, message] = DIAGNOSTIC_CODES[code];
      diagnostics.append({ code, severity, count, message: detail ? `${message} (${detail})` : message });
    }
    const buffers: Record<TableName, TableBuffer> = {
      kernels: this.kernels, memops: this.memops, api: this.api, syncs: this.syncs, annotations: this.annotations,
      devices: this.devices, streams: this.streams, processes: this.processes, diagnostics,
    };
    const tables = {} as TraceTables;
    for (const spec of TABLES) tables[spec.name] = buffers[spec.name].toTable(metadata);
    return new Trace(tables, { ...this.meta });
  }
}
