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

/** Checks every field name against the schema (protobufjs's fromObject drops unknown ones silently). */
export function checkFields(obj: unknown, type: protobuf.Type, where: string): void {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new Error(`${where}: expected an object`);
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key];
    if (!field) throw new Error(`${where}: unknown field "${key}" (known: ${Object.keys(type.fields).join(", ")})`);
    field.resolve();
    if (field.resolvedType instanceof protobuf.Type) {
      const items = field.repeated ? (Array.isArray(value) ? value : [value]) : [value];
      items.forEach((v, i) => checkFields(v, field.resolvedType as protobuf.Type, field.repeated ? `${where}.${key}[${i}]` : `${where}.${key}`));
    }
  }
}

/**
 * A message in protobuf's JSON mapping (snake_case field names), checked strictly: not JSON, an unknown field
 * anywhere, or a value of the wrong type is an error naming it (`where` prefixes field paths). Unset fields get
 * their defaults, oneofs name the field set, 64-bit integers become numbers.
 */
export function decodeJsonMessage(text: string, type: protobuf.Type, where: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`);
  }
  checkFields(json, type, where);
  const bad = type.verify(json as Record<string, unknown>);
  if (bad) throw new Error(`${where}: ${bad}`);
  return type.toObject(type.fromObject(json as Record<string, unknown>), { defaults: true, oneofs: true, longs: Number });
}
