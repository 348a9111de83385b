// @ts-check
/**
 * (c) Nsight Systems SQLite import rate: `node bench/import-nsys.js [export.sqlite]` (default: pipit's CloverLeaf
 * export from Perlmutter). Rows = canonical rows written, all tables together (kernels, memops, API calls, syncs,
 * annotations, devices, streams, processes, diagnostics); rows/s = rows / median wall time of importTrace over the
 * imports after a first (cold: wasm compile, JIT) one, repeated for about 2 s (at least 3).
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { lithos, shared, fail, repeat, median, peakRssMB, si } = require("./common");

async function main() {
  const file = process.argv[2] ?? shared("fixtures/real/pipit/cloverleaf-nsys/perlmutter-cloverleaf-cuda.sqlite");
  if (!fs.existsSync(file)) fail(`${file} is missing`);
  const lr = lithos();
  let t = process.hrtime.bigint();
  const trace = await lr.importTrace(file);
  const firstS = Number(process.hrtime.bigint() - t) / 1e9;
  if (trace.meta.sourceFormat !== "nsys-sqlite") fail(`${file} imported as ${trace.meta.sourceFormat}, not nsys-sqlite`);
  const rows = Object.values(trace.tables).reduce((s, tb) => s + tb.numRows, 0);
  const times = await repeat(() => lr.importTrace(file), { minSeconds: 2, minRuns: 3 });
  const s = median(times);
  console.log(`nsys import ${path.basename(file)}: ${si(rows / s)} rows/s (${rows} canonical rows, ${trace.kernels.numRows} kernels, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB; median ${(1e3 * s).toFixed(0)} ms of ${times.length} imports, first ${(1e3 * firstS).toFixed(0)} ms), peak RSS ${peakRssMB().toFixed(0)} MB`);
}

main().catch((e) => { console.error(e); process.exit(1); });
