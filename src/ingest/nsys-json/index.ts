/**
 * Nsight Systems line-delimited JSON exports, two layouts ([NSYS-JSONL], [NSYS-OLD] in
 * ../shared/reference/trace-formats.md §1.11):
 * - `nsys export --type json` (nsys 2025.3 and older): one event record per line, `{"Type":N,"CudaEvent":{…}}`,
 *   then a strings line; mapped onto SQLite-export rows by legacy.ts;
 * - `nsys export --type jsonlines` (newer releases): each line is one row of one SQLite-export table, named by its
 *   `"table"` field.
 * Either way the rows of the tables the nsys row builders read are staged into a private SQLite database
 * (nsys-common/staging.ts) and read by the same builders as the SQLite export: the same report gives the same rows
 * (legacy.ts lists what the event-record layout does not hold).
 *
 * Streamed: the file is read in chunks and split into lines; no whole-file string is ever built. Lines of tables
 * that are not read are only scanned for their table name. What JSON lines cannot carry: a table with no rows
 * (nsys writes no line for it, so it reads as absent: `nsys.missing_table`), and a column that is NULL in every row
 * (NULL fields are left out, so it reads as absent, which the builders treat as NULL anyway).
 */
import { StringDecoder } from "node:string_decoder";
import { ImportError } from "../errors";
import { headText, type Importer } from "../importer";
import { StagingDb } from "../nsys-common/staging";
import { looksLikeNsysTables } from "../nsys-common/tables";
import type { TraceSink } from "../sink";
import type { TraceSource } from "../source";
import { LEGACY_READ_TYPES, LegacyShapeError, NVTX_KEY, stageLegacyLine } from "./legacy";
import { JsonLineError, parseJsonLine } from "./line";

/** The start of an event-record line of `--type json`: `{"Type":79,"CudaEvent":{`. */
const LEGACY_EVENT = /^\{\s*"Type"\s*:\s*(\d+)\s*,\s*"[A-Za-z]+Event"\s*:/;

/** The strings (or threads) line of `--type json`, which nsys 2025.3 writes first: `{"data":[`. */
const LEGACY_DATA = /^\{\s*"data"\s*:\s*\[/;

/** `"table":"NAME"` as nsys writes it (no spaces); the name is an SQLite identifier. */
const TABLE_FIELD = /"table"\s*:\s*"([A-Za-z0-9_]+)"/;

/** The first complete lines of the head, at most `n`. */
function headLines(head: Uint8Array, n: number): string[] {
  const lines = headText(head).split("\n");
  if (lines.length > 1) lines.pop(); // the last piece may be cut off by the head's end
  return lines.slice(0, n);
}

export const nsysJsonImporter: Importer = {
  format: "nsys-json",
  description: "Nsight Systems line-delimited JSON export (nsys export --type json / jsonlines)",
  sniff(head) {
    const lines = headLines(head, 50).filter((l) => l.trim() !== "");
    if (lines.length === 0 || !lines[0].trimStart().startsWith("{")) return false;
    if (LEGACY_EVENT.test(lines[0].trimStart())) return true;
    if (LEGACY_DATA.test(lines[0].trimStart())) {
      // the strings line first: an event record must follow, unless the strings line alone outgrows the head
      const text = headText(head);
      return !text.includes("\n") || lines.some((l) => LEGACY_EVENT.test(l.trimStart()));
    }
    const tables = lines.map((l) => TABLE_FIELD.exec(l)?.[1]).filter((t): t is string => t !== undefined);
    return tables.length > 0 && looksLikeNsysTables(tables);
  },
  read: readNsysJson,
};

async function readNsysJson(source: TraceSource, sink: TraceSink): Promise<void> {
  const stage = StagingDb.create();
  try {
    let lineNo = 0;
    let rest = "";
    const decoder = new StringDecoder("utf8");
    let legacy: boolean | null = null; // decided by the first line
    const line = (text: string, last = false): void => {
      lineNo++;
      if (text.endsWith("\r")) text = text.slice(0, -1);
      if (text.trim() === "") return;
      legacy ??= LEGACY_EVENT.test(text.trimStart()) || LEGACY_DATA.test(text.trimStart());
      if (legacy) legacyLine(text, last);
      else tableLine(text, last);
    };
    const invalid = (why: string): never => {
      throw new ImportError(source.path, `invalid JSON on line ${lineNo}: ${why}`);
    };
    const legacyLine = (text: string, last: boolean): void => {
      const type = LEGACY_EVENT.exec(text)?.[1];
      // An event type that gives no row: passed over unparsed (but a last, unterminated line is always parsed)
      if (type !== undefined && !LEGACY_READ_TYPES.has(Number(type)) && !text.includes(NVTX_KEY) && !last) return;
      let value: unknown;
      try {
        value = JSON.parse(text); // 64-bit values are strings in this layout, so JSON.parse loses nothing
      } catch (e) {
        invalid((e as Error).message);
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) invalid("not an object");
      try {
        stageLegacyLine(value as Record<string, unknown>, stage);
      } catch (e) {
        if (e instanceof LegacyShapeError) throw new ImportError(source.path, `line ${lineNo}: ${e.message}: not an nsys \`--type json\` export`);
        throw e;
      }
    };
    const tableLine = (text: string, last: boolean): void => {
      const name = TABLE_FIELD.exec(text)?.[1];
      // A table that is not read: only its name is looked at (but a last, unterminated line is always parsed)
      if (name !== undefined && !stage.wants(name) && !last) return;
      let row;
      try {
        row = parseJsonLine(text);
      } catch (e) {
        if (e instanceof JsonLineError) invalid(e.message);
        throw e;
      }
      const at = row.keys.indexOf("table");
      const table = at < 0 ? null : row.values[at];
      if (typeof table !== "string") {
        throw new ImportError(source.path,
          `line ${lineNo} has no "table" field: not an nsys JSON-lines export (expected the output of \`nsys export --type jsonlines\`)`);
      }
      if (!stage.wants(table)) return;
      row.keys.splice(at, 1);
      row.values.splice(at, 1);
      stage.table(table, row.keys).add(row.values);
    };
    for await (const chunk of source.chunks()) {
      const text = rest + decoder.write(chunk);
      let start = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
        line(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest.trim() !== "") {
      // nsys ends every line with a newline: a last line without one is where the file was cut off
      try {
        line(rest, true);
      } catch (e) {
        if (e instanceof ImportError) throw new ImportError(source.path, `truncated: the last line (${lineNo}) is incomplete`);
        throw e;
      }
    }
    stage.readInto(sink, source.path, legacy ? "json" : "jsonlines");
  } finally {
    stage.close();
  }
}
