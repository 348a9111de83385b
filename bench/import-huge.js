// @ts-check
/**
 * (f) A Kineto trace larger than V8's longest string (`buffer.constants.MAX_STRING_LENGTH`, 2^29 − 24 characters on
 * Node 20: ~537 MB of ASCII JSON), made by bench/gen-kineto.js from the H200 ResNet-50 fixture: `importTrace` reads
 * it in a fresh node process (its MB/s, peak RSS, kernels), and so does the whole-string approach,
 * `JSON.parse(fs.readFileSync(file, "utf8"))`, which cannot hold it (its error is printed). Default 600 MB.
 *   node bench/import-huge.js [MB]
 */
"use strict";
const { spawnSync } = require("node:child_process");
const { constants } = require("node:buffer");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { fail, shared } = require("./common");
const { generate } = require("./gen-kineto");

/** @param {string} file */
function whole(file) {
  try {
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    console.log(JSON.stringify({ ok: true, events: doc.traceEvents.length }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: /** @type {Error} */ (e).message }));
  }
}

async function main() {
  if (process.argv[2] === "--whole") return whole(process.argv[3] ?? "");
  const mb = Number(process.argv[2] ?? 600);
  if (!(mb > 0)) fail("usage: node bench/import-huge.js [MB]");
  const file = path.join(os.tmpdir(), `lithos-bench-kineto-huge-${mb}MB.json`);
  try {
    const g = await generate(shared("fixtures/h200/resnet50_infer_bs1.pt.trace.json.gz"), file, mb);
    const size = g.bytes / 1e6;
    /** @param {string} script @param {string} flag */
    const run = (script, flag) => {
      const r = spawnSync(process.execPath, [script, flag, file], { encoding: "utf8", maxBuffer: 1 << 20 });
      if (r.status !== 0) fail(`${flag} failed: ${r.stderr.trim().split("\n").pop()}`);
      return JSON.parse(r.stdout.trim().split("\n").pop() ?? "");
    };
    // Our import in a fresh process, as import-vs-python.js runs it.
    const a = run(path.join(__dirname, "import-vs-python.js"), "--ours");
    const b = run(__filename, "--whole");
    const limit = `${(constants.MAX_STRING_LENGTH / 1e6).toFixed(1)} M characters`;
    const theirs = b.ok ? `JSON.parse of the whole file read ${b.events} events` : `JSON.parse(readFileSync) fails: "${b.error}"`;
    console.log(`kineto ${size.toFixed(0)} MB (V8's longest string: ${limit}; ${g.copies} copies of resnet50_infer_bs1): importTrace ${(size / a.s).toFixed(1)} MB/s (${a.s.toFixed(1)} s), ${a.kernels} kernels, peak RSS ${a.peak_mb.toFixed(0)} MB = ${(a.peak_mb / size).toFixed(2)}× the JSON; ${theirs}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
