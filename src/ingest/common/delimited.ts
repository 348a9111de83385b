/**
 * Splits a length-delimited protobuf stream (each message prefixed by its byte length as a base-128 varint, as
 * protobufjs `encodeDelimited` writes) into messages, chunk by chunk, so a large stream is never held whole.
 * Used by the CUPTI stream (cupti-stream) and Chakra `.et` (chakra) importers.
 */

/** A frame cannot be longer than this: the CUPTI collector writes one record per frame (a few hundred bytes, or a
 *  kernel name of a few KiB) and a Chakra node is at most a few hundred KiB (its tensor lists as text), so a larger
 *  length means the stream is corrupt, not that a huge message follows. */
export const MAX_FRAME_BYTES = 16 << 20;
/** A varint of a 64-bit value takes at most 10 bytes (protobuf encoding guide, "Base 128 Varints"). */
const MAX_VARINT_BYTES = 10;

export class FrameError extends Error {}

export interface Frame {
  /** 0 for the first message (the header). */
  index: number;
  /** Byte offset of the length prefix in the (decompressed) stream. */
  offset: number;
  bytes: Uint8Array;
}

/** Yields each message of the stream; throws FrameError for a corrupt length or a stream cut inside a message. */
export async function* frames(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Frame> {
  let pending: Buffer = Buffer.alloc(0);
  let consumed = 0; // stream offset of pending[0]
  let index = 0;
  for await (const chunk of chunks) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
    let pos = 0;
    for (;;) {
      const len = readLength(pending, pos, consumed + pos);
      if (len === null || pos + len.headerBytes + len.value > pending.length) break;
      const start = pos + len.headerBytes;
      yield { index: index++, offset: consumed + pos, bytes: pending.subarray(start, start + len.value) };
      pos = start + len.value;
    }
    consumed += pos;
    pending = pending.subarray(pos);
  }
  if (pending.length > 0) {
    const len = readLength(pending, 0, consumed);
    const what = len === null ? "inside a length prefix" : `inside message ${index} (${pending.length - len.headerBytes} of ${len.value} bytes)`;
    throw new FrameError(`truncated: the stream ends ${what} at byte ${consumed + pending.length}`);
  }
}

/** The varint at `pos`, or null when the buffer ends inside it. */
function readLength(buf: Buffer, pos: number, streamOffset: number): { value: number; headerBytes: number } | null {
  let value = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (pos + i >= buf.length) return null;
    const b = buf[pos + i];
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) {
      if (value > MAX_FRAME_BYTES) throw new FrameError(`corrupt length prefix at byte ${streamOffset}: ${value} bytes (more than any message)`);
      return { value, headerBytes: i + 1 };
    }
  }
  throw new FrameError(`corrupt length prefix at byte ${streamOffset}: a varint longer than ${MAX_VARINT_BYTES} bytes`);
}
