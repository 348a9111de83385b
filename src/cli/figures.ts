/**
 * `lithos-replay figures <compare-result.json | experiment.json | results-dir> -o <out-dir> [--format svg,pdf,png]
 * [--columns 1|2] [--policies a,b] [--duration s] [--seed n]`: the paper figures that fit a comparison
 * (src/plot/figure-set.ts), in the paper style, exported through headless Chromium (src/plot/export.ts) as
 * `<out>/<experiment>-<figure>.<format>`. The input is a `compare --json` result, an experiment file (compared
 * first, like `compare`; `--policies`, `--duration`, `--seed` apply to it), or a folder of results laid out as
 * `<gpu>/<experiment>.json` (the same layout under `<out>`). Every figure is drawn before any file is written, and
 * a failed write removes the files already written, so a failure leaves no partial output.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compareSystems, type CompareResult } from "../analysis/compare";
import { checkSweeps } from "../analysis/sweep";
import { POLICY_NAMES } from "../policies";
import { ChromiumMissingError } from "../plot/chromium";
import { EXPORT_FORMATS, renderedBytes, renderFigures, type ExportFormat, type RenderedFigure } from "../plot/export";
import { compareFigureSet, type NamedFigure } from "../plot/figure-set";
import type { Columns } from "../plot/style";
import { parseExperiment } from "../workload/experiment";
import { parseArgs, UsageError } from "./args";
import { InputError, readInputText, writeOutput } from "./output";

export const FIGURES_USAGE =
  "lithos-replay figures <compare-result.json | experiment.json | results-dir> -o <out-dir> [--format svg,pdf,png] [--columns 1|2] " +
  "[--policies a,b,c] [--duration <s>] [--seed <n>]";

/** A comparison to plot: where it came from and where its figures go (relative to the output folder). */
interface Source {
  readonly file: string;
  /** `<experiment>` or `<gpu>/<experiment>`: the figures are `<stem>-<figure>.<format>`. */
  readonly stem: string;
  readonly result: CompareResult;
}

const experimentName = (file: string) => path.basename(file).replace(/(\.json)?(\.gz)?$/i, "");

/** True when `x` has the shape `compare --json` prints (rows of systems, alone runs, sweeps). */
function isCompareResult(x: unknown): x is CompareResult {
  const r = x as Partial<CompareResult> | null;
  return !!r && typeof r === "object" && Array.isArray(r.rows) && Array.isArray(r.systems) && Array.isArray(r.alone) && Array.isArray(r.sweeps)
    && r.rows.every((row) => !!row && typeof row.system === "string" && typeof row.point === "object" && Array.isArray(row.services) && Array.isArray(row.jobs));
}

interface ExperimentOptions { policies?: string[]; durationS?: number; seed?: number }

/** Reads one file: a compare result as it is, an experiment compared first. */
async function readSource(file: string, stem: string, exp: ExperimentOptions): Promise<Source> {
  const text = readInputText(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(file, `not JSON: ${(e as Error).message}`);
  }
  if (isCompareResult(json)) {
    if (exp.policies || exp.durationS !== undefined || exp.seed !== undefined) throw new UsageError(`--policies, --duration and --seed apply to an experiment file; ${file} is a compare result`);
    return { file, stem, result: json };
  }
  if (!json || typeof json !== "object" || !("tenants" in json)) throw new InputError(file, "neither a compare result (compare --json) nor an experiment file");
  let result: CompareResult;
  try {
    const spec = parseExperiment(text, file);
    for (const p of spec.compare.systems) if (!POLICY_NAMES.includes(p)) throw new Error(`compare.systems: unknown policy "${p}"; known: ${POLICY_NAMES.join(", ")}`);
    const scenario = { ...spec, durationS: exp.durationS ?? spec.durationS, seed: exp.seed ?? spec.seed };
    checkSweeps(scenario, spec.compare.sweeps);
    result = await compareSystems(scenario, { systems: exp.policies ?? spec.compare.systems, sloX: spec.sloX, sweeps: spec.compare.sweeps });
  } catch (e) {
    if (e instanceof InputError || (e as Error).name === "ImportError") throw e;
    throw new InputError(file, (e as Error).message);
  }
  return { file, stem, result };
}

/** The results of a folder: `<dir>/<experiment>.json` and `<dir>/<gpu>/<experiment>.json`, sorted. */
function resultFiles(dir: string): { file: string; stem: string }[] {
  const out: { file: string; stem: string }[] = [];
  const isJson = (n: string) => /\.json(\.gz)?$/i.test(n);
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isFile() && isJson(e.name)) out.push({ file: path.join(dir, e.name), stem: experimentName(e.name) });
    if (!e.isDirectory()) continue;
    for (const f of fs.readdirSync(path.join(dir, e.name)).sort()) {
      if (isJson(f)) out.push({ file: path.join(dir, e.name, f), stem: path.join(e.name, experimentName(f)) });
    }
  }
  if (out.length === 0) throw new InputError(dir, "no results in this folder (expected <gpu>/<experiment>.json from compare --json)");
  return out;
}

function parseFormats(text: string | undefined): ExportFormat[] {
  if (text === undefined) return [...EXPORT_FORMATS];
  const formats = text.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  if (formats.length === 0) throw new UsageError("--format takes one or more of svg,pdf,png");
  for (const f of formats) if (!(EXPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format: unknown format "${f}" (known: ${EXPORT_FORMATS.join(", ")})`);
  return [...new Set(formats)] as ExportFormat[];
}

function parseExperimentOptions(options: Map<string, string | true>): ExperimentOptions {
  const str = (k: string) => { const v = options.get(k); return typeof v === "string" ? v : undefined; };
  const out: ExperimentOptions = {};
  const policies = str("--policies")?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (policies) {
    for (const p of policies) if (!POLICY_NAMES.includes(p)) throw new UsageError(`unknown policy "${p}"; known: ${POLICY_NAMES.join(", ")}`);
    if (policies.length) out.policies = policies;
  }
  const d = str("--duration");
  if (d !== undefined) {
    const n = Number(d);
    if (!(d.trim() !== "" && n > 0 && Number.isFinite(n))) throw new UsageError(`--duration takes a number > 0, got "${d}"`);
    out.durationS = n;
  }
  const s = str("--seed");
  if (s !== undefined) {
    const n = Number(s);
    if (!(s.trim() !== "" && Number.isSafeInteger(n) && n >= 0)) throw new UsageError(`--seed takes a whole number ≥ 0, got "${s}"`);
    out.seed = n;
  }
  return out;
}

/** Writes every file or none: on a failed write, the files already written are removed. */
async function writeAll(files: { path: string; data: string | Uint8Array }[]): Promise<void> {
  const written: string[] = [];
  try {
    for (const f of files) {
      fs.mkdirSync(path.dirname(f.path), { recursive: true });
      await writeOutput(f.path, f.data);
      written.push(f.path);
    }
  } catch (e) {
    for (const w of written) fs.rmSync(w, { force: true });
    throw e;
  }
}

export async function figuresCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, ["-o", "--out", "--format", "--columns", "--policies", "--duration", "--seed"], []);
  if (positionals.length !== 1) throw new UsageError("figures takes one compare result, experiment file or results folder");
  const input = positionals[0]!;
  const out = options.get("-o") ?? options.get("--out");
  if (typeof out !== "string" || out === "") throw new UsageError("figures needs -o <out-dir>");
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`-o ${out} is a file, not a folder`);
  const formats = parseFormats(options.get("--format") as string | undefined);
  const colText = options.get("--columns") as string | undefined;
  if (colText !== undefined && colText !== "1" && colText !== "2") throw new UsageError(`--columns takes 1 or 2, got "${colText}"`);
  const columns = (colText === "2" ? 2 : 1) as Columns;
  const exp = parseExperimentOptions(options);

  let stat: fs.Stats;
  try {
    stat = fs.statSync(input);
  } catch {
    throw new InputError(input, "no such file or folder");
  }
  const inputs = stat.isDirectory() ? resultFiles(input) : [{ file: input, stem: experimentName(input) }];
  const sources: Source[] = [];
  for (const i of inputs) sources.push(await readSource(i.file, i.stem, exp));

  const named: { stem: string; fig: NamedFigure }[] = [];
  for (const s of sources) {
    let set: NamedFigure[];
    try {
      set = compareFigureSet(s.result, { columns });
    } catch (e) {
      throw new InputError(s.file, (e as Error).message);
    }
    if (set.length === 0) throw new InputError(s.file, "no figure fits this comparison (it has no service and no sweep to plot)");
    for (const fig of set) named.push({ stem: s.stem, fig });
  }

  let rendered: RenderedFigure[];
  try {
    rendered = await renderFigures(named.map((n) => n.fig.figure), formats);
  } catch (e) {
    if (e instanceof ChromiumMissingError) {
      process.stderr.write(`lithos-replay figures: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const files = named.flatMap((n, i) => formats.map((f) => ({ path: path.join(out, `${n.stem}-${n.fig.name}.${f}`), data: renderedBytes(rendered[i]!, f) })));
  await writeAll(files);
  for (const f of files) process.stdout.write(`${f.path}\n`);
  return 0;
}
