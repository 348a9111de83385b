/**
 * The schema files in schemas/ are generated from src/trace/schema.ts and loaded at run time with protobufjs:
 * they must match the declarations, and a real row must survive a protobuf round trip.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { importTrace } from "../../src/ingest";
import { rowsOf } from "../../src/trace/access";
import { recordType, traceProtoRoot } from "../../src/trace/proto";
import { TABLES, type ColumnSpec } from "../../src/trace/schema";
import { protoText, tablesMarkdown } from "../../src/trace/schema-doc";

const repo = path.resolve(__dirname, "../..");
const FIXTURE = path.resolve(repo, "../shared/fixtures/h200/resnet50_graph_infer_bs1.pt.trace.json.gz");
const PROTO_TYPE: Record<string, string> = { i64: "int64", i32: "int32", f64: "double", bool: "bool", utf8: "string", dict: "string" };

describe("schemas/", () => {
  it("trace.proto and TABLES.md are what the declarations generate (run npm run schema-doc after a change)", () => {
    expect(fs.readFileSync(path.join(repo, "schemas/trace.proto"), "utf8")).toBe(protoText());
    expect(fs.readFileSync(path.join(repo, "schemas/TABLES.md"), "utf8")).toBe(tablesMarkdown());
  });

  it("protobufjs loads trace.proto with one message per table whose fields follow the Arrow columns", () => {
    traceProtoRoot();
    for (const spec of TABLES) {
      const type = recordType(spec);
      const columns = Object.entries(spec.columns) as [string, ColumnSpec][];
      expect(type.fieldsArray.map((f) => f.name), spec.name).toEqual(columns.map(([name]) => name));
      expect(type.fieldsArray.map((f) => f.type), spec.name).toEqual(columns.map(([, c]) => PROTO_TYPE[c.kind]));
      expect(type.fieldsArray.map((f) => f.id), spec.name).toEqual(columns.map((_, i) => i + 1));
      expect(type.fieldsArray.map((f) => Boolean(f.options?.proto3_optional)), spec.name).toEqual(columns.map(([, c]) => c.nullable));
    }
  });

  it("a real kernel row survives a protobuf encode and decode unchanged", async () => {
    const trace = await importTrace(FIXTURE);
    const type = recordType(TABLES[0]);
    const rows = rowsOf(trace.kernels.slice(0, 20));
    for (const row of rows) {
      const present = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));
      expect(type.verify(present)).toBeNull();
      const decoded = type.toObject(type.decode(type.encode(type.fromObject(present)).finish()), { longs: Number });
      expect(decoded).toEqual(present);
    }
    expect(rows[0].name).toMatch(/implicit_convolve_sgemm/);
  });
});
