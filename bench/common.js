// @ts-check
/**
 * Shared by the benchmarks: where the measurements and fixtures are, the built package, a timing loop and number
 * formatting. Benchmarks run on the build in dist/ (`npm run bench` builds it first) with plain node; the tests
 * never run them.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** The repository root. */
const REPO = path.resolve(__dirname, "..");

/** `shared/` beside the repository (as the tests expect it); LITHOS_SHARED overrides. */
const SHARED = path.resolve(process.env.LITHOS_SHARED || path.join(REPO, "..", "shared"));

/**
 * The built package (dist/src), or a clear message when it has not been built.
 * @returns {typeof import("../dist/src")}
 */
function lithos() {
  const entry = path.join(REPO, "dist", "src", "index.js");
  if (!fs.existsSync(entry)) fail(`${entry} is missing: build first (npx tsc -p tsconfig.json, or npm run bench)`);
  return require(entry);
}

/**
 * Absolute path of a file under shared/, or a clear message when it is missing.
 * @param {string} rel
 */
function shared(rel) {
  const p = path.join(SHARED, rel);
  if (!fs.existsSync(p)) fail(`${p} is missing (the benchmarks read shared/ beside the repository; set LITHOS_SHARED to move it)`);
  return p;
}

/**
 * Prints the message and exits with status 2.
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

/**
 * Seconds since `start`.
 * @param {bigint} start a process.hrtime.bigint() value
 */
function secondsSince(start) {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Runs `fn` until at least `minSeconds` have passed and at least `minRuns` runs were made (and at most `maxRuns`);
 * returns each run's seconds.
 * @param {() => unknown | Promise<unknown>} fn
 * @param {{ minSeconds?: number, minRuns?: number, maxRuns?: number }} [opts]
 */
async function repeat(fn, opts = {}) {
  const { minSeconds = 2, minRuns = 1, maxRuns = Infinity } = opts;
  /** @type {number[]} */
  const times = [];
  const start = process.hrtime.bigint();
  while (times.length < maxRuns && (times.length < minRuns || secondsSince(start) < minSeconds)) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(secondsSince(t));
  }
  return times;
}

/**
 * @param {number[]} xs
 */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Peak resident set size of this process so far, MB (10^6 bytes; getrusage reports KiB on Linux). */
function peakRssMB() {
  return (process.resourceUsage().maxRSS * 1024) / 1e6;
}

/** Resident set size now, MB. */
function rssMB() {
  return process.memoryUsage().rss / 1e6;
}

/**
 * 12345678 → "12.3 M", 12345 → "12.3 k".
 * @param {number} x
 */
function si(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e8 ? 0 : 1)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(x >= 1e5 ? 0 : 1)} k`;
  return x.toFixed(0);
}

module.exports = { REPO, SHARED, lithos, shared, fail, secondsSince, repeat, median, peakRssMB, rssMB, si };
