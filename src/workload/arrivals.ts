/**
 * When a service's requests arrive: arrival times in ns from the start of the run, ascending, as a
 * Float64Array. Random processes take a seed and give the same times for it on every run and platform.
 */
import * as fs from "node:fs";
import { exponential, makeRng } from "../util/random";

function checkRate(ratePerS: number, durationNs: number): void {
  if (!(ratePerS > 0) || !Number.isFinite(ratePerS)) throw new Error(`arrival rate must be a positive number per second, got ${ratePerS}`);
  if (!(durationNs >= 0) || !Number.isFinite(durationNs)) throw new Error(`arrival duration must be a non-negative number of ns, got ${durationNs}`);
}

/** A Poisson process: exponential gaps of mean 1/rate, the first one counted from 0; every time is < durationNs. */
export function poissonArrivals(ratePerS: number, durationNs: number, seed: number): Float64Array {
  checkRate(ratePerS, durationNs);
  const rng = makeRng(seed), ratePerNs = ratePerS / 1e9;
  // Grow a typed buffer rather than a JS array: a long run at a high rate has millions of arrivals.
  let out = new Float64Array(Math.max(16, Math.ceil(ratePerS * (durationNs / 1e9) * 1.1) + 16)), n = 0;
  for (let t = exponential(rng, ratePerNs); t < durationNs; t += exponential(rng, ratePerNs)) {
    if (n === out.length) { const grown = new Float64Array(out.length * 2); grown.set(out); out = grown; }
    out[n++] = t;
  }
  return out.slice(0, n);
}

/** Evenly spaced arrivals, 1/rate apart, the first at 0; every time is < durationNs. */
export function uniformArrivals(ratePerS: number, durationNs: number): Float64Array {
  checkRate(ratePerS, durationNs);
  const gapNs = 1e9 / ratePerS;
  const n = Math.ceil(durationNs / gapNs);
  // k·gap rather than a running sum, so that rounding does not accumulate over a long run.
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = k * gapNs;
  return n > 0 && out[n - 1] >= durationNs ? out.slice(0, n - 1) : out;
}

/**
 * Arrival times from text: one number per line in seconds, or a header line naming a `t_s` or `t_ns` column
 * (CSV: other columns are ignored). Blank lines and lines starting with `#` are skipped. Times must be
 * finite, ≥ 0 and ascending. Errors name `source` and the line.
 */
export function parseArrivals(text: string, source = "arrivals"): Float64Array {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  const out: number[] = [];
  let column = -1, scale = 1e9, width = 1, firstLine = true, prev = -Infinity;
  const fail = (line: number, message: string): never => { throw new Error(`${source}:${line}: ${message}`); };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === "" || raw.startsWith("#")) continue;
    const fields = raw.split(",").map((f) => f.trim().replace(/^"(.*)"$/, "$1").trim());
    if (firstLine) {
      firstLine = false;
      if (fields.some((f) => f === "" || !Number.isFinite(Number(f)))) {
        // A header: the time column and its unit.
        const ns = fields.indexOf("t_ns"), s = fields.indexOf("t_s");
        if (ns >= 0 && s >= 0) fail(i + 1, "both t_s and t_ns columns: keep one");
        if (ns < 0 && s < 0) fail(i + 1, `no column named t_s or t_ns (header: ${fields.join(", ")})`);
        column = ns >= 0 ? ns : s;
        scale = ns >= 0 ? 1 : 1e9;
        width = fields.length;
        continue;
      }
      if (fields.length > 1) fail(i + 1, "several values on a line without a header naming t_s or t_ns");
      column = 0;
    }
    if (fields.length !== width) fail(i + 1, `expected ${width} field${width > 1 ? "s" : ""}, found ${fields.length}`);
    const cell = fields[column];
    const v = cell === "" ? NaN : Number(cell);
    if (!Number.isFinite(v)) fail(i + 1, `not a number: "${cell}"`);
    if (v < 0) fail(i + 1, `negative time ${cell}`);
    const t = scale === 1 ? v : Math.round(v * scale);
    if (t < prev) fail(i + 1, `times must be ascending: ${cell} comes after a later time`);
    prev = t;
    out.push(t);
  }
  if (out.length === 0) throw new Error(`${source}: no arrival times`);
  return Float64Array.from(out);
}

/** Arrival times from a file (see `parseArrivals` for the format). */
export function arrivalsFromFile(file: string): Float64Array {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read arrival times: ${(e as Error).message}`);
  }
  return parseArrivals(text, file);
}
