/**
 * Validating JSON token scanners over a byte buffer, for the Kineto byte reader (fast-event.ts).
 *
 * Each returns the index just past what it scanned, or -1 when the bytes are not valid JSON **or** run past the end
 * of the buffer: the caller cannot tell the two apart and does not need to, because on -1 it hands the element to
 * the JSON.parse path, which waits for more bytes or reports the error exactly as before. So these must never
 * accept what JSON.parse rejects; rejecting something valid only costs speed.
 * Values besides the position come back in `scanned` (one shared record: no allocation per token).
 */

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
const COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e, ZERO = 0x30, NINE = 0x39;

/** Nesting deeper than this inside one skipped value is left to JSON.parse (the open containers are bits of an int). */
const MAX_DEPTH = 31;

/**
 * Exact powers of ten. m / 10^k is the correctly rounded value of the decimal (what JSON.parse gives) when m and
 * 10^k are both exact doubles (m < 2^53, k <= 22): IEEE division rounds the exact quotient once.
 */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_EXACT = 2 ** 53;

/** 1 for the bytes a string scan must stop at: control characters, quote, backslash, and non-ASCII (noted). */
const STRING_BYTE = new Uint8Array(256);
for (let c = 0; c < 256; c++) STRING_BYTE[c] = c < 0x20 || c === QUOTE || c === BACKSLASH || c >= 0x80 ? 1 : 0;

export const scanned = {
  /** The value of the last number scanned. */
  num: 0,
  /**
   * Of the last number scanned: whether it is negative, the value of its integer digits (computed digit by digit,
   * as readTsText does), the index just past them, and whether it has an exponent. The exact `ts` is read from
   * these (time.ts, tsFromScan) instead of from a second pass over its digits.
   */
  neg: false,
  intValue: 0,
  intEnd: 0,
  exponent: false,
  /** Whether the last string scanned had an escape (decode it with JSON.parse) or a non-ASCII byte. */
  escaped: false,
  ascii: true,
  /**
   * Strings seen whose raw text ends in `"ts"` (the string `ts` itself, or one ending in an escaped quote and ts):
   * the importer reads the exact timestamp after the first `"ts"` in an event's text, so the byte reader must know
   * whether that first occurrence is the `ts` key. The reader resets it per event.
   */
  tsLike: 0,
};

export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index of the first non-space byte from `i`. Checks one byte inline first: compact JSON has no spaces at all. */
export function skipSpace(b: Uint8Array, i: number): number {
  return b[i] > 0x20 ? i : skipSpaceLoop(b, i);
}

function skipSpaceLoop(b: Uint8Array, i: number): number {
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Index of the first byte in [i, to) that a string scan must look at (see STRING_BYTE), or `to` when none is. */
export function plainEnd(b: Uint8Array, i: number, to: number): number {
  // One table load per plain byte.
  while (i < to && STRING_BYTE[b[i]] === 0) i++;
  return i;
}

/**
 * Index of the closing quote of the string whose body starts at or before `i` (every byte of the body before `i`
 * plain: see plainEnd), or -1. Rejects control characters and malformed escapes (JSON.parse does); records in
 * `scanned` whether the body needs more than a plain decode.
 */
export function stringEnd(b: Uint8Array, i: number): number {
  const n = b.length;
  let escaped = false;
  let high = false;
  for (;;) {
    // The rare bytes that need a look are handled below.
    i = plainEnd(b, i, n);
    if (i >= n) return -1;
    const c = b[i];
    if (c === QUOTE) break;
    if (c >= 0x80) {
      high = true;
      i++;
      continue;
    }
    if (c < 0x20) return -1;
    if (c === BACKSLASH) {
      if (i + 1 >= n) return -1;
      const d = b[i + 1];
      if (d === 0x75) { // \uXXXX
        if (i + 5 >= n || !isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4]) || !isHex(b[i + 5])) return -1;
        i += 6;
      } else if (d === QUOTE || d === BACKSLASH || d === 0x2f || d === 0x62 || d === 0x66 || d === 0x6e || d === 0x72 || d === 0x74) {
        i += 2;
      } else return -1;
      escaped = true;
      continue;
    }
  }
  scanned.escaped = escaped;
  scanned.ascii = !high;
  if (b[i - 1] === 0x73 && b[i - 2] === 0x74 && b[i - 3] === QUOTE) scanned.tsLike++;
  return i;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/**
 * Index just past the number starting at `i` (JSON grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?), or -1;
 * its value in `scanned.num`, equal to what JSON.parse gives: exact integer arithmetic and one correctly rounded
 * division when the digits make an integer below 2^53 and there is no exponent, Number() of the text otherwise.
 * (Kineto's relative timestamps, e.g. 4399273668042.486, have 16 digits but fit.)
 */
export function numberEnd(b: Uint8Array, i: number): number {
  const n = b.length;
  const start = i;
  let neg = false;
  if (b[i] === MINUS) { neg = true; i++; }
  let mant = 0;
  let c = i < n ? b[i] : -1;
  if (c === ZERO) i++;
  else if (c > ZERO && c <= NINE) {
    do { mant = mant * 10 + (c - ZERO); c = ++i < n ? b[i] : -1; } while (c >= ZERO && c <= NINE);
  } else return -1;
  scanned.neg = neg;
  scanned.intValue = mant;
  scanned.intEnd = i;
  let fracDigits = 0;
  if (i < n && b[i] === DOT) {
    c = ++i < n ? b[i] : -1;
    if (!(c >= ZERO && c <= NINE)) return -1;
    do { mant = mant * 10 + (c - ZERO); fracDigits++; c = ++i < n ? b[i] : -1; } while (c >= ZERO && c <= NINE);
  }
  let exponent = false;
  if (i < n && (b[i] === 0x65 || b[i] === 0x45)) {
    exponent = true;
    i++;
    if (i < n && (b[i] === PLUS || b[i] === MINUS)) i++;
    c = i < n ? b[i] : -1;
    if (!(c >= ZERO && c <= NINE)) return -1;
    do { c = ++i < n ? b[i] : -1; } while (c >= ZERO && c <= NINE);
  }
  // A number must be followed by something: at the buffer's end it may continue in the next chunk.
  if (i >= n) return -1;
  scanned.exponent = exponent;
  // Every partial sum is at most the final one, and a float below 2^53 can only come from a true value below 2^53
  // (2^53 + 1 rounds to 2^53), so then every step was exact integer arithmetic.
  if (!exponent && mant < MAX_EXACT && fracDigits <= 22) {
    const v = fracDigits === 0 ? mant : mant / POW10[fracDigits];
    scanned.num = neg ? -v : v;
  } else {
    scanned.num = Number(latin1(b, start, i));
  }
  return i;
}

function latin1(b: Uint8Array, from: number, to: number): string {
  return Buffer.from(b.buffer, b.byteOffset + from, to - from).toString("latin1");
}

/** Index just past the literal `true`, `false` or `null` at `i`, or -1. */
export function literalEnd(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === 0x74) return b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1;
  if (c === 0x66) return b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : -1;
  if (c === 0x6e) return b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1;
  return -1;
}

/**
 * Index just past the JSON value starting at `i` (no leading space), validated and discarded, or -1.
 * Iterative, with the open containers kept as bits of `stack` (1: object), because skipping the operator
 * shapes and inputs in `args` is most of the bytes and a call per token was the hot spot.
 */
export function skipValue(b: Uint8Array, i: number): number {
  let stack = 0;
  let depth = 0;
  let expectKey = false;
  for (;;) {
    if (expectKey) {
      if (b[i] !== QUOTE) return -1;
      i = stringEnd(b, i + 1);
      if (i < 0) return -1;
      i = skipSpace(b, i + 1);
      if (b[i] !== COLON) return -1;
      i = skipSpace(b, i + 1);
    }
    const c = b[i];
    let run = i;
    if (depth > 0 && ((stack >>> (depth - 1)) & 1) === 0) run = arrayRun(b, i);
    if (run !== i) {
      i = run; // just past the elements it took
    } else if (c === QUOTE) {
      i = stringEnd(b, i + 1);
      if (i < 0) return -1;
      i++;
    } else if (c === LBRACKET || c === LBRACE) {
      if (depth >= MAX_DEPTH) return -1;
      const obj = c === LBRACE;
      stack = obj ? stack | (1 << depth) : stack & ~(1 << depth);
      depth++;
      i = skipSpace(b, i + 1);
      if (b[i] !== (obj ? RBRACE : RBRACKET)) {
        expectKey = obj;
        continue;
      }
      i++;
      depth--;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      i = numberSkip(b, i);
      if (i < 0) return -1;
    } else {
      i = literalEnd(b, i);
      if (i < 0) return -1;
    }
    // After a value: close finished containers, or step to the next element of the innermost one.
    for (;;) {
      if (depth === 0) return i;
      i = skipSpace(b, i);
      const d = b[i];
      const obj = ((stack >>> (depth - 1)) & 1) === 1;
      if (d === COMMA) {
        i = skipSpace(b, i + 1);
        expectKey = obj;
        break;
      }
      if (d !== (obj ? RBRACE : RBRACKET)) return -1;
      i++;
      depth--;
    }
  }
}

/**
 * In an array, at an element: skips the run of elements that are plain strings (no escape, control character or
 * non-ASCII byte), integers without sign, fraction or exponent, or lists of such integers (`[]` included), each
 * followed straight by ',' or ']'. Returns the index just past the last element it took (before its ',' or at the
 * ']'), or `i` when it took none; skipValue goes on from there as after any value, and scans whatever the run left
 * the general way.
 * Why: tensor shapes, strides, types and concrete inputs in cpu_op args are most of the bytes the reader skips
 * (`[[150528,50176,224,1],[147,49,7,1],[],[]]`, `["c10::Half","","ScalarList"]`), and going round skipValue's
 * loop (a dispatch on the token, then a look at the open container for the separator) for each cost more than
 * the element's bytes.
 */
function arrayRun(b: Uint8Array, i: number): number {
  const n = b.length;
  let taken = i;
  let j = i;
  for (;;) {
    let c = b[j];
    let ts = false;
    if (c === QUOTE) {
      const q = plainEnd(b, j + 1, n);
      if (q >= n || b[q] !== QUOTE) return taken;
      ts = q === j + 3 && b[j + 1] === 0x74 && b[j + 2] === 0x73; // the string "ts" (see scanned.tsLike)
      j = q + 1;
    } else if (c === LBRACKET) {
      j = integerListEnd(b, j + 1);
      if (j < 0) return taken;
    } else {
      j = integerEnd(b, j);
      if (j < 0) return taken;
    }
    c = j < n ? b[j] : -1;
    if (c !== COMMA && c !== RBRACKET) return taken;
    if (ts) scanned.tsLike++;
    if (c === RBRACKET) return j;
    taken = j;
    j++;
  }
}

/** Index just past `0` or `[1-9][0-9]*` at `i` (what follows is the caller's to check), or -1. */
function integerEnd(b: Uint8Array, i: number): number {
  const n = b.length;
  let c = b[i];
  if (c === ZERO) return i + 1;
  if (!(c > ZERO && c <= NINE)) return -1;
  do c = ++i < n ? b[i] : -1; while (c >= ZERO && c <= NINE);
  return i;
}

/** For arrayRun: index just past the ']' of a list of integers (as integerEnd) whose body starts at `i`, or -1. */
function integerListEnd(b: Uint8Array, i: number): number {
  if (b[i] === RBRACKET) return i + 1;
  for (;;) {
    i = integerEnd(b, i);
    if (i < 0) return -1;
    const c = b[i];
    if (c === RBRACKET) return i + 1;
    if (c !== COMMA) return -1;
    i++;
  }
}

/** numberEnd without the value: index just past the number at `i`, or -1. */
function numberSkip(b: Uint8Array, i: number): number {
  const n = b.length;
  if (b[i] === MINUS) i++;
  let c = i < n ? b[i] : -1;
  if (c === ZERO) i++;
  else if (c > ZERO && c <= NINE) {
    do c = ++i < n ? b[i] : -1; while (c >= ZERO && c <= NINE);
  } else return -1;
  if (i < n && b[i] === DOT) {
    c = ++i < n ? b[i] : -1;
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = ++i < n ? b[i] : -1; while (c >= ZERO && c <= NINE);
  }
  if (i < n && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < n && (b[i] === PLUS || b[i] === MINUS)) i++;
    c = i < n ? b[i] : -1;
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = ++i < n ? b[i] : -1; while (c >= ZERO && c <= NINE);
  }
  return i < n ? i : -1;
}
