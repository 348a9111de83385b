// @ts-check
/**
 * Makes a large, realistic Kineto trace for the import benchmarks (bench only, never a test input): the events of a
 * real fixture repeated back to back until the JSON reaches the size asked for, each copy shifted past the previous
 * one in time (plus a 1 ms gap) and given fresh ids (External id, correlation, Record function id, flow ids), so
 * nothing in the copy collides with the original. Metadata events (ph "M") are written once. Streamed out: the
 * generator holds the fixture's events, never the output.
 *   node bench/gen-kineto.js <fixture.json[.gz]> <out.json> <MB>
 */
"use strict";
const fs = require("node:fs");
const zlib = require("node:zlib");

/** Integer-valued id fields Kineto events carry in `args` (trace-formats.md §3). */
const ID_ARGS = ["External id", "correlation", "Record function id", "Ev Idx"];

/**
 * @param {string} fixture
 * @param {string} out
 * @param {number} mb
 * @returns {Promise<{ bytes: number, copies: number, events: number }>}
 */
async function generate(fixture, out, mb) {
  const raw = fs.readFileSync(fixture);
  const doc = JSON.parse((raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw).toString("utf8"));
  /** @type {any[]} */
  const events = doc.traceEvents;
  const meta = events.filter((e) => e.ph === "M");
  const timed = events.filter((e) => e.ph !== "M" && typeof e.ts === "number");
  const t0 = Math.min(...timed.map((e) => e.ts));
  const t1 = Math.max(...timed.map((e) => e.ts + (e.dur ?? 0)));
  const shift = t1 - t0 + 1000; // µs: one copy's span and a 1 ms gap
  let maxId = 0;
  for (const e of timed) {
    if (typeof e.id === "number") maxId = Math.max(maxId, e.id);
    for (const k of ID_ARGS) if (typeof e.args?.[k] === "number") maxId = Math.max(maxId, e.args[k]);
  }
  const idStep = maxId + 1;
  const { traceEvents: _, ...header } = doc;
  const headText = JSON.stringify(header);
  const stream = fs.createWriteStream(out);
  let bytes = 0;
  /** @param {string} s */
  const write = (s) => { bytes += Buffer.byteLength(s); return stream.write(s) ? Promise.resolve() : new Promise((r) => stream.once("drain", () => r(undefined))); };
  await write(`${headText.slice(0, -1)}${headText.length > 2 ? "," : ""}"traceEvents":[\n`);
  let first = true, copies = 0, n = 0;
  for (const e of meta) { await write(`${first ? "" : ",\n"}${JSON.stringify(e)}`); first = false; n++; }
  const target = mb * 1e6;
  while (bytes < target) {
    const dt = copies * shift, di = copies * idStep;
    let chunk = "";
    for (const e of timed) {
      const c = { ...e, ts: e.ts + dt };
      if (typeof e.id === "number") c.id = e.id + di;
      if (e.args) {
        c.args = { ...e.args };
        for (const k of ID_ARGS) if (typeof e.args[k] === "number" && e.args[k] >= 0) c.args[k] = e.args[k] + di;
      }
      chunk += `${first ? "" : ",\n"}${JSON.stringify(c)}`;
      first = false;
      n++;
      if (chunk.length > 1 << 20) { await write(chunk); chunk = ""; }
    }
    await write(chunk);
    copies++;
  }
  await write("\n]}\n");
  await new Promise((resolve, reject) => stream.end((/** @type {any} */ err) => (err ? reject(err) : resolve(undefined))));
  return { bytes, copies, events: n };
}

module.exports = { generate };

if (require.main === module) {
  const [fixture, out, mb] = process.argv.slice(2);
  if (!fixture || !out || !(Number(mb) > 0)) {
    process.stderr.write("usage: node bench/gen-kineto.js <fixture.json[.gz]> <out.json> <MB>\n");
    process.exit(2);
  }
  generate(fixture, out, Number(mb)).then((r) => console.log(`${out}: ${(r.bytes / 1e6).toFixed(1)} MB, ${r.copies} copies, ${r.events} events`), (e) => { console.error(e); process.exit(1); });
}
