/**
 * A second, independent reader of the `.arrow` trace file layout, written from the Arrow IPC specification
 * (Columnar format, "Serialization and Interprocess Communication"; Message.fbs, Schema.fbs). It does not use
 * apache-arrow: it walks the bytes itself, so a layout mistake in the package cannot hide behind the same library
 * reading back what it wrote.
 *
 * Encapsulated message: 0xFFFFFFFF continuation, int32 LE metadata length, flatbuffer `Message` (padded to 8 bytes),
 * then `bodyLength` body bytes. A stream is a Schema message, dictionary and record batch messages, and the
 * end-of-stream marker 0xFFFFFFFF 0x00000000.
 */

/** MessageHeader union tags (Message.fbs). */
export const HEADER = { NONE: 0, Schema: 1, DictionaryBatch: 2, RecordBatch: 3, Tensor: 4, SparseTensor: 5 } as const;

export interface IpcMessage {
  /** Byte offset of the continuation marker in the file. */
  offset: number;
  headerType: number;
  bodyLength: number;
  /** Rows, for RecordBatch messages. */
  length?: number;
}

export interface IpcStream {
  /** [start, end) bytes of this stream in the file, end-of-stream marker included. */
  start: number;
  end: number;
  messages: IpcMessage[];
  fieldNames: string[];
  /** Dictionary id of each field (Field.dictionary.id), null for fields that are not dictionary-encoded. */
  fieldDictionaryIds: (number | null)[];
  /** Ids of the DictionaryBatch messages, in order. */
  dictionaryBatchIds: number[];
  metadata: Map<string, string>;
  /** Sum of the record batch lengths. */
  rows: number;
}

/** Minimal flatbuffer table access (little-endian, uoffset_t = u32, soffset_t = i32, voffset_t = u16). */
class FlatTable {
  constructor(private readonly view: DataView, readonly pos: number) {}

  static root(view: DataView): FlatTable {
    return new FlatTable(view, view.getUint32(0, true));
  }

  /** Offset of field `id` from the table start, or 0 when absent. */
  private fieldOffset(id: number): number {
    const vtable = this.pos - this.view.getInt32(this.pos, true);
    const vtableSize = this.view.getUint16(vtable, true);
    const at = 4 + 2 * id;
    return at < vtableSize ? this.view.getUint16(vtable + at, true) : 0;
  }

  u8(id: number, dflt = 0): number {
    const o = this.fieldOffset(id);
    return o ? this.view.getUint8(this.pos + o) : dflt;
  }

  i16(id: number, dflt = 0): number {
    const o = this.fieldOffset(id);
    return o ? this.view.getInt16(this.pos + o, true) : dflt;
  }

  i64(id: number, dflt = 0n): bigint {
    const o = this.fieldOffset(id);
    return o ? this.view.getBigInt64(this.pos + o, true) : dflt;
  }

  private target(id: number): number | null {
    const o = this.fieldOffset(id);
    if (!o) return null;
    const p = this.pos + o;
    return p + this.view.getUint32(p, true);
  }

  table(id: number): FlatTable | null {
    const t = this.target(id);
    return t === null ? null : new FlatTable(this.view, t);
  }

  string(id: number): string | null {
    const t = this.target(id);
    if (t === null) return null;
    const len = this.view.getUint32(t, true);
    return Buffer.from(this.view.buffer, this.view.byteOffset + t + 4, len).toString("utf8");
  }

  /** A vector of tables. */
  tables(id: number): FlatTable[] {
    const t = this.target(id);
    if (t === null) return [];
    const n = this.view.getUint32(t, true);
    const out: FlatTable[] = [];
    for (let i = 0; i < n; i++) {
      const p = t + 4 + 4 * i;
      out.push(new FlatTable(this.view, p + this.view.getUint32(p, true)));
    }
    return out;
  }
}

function keyValues(list: FlatTable[]): Map<string, string> {
  return new Map(list.map((kv) => [kv.string(0) ?? "", kv.string(1) ?? ""]));
}

/**
 * Splits concatenated Arrow IPC streams into streams and messages. Throws when the bytes do not follow the
 * encapsulated-message framing exactly (a missing continuation marker, a length running past the end, a stream
 * that does not start with a Schema, a file that does not end right after an end-of-stream marker).
 */
export function parseIpcStreams(bytes: Uint8Array): IpcStream[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const streams: IpcStream[] = [];
  let pos = 0;
  let current: IpcStream | null = null;
  while (pos < bytes.byteLength) {
    if (pos + 8 > bytes.byteLength) throw new Error(`truncated message prefix at byte ${pos}`);
    if (view.getUint32(pos, true) !== 0xffffffff) throw new Error(`no continuation marker at byte ${pos}`);
    const metaLength = view.getInt32(pos + 4, true);
    if (metaLength === 0) {
      if (!current) throw new Error(`end-of-stream marker outside a stream at byte ${pos}`);
      current.end = pos + 8;
      streams.push(current);
      current = null;
      pos += 8;
      continue;
    }
    if (metaLength < 0 || metaLength % 8 !== 0) throw new Error(`bad metadata length ${metaLength} at byte ${pos}`);
    const metaStart = pos + 8;
    if (metaStart + metaLength > bytes.byteLength) throw new Error(`metadata runs past the end at byte ${pos}`);
    const message = FlatTable.root(new DataView(bytes.buffer, bytes.byteOffset + metaStart, metaLength));
    const headerType = message.u8(1);
    const bodyLength = Number(message.i64(3));
    if (bodyLength % 8 !== 0) throw new Error(`body length ${bodyLength} not a multiple of 8 at byte ${pos}`);
    const header = message.table(2);
    if (!header) throw new Error(`message without a header at byte ${pos}`);
    const msg: IpcMessage = { offset: pos, headerType, bodyLength };
    if (headerType === HEADER.Schema) {
      if (current) throw new Error(`a second Schema message inside one stream at byte ${pos}`);
      current = {
        start: pos, end: -1, messages: [msg], rows: 0,
        fieldNames: header.tables(1).map((f) => f.string(0) ?? ""),
        fieldDictionaryIds: header.tables(1).map((f) => {
          const encoding = f.table(4);
          return encoding ? Number(encoding.i64(0)) : null;
        }),
        dictionaryBatchIds: [],
        metadata: keyValues(header.tables(2)),
      };
    } else {
      if (!current) throw new Error(`a ${headerType} message before any Schema at byte ${pos}`);
      if (headerType === HEADER.RecordBatch) {
        msg.length = Number(header.i64(0));
        current.rows += msg.length;
      } else if (headerType === HEADER.DictionaryBatch) {
        current.dictionaryBatchIds.push(Number(header.i64(0)));
      } else {
        throw new Error(`unexpected message type ${headerType} at byte ${pos}`);
      }
      current.messages.push(msg);
    }
    pos = metaStart + metaLength + bodyLength;
    if (pos > bytes.byteLength) throw new Error(`message body runs past the end (message at byte ${msg.offset})`);
  }
  if (current) throw new Error("the last stream has no end-of-stream marker");
  return streams;
}
