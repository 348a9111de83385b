/**
 * Growable typed-array columns that importers append to, turned into Arrow vectors once at the end.
 *
 * Why not Arrow JS builders: appending through typed arrays is several times faster on the import hot path.
 * Integers are held as exact float64 values (all values a trace holds fit in 2^53 once times are relative
 * to the time base) with NaN standing for null, and become Int32/Int64 Arrow data in `toVector`.
 */
import * as arrow from "apache-arrow";
import type { ColumnKind, ColumnSpec, TableSpec } from "./schema";

const INITIAL_CAPACITY = 1024;

/** One column being filled. `push` takes `null`/`undefined` for a missing value. */
export interface ColumnBuffer {
  readonly length: number;
  push(value: unknown): void;
  /** The column as Arrow data of `type` (the field's type; for dictionaries it carries the dictionary id). */
  toVector(type: arrow.DataType): arrow.Vector;
}

export class NumberColumn implements ColumnBuffer {
  private values = new Float64Array(INITIAL_CAPACITY);
  length = 0;
  constructor(private readonly kind: "i64" | "i32" | "f64", private readonly nullable: boolean, private readonly label: string) {}

  push(value: unknown): void {
    let v: number;
    if (value === null || value === undefined) {
      if (!this.nullable) throw new Error(`column ${this.label} is required but got no value`);
      v = NaN;
    } else if (typeof value === "number") {
      v = value;
    } else if (typeof value === "bigint") {
      v = Number(value);
    } else {
      throw new Error(`column ${this.label} expects a number, got ${typeof value}`);
    }
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = v;
  }

  /** The value of row `i` (NaN: null). */
  get(i: number): number {
    if (i < 0 || i >= this.length) throw new Error(`column ${this.label}: row ${i} out of range`);
    return this.values[i];
  }

  /** Overwrites row `i` (importers fill a value that only becomes known later in the file). */
  set(i: number, value: number | null): void {
    if (i < 0 || i >= this.length) throw new Error(`column ${this.label}: row ${i} out of range`);
    this.values[i] = value === null ? NaN : value;
  }

  toVector(): arrow.Vector {
    const n = this.length;
    const { bitmap, nullCount } = numberValidity(this.values, n);
    let data: arrow.Data;
    if (this.kind === "f64") {
      data = arrow.makeData({ type: new arrow.Float64(), length: n, nullCount, nullBitmap: bitmap, data: this.values.slice(0, n) });
    } else if (this.kind === "i32") {
      data = arrow.makeData({ type: new arrow.Int32(), length: n, nullCount, nullBitmap: bitmap, data: toInt32(this.values, n) });
    } else {
      data = arrow.makeData({ type: new arrow.Int64(), length: n, nullCount, nullBitmap: bitmap, data: toInt64(this.values, n) });
    }
    return arrow.makeVector(data);
  }
}

function toInt32(values: Float64Array, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i] | 0;
  return out;
}

/** Whether this machine stores the low 32 bits of an int64 first (the Uint32Array view in toInt64 needs it). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

/**
 * The values rounded to int64 (NaN: 0), as `BigInt(Math.round(v))` stored in a BigInt64Array gives, but written
 * as two 32-bit halves: a BigInt per value was most of the Arrow build (millions of i64 values in a large trace).
 * For an integer r (a double, so exact), hi = floor(r / 2^32) and lo = r - hi * 2^32 are exact, and storing them
 * in a Uint32Array wraps modulo 2^32 as the BigInt64Array wraps modulo 2^64. A value that is not finite goes
 * through BigInt, which throws as before.
 */
function toInt64(values: Float64Array, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) out[i] = Number.isNaN(values[i]) ? 0n : BigInt(Math.round(values[i]));
    return out;
  }
  const words = new Uint32Array(out.buffer, out.byteOffset, 2 * n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue; // the array starts zeroed
    const r = Math.round(v);
    if (!Number.isFinite(r)) {
      out[i] = BigInt(r);
      continue;
    }
    const hi = Math.floor(r / TWO_32);
    words[2 * i] = r - hi * TWO_32;
    words[2 * i + 1] = hi;
  }
  return out;
}

/** Values kept as a JS array: booleans and plain strings (small tables: devices, processes, diagnostics). */
class ArrayColumn<T> implements ColumnBuffer {
  private values: (T | null)[] = [];
  get length(): number {
    return this.values.length;
  }
  constructor(
    private readonly nullable: boolean,
    private readonly label: string,
    private readonly convert: (v: unknown) => T,
    private readonly type: arrow.Bool | arrow.Utf8,
  ) {}
  push(value: unknown): void {
    if (value === null || value === undefined) {
      if (!this.nullable) throw new Error(`column ${this.label} is required but got no value`);
      this.values.push(null);
    } else this.values.push(this.convert(value));
  }
  toVector(): arrow.Vector {
    return arrow.vectorFromArray(this.values, this.type);
  }
}

/** Dictionary-encoded strings: each distinct value is stored once (kernel names repeat thousands of times). */
class DictColumn implements ColumnBuffer {
  private keys = new Int32Array(INITIAL_CAPACITY);
  private readonly index = new Map<string, number>();
  private readonly dictionary: string[] = [];
  private nulls = 0;
  length = 0;
  constructor(private readonly nullable: boolean, private readonly label: string) {}

  push(value: unknown): void {
    let key = -1;
    if (value === null || value === undefined) {
      if (!this.nullable) throw new Error(`column ${this.label} is required but got no value`);
      this.nulls++;
    } else {
      const s = typeof value === "string" ? value : String(value);
      const known = this.index.get(s);
      if (known !== undefined) key = known;
      else {
        key = this.dictionary.length;
        this.dictionary.push(s);
        this.index.set(s, key);
      }
    }
    if (this.length === this.keys.length) {
      const grown = new Int32Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    this.keys[this.length++] = key;
  }

  toVector(type: arrow.DataType): arrow.Vector {
    const n = this.length;
    const keys = this.keys.slice(0, n);
    const { bitmap, nullCount } = keyValidity(keys, n);
    for (let i = 0; i < n; i++) if (keys[i] < 0) keys[i] = 0;
    const dictionary = arrow.vectorFromArray(this.dictionary, new arrow.Utf8());
    if (!arrow.DataType.isDictionary(type)) throw new Error(`column ${this.label} needs a dictionary type`);
    return arrow.makeVector(arrow.makeData({ type, length: n, nullCount, nullBitmap: bitmap, data: keys, dictionary }));
  }
}

/**
 * The validity bitmap (undefined when nothing is null) of numbers (NaN: null) or dictionary keys (-1: null).
 * Two loops rather than one taking a predicate: a shared call to different closures kept deoptimising.
 */
function numberValidity(values: Float64Array, n: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    if (!Number.isNaN(values[i])) bitmap[i >> 3] |= 1 << (i & 7);
    else nullCount++;
  }
  return { bitmap: nullCount === 0 ? undefined : bitmap, nullCount };
}

function keyValidity(keys: Int32Array, n: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    if (keys[i] >= 0) bitmap[i >> 3] |= 1 << (i & 7);
    else nullCount++;
  }
  return { bitmap: nullCount === 0 ? undefined : bitmap, nullCount };
}

export function makeColumnBuffer(kind: ColumnKind, nullable: boolean, label: string): ColumnBuffer {
  switch (kind) {
    case "i64":
    case "i32":
    case "f64":
      return new NumberColumn(kind, nullable, label);
    case "bool":
      return new ArrayColumn(nullable, label, Boolean, new arrow.Bool());
    case "utf8":
      return new ArrayColumn(nullable, label, String, new arrow.Utf8());
    case "dict":
      return new DictColumn(nullable, label);
  }
}

/**
 * The Arrow field for a declared column. `index` (the column's position) becomes the dictionary id of a
 * dictionary column: Arrow JS would otherwise draw ids from a process-wide counter, and the same trace
 * written twice in one process would not give the same bytes.
 */
export function arrowField(name: string, spec: ColumnSpec, index: number): arrow.Field {
  const type = {
    i64: () => new arrow.Int64(),
    i32: () => new arrow.Int32(),
    f64: () => new arrow.Float64(),
    bool: () => new arrow.Bool(),
    utf8: () => new arrow.Utf8(),
    dict: () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), index),
  }[spec.kind]();
  return new arrow.Field(name, type, spec.nullable);
}

/**
 * TableBuffer.append for one table: straight-line code with one property load and one push per column.
 * Why generated: a loop over the column names does a keyed load with a different name at one site, which V8
 * cannot cache (megamorphic), and a push call shared by every column class; on the import hot path that cost
 * more than the pushes. Here each load and each call site sees one row shape and one column class. The names are
 * the schema's (written as JSON string literals), never input data.
 */
function compileAppend(names: string[], buffers: ColumnBuffer[]): (row: object) => void {
  const locals = buffers.map((_, i) => `const b${i} = buffers[${i}];`).join("\n");
  const pushes = names.map((name, i) => `  b${i}.push(row[${JSON.stringify(name)}]);`).join("\n");
  const make = new Function("buffers", `${locals}\nreturn function append(row) {\n${pushes}\n};`) as (b: ColumnBuffer[]) => (row: object) => void;
  return make(buffers);
}

/** Rows of one canonical table being filled, column by column. */
export class TableBuffer<T extends TableSpec = TableSpec> {
  private readonly names: string[];
  private readonly buffers: ColumnBuffer[];
  constructor(readonly spec: T) {
    this.names = Object.keys(spec.columns);
    this.buffers = this.names.map((name) => {
      const col = spec.columns[name];
      return makeColumnBuffer(col.kind, col.nullable, `${spec.name}.${name}`);
    });
    this.append = compileAppend(this.names, this.buffers);
  }

  get length(): number {
    return this.buffers.length ? this.buffers[0].length : 0;
  }

  /** Appends one row: each column takes the row's property of its name (missing: null). */
  readonly append: (row: object) => void;

  /** Overwrites one numeric value of an appended row. */
  set(row: number, column: string, value: number | null): void {
    this.numbers(column).set(row, value);
  }

  /** A numeric column, to read back what was appended (`get(i)`, NaN for null). */
  numbers(column: string): NumberColumn {
    const buffer = this.buffers[this.names.indexOf(column)];
    if (!(buffer instanceof NumberColumn)) throw new Error(`${this.spec.name}.${column} is not a numeric column`);
    return buffer;
  }

  /** The filled table with `metadata` on its schema (table_name is added). */
  toTable(metadata: Map<string, string>): arrow.Table {
    const fields = this.names.map((name, i) => arrowField(name, this.spec.columns[name], i));
    const meta = new Map(metadata);
    meta.set("table_name", this.spec.name);
    const schema = new arrow.Schema(fields, meta);
    const children = this.buffers.map((b, i) => b.toVector(fields[i].type).data[0]);
    const struct = arrow.makeData({ type: new arrow.Struct(fields), length: this.length, nullCount: 0, children });
    return new arrow.Table(schema, new arrow.RecordBatch(schema, struct));
  }
}
