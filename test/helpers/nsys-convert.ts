/**
 * Edge-case inputs for the nsys JSON-lines and Arrow importers, made from a real nsys SQLite export by rewriting
 * its tables row for row in the documented layouts (trace-formats.md §1.11): one `{"table": …}` object per line;
 * one IPC stream per table with `table_name` schema metadata, concatenated or one file per table.
 * These are NOT real nsys exports (the real ones are in traces/nsys-rn50/): they check the staging path on every
 * export schema among the SQLite fixtures, and give files to cut, corrupt and strip of tables.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Database } from "node-sqlite3-wasm";
import { Field, Float64, Int64, RecordBatch, RecordBatchStreamWriter, Schema, Struct, Utf8, makeData, vectorFromArray, type DataType } from "apache-arrow";
import type { Trace } from "../../src/trace/tables";
import { makeTempDir } from "./files";

type Value = number | bigint | string | null | Uint8Array;
interface SqlTable { name: string; columns: string[]; rows: Value[][] }

/** Every table of `file` (read through a symlink in a temp folder: no .lock beside the fixture). */
export function readSqliteTables(file: string, only?: (table: string) => boolean): SqlTable[] {
  const link = path.join(makeTempDir("lithos-conv-"), "in.sqlite");
  fs.symlinkSync(path.resolve(file), link);
  const db = new Database(link, { readOnly: true });
  try {
    const names = (db.all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid") as { name: string }[]).map((r) => r.name);
    return names.filter((n) => !only || only(n)).map((name) => {
      const columns = (db.all(`SELECT name FROM pragma_table_info('${name}')`) as { name: string }[]).map((r) => r.name);
      const rows = (db.all(`SELECT * FROM "${name}" ORDER BY rowid`) as Record<string, Value>[]).map((r) => columns.map((c) => r[c]));
      return { name, columns, rows };
    });
  } finally {
    db.close();
  }
}

/** JSON lines: NULL fields left out, integers beyond 2^53 written exactly. */
export function toJsonLines(tables: SqlTable[]): string {
  const out: string[] = [];
  for (const t of tables) {
    for (const r of t.rows) {
      const parts = [`"table":${JSON.stringify(t.name)}`];
      r.forEach((v, j) => {
        if (v === null || v instanceof Uint8Array) return;
        parts.push(`${JSON.stringify(t.columns[j])}:${typeof v === "bigint" ? v.toString() : JSON.stringify(v)}`);
      });
      out.push(`{${parts.join(",")}}`);
    }
  }
  return out.join("\n") + "\n";
}

function columnType(values: Value[]): DataType {
  if (values.some((v) => typeof v === "string")) return new Utf8();
  if (values.some((v) => typeof v === "number" && !Number.isInteger(v))) return new Float64();
  return new Int64();
}

/** One IPC stream holding `t`, its schema named by `table_name`. */
export function toArrowStream(t: SqlTable): Uint8Array {
  const keep = t.columns.map((_c, j) => !t.rows.some((r) => r[j] instanceof Uint8Array));
  const fields: Field[] = [];
  const children = [];
  for (let j = 0; j < t.columns.length; j++) {
    if (!keep[j]) continue;
    const values = t.rows.map((r) => r[j]);
    const type = columnType(values);
    const cast = values.map((v) => (v === null ? null : type instanceof Utf8 ? String(v) : type instanceof Int64 ? BigInt(v as number) : Number(v)));
    children.push(vectorFromArray(cast, type).data[0]);
    fields.push(new Field(t.columns[j], type, true));
  }
  const schema = new Schema(fields, new Map([["table_name", t.name]]));
  const data = makeData({ type: new Struct(fields), length: t.rows.length, children, nullCount: 0 });
  const writer = new RecordBatchStreamWriter();
  writer.write(new RecordBatch(schema, data));
  writer.finish();
  return writer.toUint8Array(true);
}

export function toArrowStreams(tables: SqlTable[]): Buffer {
  return Buffer.concat(tables.map((t) => Buffer.from(toArrowStream(t))));
}

/** A folder with one `<TABLE>.arrow` stream per table. */
export function toArrowDir(tables: SqlTable[], dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const t of tables) fs.writeFileSync(path.join(dir, `${t.name}.arrow`), toArrowStream(t));
  return dir;
}

/** A folder with one `<TABLE>.parquet` per table (hyparquet-writer, which src/util/parquet.ts also uses), row groups of `rowGroupSize`. */
export async function toParquetDir(tables: SqlTable[], dir: string, rowGroupSize = 1000): Promise<string> {
  const { parquetWriteBuffer } = await import("hyparquet-writer");
  fs.mkdirSync(dir, { recursive: true });
  for (const t of tables) {
    const columnData = [];
    for (let j = 0; j < t.columns.length; j++) {
      const values = t.rows.map((r) => r[j]);
      if (values.some((v) => v instanceof Uint8Array)) continue;
      const type = columnType(values);
      const data = values.map((v) => (v === null ? null : type instanceof Utf8 ? String(v) : type instanceof Int64 ? BigInt(v as number) : Number(v)));
      columnData.push({ name: t.columns[j], data, type: type instanceof Utf8 ? "STRING" : type instanceof Int64 ? "INT64" : "DOUBLE" } as const);
    }
    const buf = parquetWriteBuffer({ columnData, rowGroupSize });
    fs.writeFileSync(path.join(dir, `${t.name}.parquet`), Buffer.from(buf));
  }
  return dir;
}

/** Rows of every canonical table as JSON text (BigInts as `<n>n`), for exact comparison across importers. */
export function rowsOf(trace: Trace): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, table] of Object.entries(trace.tables)) {
    out[name] = table.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
  }
  return out;
}
