/**
 * The Kineto importer's byte reader (fast-event.ts, json-bytes.ts, strings.ts) against JSON.parse.
 *
 * Real fixtures: every Chrome-trace fixture imported with the byte reader and with JSON.parse for every event must
 * give byte-identical canonical tables, also when the input arrives in small chunks (elements split across chunks
 * go the JSON.parse way). Edge cases no real trace has (escapes, exponent numbers, nested args, field order,
 * repeated keys, corrupt events) are small synthetic snippets; each is checked against JSON.parse, never against
 * hand-written expectations of the reader itself.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readKineto } from "../../src/ingest/kineto-json";
import { EventFields, fieldsFromParsed } from "../../src/ingest/kineto-json/fields";
import { FastEventReader } from "../../src/ingest/kineto-json/fast-event";
import { numberEnd, scanned, skipValue, stringEnd } from "../../src/ingest/kineto-json/json-bytes";
import { StringCache } from "../../src/ingest/kineto-json/strings";
import { readTsText, tsFromScan } from "../../src/ingest/kineto-json/time";
import { ImportError } from "../../src/ingest/errors";
import { TraceSink } from "../../src/ingest/sink";
import { TraceSource } from "../../src/ingest/source";
import { traceToBytes } from "../../src/trace/io";
import { fixture, kinetoFixtures, readDecompressed, rel } from "../helpers/fixtures";

/** A TraceSource stand-in that yields `bytes` in chunks of `size` (readKineto only reads path and chunks). */
function memorySource(bytes: Buffer, size: number): TraceSource {
  return {
    path: "memory.json",
    async *chunks() {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    },
  } as unknown as TraceSource;
}

async function importBytes(bytes: Buffer, fastPath: boolean, chunk = 1 << 20): Promise<Uint8Array> {
  const sink = new TraceSink("kineto-json", "memory.json");
  await readKineto(memorySource(bytes, chunk), sink, fastPath);
  return traceToBytes(sink.finish());
}

async function importError(bytes: Buffer, fastPath: boolean): Promise<string> {
  try {
    await importBytes(bytes, fastPath);
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return (e as Error).message;
  }
  throw new Error("no error");
}

function fieldsOf(f: EventFields): Record<string, unknown> {
  return { ...f };
}

/** Reads `text` (one event) with the byte reader: its fields, or null when it declines. */
function fast(text: string): Record<string, unknown> | null {
  const bytes = Buffer.from(`${text} `, "utf8"); // a byte after the element, as in a trace (`,` or `]`)
  const reader = new FastEventReader();
  const end = reader.read(bytes, 0);
  if (end < 0) return null;
  expect(end).toBe(Buffer.byteLength(text));
  return fieldsOf(reader.fields);
}

function parsed(text: string): Record<string, unknown> {
  const f = new EventFields();
  fieldsFromParsed(f, JSON.parse(text), text);
  return fieldsOf(f);
}

describe("byte reader vs JSON.parse on the real fixtures", () => {
  const files = kinetoFixtures();
  it("has fixtures", () => expect(files.length).toBeGreaterThan(10));
  it.each(files.map((f) => [rel(f), f] as const))("%s: identical tables", async (_name, file) => {
    const bytes = readDecompressed(file);
    const viaParse = await importBytes(bytes, false);
    expect(Buffer.from(await importBytes(bytes, true)).equals(Buffer.from(viaParse))).toBe(true);
  });

  it.each([1, 7, 4096])("identical tables when the input comes %i bytes at a time", async (size) => {
    const bytes = readDecompressed(fixture("real/hta/triton_example/triton_example.json.gz"));
    const viaParse = await importBytes(bytes, false);
    expect(Buffer.from(await importBytes(bytes, true, size)).equals(Buffer.from(viaParse))).toBe(true);
  });

  it("identical tables from an uncompressed file read into two reused buffers (21 MB: 21 chunks)", async () => {
    const bytes = readDecompressed(fixture("h200/resnet50_infer_bs1.pt.trace.json.gz"));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lithos-kineto-")), "memory.json");
    fs.writeFileSync(file, bytes);
    try {
      const sink = new TraceSink("kineto-json", "memory.json");
      await readKineto(await TraceSource.open(file), sink);
      expect(Buffer.from(traceToBytes(sink.finish())).equals(Buffer.from(await importBytes(bytes, false)))).toBe(true);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true });
    }
  });
});

describe("FastEventReader on synthetic events", () => {
  const KERNEL = '{"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 12.5, "dur": 3, ' +
    '"args": {"device": 0, "stream": 7, "correlation": 42, "grid": [1, 2, 3], "block": [128, 1, 1], ' +
    '"registers per thread": 32, "shared memory": 0, "context": 1}}';

  function same(text: string): void {
    const f = fast(text);
    expect(f, text).not.toBeNull();
    expect(f, text).toEqual(parsed(text));
  }

  it("reads a kernel event like JSON.parse", () => same(KERNEL));

  it("reads the fields in any order", () => {
    const e = JSON.parse(KERNEL) as Record<string, unknown>;
    const keys = Object.keys(e);
    for (let r = 0; r < keys.length; r++) {
      const order = [...keys.slice(r), ...keys.slice(0, r)].reverse();
      same(JSON.stringify(Object.fromEntries(order.map((k) => [k, e[k]]))));
    }
  });

  it("skips unknown fields and nested args values of every kind", () => {
    same('{"ph":"X","x":{"a":[1,{"b":[[],{}]},"]}"],"c":{"d":{"e":null}}},"cat":"cpu_op","name":"n","ts":1,"dur":2,' +
      '"args":{"Input Dims":[[1,64,56,56],[],[[[]]]],"Concrete Inputs":["","[1, 1]","\\"q\\""],"t":true,"f":false,"z":null,' +
      '"o":{"p":[-1.5e-3,0,1E+2]},"device":3},"id":-0}');
  });

  it("keeps the last of repeated keys, and a repeated args replaces the first", () => {
    same('{"ph":"M","name":"a","name":"process_name","pid":1,"args":{"name":"first"},"args":{"name":"python"}}');
    same('{"ph":"X","cat":"kernel","ts":1,"dur":1,"args":{"device":1,"stream":2},"args":{"stream":3}}');
  });

  it("decodes escapes, surrogate pairs, lone surrogates and multi-byte UTF-8 like JSON.parse", () => {
    for (const name of ['a\\"b\\\\c\\/d', "tab\\tnl\\n\\b\\f\\r", "\\u00b5s \\u00E9", "\\ud83d\\ude80 rocket", "lone \\ud800 x", "µs 🚀 日本"]) {
      same(`{"ph":"X","cat":"cpu_op","name":"${name}","ts":5,"dur":1}`);
    }
  });

  it("reads numbers in every JSON form as JSON.parse does", () => {
    for (const n of ["0", "-0", "1.5e3", "1E-7", "-2.5E+2", "123456789012345678", "4399273668042.486", "9007199254740993",
      "0.1", "1e400", "-1e-400", "1.7976931348623157e308", "0.30000000000000004", "12345.678901234567"]) {
      same(`{"ph":"X","cat":"kernel","name":"k","ts":${n},"dur":${n},"pid":${n},"args":{"grid":[${n},1,1],"bytes":${n}}}`);
    }
  });

  it("keeps non-number values of numeric fields as JSON.parse does", () => {
    same('{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":"12","tid":"stream 7","ts":1,"dur":2,"args":{"correlation":"5","stream":null,"device":true}}');
    same('{"ph":"X","cat":"kernel","ts":"1","dur":2,"args":{"grid":[],"block":[1,2]}}');
  });

  it("declines what it does not handle simply (the JSON.parse path reads those)", () => {
    for (const text of [
      '{"ph":"X","name":{"a":1}}', // an object where a value is read
      '{"ph":"X","args":{"grid":[1,"2",3]}}', // a list of non-numbers for grid
      '{"p\\u0068":"X"}', // an escaped key
      '{"ph":"X","name":"ts","ts":1}', // a "ts" in the text before the ts key
      '{"ph":"X","name":"a\\"ts","ts":1}',
      '{"ph":"X","ts":1,"ts":2}', // a repeated ts
      '{"ph":"X","x":' + "[".repeat(40) + "]".repeat(40) + "}", // nesting deeper than the skipper keeps
    ]) {
      expect(fast(text), text).toBeNull();
    }
  });

  it("reads the ts digits after the ts key like readTsText when \"ts\" comes only later", () => {
    same('{"ph":"X","cat":"kernel","ts":100.0015,"dur":1,"args":{"ts":5,"name":"ts"}}');
  });

  it("rejects everything JSON.parse rejects", () => {
    const bad = [
      '{"ph":"X",}', '{"ph" "X"}', '{"ph":"X" "cat":"a"}', '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":-}', '{"a":1e}',
      '{"a":+1}', '{"a":tru}', '{"a":nul}', '{"a":[1,]}', '{"a":[1 2]}', '{"a":{"b"}}', '{"a":{"b":1,}}', '{"a":"\\x"}',
      '{"a":"\\u12"}', '{"a":"tab\there"}', '{"a":"nl\nhere"}', "{'a':1}", '{"a":NaN}', '{"a":Infinity}', '{"a":[}',
      '{"args":{"grid":[1,2,]}}', '{"args":{"device":}}', '{"a":"x"]', '{"a":1e5.5}',
    ];
    for (const text of bad) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(fast(text), text).toBeNull();
    }
  });

  // Compact arrays of plain strings, integers and [] are skipped in runs (json-bytes.ts, arrayRun): their edges.
  const CPU_OP = '{"ph":"X","cat":"cpu_op","name":"aten::conv2d","pid":597,"tid":597,"ts":4399273648333.479,"dur":1877.659,' +
    '"args":{"External id":1,"Concrete Inputs":["","","[2, 2]","1"],"Input type":["c10::Half","","ScalarList"],' +
    '"Input Strides":[[150528,50176,224,1],[147,49,7,1],[],[]],"Input Dims":[[1,3,224,224],[0,10,-1,2.5,1e3],[],[[]],[[],[1]]],"Ev Idx":0}}';

  it("skips arrays of strings, integers and [] like JSON.parse, with what ends or breaks a run", () => {
    same(CPU_OP);
    for (const v of ['["a","b",["c"],"ts",1,"µ",2]', '[0,0,10,[],[[]],"",""]', '[1, 2 ,3]', '[[1 ,2],[ 3]]', '[[-1,2],[1.5],[1e2],[0,0]]', '[[1,"a"],[2,[3]]]', '[1,"a\\"b",2]', '["x",{"a":[1,2]},3]', "[[1,2],[3,4]]", "[1.5,2,-3,4e1]"]) {
      same(`{"ph":"X","cat":"cpu_op","ts":1,"dur":2,"args":{"x":${v},"device":3}}`);
    }
    // A "ts" string in a skipped array before the ts key is the text's first "ts": declined, as for any value.
    expect(fast('{"ph":"X","args":{"x":[1,"ts"]},"ts":1}')).toBeNull();
    expect(fast('{"ph":"X","args":{"x":["a","ts",2]},"ts":1}')).toBeNull();
  });

  it("rejects bad arrays that a run could take", () => {
    const bad = ['[1,]', '[01]', '[1,01]', '[0,1.]', '["a",]', '[[],]', '["a"1]', '[1"a"]', '["a""b"]', '[[]]]', '[1,,2]',
      '["a\u0001"]', '["tab\there"]', '[[1],[2,]]', '[[],[]', '["a",1',
      '["a"1"b"]', '["a":"b"]', '[1}', '["a"}', '[[]1]', '[[1,2]3]', '[[1,]]', '[[01]]', '[[1,2],]', '[[1,2]', '[[1,"a"]]]', '[[1 2]]', '[[1]2]'];
    for (const v of bad) {
      const text = `{"ph":"X","args":{"x":${v}}}`;
      expect(() => JSON.parse(text), text).toThrow();
      expect(fast(text), text).toBeNull();
    }
  });

  it("declines a cpu_op event that is not wholly in the buffer, at every cut", () => {
    const bytes = Buffer.from(CPU_OP);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(new FastEventReader().read(bytes.subarray(0, cut), 0), `cut at ${cut}`).toBe(-1);
    }
  });

  it("tells learned keys from keys that share their first bytes, with one reader for every event", () => {
    // Keys seen once are recognised by their bytes afterwards (fast-event.ts, KeyReader): near misses must not match.
    const reader = new FastEventReader();
    const events = [
      '{"ph":"X","cat":"kernel","ts":1,"dur":2,"args":{"device":1,"stream":7,"registers per thread":32,"ts":3}}',
      '{"ph":"X","cat":"kernel","ts":1,"dur":2,"args":{"device":1,"stream":7,"registers per thread":32}}',
      '{"phx":"Y","ph" :"X","cat" :"kernelx","catx":"k","ts" :4,"dur":2,"args":{"devicex":5,"device" :2,"stream":8,"registers per threa":1,"registers per thread" :2}}',
      '{"ph":"X","ca":"c","cat":"k","tsx":9,"ts":5,"durr":1,"dur":3,"args":{"devic":1,"stream":"7","registers per thread":null}}',
      '{"ph":"M","name":"process_name","pid":3,"args":{"name":"py"}}',
      '{"ph":"X","cat":"kernel","ts":1,"dur":2,"args":{"device":1,"stream":7,"registers per thread":32}}',
    ];
    for (const text of events) {
      const bytes = Buffer.from(`${text} `);
      const end = reader.read(bytes, 0);
      expect(end, text).toBe(text.length);
      const got = fieldsOf(reader.fields);
      const want = parsed(text);
      if (!want.tsTextOk) got.tsWhole = got.tsFrac = want.tsWhole = want.tsFrac = 0; // left from the event before: unread
      expect(got, text).toEqual(want);
      // The same event cut short: declined, also where a learned key runs past the end.
      for (const cut of [text.indexOf('"cat"') + 3, text.indexOf('"registers') + 10, text.length - 1]) {
        if (cut > 0) expect(reader.read(bytes.subarray(0, cut), 0), `${text} cut at ${cut}`).toBe(-1);
      }
    }
    // The first "ts" of the text is not the ts key: declined also once "ts" is a learned key.
    expect(reader.read(Buffer.from('{"ph":"X","args":{"ts":1},"ts":2} '), 0)).toBe(-1);
  });

  it("declines an event that is not wholly in the buffer, at every cut", () => {
    const bytes = Buffer.from(KERNEL);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(new FastEventReader().read(bytes.subarray(0, cut), 0), `cut at ${cut}`).toBe(-1);
    }
  });
});

describe("json-bytes scanners", () => {
  it("numberEnd gives JSON.parse's value and stops where the number ends", () => {
    const texts = ["0", "-0", "7", "-12.25", "1e3", "1E+3", "1e-3", "2.5e-310", "9007199254740992", "9007199254740993",
      "90071992547409.93", "0.000001", "123.4567890123456789", "1e23", "8.98846567431158e307"];
    for (const t of texts) {
      const b = Buffer.from(`${t},`);
      expect(numberEnd(b, 0), t).toBe(t.length);
      expect(Object.is(scanned.num, JSON.parse(t)), t).toBe(true);
    }
    for (const t of ["01", "1.", ".1", "-", "1e", "1e+", "--1", "1"]) {
      const b = Buffer.from(t); // "1" at the very end of a buffer may continue in the next chunk
      const end = numberEnd(b, 0);
      expect(end === -1 || end < t.length, t).toBe(true);
    }
  });

  it("stringEnd and the string cache decode like JSON.parse, repeated or not", () => {
    const cache = new StringCache();
    for (const s of ["", "x", "plain ascii", "µs", "🚀", "a\\\"b", "\\u0041\\u00e9\\ud83d\\ude80", "\\\\", "\\/"]) {
      const b = Buffer.from(`"${s}"`, "utf8");
      const end = stringEnd(b, 1);
      expect(end, s).toBe(b.length - 1);
      for (let r = 0; r < 2; r++) expect(cache.get(b, 1, end, scanned.escaped, scanned.ascii), s).toBe(JSON.parse(`"${s}"`));
    }
  });

  it("the string cache tells apart names that share length and sampled bytes", () => {
    const cache = new StringCache();
    const names = Array.from({ length: 2000 }, (_, i) => `kernel_${String(i).padStart(6, "0")}_x`);
    for (let r = 0; r < 2; r++) {
      for (const n of names) {
        const b = Buffer.from(`"${n}"`);
        const end = stringEnd(b, 1);
        expect(cache.get(b, 1, end, scanned.escaped, scanned.ascii)).toBe(n);
      }
    }
  });

  it("the string cache gives long names right, past its byte cap too", () => {
    const cache = new StringCache();
    // 2000 distinct 9 KB names hold more than the cache's 16 MiB of key bytes: the rest are decoded each time.
    const names = Array.from({ length: 2000 }, (_, i) => `${String(i).padStart(6, "0")}_${"t".repeat(9000)}`);
    for (let r = 0; r < 2; r++) {
      for (const n of names) {
        const b = Buffer.from(`"${n}"`);
        const hit = cache.lookupLong(b, 1, 65);
        if (hit >= 0) expect(cache.found).toBe(n);
        const end = stringEnd(b, 1);
        expect(cache.get(b, 1, end, scanned.escaped, scanned.ascii)).toBe(n);
      }
    }
  });

  it("skipValue accepts valid JSON values and ends where JSON.parse's value ends", () => {
    for (const v of ['[]', '{}', '[[],[[]],{}]', '{"a":[1,-2.5e3,"x",true,false,null,{"b":{}}]}', '"s\\"]"', "-0", "true", "null"]) {
      JSON.parse(v);
      expect(skipValue(Buffer.from(`${v},`), 0), v).toBe(v.length);
    }
  });
});

describe("tsFromScan agrees with readTsText", () => {
  it.each(["4399273668042.486", "1717000000123456.789", "12.5", "0.0005", "-3.0004", "-3.0006", "7", "-7", "1.9995", "2.5e3", "-0.001", "123.4567", "0", "-0", "0.9999", "-0.9996", "5.1234999", "1e2", "3.25E-1", "99999999999999999999.5"])("ts %s", (t) => {
    const text = `{"ph":"X","ts":${t},"dur":1}`;
    const out = { tsWhole: 0, tsFrac: 0, tsTextOk: false };
    const bytes = Buffer.from(`${t},`);
    expect(numberEnd(bytes, 0)).toBe(t.length);
    tsFromScan(bytes, out);
    const parts = readTsText(text);
    expect(out.tsTextOk).toBe(parts !== null);
    if (parts) expect([out.tsWhole, out.tsFrac]).toEqual(parts);
  });
});

describe("errors are the same with and without the byte reader", () => {
  const good = readDecompressed(fixture("real/hta/triton_example/triton_example.json.gz"));
  it.each([
    ["a corrupt event", Buffer.from('{"traceEvents": [{"ph": "X", "cat": "kernel", "ts": 1, "dur": tru}]}')],
    ["a control character in a name", Buffer.from('{"traceEvents": [{"ph": "X", "name": "a\u0001b"}]}')],
    ["a missing comma between events", Buffer.from('{"traceEvents": [{"ph": "X"} {"ph": "X"}]}')],
    ["a real file cut in the middle", good.subarray(0, good.length >> 1)],
    ["a real file with a control character written into an event", Buffer.concat([good.subarray(0, 5000), Buffer.from([1]), good.subarray(5001)])],
  ])("%s", async (_what, bytes) => {
    const viaParse = await importError(bytes, false);
    expect(await importError(bytes, true)).toBe(viaParse);
  });
});
