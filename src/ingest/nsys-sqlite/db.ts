/**
 * Read-only access to one Nsight Systems SQLite export: which tables and columns it has, SELECT text built from
 * the columns that exist, streamed row iteration, and lazily resolved StringIds.
 *
 * nsys creates tables lazily and changes columns between versions, so every query here is assembled from
 * `pragma table_info` (read once per table) and a missing column reads as NULL. Event rows are streamed through
 * a prepared statement and a RowCursor (cursor.ts); nothing reads a whole event table into memory.
 */
import { Database, SQLite3Error, type Statement } from "node-sqlite3-wasm";
import { streamRows, type RowCursor, type SqlRow } from "./cursor";

export { num, type RowCursor, type SqlRow, type SqlValue } from "./cursor";

/** 2^24: globalTid/globalPid pack <hw:8><vm:8><pid:24><tid:24>. */
const ID_FIELD = 16777216;

/** Quotes an identifier for SQL text. */
export function quoteId(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * OS process id from a serialized nsys GlobalId (globalPid or globalTid): bits 24–47. The readers decode in SQL
 * (TableColumns.pid); this is the same rule for values already in JS.
 */
export function pidFromGlobalId(v: number | bigint): number {
  if (typeof v === "bigint") return Number((v >> 24n) & 0xffffffn);
  return Math.floor(v / ID_FIELD) % ID_FIELD;
}

/** OS thread id from a serialized nsys globalTid: bits 0–23. */
export function tidFromGlobalId(v: number | bigint): number {
  if (typeof v === "bigint") return Number(v & 0xffffffn);
  return v % ID_FIELD;
}

interface TableInfo {
  /** Name as stored in sqlite_master. */
  readonly name: string;
  /** Whether `rowid` can be selected (an ordinary rowid table, not a view or WITHOUT ROWID table). */
  readonly hasRowid: boolean;
  /** Lower-cased column names, read on first use. */
  columns?: Set<string>;
}

/** Columns of one table, for building SELECT lists. A missing column is selected as NULL. */
export class TableColumns {
  /** The table name quoted for a FROM clause. */
  readonly from: string;
  constructor(readonly table: string, private readonly columns: Set<string>, readonly hasRowid: boolean) {
    this.from = quoteId(table);
  }

  has(column: string): boolean {
    return this.columns.has(column.toLowerCase());
  }

  /** `"column"` when present, else `fallback` (NULL). */
  expr(column: string, fallback = "NULL"): string {
    return this.has(column) ? quoteId(column) : fallback;
  }

  /** The first of `columns` that exists, quoted; NULL when none does. */
  first(...columns: string[]): string {
    for (const c of columns) if (this.has(c)) return quoteId(c);
    return "NULL";
  }

  /** A GlobalId column decoded to the OS process id in SQL (exact for any 64-bit value). */
  pid(column: string): string {
    return this.has(column) ? `((${quoteId(column)} >> 24) & 16777215)` : "NULL";
  }

  /** A globalTid column decoded to the OS thread id in SQL. */
  tid(column: string): string {
    return this.has(column) ? `(${quoteId(column)} & 16777215)` : "NULL";
  }

  /** An id column where 0 means "none" (graphNodeId, graphId). */
  nonZero(column: string): string {
    return this.has(column) ? `NULLIF(${quoteId(column)}, 0)` : "NULL";
  }

  /** The rowid, or NULL for views (the caller then numbers rows itself). */
  rowid(): string {
    return this.hasRowid ? "rowid" : "NULL";
  }
}

/** A SELECT list with fixed aliases and the column index of each alias. */
export function selectList<K extends string>(exprs: Record<K, string>): { list: string; at: Record<K, number> } {
  const at = {} as Record<K, number>;
  const parts: string[] = [];
  for (const [alias, expr] of Object.entries(exprs) as [K, string][]) {
    at[alias] = parts.length;
    parts.push(`${expr} AS ${quoteId(alias)}`);
  }
  return { list: parts.join(", "), at };
}

/** One open export. `close` must be called (the wasm database is not garbage-collected). */
export class NsysDb {
  private readonly tables = new Map<string, TableInfo>();
  private readonly strings = new Map<number, string | null>();
  private stringStmt: Statement | null = null;
  private hasStringIds = false;

  private constructor(private readonly db: Database, private readonly portable: boolean) {}

  /**
   * Opens `file` read-only and reads the table catalogue (the first read: a non-database fails here).
   * `portable` forces the public row iterator (tests compare both paths).
   */
  static open(file: string, options: { portable?: boolean } = {}): NsysDb {
    const db = new Database(file, { readOnly: true });
    const me = new NsysDb(db, options.portable ?? false);
    try {
      me.loadCatalogue();
    } catch (e) {
      me.close();
      throw e;
    }
    return me;
  }

  private loadCatalogue(): void {
    this.each("SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view')", (r) => {
      const name = String(r.name);
      const sql = typeof r.sql === "string" ? r.sql : "";
      const hasRowid = r.type === "table" && !/without\s+rowid/i.test(sql);
      this.tables.set(name.toUpperCase(), { name, hasRowid });
    });
    this.hasStringIds = this.has("StringIds") && this.columns("StringIds").has("id") && this.columns("StringIds").has("value");
  }

  /** Names of every table and view (for format checks). */
  tableNames(): string[] {
    return [...this.tables.values()].map((t) => t.name);
  }

  has(table: string): boolean {
    return this.tables.has(table.toUpperCase());
  }

  /** Columns of `table` (read with `pragma table_info` once). The table must exist. */
  columns(table: string): TableColumns {
    const info = this.tables.get(table.toUpperCase());
    if (!info) throw new Error(`no table ${table}`);
    if (!info.columns) {
      const cols = new Set<string>();
      this.each(`SELECT name FROM pragma_table_info(${sqlString(info.name)})`, (r) => cols.add(String(r.name).toLowerCase()));
      info.columns = cols;
    }
    return new TableColumns(info.name, info.columns, info.hasRowid);
  }

  /** Runs `sql` and calls `fn` for each row, one at a time; the statement is always finalized. */
  each(sql: string, fn: (row: SqlRow) => void): void {
    const stmt = this.db.prepare(sql);
    try {
      for (const row of stmt.iterate()) fn(row as SqlRow);
    } finally {
      stmt.finalize();
    }
  }

  /**
   * Streams the rows of `sql` through one cursor, positioned on each row in turn while `fn` runs; the statement
   * is always finalized. The hot path for event tables.
   */
  rows(sql: string, fn: (row: RowCursor) => void): void {
    const stmt = this.db.prepare(sql);
    try {
      streamRows(stmt, this.portable, fn);
    } finally {
      if (!stmt.isFinalized) stmt.finalize();
    }
  }

  /** The first row of `sql`, or null. */
  first(sql: string): SqlRow | null {
    return (this.db.get(sql) as SqlRow | null) ?? null;
  }

  /**
   * The StringIds value of `id`, or undefined when the id is not there (or the export has no StringIds).
   * Looked up on first use and cached: names repeat, distinct ids are few next to the events.
   */
  string(id: number): string | undefined {
    const known = this.strings.get(id);
    if (known !== undefined) return known ?? undefined;
    let value: string | null = null;
    if (this.hasStringIds) {
      this.stringStmt ??= this.db.prepare("SELECT value FROM StringIds WHERE id = ?");
      const row = this.stringStmt.get(id) as SqlRow | null;
      if (row && row.value !== null && row.value !== undefined) value = String(row.value);
    }
    this.strings.set(id, value);
    return value ?? undefined;
  }

  close(): void {
    try {
      if (this.stringStmt && !this.stringStmt.isFinalized) this.stringStmt.finalize();
    } finally {
      if (this.db.isOpen) this.db.close();
    }
  }
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Whether `e` came from SQLite (corrupt file, not a database, I/O error) rather than from this code. */
export function isSqliteError(e: unknown): e is Error {
  return e instanceof SQLite3Error || (e instanceof Error && e.name === "SQLite3Error");
}
