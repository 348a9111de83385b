/**
 * The protobuf record types of the canonical tables (`schemas/trace.proto`), loaded at run time with protobufjs.
 * Used to read and write record streams (the raw CUPTI collector's output, experiment files).
 */
import type * as protobuf from "protobufjs";
import { schemaRoot } from "../util/schemas";
import type { TableSpec } from "./schema";

/** The parsed `schemas/trace.proto`, field names kept in snake_case as in the Arrow tables. */
export function traceProtoRoot(): protobuf.Root {
  return schemaRoot("trace.proto");
}

/** The message type of one row of `table`. */
export function recordType(table: TableSpec): protobuf.Type {
  return traceProtoRoot().lookupType(`lithos.trace.${table.message}`);
}
