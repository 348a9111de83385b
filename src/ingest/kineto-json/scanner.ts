/**
 * Streaming scanner for Chrome-trace JSON (`{"traceEvents": [ ... ], ...}` or a bare `[ ... ]` of events).
 *
 * It never builds the whole document: bytes arrive in chunks, the scanner finds where each element of
 * `traceEvents` (and each other top-level value) begins and ends, and hands that element's text to JSON.parse.
 * So memory stays bounded by one element plus one chunk, and files larger than V8's maximum string length work.
 * An element split across chunks is carried over; its scan resumes where it stopped (no rescanning).
 *
 * A visitor may take elements straight from the bytes instead (`fastEvent`); those it declines go the JSON.parse way.
 *
 * The raw text of each element is passed along because float64 cannot hold Kineto's absolute-µs timestamps
 * to the nanosecond: the importer reads `ts` exactly from the text.
 */

import { skipSpace } from "./json-bytes";

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
const COMMA = 0x2c, COLON = 0x3a;
/** How much of a new chunk is first joined to an element split at the chunk boundary (Kineto events: < 2 KB). */
const JOIN_BYTES = 16 * 1024;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** What the scanner reports. Throwing from a callback aborts the scan with that error. */
export interface ChromeTraceVisitor {
  /** A top-level key other than traceEvents, with its parsed value and raw text. */
  topLevel(key: string, value: unknown, raw: string): void;
  /** One element of traceEvents, parsed, with its raw text and its index in the array. */
  event(value: unknown, raw: string, index: number): void;
  /**
   * Optional fast path, offered each element that starts with '{' before the scanner looks for its end: handle the
   * element straight from `buf` (it starts at `start`) and return the index just past it, or return -1 without
   * having reported anything, and the element goes to `event` as usual (also when it is not wholly in `buf` yet).
   */
  fastEvent?(buf: Buffer, start: number, index: number): number;
}

/** Raised for text that is not well-formed JSON or not shaped like a Chrome trace. */
export class TraceSyntaxError extends Error {}

type State =
  | "start" // before the first value
  | "object-key" // in the top-level object, expecting a key or '}'
  | "object-colon" // after a key, expecting ':'
  | "object-value" // after ':', expecting a value
  | "object-next" // after a value, expecting ',' or '}'
  | "events-item" // in traceEvents, expecting an element or ']'
  | "events-next" // after an element, expecting ',' or ']'
  | "done"; // after the closing brace/bracket

export class ChromeTraceScanner {
  private buf: Buffer = Buffer.alloc(0);
  /** Absolute byte offset of buf[0] in the input, for error messages. */
  private bufOffset = 0;
  private pos = 0;
  private state: State = "start";
  private bareArray = false;
  private key = "";
  private eventIndex = 0;
  /** Set while a value is being scanned: where it starts and how far the scan got. */
  private valueStart = -1;
  private scanPos = 0;
  private depth = 0;
  private inString = false;
  /** run() returns at the first element boundary at or after this index (pushAfterSplit's joined buffer). */
  private stopAt = Infinity;
  /** True once `traceEvents` (or a bare array) has been seen. */
  sawEvents = false;

  constructor(private readonly visitor: ChromeTraceVisitor) {}

  /** Feeds the next chunk of bytes. */
  push(chunk: Buffer): void {
    if (this.pos >= this.buf.length) {
      this.bufOffset += this.buf.length;
      this.buf = chunk;
      this.pos = 0;
      this.run();
    } else this.pushAfterSplit(chunk);
  }

  /**
   * The previous chunk ended inside a value (or key). Only that unfinished part is carried over: it is joined to
   * the start of the new chunk, the scan finishes it there, and then moves onto the chunk itself. Joining the
   * whole 1 MiB chunk for each split element was about 7 % of an import (the copy and its page faults).
   * The join grows (doubling) until the value ends in it; a large unfinished value (a big top-level entry) is
   * joined to the whole chunk at once, as before, so that its bytes are not copied again for each doubling.
   */
  private pushAfterSplit(chunk: Buffer): void {
    const keep = this.valueStart >= 0 ? this.valueStart : this.pos;
    const tail = this.buf.subarray(keep);
    this.bufOffset += keep;
    this.pos -= keep;
    if (this.valueStart >= 0) {
      this.scanPos -= keep;
      this.valueStart = 0;
    }
    let take = tail.length >= JOIN_BYTES ? chunk.length : Math.min(chunk.length, JOIN_BYTES);
    for (;;) {
      // Positions stay valid from one join to the next: each starts with the same bytes (the tail).
      this.buf = Buffer.concat([tail, chunk.subarray(0, take)]);
      const whole = take === chunk.length;
      this.stopAt = whole ? Infinity : tail.length;
      this.run();
      this.stopAt = Infinity;
      if (whole) return; // the join holds the whole chunk: the buffer is complete, as without joining
      if (this.valueStart < 0 && this.pos >= tail.length) break; // past the carried-over part
      take = Math.min(chunk.length, take * 2);
    }
    this.bufOffset += tail.length;
    this.pos -= tail.length;
    this.buf = chunk;
    this.run();
  }

  /** Signals the end of input; throws if the document is incomplete. */
  end(): void {
    if (this.state !== "done") {
      // A top-level scalar at the very end has no delimiter after it: accept a complete document only.
      throw new TraceSyntaxError(`unexpected end of JSON at byte ${this.bufOffset + this.buf.length} (truncated file?)`);
    }
    for (let i = this.pos; i < this.buf.length; i++) {
      if (!isSpace(this.buf[i])) throw new TraceSyntaxError(`unexpected text after the end of the JSON document at byte ${this.bufOffset + i}`);
    }
  }

  private fail(what: string): never {
    throw new TraceSyntaxError(`${what} at byte ${this.bufOffset + this.pos}`);
  }

  private skipSpace(): boolean {
    const b = this.buf;
    while (this.pos < b.length && isSpace(b[this.pos])) this.pos++;
    return this.pos < b.length;
  }

  private run(): void {
    const b = this.buf;
    for (;;) {
      if (this.pos >= this.stopAt && this.valueStart < 0) return;
      if (this.state === "done") {
        if (!this.skipSpace()) return;
        this.fail("unexpected text after the end of the JSON document");
      }
      if (this.valueStart < 0 && !this.skipSpace()) return;
      switch (this.state) {
        case "start": {
          const c = b[this.pos];
          if (c === LBRACE) { this.state = "object-key"; this.pos++; }
          else if (c === LBRACKET) { this.state = "events-item"; this.bareArray = true; this.sawEvents = true; this.pos++; }
          else this.fail(c === 0 ? "binary data, not JSON" : "not a JSON object or array");
          break;
        }
        case "object-key": {
          const c = b[this.pos];
          if (c === RBRACE) { this.state = "done"; this.pos++; break; }
          if (c !== QUOTE) this.fail("expected a key in the top-level object");
          const end = this.stringEnd(this.pos + 1);
          if (end < 0) return; // key split across chunks
          this.key = JSON.parse(b.toString("utf8", this.pos, end + 1)) as string;
          this.pos = end + 1;
          this.state = "object-colon";
          break;
        }
        case "object-colon":
          if (b[this.pos] !== COLON) this.fail("expected ':' after a key");
          this.pos++;
          this.state = "object-value";
          break;
        case "object-value":
          if (this.key === "traceEvents" && this.valueStart < 0) {
            if (b[this.pos] !== LBRACKET) this.fail("traceEvents is not an array");
            this.pos++;
            this.sawEvents = true;
            this.state = "events-item";
            break;
          }
          if (!this.scanValue()) return;
          {
            const raw = b.toString("utf8", this.valueStart, this.scanPos);
            this.valueStart = -1;
            this.pos = this.scanPos;
            this.visitor.topLevel(this.key, parse(raw, this.bufOffset + this.pos), raw);
            this.state = "object-next";
          }
          break;
        case "object-next": {
          const c = b[this.pos];
          if (c === COMMA) { this.pos++; this.state = "object-key"; }
          else if (c === RBRACE) { this.pos++; this.state = "done"; }
          else this.fail("expected ',' or '}' in the top-level object");
          break;
        }
        case "events-item":
          if (this.valueStart < 0 && b[this.pos] === RBRACKET) {
            this.pos++;
            this.state = this.bareArray ? "done" : "object-next";
            break;
          }
          if (this.valueStart < 0 && b[this.pos] === LBRACE && this.visitor.fastEvent) {
            if (this.fastEvents(b, this.visitor.fastEvent)) break;
          }
          if (!this.scanValue()) return;
          {
            const raw = b.toString("utf8", this.valueStart, this.scanPos);
            this.valueStart = -1;
            this.pos = this.scanPos;
            this.visitor.event(parse(raw, this.bufOffset + this.pos), raw, this.eventIndex++);
            this.state = "events-next";
          }
          break;
        case "events-next": {
          const c = b[this.pos];
          if (c === COMMA) { this.pos++; this.state = "events-item"; }
          else if (c === RBRACKET) { this.pos++; this.state = this.bareArray ? "done" : "object-next"; }
          else this.fail("expected ',' or ']' in traceEvents");
          break;
        }
      }
    }
  }

  /**
   * Offers `fastEvent` the element at `pos` and, while it takes them, the elements after it; returns false when it
   * declined the first (nothing changed), true otherwise, with `pos` and `state` where run() goes on. Why a loop of
   * its own: going once round run()'s state machine for each element and once for its comma cost about as much as
   * reading the cheapest events. It leaves to run() anything but a plain `, {` between two elements, and stops at
   * stopAt.
   */
  private fastEvents(b: Buffer, fastEvent: NonNullable<ChromeTraceVisitor["fastEvent"]>): boolean {
    let start = this.pos;
    for (let took = false; ; took = true) {
      const end = fastEvent(b, start, this.eventIndex);
      if (end <= 0) {
        if (took) { this.pos = start; this.state = "events-item"; } // past its comma: run() offers it to event()
        return took;
      }
      this.eventIndex++;
      this.pos = end;
      this.state = "events-next";
      if (end >= this.stopAt) return true;
      let next = skipSpace(b, end);
      if (b[next] !== COMMA) return true;
      next = skipSpace(b, next + 1);
      if (b[next] !== LBRACE) return true;
      start = next;
    }
  }

  /** Index of the closing quote of a string whose body starts at `from`, or -1 if it is not in the buffer yet. */
  private stringEnd(from: number): number {
    const b = this.buf;
    let i = from;
    for (;;) {
      const q = b.indexOf(QUOTE, i);
      if (q < 0) return -1;
      let slashes = 0;
      for (let j = q - 1; j >= from && b[j] === BACKSLASH; j--) slashes++;
      if ((slashes & 1) === 0) return q;
      i = q + 1;
    }
  }

  /**
   * Scans one JSON value starting at `pos` (or resumes a scan). Returns true when the value is complete,
   * with it spanning [valueStart, scanPos). Scalars end at the next delimiter, so they need one byte beyond.
   */
  private scanValue(): boolean {
    const b = this.buf;
    if (this.valueStart < 0) {
      this.valueStart = this.pos;
      this.scanPos = this.pos;
      this.depth = 0;
      this.inString = false;
    }
    let i = this.scanPos;
    let depth = this.depth;
    const first = b[this.valueStart];
    if (first !== LBRACE && first !== LBRACKET) {
      if (first === QUOTE) {
        const end = this.stringEnd(this.valueStart + 1);
        if (end < 0) { this.scanPos = b.length; return false; }
        this.scanPos = end + 1;
        return true;
      }
      while (i < b.length) {
        const c = b[i];
        if (c === COMMA || c === RBRACE || c === RBRACKET || isSpace(c)) { this.scanPos = i; return true; }
        i++;
      }
      this.scanPos = i;
      return false;
    }
    while (i < b.length) {
      if (this.inString) {
        const end = this.stringEnd(i);
        if (end < 0) {
          // Resume just before a trailing run of backslashes so escapes are judged with full context.
          let j = b.length;
          while (j > i && b[j - 1] === BACKSLASH) j--;
          this.scanPos = j;
          this.depth = depth;
          return false;
        }
        i = end + 1;
        this.inString = false;
        continue;
      }
      const c = b[i++];
      if (c === QUOTE) this.inString = true;
      else if (c === LBRACE || c === LBRACKET) depth++;
      else if (c === RBRACE || c === RBRACKET) {
        depth--;
        if (depth === 0) { this.scanPos = i; this.depth = 0; return true; }
      }
    }
    this.scanPos = i;
    this.depth = depth;
    return false;
  }
}

function parse(raw: string, at: number): unknown {
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new TraceSyntaxError(`invalid JSON before byte ${at}: ${(e as Error).message}`);
  }
}
