/**
 * The package's protobuf schemas (`schemas/*.proto`), parsed once each with protobufjs, field names kept in
 * snake_case (as the Arrow tables and the JSON files write them).
 */
import * as path from "node:path";
import * as protobuf from "protobufjs";
import { packageRoot } from "./paths";

const roots = new Map<string, protobuf.Root>();

/** The parsed `schemas/<file>`. */
export function schemaRoot(file: string): protobuf.Root {
  let root = roots.get(file);
  if (!root) {
    root = new protobuf.Root();
    root.loadSync(path.join(packageRoot(), "schemas", file), { keepCase: true });
    roots.set(file, root);
  }
  return root;
}

/** One message type of `schemas/<file>`, by its full name. */
export function schemaType(file: string, typeName: string): protobuf.Type {
  return schemaRoot(file).lookupType(typeName);
}
