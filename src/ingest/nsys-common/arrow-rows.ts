/**
 * Staging the record batches of one nsys table read from Arrow (the `.arrows` stream, an arrowdir file, or a
 * Parquet row group read as objects) into the staging database, value by value in the form the SQLite export
 * stores: integers as integers (a BigInt only beyond 2^53), booleans as 1 / 0, unsigned 64-bit values beyond
 * 2^63 − 1 as the signed 64-bit integer with the same bits (SQLite has no unsigned type, so that is how a
 * 64-bit id lands in the SQLite export).
 */
import type { RecordBatch } from "apache-arrow";
import type { StagedTable, StageValue } from "./staging";

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** One value from an Arrow or Parquet reader in the form the SQLite export stores it. */
export function stageValue(v: unknown): StageValue {
  switch (typeof v) {
    case "number":
    case "string":
      return v;
    case "bigint": {
      const b = BigInt.asIntN(64, v);
      return b <= MAX_SAFE && b >= -MAX_SAFE ? Number(b) : b;
    }
    case "boolean":
      return v ? 1 : 0;
    case "undefined":
      return null;
    default:
      if (v === null) return null;
      if (v instanceof Uint8Array) return v;
      if (v instanceof Date) return v.getTime();
      return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
  }
}

/** Appends every row of `batch` to `out`, columns in schema order. */
export function stageBatch(batch: RecordBatch, out: StagedTable): void {
  const columns = batch.schema.fields.map((_f, j) => batch.getChildAt(j));
  const row: StageValue[] = new Array(columns.length);
  for (let i = 0; i < batch.numRows; i++) {
    for (let j = 0; j < columns.length; j++) row[j] = stageValue(columns[j]?.get(i));
    out.add(row);
  }
}
