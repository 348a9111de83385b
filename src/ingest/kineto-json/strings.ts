/**
 * Decodes JSON string bodies from bytes, reusing the string already made for the same bytes.
 *
 * A trace repeats a few thousand names (kernels, operators, runtime calls, categories) hundreds of thousands of
 * times. Returning the same string object for the same bytes saves decoding and allocating it again, and makes the
 * dictionary columns' Map lookups cheap (V8 keeps a string's hash on the string). The cache is direct-mapped on a
 * hash of the length and a few sampled bytes, and a hit is confirmed byte by byte, so a collision only costs a
 * decode. Its size is fixed and the bytes it keeps are capped (HELD_BYTES): memory stays bounded however many
 * distinct names a trace has.
 */

const SLOTS = 1 << 14;
/**
 * Strings longer than this are decoded without the cache. Long C++ kernel names (templates, lambdas) of 1-2 KB are
 * common: in the H200 ResNet-50 trace 15 % of kernels have a name over 1 KB, and decoding each afresh (and hashing
 * the new string in the dictionary column's Map) cost ~5 % of the whole import. A hit on a long name is a native
 * indexOf and compare (lookupLong).
 */
const MAX_CACHED = 16 * 1024;
/** Cap on the key bytes the cache holds (the old bound: every slot full at the old 1 KB limit), so memory stays bounded. */
const HELD_BYTES = SLOTS * 1024;

const QUOTE = 0x22;

const ONE_CHAR = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

export class StringCache {
  private readonly keys: (Uint8Array | null)[] = new Array<Uint8Array | null>(SLOTS).fill(null);
  private readonly values: string[] = new Array<string>(SLOTS).fill("");
  /** Bytes held by `keys`, at most HELD_BYTES. */
  private held = 0;
  /** The string lookupLong found. */
  found = "";

  /**
   * The string whose JSON body is b[from, to) (between the quotes). `escaped`: the body has backslash escapes;
   * `ascii`: every byte is below 0x80 (so latin1 decoding is exact and cheaper than UTF-8).
   */
  get(b: Buffer, from: number, to: number, escaped: boolean, ascii: boolean): string {
    // Escapes are decoded by JSON.parse itself, so \uXXXX, surrogate pairs and lone surrogates come out as before.
    if (escaped) return JSON.parse(b.toString("utf8", from - 1, to + 1)) as string;
    const len = to - from;
    if (len === 1 && ascii) return ONE_CHAR[b[from]]; // ph
    if (len > MAX_CACHED) return decode(b, from, to, ascii);
    const slot = slotOf(b, from, to);
    const key = this.keys[slot];
    if (key !== null && key.length === len) {
      let i = 0;
      while (i < len && key[i] === b[from + i]) i++;
      if (i === len) return this.values[slot];
    }
    const s = decode(b, from, to, ascii);
    const held = this.held - (key === null ? 0 : key.length) + len;
    if (held > HELD_BYTES) return s; // full of other long names: keep those
    this.held = held;
    this.keys[slot] = new Uint8Array(b.subarray(from, to)); // a copy: the chunk must not be kept alive
    this.values[slot] = s;
    return s;
  }

  /**
   * For a long string body starting at b[from] (`plainTo`: the bytes before it hold no quote): the index of its
   * closing quote when the cache holds the bytes up to the next quote, with the string in `found`; -1 otherwise
   * (scan it with stringEnd and get it with get). A hit needs no scan: a cached key was a whole string body
   * without escapes (so without quotes or backslashes) and without control characters, so the same bytes followed
   * by a quote are that same valid string. Why: kernel names are hundreds of bytes, and scanning them and then
   * comparing them with the cached copy byte by byte in JavaScript was most of the cost of reading a kernel event;
   * here both are native (indexOf, compare).
   */
  lookupLong(b: Buffer, from: number, plainTo: number): number {
    const to = b.indexOf(QUOTE, plainTo);
    const len = to - from;
    if (to < 0 || len > MAX_CACHED) return -1;
    const slot = slotOf(b, from, to);
    const key = this.keys[slot];
    if (key === null || key.length !== len || b.compare(key, 0, len, from, to) !== 0) return -1;
    this.found = this.values[slot];
    return to;
  }
}

/** The cache slot of the bytes b[from, to): a hash of their length, about eight sampled bytes and the last one. */
function slotOf(b: Buffer, from: number, to: number): number {
  const len = to - from;
  let h = len;
  if (len > 0) {
    const step = (len >> 3) + 1;
    for (let i = from; i < to; i += step) h = Math.imul(h ^ b[i], 0x01000193);
    h = Math.imul(h ^ b[to - 1], 0x01000193);
  }
  return (h ^ (h >>> 15)) & (SLOTS - 1);
}

function decode(b: Buffer, from: number, to: number, ascii: boolean): string {
  return b.toString(ascii ? "latin1" : "utf8", from, to);
}
