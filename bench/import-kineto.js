// @ts-check
/**
 * (b) Kineto JSON import throughput and memory: `node bench/import-kineto.js <trace.json[.gz]>`.
 * Throughput = uncompressed JSON bytes / wall time of importTrace (which includes the gunzip), MB = 10^6 bytes; the
 * uncompressed size is found by gunzipping the file once, streamed, after the first import. The first import
 * (cold: JIT) is timed on its own; the throughput is the median of the imports after it, repeated for about 2 s
 * (at least 3). Peak RSS is the process's maxRSS after the first import, so run one trace per process (run.js does).
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const { pipeline } = require("node:stream/promises");
const { Writable } = require("node:stream");
const { lithos, fail, repeat, median, peakRssMB, rssMB, si } = require("./common");

/**
 * Bytes of the file once gunzipped (its size when it is not gzip), streamed: no copy is held.
 * @param {string} file
 */
async function uncompressedBytes(file) {
  const fd = fs.openSync(file, "r");
  const magic = Buffer.alloc(2);
  fs.readSync(fd, magic, 0, 2, 0);
  fs.closeSync(fd);
  if (!(magic[0] === 0x1f && magic[1] === 0x8b)) return fs.statSync(file).size;
  let n = 0;
  await pipeline(fs.createReadStream(file), zlib.createGunzip(), new Writable({ write(chunk, _enc, cb) { n += chunk.length; cb(); } }));
  return n;
}

async function main() {
  const file = process.argv[2];
  if (!file || !fs.existsSync(file)) fail(`usage: node bench/import-kineto.js <trace.json[.gz]> (got ${file ?? "nothing"})`);
  const lr = lithos();
  const rssBefore = rssMB();
  let t = process.hrtime.bigint();
  const trace = await lr.importTrace(file);
  const firstS = Number(process.hrtime.bigint() - t) / 1e9;
  const peak = peakRssMB();
  if (trace.meta.sourceFormat !== "kineto-json") fail(`${file} imported as ${trace.meta.sourceFormat}, not kineto-json`);
  const rows = Object.values(trace.tables).reduce((s, tb) => s + tb.numRows, 0);
  const bytes = await uncompressedBytes(file); // after the peak was read: the gunzip's garbage must not count
  const times = await repeat(() => lr.importTrace(file), { minSeconds: 2, minRuns: 3 });
  const s = median(times);
  console.log(`kineto import ${path.basename(file)}: ${(bytes / 1e6 / s).toFixed(1)} MB/s of JSON (${(bytes / 1e6).toFixed(1)} MB uncompressed, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB on disk; median ${s.toFixed(3)} s of ${times.length} imports, first ${firstS.toFixed(3)} s), ${trace.kernels.numRows} kernels / ${si(rows)} rows, peak RSS ${peak.toFixed(0)} MB (${rssBefore.toFixed(0)} MB before the import)`);
}

main().catch((e) => { console.error(e); process.exit(1); });
