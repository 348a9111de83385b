/**
 * Reads one traceEvents element straight from the input bytes into an EventFields record, without JSON.parse.
 *
 * Why: JSON.parse of every event was about half of the import's time, and most of what it built (operator shapes,
 * strides, concrete inputs in `args`) is thrown away. This reader validates the whole element (so it never accepts
 * what JSON.parse would reject) but only materialises the fields the mapper reads; everything else is skipped.
 *
 * It declines (returns -1) whatever it does not handle simply, and the caller then takes the JSON.parse path for that
 * element, which gives the same fields (fields.ts) or the same error as before: an element not wholly in the buffer,
 * invalid JSON, an escaped key, an object or array (other than grid/block's list of numbers) where the mapper reads
 * a value, a repeated `ts` key, or a `"ts"` in the text before the `ts` key (the exact timestamp is read after the
 * first `"ts"` of the text, see time.ts).
 */
import { EventFields } from "./fields";
import { literalEnd, numberEnd, plainEnd, scanned, skipSpace, skipValue, stringEnd } from "./json-bytes";
import { StringCache } from "./strings";
import { tsFromScan } from "./time";

const QUOTE = 0x22, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d, COMMA = 0x2c, COLON = 0x3a;
const MINUS = 0x2d, ZERO = 0x30, NINE = 0x39;
/** String values at least this long are looked up in the cache before they are scanned (StringCache.lookupLong). */
const LONG_STRING = 64;

/** Event keys the mapper reads; the id is the position + 1 (0: any other key). */
const TOP_KEYS = ["ph", "cat", "name", "pid", "tid", "ts", "dur", "args"] as const;
const [PH, CAT, NAME, PID, TID, TS, DUR, ARGS] = [1, 2, 3, 4, 5, 6, 7, 8];
/** `args` keys the mapper reads. */
const ARG_KEYS = [
  "name", "device", "stream", "context", "correlation", "grid", "block", "registers per thread", "shared memory",
  "graph id", "graph node id", "bytes", "cuda_sync_kind", "wait_on_stream", "event_id",
] as const;
const [A_NAME, A_DEVICE, A_STREAM, A_CONTEXT, A_CORRELATION, A_GRID, A_BLOCK, A_REGISTERS, A_SMEM] = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const [A_GRAPH_ID, A_GRAPH_NODE_ID, A_BYTES, A_SYNC_KIND, A_WAIT_ON_STREAM, A_EVENT_ID] = [10, 11, 12, 13, 14, 15];

/** Keys grouped by byte length, so most unknown keys are rejected on their length or first byte. */
type KeyTable = { bytes: Uint8Array; id: number }[][];

function keyTable(names: readonly string[]): KeyTable {
  const table: KeyTable = [];
  names.forEach((name, i) => {
    const bytes = Buffer.from(name, "utf8");
    (table[bytes.length] ??= []).push({ bytes, id: i + 1 });
  });
  for (let len = 0; len < table.length; len++) table[len] ??= [];
  return table;
}

const TOP = keyTable(TOP_KEYS);
const ARG = keyTable(ARG_KEYS);

function matchKey(table: KeyTable, b: Uint8Array, from: number, to: number): number {
  const len = to - from;
  if (len >= table.length) return 0;
  const list = table[len];
  const first = b[from];
  for (let k = 0; k < list.length; k++) {
    const key = list[k].bytes;
    if (key[0] !== first) continue;
    let j = 1;
    while (j < len && key[j] === b[from + j]) j++;
    if (j === len) return list[k].id;
  }
  return 0;
}

/** Keys learned per object kind at most: past it, new keys are scanned each time (memory stays bounded). */
const MAX_LEARNED = 256;
/** Learned keys are found by a hash of their first four bytes in a direct-mapped table of this many slots. */
const KEY_SLOTS = 1024;

/**
 * Reads object keys, recognising keys seen before four bytes at a time instead of scanning them byte by byte.
 *
 * Why: keys are a large share of a Kineto trace's bytes (`"registers per thread":`, `"Input Strides":`), the same
 * few dozen over and over, and each was scanned (a table look per byte), then matched against the keys the mapper
 * reads (reading a kernel event took 1.85 µs that way, 1.43 µs this way). Comparing learned keys byte by byte was
 * no faster than scanning them; words are. A learned key is kept as its bytes followed by `":` and compared as
 * 32-bit words; it matches only where the text holds exactly those bytes, and since a learned key was scanned once
 * (no escape, quote or control character in it), the same bytes are that same valid key, and the colon follows.
 * Anything else (a new key, an escape, space before the colon) is scanned as before.
 */
class KeyReader {
  /** Each learned key's body followed by `":`, and the same bytes as little-endian 32-bit words (whole ones). */
  private readonly bytes: Uint8Array[] = [];
  private readonly words: Int32Array[] = [];
  private readonly ids: number[] = [];
  /** Whether the learned key is `ts` (counted in scanned.tsLike as stringEnd counts it). */
  private readonly isTs: boolean[] = [];
  /** Slot → learned key (-1: none), and that key's first word. */
  private readonly slots = new Int16Array(KEY_SLOTS).fill(-1);
  private readonly slotWord = new Int32Array(KEY_SLOTS);
  /** A view of the buffer last read, for the word loads (it keeps that one chunk alive while the reader lives). */
  private view = new DataView(new ArrayBuffer(0));
  private viewOf: Buffer | null = null;
  /** The id of the key `read` read (0: one the mapper does not read). */
  id = 0;

  constructor(private readonly known: KeyTable) {}

  /** Reads the key whose opening quote is at b[i] and the colon after it; returns the index just past the colon, or -1. */
  read(b: Buffer, i: number): number {
    const from = i + 1;
    if (from + 4 <= b.length) {
      if (this.viewOf !== b) {
        this.viewOf = b;
        this.view = new DataView(b.buffer, b.byteOffset, b.length);
      }
      const w = this.view.getInt32(from, true);
      const slot = Math.imul(w, 0x9e3779b1) >>> 22;
      const k = this.slots[slot];
      if (k >= 0 && this.slotWord[slot] === w) {
        const end = this.match(b, from, k);
        if (end >= 0) return end;
      }
    }
    const end = stringEnd(b, from);
    if (end < 0 || scanned.escaped) return -1;
    const colon = skipSpace(b, end + 1);
    if (b[colon] !== COLON) return -1;
    this.id = matchKey(this.known, b, from, end);
    if (colon === end + 1 && colon + 1 - from >= 4) this.learn(b, from, colon + 1);
    return colon + 1;
  }

  /** Index just past learned key k's `":` when b holds it at `from` (its first word already compared), or -1. */
  private match(b: Buffer, from: number, k: number): number {
    const key = this.bytes[k];
    const len = key.length;
    if (from + len > b.length) return -1;
    const words = this.words[k];
    for (let j = 1; j < words.length; j++) if (this.view.getInt32(from + 4 * j, true) !== words[j]) return -1;
    for (let t = 4 * words.length; t < len; t++) if (b[from + t] !== key[t]) return -1;
    this.id = this.ids[k];
    if (this.isTs[k]) scanned.tsLike++;
    return from + len;
  }

  /** Remembers the key b[from, to) (body, quote and colon) in its slot when the slot is free. */
  private learn(b: Buffer, from: number, to: number): void {
    const slot = Math.imul(this.view.getInt32(from, true), 0x9e3779b1) >>> 22;
    if (this.slots[slot] >= 0 || this.bytes.length >= MAX_LEARNED) return; // taken by another key: scan this one
    const copy = new Uint8Array(b.subarray(from, to)); // a copy: the chunk must not be kept alive
    const view = new DataView(copy.buffer);
    const words = new Int32Array(copy.length >> 2);
    for (let j = 0; j < words.length; j++) words[j] = view.getInt32(4 * j, true);
    this.slots[slot] = this.bytes.length;
    this.slotWord[slot] = words[0];
    this.bytes.push(copy);
    this.words.push(words);
    this.ids.push(this.id);
    this.isTs.push(to - from === 4 && copy[0] === 0x74 && copy[1] === 0x73);
  }
}

export class FastEventReader {
  /** The fields of the last element read (valid after read returned > 0). */
  readonly fields = new EventFields();
  private readonly strings = new StringCache();
  private readonly topKeys = new KeyReader(TOP);
  private readonly argKeys = new KeyReader(ARG);
  /** The value readScalar/readDims produced. */
  private value: unknown = undefined;

  /**
   * Reads the element whose '{' is at b[start]; returns the index just past its '}', or -1 to decline it.
   */
  read(b: Buffer, start: number): number {
    const f = this.fields;
    f.resetTop();
    scanned.tsLike = 0;
    let tsKeys = 0;
    let i = skipSpace(b, start + 1);
    if (b[i] === RBRACE) return i + 1;
    for (;;) {
      if (b[i] !== QUOTE) return -1;
      i = this.topKeys.read(b, i);
      if (i < 0) return -1;
      const key = this.topKeys.id;
      i = skipSpace(b, i);
      if (key === 0) i = skipValue(b, i);
      else if (key === ARGS) {
        f.resetArgs();
        i = b[i] === LBRACE ? this.readArgs(b, i + 1) : skipValue(b, i);
      } else if (key === TS) {
        // The exact digits are taken from the first `"ts"` of the text: it must be this key (counted by stringEnd).
        if (++tsKeys > 1 || scanned.tsLike !== 1) return -1;
        const c = b[i];
        i = this.readScalar(b, i);
        f.ts = this.value;
        if (i >= 0 && (c === MINUS || (c >= ZERO && c <= NINE))) tsFromScan(b, f); // a number: numberEnd read it
      } else {
        i = this.readScalar(b, i);
        const v = this.value;
        if (key === PH) f.ph = v;
        else if (key === CAT) f.cat = v;
        else if (key === NAME) f.name = v;
        else if (key === PID) f.pid = v;
        else if (key === TID) f.tid = v;
        else if (key === DUR) f.dur = v;
      }
      if (i < 0) return -1;
      i = skipSpace(b, i);
      const c = b[i];
      if (c === RBRACE) return i + 1;
      if (c !== COMMA) return -1;
      i = skipSpace(b, i + 1);
    }
  }

  /** The args object; `i` is just past its '{'. */
  private readArgs(b: Buffer, i: number): number {
    const f = this.fields;
    i = skipSpace(b, i);
    if (b[i] === RBRACE) return i + 1;
    for (;;) {
      if (b[i] !== QUOTE) return -1;
      i = this.argKeys.read(b, i);
      if (i < 0) return -1;
      const key = this.argKeys.id;
      i = skipSpace(b, i);
      if (key === 0) i = skipValue(b, i);
      else {
        i = (key === A_GRID || key === A_BLOCK) && b[i] === LBRACKET ? this.readDims(b, i + 1) : this.readScalar(b, i);
        const v = this.value;
        switch (key) {
          case A_NAME: f.argName = v; break;
          case A_DEVICE: f.device = v; break;
          case A_STREAM: f.stream = v; break;
          case A_CONTEXT: f.context = v; break;
          case A_CORRELATION: f.correlation = v; break;
          case A_GRID: f.grid = v; break;
          case A_BLOCK: f.block = v; break;
          case A_REGISTERS: f.registers = v; break;
          case A_SMEM: f.smem = v; break;
          case A_GRAPH_ID: f.graphId = v; break;
          case A_GRAPH_NODE_ID: f.graphNodeId = v; break;
          case A_BYTES: f.bytes = v; break;
          case A_SYNC_KIND: f.syncKind = v; break;
          case A_WAIT_ON_STREAM: f.waitOnStream = v; break;
          case A_EVENT_ID: f.eventId = v; break;
        }
      }
      if (i < 0) return -1;
      i = skipSpace(b, i);
      const c = b[i];
      if (c === RBRACE) return i + 1;
      if (c !== COMMA) return -1;
      i = skipSpace(b, i + 1);
    }
  }

  /** A string, number, true, false or null at b[i] into `value`; -1 for anything else (objects, arrays). */
  private readScalar(b: Buffer, i: number): number {
    const c = b[i];
    if (c === QUOTE) {
      const from = i + 1;
      // A long string (a kernel name) is looked up in the cache first, which needs no scan of it (lookupLong).
      const plain = plainEnd(b, from, Math.min(b.length, from + LONG_STRING));
      if (plain === from + LONG_STRING) {
        const to = this.strings.lookupLong(b, from, plain);
        if (to >= 0) {
          this.value = this.strings.found;
          return to + 1;
        }
      }
      const end = stringEnd(b, plain);
      if (end < 0) return -1;
      this.value = this.strings.get(b, from, end, scanned.escaped, scanned.ascii);
      return end + 1;
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const end = numberEnd(b, i);
      if (end >= 0) this.value = scanned.num;
      return end;
    }
    const end = literalEnd(b, i);
    this.value = c === 0x74 ? true : c === 0x66 ? false : null;
    return end;
  }

  /** A list of numbers (grid, block) into `value`; `i` is just past '['. Lists of anything else are declined. */
  private readDims(b: Buffer, i: number): number {
    const out: number[] = [];
    i = skipSpace(b, i);
    if (b[i] === RBRACKET) {
      this.value = out;
      return i + 1;
    }
    for (;;) {
      const c = b[i];
      if (!(c === MINUS || (c >= ZERO && c <= NINE))) return -1;
      i = numberEnd(b, i);
      if (i < 0) return -1;
      out.push(scanned.num);
      i = skipSpace(b, i);
      if (b[i] === RBRACKET) {
        this.value = out;
        return i + 1;
      }
      if (b[i] !== COMMA) return -1;
      i = skipSpace(b, i + 1);
    }
  }
}
