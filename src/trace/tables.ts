/**
 * A trace in canonical form: one Arrow table per declared table plus file-level metadata.
 * Produced by every importer (src/ingest) and by reading a `.arrow` file (src/trace/io.ts).
 */
import * as arrow from "apache-arrow";
import { META, SCHEMA_VERSION, TABLES, type TableName } from "./schema";

/** File-level facts about where the tables came from. */
export interface TraceMeta {
  /** Version of the canonical schema the tables follow. */
  schemaVersion: string;
  /** Importer that produced the tables: kineto-json, nsys-sqlite, ... */
  sourceFormat: string;
  /** Base name of the input file (never a full path: paths can hold user names). */
  sourceFile: string;
  /** What wrote the input, as far as it says: "nsys 2024.5.1.113, export schema 3.13.2", "kineto schemaVersion 1, CUPTI 22". */
  sourceTool: string;
  /** Absolute Unix-epoch ns of time 0 of every `*_ns` column, or null when the input does not record it. */
  timeBaseEpochNs: bigint | null;
  /** Package and version that wrote the tables. */
  producer: string;
}

export type TraceTables = Record<TableName, arrow.Table>;

/** The canonical tables of one trace. */
export class Trace {
  constructor(readonly tables: TraceTables, readonly meta: TraceMeta) {}

  get kernels(): arrow.Table { return this.tables.kernels; }
  get memops(): arrow.Table { return this.tables.memops; }
  get api(): arrow.Table { return this.tables.api; }
  get syncs(): arrow.Table { return this.tables.syncs; }
  get annotations(): arrow.Table { return this.tables.annotations; }
  get devices(): arrow.Table { return this.tables.devices; }
  get streams(): arrow.Table { return this.tables.streams; }
  get processes(): arrow.Table { return this.tables.processes; }
  get diagnostics(): arrow.Table { return this.tables.diagnostics; }
}

/** Metadata as the string map written on every table's Arrow schema. */
export function metaToArrow(meta: TraceMeta): Map<string, string> {
  return new Map([
    [META.schemaVersion, meta.schemaVersion],
    [META.sourceFormat, meta.sourceFormat],
    [META.sourceFile, meta.sourceFile],
    [META.sourceTool, meta.sourceTool],
    [META.timeBaseEpochNs, meta.timeBaseEpochNs === null ? "" : meta.timeBaseEpochNs.toString()],
    [META.timeUnit, "ns"],
    [META.producer, meta.producer],
    [META.tables, TABLES.map((t) => t.name).join(",")],
  ]);
}

/** Reads metadata back from an Arrow schema's map; missing keys give defaults. */
export function metaFromArrow(m: Map<string, string>): TraceMeta {
  const base = m.get(META.timeBaseEpochNs) ?? "";
  return {
    schemaVersion: m.get(META.schemaVersion) ?? SCHEMA_VERSION,
    sourceFormat: m.get(META.sourceFormat) ?? "",
    sourceFile: m.get(META.sourceFile) ?? "",
    sourceTool: m.get(META.sourceTool) ?? "",
    timeBaseEpochNs: base === "" ? null : BigInt(base),
    producer: m.get(META.producer) ?? "",
  };
}

/** Names of all canonical tables, in file order. */
export const TABLE_NAMES: readonly TableName[] = TABLES.map((t) => t.name);
