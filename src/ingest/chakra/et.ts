/**
 * MLCommons Chakra execution trace (`.et`): a length-delimited protobuf stream (schemas/chakra_et.proto), one
 * GlobalMetadata message then one Node per graph node, plain or gzipped. The whole graph is read (a schedule needs
 * every dependency), then mapped by ./graph.ts. Any damage (a cut, a corrupt length, a message that does not
 * decode, a dependency cycle) refuses the whole file with one ImportError.
 */
import type * as protobuf from "protobufjs";
import { schemaType } from "../../util/schemas";
import { FrameError, frames, type Frame } from "../common/delimited";
import { ImportError } from "../errors";
import type { Importer } from "../importer";
import type { TraceSink } from "../sink";
import type { TraceSource } from "../source";
import { writeGraph, type ChakraNode } from "./graph";

type Num = number | { toString(): string };

interface Attr {
  name: string;
  /** The name of the value member that is set (protobufjs's oneof getter). */
  value?: string;
  [member: string]: unknown;
}
interface MetadataMsg { version: string; attr: Attr[] }
interface NodeMsg {
  id: Num; name: string; type: number; ctrl_deps: Num[]; data_deps: Num[]; start_time_micros: Num; duration_micros: Num;
  attr: Attr[];
}

const metadataType = (): protobuf.Type => schemaType("chakra_et.proto", "ChakraProtoMsg.GlobalMetadata");
const nodeType = (): protobuf.Type => schemaType("chakra_et.proto", "ChakraProtoMsg.Node");

// ---------------------------------------------------------------------------------------------------------------
// Detection. A .et file has no magic: the sniff checks at the wire level that the first message holds only
// GlobalMetadata's fields (1 and 2, both length-delimited) and that the next one starts like a Node.

const WIRE_VARINT = 0, WIRE_64 = 1, WIRE_LEN = 2, WIRE_32 = 5;
const METADATA_FIELDS: Record<number, number[]> = { 1: [WIRE_LEN], 2: [WIRE_LEN] };
const NODE_FIELDS: Record<number, number[]> = {
  1: [WIRE_VARINT], 2: [WIRE_LEN], 3: [WIRE_VARINT], 4: [WIRE_VARINT, WIRE_LEN], 5: [WIRE_VARINT, WIRE_LEN], 6: [WIRE_VARINT],
  7: [WIRE_VARINT], 8: [WIRE_LEN], 9: [WIRE_LEN], 10: [WIRE_LEN], 11: [WIRE_LEN],
};

/** The varint at `pos` and where it ends, or null when the bytes end inside it (or it runs past 10 bytes). */
function varint(b: Uint8Array, pos: number): [number, number] | null {
  let v = 0;
  for (let i = 0; i < 10 && pos + i < b.length; i++) {
    v += (b[pos + i] & 0x7f) * 2 ** (7 * i);
    if (b[pos + i] < 0x80) return [v, pos + i + 1];
  }
  return null;
}

interface Scan {
  result: "ok" | "short" | "bad";
  /** Fields read. */
  count: number;
  /** The first field's number. */
  first: number;
  /** For "bad": the offending field number and wire type. */
  field?: number;
  wire?: number;
}

/** Walks a message's fields: "bad" at a field or wire type `allowed` does not have, "short" when the bytes end
 *  first, else "ok". (protobufjs reads a known field whatever its wire type, so this is the check of shape.) */
function scanFields(b: Uint8Array, allowed: Record<number, number[]>): Scan {
  let pos = 0, count = 0, first = 0;
  while (pos < b.length) {
    const tag = varint(b, pos);
    if (!tag) return { result: "short", count, first };
    const field = Math.floor(tag[0] / 8), wire = tag[0] % 8;
    if (!allowed[field]?.includes(wire)) return { result: "bad", count, first, field, wire };
    if (count++ === 0) first = field;
    pos = tag[1];
    if (wire === WIRE_VARINT) { const v = varint(b, pos); if (!v) return { result: "short", count, first }; pos = v[1]; }
    else if (wire === WIRE_64) pos += 8;
    else if (wire === WIRE_32) pos += 4;
    else { const len = varint(b, pos); if (!len) return { result: "short", count, first }; pos = len[1] + len[0]; }
  }
  return { result: pos === b.length ? "ok" : "short", count, first };
}

/** True if the head opens with a Chakra GlobalMetadata message followed by what starts like a Node. */
export function isChakraEt(head: Uint8Array): boolean {
  const l0 = varint(head, 0);
  if (!l0 || l0[1] + l0[0] > head.length) return false;
  if (scanFields(head.subarray(l0[1], l0[1] + l0[0]), METADATA_FIELDS).result !== "ok") return false;
  const at = l0[1] + l0[0];
  const l1 = varint(head, at);
  if (!l1 || l1[0] === 0) return false;
  const node = scanFields(head.subarray(l1[1], Math.min(head.length, l1[1] + l1[0])), NODE_FIELDS);
  return node.result !== "bad" && node.count >= 2 && (node.first === 1 || node.first === 2);
}

export const chakraEtImporter: Importer = {
  format: "chakra-et",
  description: "MLCommons Chakra execution trace (.et, length-delimited protobuf; an operator graph without timestamps)",
  // By content; a file named .et that no other importer claims is read too, so its damage is reported precisely.
  sniff: (head, fileName) => isChakraEt(head) || /\.et(\.gz)?$/i.test(fileName),
  read: readChakraEt,
};

// ---------------------------------------------------------------------------------------------------------------
// Reading

function num(path: string, v: Num | null | undefined, what: string): number {
  if (v === null || v === undefined) return 0;
  const x = typeof v === "number" ? v : Number(v.toString());
  if (!Number.isSafeInteger(x)) throw new ImportError(path, `Chakra ET ${what} ${v.toString()} is larger than 2^53: not supported`);
  return x;
}

/** An attribute's value as a number or boolean, whatever member holds it. */
function attrValue(a: Attr): unknown {
  const v = a.value ? a[a.value] : undefined;
  if (v !== null && typeof v === "object" && "toString" in v && !("values" in v)) return Number(String(v));
  return v;
}

function attrsOf(list: Attr[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const a of list) if (!m.has(a.name)) m.set(a.name, attrValue(a));
  return m;
}

function decode<T>(source: TraceSource, type: protobuf.Type, frame: Frame, what: string): T {
  try {
    return type.decode(frame.bytes) as unknown as T;
  } catch (e) {
    throw new ImportError(source.path, `corrupt Chakra ET stream: message ${frame.index} (${what}) at byte ${frame.offset} does not decode (${(e as Error).message})`);
  }
}

const intOrNull = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function toolOf(meta: MetadataMsg): { tool: string; processId: number | null } {
  const attrs = attrsOf(meta.attr);
  const parts = ["Chakra execution trace"];
  if (meta.version) parts.push(`version ${meta.version}`);
  if (typeof attrs.get("schema") === "string") parts.push(`PyTorch ET schema ${attrs.get("schema") as string}`);
  if (typeof attrs.get("time") === "string") parts.push(`recorded ${attrs.get("time") as string}`);
  return { tool: parts.join(", "), processId: intOrNull(attrs.get("pid")) };
}

async function readChakraEt(source: TraceSource, sink: TraceSink): Promise<void> {
  const path = source.path;
  let meta: MetadataMsg | null = null;
  const nodes: ChakraNode[] = [];
  try {
    for await (const frame of frames(source.chunks())) {
      if (frame.index === 0) {
        if (scanFields(frame.bytes, METADATA_FIELDS).result !== "ok") {
          throw new ImportError(path, "not a Chakra execution trace: the first message is not a GlobalMetadata (fields other than version and attr, or a malformed one)");
        }
        meta = decode<MetadataMsg>(source, metadataType(), frame, "GlobalMetadata");
        continue;
      }
      const shape = scanFields(frame.bytes, NODE_FIELDS);
      if (shape.result !== "ok") {
        const why = shape.result === "bad" ? `field ${shape.field} with wire type ${shape.wire} is not a Chakra Node's` : "a field runs past the end of the message";
        throw new ImportError(path, `corrupt Chakra ET stream: message ${frame.index} (Node) at byte ${frame.offset} does not decode (${why})`);
      }
      const m = decode<NodeMsg>(source, nodeType(), frame, "Node");
      const attrs = attrsOf(m.attr);
      const cpu = attrs.get("is_cpu_op");
      nodes.push({
        id: num(path, m.id, `node id in message ${frame.index}`),
        name: m.name,
        type: m.type,
        dataDeps: m.data_deps.map((d) => num(path, d, `data dependency of message ${frame.index}`)),
        ctrlDeps: m.ctrl_deps.length,
        durationUs: num(path, m.duration_micros, `duration_micros of message ${frame.index}`),
        startUs: num(path, m.start_time_micros, `start_time_micros of message ${frame.index}`),
        isCpuOp: typeof cpu === "boolean" ? cpu : null,
        tid: intOrNull(attrs.get("tid")),
        commType: intOrNull(attrs.get("comm_type")),
        commSize: intOrNull(attrs.get("comm_size")),
        sourceRow: frame.index,
      });
    }
  } catch (e) {
    if (e instanceof FrameError) throw new ImportError(path, `corrupt Chakra ET stream: ${e.message}`);
    throw e;
  }
  if (!meta) throw new ImportError(path, "not a Chakra execution trace: no GlobalMetadata message");
  writeGraph(path, toolOf(meta), nodes, sink);
}
