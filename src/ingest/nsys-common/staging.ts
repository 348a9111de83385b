/**
 * A private SQLite database that the JSON, Arrow and Parquet importers pour an nsys export's tables into, row by
 * row, before the SQLite importer's row builders read it (readNsysTables). The builders are written once, in SQL
 * over named columns, so an export of another type gives the same canonical rows as the SQLite export of the same
 * report when its rows land in the same tables, columns and order (rowid = row position in the export, which is
 * what the SQLite export's rowid is).
 *
 * Columns are untyped (no affinity): each value is stored as the reader gives it (an integer as INTEGER, a BigInt
 * beyond 2^53 exactly as a 64-bit INTEGER, text as TEXT), as the SQLite export stores them. The database lives in
 * a fresh temporary folder, is written inside one transaction, and is removed with the folder in `close`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Database, type Statement } from "node-sqlite3-wasm";
import { quoteId, NsysDb } from "../nsys-sqlite/db";
import { readNsysTables } from "../nsys-sqlite/read";
import type { TraceSink } from "../sink";
import { isReadTable } from "./tables";

/** A value as it goes into the staging database. */
export type StageValue = number | bigint | string | Uint8Array | null;

/** Rows of one table, all with the same column list. */
export interface StagedTable {
  /** Appends one row; `values` in the order of the column list given to `table`. */
  add(values: readonly StageValue[]): void;
}

/** How many rows go into one transaction before it is committed (bounds the journal, keeps inserts fast). */
const ROWS_PER_COMMIT = 50_000;

export class StagingDb {
  private readonly tables = new Map<string, Set<string>>(); // upper-case name → lower-case columns
  private readonly statements = new Map<string, Statement>();
  private pending = 0;
  private closed = false;

  private constructor(private readonly dir: string, private readonly file: string, private readonly db: Database) {
    db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN");
  }

  static create(): StagingDb {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lithos-nsys-stage-"));
    const file = path.join(dir, "staged.sqlite");
    try {
      return new StagingDb(dir, file, new Database(file));
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Whether the row builders read `table`: the others need not be staged. */
  wants(table: string): boolean {
    return isReadTable(table);
  }

  /** Names of the tables staged so far. */
  tableNames(): string[] {
    return [...this.tables.keys()];
  }

  /**
   * A writer for `columns` of `table`, creating the table (or adding the columns it lacks: JSON lines leave out
   * NULL fields, so later rows can bring new ones). Writers are cached per column list.
   */
  table(table: string, columns: readonly string[]): StagedTable {
    const key = `${table.toUpperCase()}\u0000${columns.join("\u0000")}`;
    let stmt = this.statements.get(key);
    if (!stmt) {
      this.ensureColumns(table, columns);
      const marks = columns.map(() => "?").join(", ");
      const sql = columns.length > 0
        ? `INSERT INTO ${quoteId(table)} (${columns.map(quoteId).join(", ")}) VALUES (${marks})`
        : `INSERT INTO ${quoteId(table)} DEFAULT VALUES`;
      stmt = this.db.prepare(sql);
      this.statements.set(key, stmt);
    }
    const s = stmt;
    return {
      add: (values) => {
        s.run(values as StageValue[]);
        if (++this.pending >= ROWS_PER_COMMIT) {
          this.db.exec("COMMIT; BEGIN");
          this.pending = 0;
        }
      },
    };
  }

  /** Creates `table` with no rows (an empty table in the export is still a table: it is not "missing"). */
  declare(table: string, columns: readonly string[]): void {
    this.ensureColumns(table, columns);
  }

  private ensureColumns(table: string, columns: readonly string[]): void {
    const name = table.toUpperCase();
    let have = this.tables.get(name);
    if (!have) {
      // SQLite needs one column to create a table; `_lithos_placeholder` is never read by the row builders.
      const cols = columns.length > 0 ? columns : ["_lithos_placeholder"];
      this.db.exec(`CREATE TABLE ${quoteId(table)} (${cols.map(quoteId).join(", ")})`);
      have = new Set(cols.map((c) => c.toLowerCase()));
      this.tables.set(name, have);
      return;
    }
    for (const c of columns) {
      if (have.has(c.toLowerCase())) continue;
      this.db.exec(`ALTER TABLE ${quoteId(table)} ADD COLUMN ${quoteId(c)}`);
      have.add(c.toLowerCase());
    }
  }

  /** Commits, then runs the nsys row builders over the staged tables into `sink`. */
  readInto(sink: TraceSink, file: string, exportType: string): void {
    this.finishWrites();
    const db = NsysDb.open(this.file);
    try {
      readNsysTables(db, sink, file, exportType);
    } finally {
      db.close();
    }
  }

  private finishWrites(): void {
    for (const s of this.statements.values()) if (!s.isFinalized) s.finalize();
    this.statements.clear();
    if (this.db.isOpen) {
      this.db.exec("COMMIT");
      this.db.close();
    }
  }

  /** Removes the database and its folder; safe to call more than once and after a failure. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const s of this.statements.values()) if (!s.isFinalized) s.finalize();
      if (this.db.isOpen) this.db.close();
    } catch {
      // the folder goes anyway
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
