/**
 * A small RFC 4180 CSV reader and writer: quoted fields with commas, quotes and newlines, CRLF or LF.
 * Each record keeps its raw text so that a command can append columns and carry the input through unchanged.
 */
export interface CsvRecord {
  fields: string[];
  /** The record's text as in the input, without its line ending. */
  raw: string;
}

export interface CsvTable {
  header: string[];
  /** The header record's text as in the input. */
  headerRaw: string;
  records: CsvRecord[];
}

export function parseCsv(text: string): CsvTable {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length) {
    const start = i;
    const fields: string[] = [];
    let field = "";
    let quoted = false;
    for (;;) {
      if (i >= text.length) { fields.push(field); break; }
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          quoted = false; i++; continue;
        }
        field += c; i++; continue;
      }
      if (c === '"' && field === "") { quoted = true; i++; continue; }
      if (c === ",") { fields.push(field); field = ""; i++; continue; }
      if (c === "\n" || c === "\r") { fields.push(field); break; }
      field += c; i++;
    }
    if (quoted) throw new Error(`unterminated quoted field in the record starting at character ${start}`);
    const raw = text.slice(start, i);
    if (text[i] === "\r") i++;
    if (text[i] === "\n") i++;
    if (raw.trim() !== "") records.push({ fields, raw });
  }
  const [head, ...rest] = records;
  return { header: head ? head.fields.map((h) => h.trim()) : [], headerRaw: head ? head.raw : "", records: rest };
}

/** One field, quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
