/**
 * Streamed reading of query results by column index.
 *
 * Where the node-sqlite3-wasm build exposes its sqlite3_* exports and the statement handle, the cursor calls them
 * directly, one call per value actually read. The package's own iterator builds an object per row and a BigInt
 * per integer, which makes million-row tables about twice as slow to read. Without those internals (another
 * version of the package) the cursor wraps the public iterator instead and yields the same values.
 */
import * as sqliteModule from "node-sqlite3-wasm";
import { SQLite3Error, type Statement } from "node-sqlite3-wasm";

/** A value as node-sqlite3-wasm returns it (integers beyond 2^53 come back as BigInt). */
export type SqlValue = number | bigint | string | Uint8Array | null;
export type SqlRow = Record<string, SqlValue>;

/** The current row of a streamed query; values are read by column index, in SELECT order. */
export interface RowCursor {
  /** A numeric value (exact below 2^53), or null for NULL, a BLOB or non-numeric text. */
  num(i: number): number | null;
  /** A TEXT value, or null for anything else. */
  text(i: number): string | null;
  /** The raw value (for the rare column whose type varies). */
  value(i: number): number | string | null;
}

const SQLITE_ROW = 100, SQLITE_DONE = 101, SQLITE_INTEGER = 1, SQLITE_FLOAT = 2, SQLITE_TEXT = 3;

/** The sqlite3_* exports of the wasm module, when this build exposes them (held as plain function values). */
interface WasmApi {
  readonly step: (stmt: number) => number;
  readonly columnType: (stmt: number, i: number) => number;
  readonly columnDouble: (stmt: number, i: number) => number;
  readonly columnText: (stmt: number, i: number) => string;
}

function findWasmApi(): WasmApi | null {
  const ns = sqliteModule as unknown as Record<string, unknown>;
  for (const m of [ns, ns.default as Record<string, unknown> | undefined]) {
    if (!m) continue;
    // Read each export once: under some loaders the module object is a proxy, too slow to consult per value.
    const step = m._sqlite3_step, columnType = m._sqlite3_column_type, columnDouble = m._sqlite3_column_double, cwrap = m.cwrap;
    if (typeof step === "function" && typeof columnType === "function" && typeof columnDouble === "function" && typeof cwrap === "function") {
      const columnText = cwrap("sqlite3_column_text", "string", ["number", "number"]) as (stmt: number, i: number) => string;
      return {
        step: step as WasmApi["step"],
        columnType: columnType as WasmApi["columnType"],
        columnDouble: columnDouble as WasmApi["columnDouble"],
        columnText,
      };
    }
  }
  return null;
}

let wasmApi: WasmApi | null | undefined;

/** Cursor over the wasm exports: one call per value actually read, no per-row object. */
class WasmCursor implements RowCursor {
  private readonly columnType: WasmApi["columnType"];
  private readonly columnDouble: WasmApi["columnDouble"];
  private readonly columnText: WasmApi["columnText"];
  constructor(api: WasmApi, private readonly ptr: number) {
    this.columnType = api.columnType;
    this.columnDouble = api.columnDouble;
    this.columnText = api.columnText;
  }
  num(i: number): number | null {
    const t = this.columnType(this.ptr, i);
    if (t === SQLITE_INTEGER || t === SQLITE_FLOAT) return this.columnDouble(this.ptr, i);
    if (t === SQLITE_TEXT) return num(this.columnText(this.ptr, i));
    return null;
  }
  text(i: number): string | null {
    return this.columnType(this.ptr, i) === SQLITE_TEXT ? this.columnText(this.ptr, i) : null;
  }
  value(i: number): number | string | null {
    const t = this.columnType(this.ptr, i);
    if (t === SQLITE_TEXT) return this.columnText(this.ptr, i);
    return t === SQLITE_INTEGER || t === SQLITE_FLOAT ? this.columnDouble(this.ptr, i) : null;
  }
}

/** Cursor over the package's public iterator (an object per row). */
class ObjectCursor implements RowCursor {
  values: SqlValue[] = [];
  num(i: number): number | null {
    return num(this.values[i]);
  }
  text(i: number): string | null {
    const v = this.values[i];
    return typeof v === "string" ? v : null;
  }
  value(i: number): number | string | null {
    const v = this.values[i];
    return typeof v === "string" ? v : num(v);
  }
}

/**
 * Steps `stmt` to the end, calling `fn` with a cursor on each row. `portable` forces the public iterator.
 * An SQLite error while stepping (a corrupt page) is thrown as SQLite3Error with SQLite's message.
 */
export function streamRows(stmt: Statement, portable: boolean, fn: (row: RowCursor) => void): void {
  wasmApi ??= findWasmApi();
  const ptr = (stmt as unknown as { _ptr?: unknown })._ptr;
  if (wasmApi && !portable && typeof ptr === "number" && ptr !== 0) {
    const cursor = new WasmCursor(wasmApi, ptr);
    const step = wasmApi.step;
    for (;;) {
      const rc = step(ptr);
      if (rc === SQLITE_ROW) fn(cursor);
      else if (rc === SQLITE_DONE) return;
      else {
        stmt.finalize(); // throws the statement's error message as an SQLite3Error
        throw new SQLite3Error(`SQLite error ${rc} while reading rows`);
      }
    }
  }
  const cursor = new ObjectCursor();
  for (const row of stmt.iterate()) {
    cursor.values = Object.values(row as SqlRow);
    fn(cursor);
  }
}

/** A numeric column value as a JS number (null stays null; BigInt is converted, exact below 2^53). */
export function num(v: SqlValue | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}
