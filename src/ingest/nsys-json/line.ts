/**
 * One line of an nsys JSON-lines export (`nsys export --type jsonlines`, one flat object per line, its `"table"`
 * field naming the SQLite table) parsed into column names and values.
 *
 * JSON.parse would round integers beyond 2^53 (globalTid of a process with a large pid, absolute --ts-normalize
 * timestamps, TARGET_INFO_SESSION_START_TIME.utcEpochNs), so numbers are read from the text: an integer is a JS
 * number when it is safe and a BigInt otherwise, exactly as SQLite would have stored it. A nested object or array
 * (not seen in nsys exports) is kept as its JSON text.
 */
import type { StageValue } from "../nsys-common/staging";

export class JsonLineError extends Error {}

export interface JsonLine {
  /** Column names in the order of the object's keys. */
  readonly keys: string[];
  readonly values: StageValue[];
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Parses one line holding one JSON object; throws JsonLineError with the column of the fault. */
export function parseJsonLine(text: string): JsonLine {
  const p = new Parser(text);
  p.ws();
  p.expect("{");
  const keys: string[] = [], values: StageValue[] = [];
  p.ws();
  if (p.peek() === "}") p.i++;
  else {
    for (;;) {
      p.ws();
      const key = p.string();
      p.ws();
      p.expect(":");
      p.ws();
      keys.push(key);
      values.push(p.value());
      p.ws();
      const c = p.text[p.i++];
      if (c === "}") break;
      if (c !== ",") p.fail(c === undefined ? "unexpected end of line" : `expected , or } but found ${JSON.stringify(c)}`);
    }
  }
  p.ws();
  if (p.i < text.length) p.fail("text after the object");
  return { keys, values };
}

class Parser {
  i = 0;
  constructor(readonly text: string) {}

  fail(why: string): never {
    throw new JsonLineError(`${why} at character ${this.i + 1}`);
  }

  peek(): string | undefined {
    return this.text[this.i];
  }

  ws(): void {
    const t = this.text;
    while (this.i < t.length && (t[this.i] === " " || t[this.i] === "\t" || t[this.i] === "\r")) this.i++;
  }

  expect(c: string): void {
    if (this.text[this.i] !== c) this.fail(this.i >= this.text.length ? "unexpected end of line" : `expected ${c}`);
    this.i++;
  }

  string(): string {
    if (this.text[this.i] !== '"') this.fail(this.i >= this.text.length ? "unexpected end of line" : "expected a string");
    const start = this.i;
    this.i++;
    let escaped = false;
    for (; this.i < this.text.length; this.i++) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x5c) {
        escaped = true;
        this.i++;
      } else if (c === 0x22) {
        this.i++;
        const raw = this.text.slice(start, this.i);
        if (!escaped) return raw.slice(1, -1);
        try {
          return JSON.parse(raw) as string;
        } catch {
          this.fail("bad escape in a string");
        }
      }
    }
    return this.fail("unterminated string");
  }

  value(): StageValue {
    const c = this.text[this.i];
    if (c === '"') return this.string();
    if (c === "{" || c === "[") return this.nested();
    if (this.text.startsWith("null", this.i)) return (this.i += 4), null;
    if (this.text.startsWith("true", this.i)) return (this.i += 4), 1; // SQLite stores booleans as 1 / 0
    if (this.text.startsWith("false", this.i)) return (this.i += 5), 0;
    return this.number();
  }

  number(): number | bigint {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 64));
    if (!m) this.fail(this.i >= this.text.length ? "unexpected end of line" : "expected a value");
    this.i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      if (Number.isSafeInteger(n)) return n;
      const b = BigInt(m[0]);
      return b > MAX_SAFE || b < -MAX_SAFE ? b : n;
    }
    return Number(m[0]);
  }

  /** A nested object or array, skipped with its brackets balanced, kept as text. */
  nested(): string {
    const start = this.i;
    let depth = 0;
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (c === '"') {
        this.string();
        continue;
      }
      this.i++;
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") if (--depth === 0) return this.text.slice(start, this.i);
    }
    return this.fail("unterminated object or array");
  }
}
