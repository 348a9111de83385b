/** Markdown for reports (README tables, notebooks). */
/** A GitHub-flavoured Markdown table; `|` inside a cell is escaped. */
export function markdownTable(header: string[], rows: (string | number)[][], rightAlign: boolean[] = []): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, "\\|");
  const rule = header.map((_, c) => (rightAlign[c] ? "---:" : "---"));
  return [header, rule, ...rows].map((r, i) => `| ${(i === 1 ? r : r.map(cell)).join(" | ")} |`).join("\n");
}
