/**
 * The streaming Chrome-trace scanner must report the same elements whatever the chunking of its input:
 * real fixtures fed in chunks of 1, 7, 64, 4096 bytes and whole are compared with JSON.parse of the whole file.
 * Escapes and multi-byte characters at chunk boundaries are synthetic (no real file has one at a boundary).
 */
import { describe, expect, it } from "vitest";
import { ChromeTraceScanner, TraceSyntaxError } from "../../src/ingest/kineto-json/scanner";
import { fixture, readDecompressed } from "../helpers/fixtures";

interface Scan {
  events: { index: number; raw: string; value: unknown }[];
  top: { key: string; raw: string; value: unknown }[];
  sawEvents: boolean;
}

function scanner(): { scanner: ChromeTraceScanner; result: Scan } {
  const result: Scan = { events: [], top: [], sawEvents: false };
  const s = new ChromeTraceScanner({
    topLevel: (key, value, raw) => result.top.push({ key, raw, value }),
    event: (value, raw, index) => result.events.push({ index, raw, value }),
  });
  return { scanner: s, result };
}

/** Feeds `bytes` in chunks of `size` bytes (Infinity: one chunk) and ends the input. */
function scanChunked(bytes: Buffer, size: number): Scan {
  const { scanner: s, result } = scanner();
  if (size === Infinity) s.push(bytes);
  else for (let i = 0; i < bytes.length; i += size) s.push(bytes.subarray(i, i + size));
  s.end();
  result.sawEvents = s.sawEvents;
  return result;
}

/** Feeds `bytes` split at the given offsets. */
function scanSplit(bytes: Buffer, cuts: number[]): Scan {
  const { scanner: s, result } = scanner();
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    s.push(bytes.subarray(from, cut));
    from = cut;
  }
  s.end();
  result.sawEvents = s.sawEvents;
  return result;
}

/** Checks a scan against JSON.parse of the whole text: the same events in order, the same top-level keys and values. */
function expectMatchesJsonParse(scan: Scan, text: string): void {
  const doc = JSON.parse(text) as Record<string, unknown> | unknown[];
  const events = (Array.isArray(doc) ? doc : (doc.traceEvents as unknown[])) ?? [];
  expect(scan.sawEvents).toBe(true);
  expect(scan.events.map((e) => e.index)).toEqual(events.map((_, i) => i));
  expect(scan.events.map((e) => e.value)).toEqual(events);
  expect(scan.events.map((e) => JSON.parse(e.raw) as unknown)).toEqual(events);
  if (!Array.isArray(doc)) {
    const others = Object.entries(doc).filter(([k]) => k !== "traceEvents");
    expect(scan.top.map((t) => t.key)).toEqual(others.map(([k]) => k));
    expect(scan.top.map((t) => t.value)).toEqual(others.map(([, v]) => v));
    expect(scan.top.map((t) => JSON.parse(t.raw) as unknown)).toEqual(others.map(([, v]) => v));
  }
}

/** Each raw text is the exact source text of its element: found in order, separated only by commas and whitespace. */
function expectRawIsSourceText(scan: Scan, text: string): void {
  const open = text.indexOf("[", text.indexOf('"traceEvents"'));
  let cursor = open + 1;
  for (const e of scan.events) {
    const at = text.indexOf(e.raw, cursor);
    expect(at).toBeGreaterThanOrEqual(cursor);
    expect(text.slice(cursor, at)).toMatch(/^[\s,]*$/);
    cursor = at + e.raw.length;
  }
}

const SMALL = [
  fixture("real/hta/triton_example/triton_example.json.gz"),
  fixture("real/hta/critical_path/cuda_event_sync/event_sync_trace.json.gz"),
];
const GRAPH = fixture("h200/resnet50_graph_infer_bs1.pt.trace.json.gz");

describe("ChromeTraceScanner on real fixtures", () => {
  describe.each(SMALL.map((f) => [f.split("/fixtures/")[1], f] as const))("%s", (_name, file) => {
    const bytes = readDecompressed(file);
    const text = bytes.toString("utf8");
    const whole = scanChunked(bytes, Infinity);

    it("reports the same events and top-level values as JSON.parse of the whole file", () => {
      expect(whole.events.length).toBeGreaterThan(0);
      expectMatchesJsonParse(whole, text);
      expectRawIsSourceText(whole, text);
    });

    it.each([1, 7, 64, 4096])("reports identical (index, raw) pairs when fed %i bytes at a time", (size) => {
      const scan = scanChunked(bytes, size);
      expect(scan.events.map((e) => [e.index, e.raw])).toEqual(whole.events.map((e) => [e.index, e.raw]));
      expect(scan.top.map((t) => [t.key, t.raw])).toEqual(whole.top.map((t) => [t.key, t.raw]));
      expectMatchesJsonParse(scan, text);
    });
  });

  describe("the 8 MB H200 CUDA-graph trace", () => {
    const bytes = readDecompressed(GRAPH);
    const text = bytes.toString("utf8");
    const whole = scanChunked(bytes, Infinity);

    it("reports the same events and top-level values as JSON.parse of the whole file", () => {
      expectMatchesJsonParse(whole, text);
      expectRawIsSourceText(whole, text);
    });

    it.each([64, 4096, 1 << 20])("reports identical (index, raw) pairs when fed %i bytes at a time", (size) => {
      const scan = scanChunked(bytes, size);
      expect(scan.events.length).toBe(whole.events.length);
      const differing = scan.events.filter((e, i) => e.index !== whole.events[i].index || e.raw !== whole.events[i].raw);
      expect(differing).toHaveLength(0);
      expect(scan.top.map((t) => [t.key, t.raw])).toEqual(whole.top.map((t) => [t.key, t.raw]));
    });
  });

  it("throws a TraceSyntaxError on end() when the input stops in the middle of a real file", () => {
    const bytes = readDecompressed(SMALL[0]);
    const { scanner: s } = scanner();
    s.push(bytes.subarray(0, bytes.length >> 1));
    expect(() => s.end()).toThrow(TraceSyntaxError);
  });
});

describe("ChromeTraceScanner on synthetic edge cases", () => {
  // Escaped quotes and backslashes in keys, names and args, a trailing backslash run before a closing quote,
  // brackets and braces inside strings, multi-byte UTF-8 (µ is 2 bytes, the emoji 4) and scalars of every kind.
  const TRICKY = String.raw`{"displayTimeUnit": "ns", "k\"ey\\": "v\\\"}]\\", "traceEvents": [
  {"ph": "X", "cat": "kernel", "name": "a\"b\\", "ts": 1.5, "dur": 2, "args": {"s": "\\\\\\", "t": "]}{[", "u": "µs 🚀"}},
  {"name": "\\", "x": [1, [2, {"y": "\""}]], "z": null},
  "plain string \" with \\ escapes",
  12.5e3,
  true,
  [],
  {}
 ], "n": -7, "f": false, "s": "\u00b5\\"}`;
  const bytes = Buffer.from(TRICKY, "utf8");

  it("reports what JSON.parse reports for the synthetic document fed whole", () => {
    const scan = scanChunked(bytes, Infinity);
    expectMatchesJsonParse(scan, TRICKY);
    expect(scan.events).toHaveLength(7);
  });

  it("reports the same elements for every single split point of the synthetic document", () => {
    const whole = scanChunked(bytes, Infinity);
    for (let cut = 1; cut < bytes.length; cut++) {
      const scan = scanSplit(bytes, [cut]);
      expect(scan.events.map((e) => e.raw), `cut at ${cut}`).toEqual(whole.events.map((e) => e.raw));
      expect(scan.top.map((t) => [t.key, t.raw]), `cut at ${cut}`).toEqual(whole.top.map((t) => [t.key, t.raw]));
    }
  });

  it("reports the same elements when fed one byte at a time, splitting every escape and multi-byte character", () => {
    const scan = scanChunked(bytes, 1);
    expectMatchesJsonParse(scan, TRICKY);
  });

  it("reports the same elements for every pair of split points inside the escape-heavy first event", () => {
    const whole = scanChunked(bytes, Infinity);
    const from = TRICKY.indexOf('"name": "a');
    const to = Buffer.byteLength(TRICKY.slice(0, TRICKY.indexOf('"t": "]}{[')), "utf8");
    const start = Buffer.byteLength(TRICKY.slice(0, from), "utf8");
    for (let a = start; a < to; a++) {
      for (let b = a + 1; b <= to; b++) {
        const scan = scanSplit(bytes, [a, b]);
        expect(scan.events[0].raw, `cuts at ${a}, ${b}`).toBe(whole.events[0].raw);
      }
    }
  });

  it("reports the same elements when large elements and keys are split across chunks larger than the join", () => {
    // Chunks above 16 KiB take the join path (only the split element is carried over, joined to a growing part
    // of the next chunk); elements of 5 to 300 KB make the join double, and a big top-level value skips it.
    const big = (n: number) => JSON.stringify({ ph: "X", name: "k".repeat(n), args: { s: [1, "\\\"", [2.5e3]] } });
    const events = [1, 5000, 20_000, 70_000, 300_000, 10].map(big);
    const text = `{"meta": ${JSON.stringify({ blob: "m".repeat(200_000) })}, "traceEvents": [${events.join(",\n ")}], "${"x".repeat(40_000)}": 1}`;
    const bytes = Buffer.from(text, "utf8");
    for (const size of [16_385, 40_000, 65_536, 100_003]) expectMatchesJsonParse(scanChunked(bytes, size), text);
  });

  it("accepts a bare array of events", () => {
    const text = ' [ {"ph": "X", "name": "\\"]"} , {"ph": "M"} ] ';
    expectMatchesJsonParse(scanChunked(Buffer.from(text), 1), text);
  });

  it("does not throw while a document is incomplete, and throws on end() for every truncation of it", () => {
    for (let len = 0; len < bytes.length; len++) {
      const { scanner: s } = scanner();
      const prefix = bytes.subarray(0, len);
      expect(() => s.push(prefix), `push of ${len} bytes`).not.toThrow();
      // Trailing whitespace cannot complete a document: it needs its closing brace.
      expect(() => s.end(), `end after ${len} bytes`).toThrow(TraceSyntaxError);
    }
  });

  it("throws a TraceSyntaxError for malformed input", () => {
    for (const bad of ['{"traceEvents": [1 2]}', '{"traceEvents": {}}', '{"a" 1}', '{"a": 1} x', "hello", '{"traceEvents": [{"a": }]}']) {
      expect(() => scanChunked(Buffer.from(bad), Infinity), bad).toThrow(TraceSyntaxError);
    }
  });

  it("says it saw no events for a JSON object without traceEvents", () => {
    const scan = scanChunked(Buffer.from('{"hello": 1}'), Infinity);
    expect(scan.sawEvents).toBe(false);
    expect(scan.top).toEqual([{ key: "hello", raw: "1", value: 1 }]);
  });
});
