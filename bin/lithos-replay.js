#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli (compiled to dist/ by `npm run prepare`).
"use strict";
require("../dist/src/cli/main.js").main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`lithos-replay: internal error: ${err && err.stack ? err.stack : err}`); process.exitCode = 1; },
);
