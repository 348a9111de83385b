/**
 * An Arrow table as the bytes of one Parquet file, written with hyparquet-writer (npm `hyparquet-writer`, the
 * writer half of the `hyparquet` reader that src/ingest/nsys-parquet uses: pure JavaScript, no native build).
 * hyparquet-writer is an ES module; Node 20.19+ loads it through require(), which this CommonJS build compiles to.
 *
 * Column types map one to one, so that a reader gets the values the Arrow table holds: Float64 → DOUBLE,
 * Float32 → FLOAT, Int32 → INT32, Int64 → INT64, Bool → BOOLEAN, Utf8 (and LargeUtf8, and dictionaries of either)
 * → BYTE_ARRAY annotated UTF8 (the writer dictionary-encodes a column by itself where that is smaller). A nullable
 * Arrow field becomes an OPTIONAL column whose nulls stay nulls. Any other type is refused, naming the column,
 * rather than written as something a reader would read back differently.
 */
import * as arrow from "apache-arrow";
import { parquetWriteBuffer, type BasicType, type ColumnSource } from "hyparquet-writer";

function parquetType(field: arrow.Field): BasicType {
  let t: arrow.DataType = field.type;
  if (arrow.DataType.isDictionary(t)) {
    t = t.dictionary;
    if (!(arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t))) {
      throw new Error(`column "${field.name}": Arrow type ${String(field.type)} has no Parquet mapping here (only dictionaries of text)`);
    }
  }
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return "STRING";
  if (arrow.DataType.isBool(t)) return "BOOLEAN";
  if (arrow.DataType.isFloat(t) && t.precision === arrow.Precision.DOUBLE) return "DOUBLE";
  if (arrow.DataType.isFloat(t) && t.precision === arrow.Precision.SINGLE) return "FLOAT";
  if (arrow.DataType.isInt(t) && t.isSigned && t.bitWidth === 32) return "INT32";
  if (arrow.DataType.isInt(t) && t.isSigned && t.bitWidth === 64) return "INT64";
  throw new Error(`column "${field.name}": Arrow type ${String(field.type)} has no Parquet mapping here`);
}

/** The table as one Parquet file (SNAPPY pages, the writer's default row groups), its schema metadata kept. */
export function tableToParquet(table: arrow.Table): Uint8Array {
  const columnData: ColumnSource[] = table.schema.fields.map((field, i) => {
    const type = parquetType(field);
    // Iterating a vector yields null at every null slot (toArray() would give 0 in a typed array).
    const data = Array.from(table.getChildAt(i)!);
    if (!field.nullable && data.includes(null)) throw new Error(`column "${field.name}" is not nullable but holds nulls`);
    return { name: field.name, data, type, nullable: field.nullable };
  });
  const kvMetadata = [...table.schema.metadata].map(([key, value]) => ({ key, value }));
  return new Uint8Array(parquetWriteBuffer({ columnData, ...(kvMetadata.length ? { kvMetadata } : {}) }));
}
