/**
 * Generates the files in schemas/ from the table declarations in schema.ts: `trace.proto` (the record types, read
 * with protobufjs by the raw CUPTI stream importer and experiment files) and `TABLES.md` (the column reference).
 * `npm run schema-doc` writes them; a test fails when the committed files drift from the declarations.
 */
import { META, SCHEMA_VERSION, TABLES, type ColumnKind, type ColumnSpec } from "./schema";

const PROTO_TYPE: Record<ColumnKind, string> = { i64: "int64", i32: "int32", f64: "double", bool: "bool", utf8: "string", dict: "string" };
const ARROW_TYPE: Record<ColumnKind, string> = {
  i64: "int64", i32: "int32", f64: "float64", bool: "bool", utf8: "utf8", dict: "dictionary<int32, utf8>",
};

export function protoText(): string {
  const out = [
    "// Generated from src/trace/schema.ts by `npm run schema-doc`: do not edit by hand.",
    `// Canonical trace records of lithos-replay, schema version ${SCHEMA_VERSION}. One message per table row;`,
    "// field names and order are the Arrow column names and order. Times are int64 ns from the trace's time base.",
    'syntax = "proto3";',
    "",
    "package lithos.trace;",
    "",
    "// File-level metadata, as written on every table's Arrow schema.",
    "message TraceHeader {",
    `  // ${META.schemaVersion}`,
    "  string schema_version = 1;",
    `  // ${META.sourceFormat}: the importer that read the input.`,
    "  string source_format = 2;",
    `  // ${META.sourceFile}: base name of the input file.`,
    "  string source_file = 3;",
    `  // ${META.sourceTool}: what wrote the input.`,
    "  string source_tool = 4;",
    `  // ${META.timeBaseEpochNs}: Unix-epoch ns of time 0, where known.`,
    "  optional int64 time_base_epoch_ns = 5;",
    `  // ${META.producer}: package and version that wrote the tables.`,
    "  string producer = 6;",
    "}",
  ];
  for (const spec of TABLES) {
    out.push("", `// ${spec.doc} Table \`${spec.name}\`.`, `message ${spec.message} {`);
    (Object.entries(spec.columns) as [string, ColumnSpec][]).forEach(([name, col], i) => {
      out.push(`  // ${col.doc}`);
      out.push(`  ${col.nullable ? "optional " : ""}${PROTO_TYPE[col.kind]} ${name} = ${i + 1};`);
    });
    out.push("}");
  }
  return `${out.join("\n")}\n`;
}

export function tablesMarkdown(): string {
  const out = [
    "<!-- Generated from src/trace/schema.ts by `npm run schema-doc`: do not edit by hand. -->",
    `# Canonical trace tables (schema version ${SCHEMA_VERSION})`,
    "",
    "Every importer writes these tables; a `.arrow` trace file holds each as one Arrow IPC stream whose schema",
    "metadata has `table_name` and the file-level keys below. Times are int64 ns from the time base",
    `(\`${META.timeBaseEpochNs}\` = Unix-epoch ns of time 0, empty when the input does not record it).`,
    "Nullable columns are null where the input does not say. The protobuf form of each row is in `trace.proto`.",
    "",
    "| metadata key | meaning |",
    "| --- | --- |",
    `| \`${META.tableName}\` | table name |`,
    `| \`${META.schemaVersion}\` | canonical schema version |`,
    `| \`${META.sourceFormat}\` | importer: kineto-json, nsys-sqlite, ... |`,
    `| \`${META.sourceFile}\` | base name of the input file |`,
    `| \`${META.sourceTool}\` | what wrote the input (profiler and versions) |`,
    `| \`${META.timeBaseEpochNs}\` | Unix-epoch ns of time 0 |`,
    `| \`${META.timeUnit}\` | always \`ns\` |`,
    `| \`${META.producer}\` | package and version that wrote the file |`,
  ];
  for (const spec of TABLES) {
    out.push("", `## \`${spec.name}\``, "", `${spec.doc} Protobuf message \`${spec.message}\`.`, "", "| column | type | nullable | meaning |", "| --- | --- | --- | --- |");
    for (const [name, col] of Object.entries(spec.columns) as [string, ColumnSpec][]) {
      out.push(`| \`${name}\` | ${ARROW_TYPE[col.kind]} | ${col.nullable ? "yes" : "no"} | ${col.doc.replace(/\|/g, "\\|")} |`);
    }
  }
  return `${out.join("\n")}\n`;
}
