/**
 * The `.arrow` trace file: every canonical table as one Arrow IPC stream, the streams written one after another
 * (the layout of `nsys export --type arrow`). Each stream's schema carries `table_name` and the file metadata.
 * pyarrow reads it with `pa.ipc.open_stream(f)` in a loop until the end of the file (README shows how).
 *
 * Writes go to a temporary name in the destination folder and are renamed at the end, so a failed write never
 * leaves a partial file behind.
 */
import * as fs from "node:fs";
import * as arrow from "apache-arrow";
import { META, TABLES, type TableName } from "./schema";
import { Trace, metaFromArrow, metaToArrow, type TraceTables } from "./tables";
import { TableBuffer } from "./columns";
import { writeFileAtomic } from "../util/atomic-write";

/** Arrow IPC stream messages start with this continuation marker; IPC files with the ARROW1 magic. */
export function looksLikeArrow(head: Uint8Array): boolean {
  const stream = head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff;
  const file = head.length >= 6 && Buffer.from(head.subarray(0, 6)).toString("latin1") === "ARROW1";
  return stream || file;
}

/** Serialises every table, in file order, as concatenated IPC streams stamped with `trace.meta`. */
export function traceToBytes(trace: Trace): Uint8Array {
  const fileMeta = metaToArrow(trace.meta);
  const parts = TABLES.map((spec) => {
    const table = trace.tables[spec.name];
    const metadata = new Map(fileMeta).set(META.tableName, spec.name);
    const schema = new arrow.Schema(table.schema.fields, metadata);
    const batches = table.batches.map((b) => new arrow.RecordBatch(schema, b.data));
    return arrow.tableToIPC(new arrow.Table(schema, batches), "stream");
  });
  return Buffer.concat(parts);
}

/** Writes `trace` to `outPath` atomically (temporary file, then rename). */
export async function writeTraceFile(trace: Trace, outPath: string): Promise<void> {
  await writeFileAtomic(outPath, traceToBytes(trace));
}

/**
 * Reads a `.arrow` trace file written by writeTraceFile. A table the file lists but lacks means a truncated file
 * (an error); a table it does not list (a file from an older schema) comes back empty.
 */
export function traceFromBytes(bytes: Uint8Array): Trace {
  const found = new Map<string, arrow.Table>();
  let meta = new Map<string, string>();
  for (const reader of arrow.RecordBatchReader.readAll(bytes)) {
    const batches = [...reader];
    const table = new arrow.Table(reader.schema, batches);
    const name = reader.schema.metadata.get(META.tableName);
    if (!name) throw new Error("an Arrow stream without table_name metadata: not a lithos-replay trace file");
    found.set(name, table);
    if (reader.schema.metadata.has(META.schemaVersion)) meta = reader.schema.metadata;
  }
  if (!meta.has(META.schemaVersion)) throw new Error("Arrow data without lithos.schema_version metadata: not a lithos-replay trace file");
  const listed = (meta.get(META.tables) ?? "").split(",").filter(Boolean);
  const absent = listed.filter((name) => !found.has(name));
  if (absent.length) throw new Error(`truncated trace file: table${absent.length > 1 ? "s" : ""} ${absent.join(", ")} missing`);
  const tables = {} as TraceTables;
  for (const spec of TABLES) {
    tables[spec.name as TableName] = found.get(spec.name) ?? new TableBuffer(spec).toTable(meta);
  }
  return new Trace(tables, metaFromArrow(meta));
}

export async function readTraceFile(file: string): Promise<Trace> {
  return traceFromBytes(await fs.promises.readFile(file));
}

