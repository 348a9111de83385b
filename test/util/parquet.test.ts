/** tableToParquet: an Arrow table as one Parquet file, read back with hyparquet. */
import * as arrow from "apache-arrow";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { tableToParquet } from "../../src/util/parquet";

const bufferOf = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe("tableToParquet", () => {
  it("maps each Arrow type to its Parquet type and keeps every value, nulls as nulls", async () => {
    const table = new arrow.Table({
      f64: arrow.vectorFromArray([1.5, null, Number.NaN, -0, 1e300], new arrow.Float64()),
      f32: arrow.vectorFromArray([0.25, 2, null, -1, 3], new arrow.Float32()),
      i32: arrow.vectorFromArray([1, -2, null, 2147483647, -2147483648], new arrow.Int32()),
      i64: arrow.vectorFromArray([1n, null, -(2n ** 63n), 2n ** 63n - 1n, 0n], new arrow.Int64()),
      bool: arrow.vectorFromArray([true, null, false, true, false], new arrow.Bool()),
      text: arrow.vectorFromArray(["a", "é", null, "", "a"], new arrow.Utf8()),
      dict: arrow.vectorFromArray(["x", "y", "x", null, "y"], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    });
    const file = bufferOf(tableToParquet(table));
    const meta = parquetMetadata(file);
    expect(meta.schema.slice(1).map((e) => [e.name, e.type, e.converted_type ?? null, e.repetition_type])).toEqual([
      ["f64", "DOUBLE", null, "OPTIONAL"], ["f32", "FLOAT", null, "OPTIONAL"], ["i32", "INT32", null, "OPTIONAL"],
      ["i64", "INT64", null, "OPTIONAL"], ["bool", "BOOLEAN", null, "OPTIONAL"], ["text", "BYTE_ARRAY", "UTF8", "OPTIONAL"],
      ["dict", "BYTE_ARRAY", "UTF8", "OPTIONAL"],
    ]);
    const rows = await parquetReadObjects({ file });
    for (const [i, f] of table.schema.fields.entries()) {
      expect(rows.map((r) => r[f.name]), f.name).toEqual(Array.from(table.getChildAt(i)!));
    }
  });

  it("writes a required column for a non-nullable field, and an empty table as zero rows", async () => {
    const f = new arrow.Field("n", new arrow.Float64(), false);
    const child = arrow.vectorFromArray([1, 2], new arrow.Float64()).data[0]!;
    const data = arrow.makeData({ type: new arrow.Struct([f]), length: 2, children: [child], nullCount: 0 });
    const table = new arrow.Table(new arrow.RecordBatch(new arrow.Schema([f]), data));
    expect(table.schema.fields[0]!.nullable).toBe(false);
    expect(parquetMetadata(bufferOf(tableToParquet(table))).schema[1]!.repetition_type).toBe("REQUIRED");
    const empty = bufferOf(tableToParquet(new arrow.Table({ n: arrow.vectorFromArray([], new arrow.Float64()) })));
    expect(Number(parquetMetadata(empty).num_rows)).toBe(0);
    expect(await parquetReadObjects({ file: empty })).toEqual([]);
  });

  it("refuses a type it has no faithful mapping for, naming the column", () => {
    const table = new arrow.Table({ small: arrow.vectorFromArray([1, 2], new arrow.Int8()) });
    expect(() => tableToParquet(table)).toThrow(/column "small": Arrow type Int8/);
  });
});
