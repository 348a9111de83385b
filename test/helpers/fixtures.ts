/**
 * Where the real trace fixtures live and how tests read them without going through the package's importer.
 * The fixtures sit in `shared/fixtures` next to the repository (CI clones the repo beside `shared/`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

export const REPO_ROOT = path.resolve(__dirname, "../..");
export const FIXTURES = path.resolve(__dirname, "../../../shared/fixtures");
export const REAL = path.join(FIXTURES, "real");
export const H200 = path.join(FIXTURES, "h200");
/** The H200 measurements: kernel time vs SM count (kernels.csv) and power (micro.csv). */
export const CALIBRATION_DATA = path.resolve(__dirname, "../../../shared/calibration/h200");
export const KERNELS_CSV = path.join(CALIBRATION_DATA, "kernels.csv");
export const MICRO_CSV = path.join(CALIBRATION_DATA, "micro.csv");

/** Absolute path of a fixture given relative to `shared/fixtures` (e.g. "real/hta/triton_example/triton_example.json.gz"). */
export function fixture(rel: string): string {
  const p = path.join(FIXTURES, rel);
  if (!fs.existsSync(p)) throw new Error(`fixture missing: ${p}`);
  return p;
}

/** Every regular file under `dir`, recursively, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

/** The file's content, gunzipped when it is gzip. */
export function readDecompressed(file: string): Buffer {
  const bytes = fs.readFileSync(file);
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes;
}

export function readText(file: string): string {
  return readDecompressed(file).toString("utf8");
}

/** A Chrome-trace event as the raw JSON gives it. */
export interface RawEvent {
  ph?: string;
  cat?: string;
  name?: string;
  pid?: number | string;
  tid?: number | string;
  ts?: number;
  dur?: number;
  args?: Record<string, unknown>;
}

export interface RawTrace {
  traceEvents: RawEvent[];
  deviceProperties?: { id?: number; name?: string; numSms?: number; warpSize?: number }[];
  [key: string]: unknown;
}

/** JSON.parse of the whole (decompressed) file. */
export function readJson(file: string): unknown {
  return JSON.parse(readText(file));
}

/** True when the file is a Chrome trace: a JSON object with a `traceEvents` array. */
export function isChromeTrace(file: string): boolean {
  if (!/\.json(\.gz)?$/.test(file)) return false;
  let doc: unknown;
  try {
    doc = readJson(file);
  } catch {
    return false;
  }
  return typeof doc === "object" && doc !== null && Array.isArray((doc as { traceEvents?: unknown }).traceEvents);
}

let kinetoCache: string[] | undefined;

/** Every Kineto (Chrome-trace) JSON fixture, `.json` and `.json.gz`, under both fixture folders; absolute paths. */
export function kinetoFixtures(): string[] {
  if (!kinetoCache) kinetoCache = [...listFiles(REAL), ...listFiles(H200)].filter(isChromeTrace);
  return kinetoCache;
}

/** Path relative to `shared/fixtures`, for test names. */
export function rel(file: string): string {
  return path.relative(FIXTURES, file);
}

export const KERNEL_CATS = new Set(["kernel", "Kernel"]);
export const MEMOP_CATS = new Set(["gpu_memcpy", "Memcpy", "gpu_memset", "Memset"]);
export const API_CATS = new Set(["cuda_runtime", "Runtime", "cuda_driver"]);

/** Complete events (ph "X") of one of the categories. */
export function completeEvents(doc: RawTrace, cats: Set<string>): RawEvent[] {
  return doc.traceEvents.filter((e) => e.ph === "X" && typeof e.cat === "string" && cats.has(e.cat));
}

/** The decimal text of a top-level number key (e.g. baseTimeNanoseconds), read from the raw text so no float rounding. */
export function topLevelNumberText(text: string, key: string): string | null {
  const m = new RegExp(`"${key}"\\s*:\\s*(-?\\d+)\\s*[,}]`).exec(text);
  return m ? m[1] : null;
}

/** µs decimal text ("4399273650183.789") → exact ns as a BigInt; refuses more than 3 decimals or exponents. */
export function usTextToNs(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{0,3}))?$/.exec(text);
  if (!m) throw new Error(`not a µs value with at most 3 decimals: ${text}`);
  const ns = BigInt(m[2]) * 1000n + BigInt((m[3] ?? "").padEnd(3, "0"));
  return m[1] === "-" ? -ns : ns;
}

/** The text of every `"ts": <number>` in the file, in file order. */
export function tsTexts(text: string): string[] {
  return [...text.matchAll(/"ts"\s*:\s*(-?[0-9][0-9.eE+-]*)/g)].map((m) => m[1]);
}
