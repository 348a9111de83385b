/**
 * Nsight Systems JSON-lines export importer (`nsys export --type jsonlines`, also what `--type json` gives in
 * the nsys releases that write one object per line with a `"table"` field; [NSYS-JSONL] in
 * ../shared/reference/trace-formats.md §1.11). Each line is one row of one SQLite-export table, so the rows of the
 * tables the nsys row builders read are staged into a private SQLite database (nsys-common/staging.ts) and read by
 * the same builders as the SQLite export: the same report gives the same canonical rows.
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
import { JsonLineError, parseJsonLine } from "./line";

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
  description: "Nsight Systems JSON-lines export (nsys export --type jsonlines / json)",
  sniff(head) {
    const lines = headLines(head, 50).filter((l) => l.trim() !== "");
    if (lines.length === 0 || !lines[0].trimStart().startsWith("{")) return false;
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
    const line = (text: string, last = false): void => {
      lineNo++;
      if (text.endsWith("\r")) text = text.slice(0, -1);
      if (text.trim() === "") return;
      const name = TABLE_FIELD.exec(text)?.[1];
      // A table that is not read: only its name is looked at (but a last, unterminated line is always parsed)
      if (name !== undefined && !stage.wants(name) && !last) return;
      let row;
      try {
        row = parseJsonLine(text);
      } catch (e) {
        if (e instanceof JsonLineError) throw new ImportError(source.path, `invalid JSON on line ${lineNo}: ${e.message}`);
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
    stage.readInto(sink, source.path, "jsonlines");
  } finally {
    stage.close();
  }
}
