/**
 * The protobuf record types of the canonical tables (`schemas/trace.proto`), loaded at run time with protobufjs.
 * Used to read and write record streams (the raw CUPTI collector's output, experiment files).
 */
import * as path from "node:path";
import * as protobuf from "protobufjs";
import { packageRoot } from "../util/paths";
import type { TableSpec } from "./schema";

let root: protobuf.Root | undefined;

/** The parsed `schemas/trace.proto`, field names kept in snake_case as in the Arrow tables. */
export function traceProtoRoot(): protobuf.Root {
  if (!root) {
    root = new protobuf.Root();
    root.loadSync(path.join(packageRoot(), "schemas", "trace.proto"), { keepCase: true });
  }
  return root;
}

/** The message type of one row of `table`. */
export function recordType(table: TableSpec): protobuf.Type {
  return traceProtoRoot().lookupType(`lithos.trace.${table.message}`);
}
