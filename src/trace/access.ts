/**
 * Columnar access to canonical tables for hot loops: whole columns as typed arrays, without per-row objects.
 * Integer columns come back as float64 (exact below 2^53, which relative ns times are); nulls become NaN.
 */
import * as arrow from "apache-arrow";

/** A numeric column (Int32, Int64, Float64) as one Float64Array; nulls are NaN. */
export function numberColumn(table: arrow.Table, name: string): Float64Array {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`table has no column ${name}`);
  const out = new Float64Array(table.numRows);
  let offset = 0;
  for (const data of vector.data) {
    const values = data.values as ArrayLike<number | bigint>;
    for (let i = 0; i < data.length; i++) {
      out[offset + i] = data.getValid(i) ? Number(values[i]) : NaN;
    }
    offset += data.length;
  }
  return out;
}

/** A dictionary-encoded string column as integer codes into one shared list of strings; null rows get -1. */
export function dictColumn(table: arrow.Table, name: string): { codes: Int32Array; values: string[] } {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`table has no column ${name}`);
  const codes = new Int32Array(table.numRows);
  const values: string[] = [];
  const index = new Map<string, number>();
  let offset = 0;
  for (const data of vector.data) {
    if (!data.dictionary) throw new Error(`column ${name} is not dictionary-encoded`);
    const local = data.dictionary.toArray() as string[];
    const remap = local.map((s) => {
      let k = index.get(s);
      if (k === undefined) { k = values.length; values.push(s); index.set(s, k); }
      return k;
    });
    const keys = data.values as Int32Array;
    for (let i = 0; i < data.length; i++) codes[offset + i] = data.getValid(i) ? remap[keys[i]] : -1;
    offset += data.length;
  }
  return { codes, values };
}

/** Rows of a small table as plain objects (int64 as number): for devices, streams, processes, diagnostics. */
export function rowsOf(table: arrow.Table): Record<string, unknown>[] {
  return table.toArray().map((row) => {
    const obj = row.toJSON() as Record<string, unknown>;
    for (const key of Object.keys(obj)) if (typeof obj[key] === "bigint") obj[key] = Number(obj[key]);
    return obj;
  });
}
