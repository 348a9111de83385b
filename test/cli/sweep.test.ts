/** `lithos-replay sweep`: the cross product on worker threads, resumable, one Arrow table (and its Parquet copy); on the package's real traces. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as arrow from "apache-arrow";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replay } from "../../src/replay";
import { parseSweepPlan, pointScenario } from "../../src/sweep/plan";
import { buildPackage, refusalLine, runCli } from "../helpers/cli";
import { makeTempDir, removeTempDirs } from "../helpers/files";
import { REPO_ROOT } from "../helpers/fixtures";

const EXPERIMENT = path.join(REPO_ROOT, "experiments", "paper", "hybrid-stacking.json");
let dir: string, planFile: string, out: string, firstJson: Record<string, unknown>;
const plan = {
  experiment: EXPERIMENT, policies: ["mps", "+atom"], loads: [1, 2], seeds: [3, 4], duration_s: 0.3,
  mixes: [{ name: "both", tenants: ["resnet50", "train"] }, { tenants: ["resnet50"] }],
};
const rowsOf = (file: string) => arrow.tableFromIPC(fs.readFileSync(file)).toArray().map((r) => r.toJSON() as Record<string, unknown>);
const parquetRowsOf = async (file: string) => {
  const b = fs.readFileSync(file);
  return parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer });
};
const withoutWall = (rows: Record<string, unknown>[]) => rows.map(({ wall_ms: _, ...r }) => r);

beforeAll(() => {
  buildPackage();
  dir = makeTempDir();
  planFile = path.join(dir, "plan.json");
  fs.writeFileSync(planFile, JSON.stringify(plan));
  out = path.join(dir, "out");
  const r = runCli(["sweep", planFile, "-o", out, "--jobs", "2", "--json"]);
  if (r.status !== 0) throw new Error(r.stderr);
  firstJson = JSON.parse(r.stdout) as Record<string, unknown>;
}, 300_000);
afterAll(() => removeTempDirs());

describe("sweep <plan.json>", () => {
  it("writes one row per point and tenant, points in plan order (policies outermost, then loads, seeds, mixes)", () => {
    const rows = rowsOf(path.join(out, "sweep.arrow"));
    const points = 2 * 2 * 2 * 2;
    expect(rows).toHaveLength(points / 2 * 2 + points / 2); // "both" has two tenants, "resnet50" one
    expect(rows.slice(0, 3).map((r) => [r.policy, r.load, r.seed, r.mix, r.tenant])).toEqual([
      ["mps", 1, 3, "both", "resnet50"], ["mps", 1, 3, "both", "train"], ["mps", 1, 3, "resnet50", "resnet50"],
    ]);
    expect(rows.at(-1)).toMatchObject({ policy: "+atom", load: 2, seed: 4, mix: "resnet50", tenant: "resnet50", role: "service" });
    expect(fs.readdirSync(path.join(out, "points")).filter((f) => f.endsWith(".json"))).toHaveLength(points);
  });

  it("writes the same table as Parquet beside it, sweep.parquet: same columns, row count and every value, nulls kept", async () => {
    const arrowFile = path.join(out, "sweep.arrow"), parquetFile = path.join(out, "sweep.parquet");
    expect(firstJson).toMatchObject({ file: arrowFile, parquet_file: parquetFile, rows: 24 });
    const table = arrow.tableFromIPC(fs.readFileSync(arrowFile));
    const bytes = fs.readFileSync(parquetFile);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const meta = parquetMetadata(file);
    const columns = table.schema.fields.map((f) => f.name);
    expect(meta.schema.slice(1).map((e) => e.name)).toEqual(columns);
    expect(Number(meta.num_rows)).toBe(table.numRows);
    // Types: text (dictionary-encoded in Arrow) as UTF8 byte arrays, Float64 as DOUBLE; every column nullable.
    for (const [i, f] of table.schema.fields.entries()) {
      const e = meta.schema[i + 1]!;
      expect(e.repetition_type, f.name).toBe("OPTIONAL");
      if (arrow.DataType.isDictionary(f.type)) expect([e.type, e.converted_type], f.name).toEqual(["BYTE_ARRAY", "UTF8"]);
      else expect([String(f.type), e.type], f.name).toEqual(["Float64", "DOUBLE"]);
    }
    const rows = await parquetRowsOf(parquetFile);
    expect(rows).toHaveLength(table.numRows);
    for (const [i, name] of columns.entries()) {
      const want = Array.from(table.getChildAt(i)!), got = rows.map((r) => r[name]);
      expect(got, name).toEqual(want);
    }
    // The jobs' latency columns are nulls in both, not zeros.
    expect(rows.filter((r) => r.role === "job").map((r) => r.p99_us)).toEqual(Array(8).fill(null));
    expect(fs.readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("gives each point the numbers of a replay of its scenario, the load multiplying the open-loop rate", async () => {
    const p = parseSweepPlan(JSON.stringify(plan), planFile);
    const i = p.points.findIndex((x) => x.policy === "+atom" && x.load === 2 && x.seed === 4 && x.mix === "both");
    const spec = pointScenario(p, p.points[i]!);
    expect(spec.tenants[0]!.arrival).toEqual({ kind: "poisson", ratePerS: 600 });
    const direct = (await replay(spec)).summary;
    const rows = rowsOf(path.join(out, "sweep.arrow")).filter((r) => r.policy === "+atom" && r.load === 2 && r.seed === 4 && r.mix === "both");
    const svc = direct.tenants[0]!, job = direct.tenants[1]!;
    expect(svc.role === "service" && rows[0]!.p99_us === svc.p99_us && rows[0]!.requests === svc.requests).toBe(true);
    expect(job.role === "job" && rows[1]!.throughput === job.throughput_its && rows[1]!.p99_us === null).toBe(true);
    expect(rows[0]!.energy_j).toBe(direct.energy_j);
    const at = (load: number) => rowsOf(path.join(out, "sweep.arrow")).find((r) => r.policy === "mps" && r.load === load && r.seed === 3 && r.mix === "resnet50")!.requests as number;
    expect(at(2) / at(1)).toBeGreaterThan(1.7);
  });

  it("resumes: a rerun keeps every point, and a deleted point is the only one run again, to the same rows", async () => {
    const before = withoutWall(rowsOf(path.join(out, "sweep.arrow")));
    const again = JSON.parse(runCli(["sweep", planFile, "-o", out, "--json"]).stdout);
    expect(again).toMatchObject({ points: 16, kept: 16, ran: 0 });
    const one = fs.readdirSync(path.join(out, "points")).find((f) => f.startsWith("_atom-"))!;
    fs.rmSync(path.join(out, "points", one));
    const third = JSON.parse(runCli(["sweep", planFile, "-o", out, "--json"]).stdout);
    expect(third).toMatchObject({ kept: 15, ran: 1, workers: 1 });
    expect(withoutWall(rowsOf(path.join(out, "sweep.arrow")))).toEqual(before);
    expect(withoutWall(await parquetRowsOf(path.join(out, "sweep.parquet")))).toEqual(before); // rewritten with it
  });

  it("leaves no partial sweep.parquet when it cannot write it, and fails", () => {
    const o = path.join(dir, "blocked");
    fs.cpSync(path.join(out, "points"), path.join(o, "points"), { recursive: true }); // every point kept: nothing to run
    fs.mkdirSync(path.join(o, "sweep.parquet")); // a folder in the way: the rename onto it fails
    const r = runCli(["sweep", planFile, "-o", o, "--json"]);
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/sweep\.parquet/);
    expect(fs.statSync(path.join(o, "sweep.parquet")).isDirectory()).toBe(true);
    expect(fs.readdirSync(o).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("gives the same rows on one worker as on two", () => {
    const one = path.join(dir, "one");
    const r = runCli(["sweep", planFile, "-o", one, "--jobs", "1", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(withoutWall(rowsOf(path.join(one, "sweep.arrow")))).toEqual(withoutWall(rowsOf(path.join(out, "sweep.arrow"))));
  }, 300_000);

  it("refuses a bad plan with one line naming it and exit 2, writing nothing", () => {
    const bad = (extra: object) => {
      const f = path.join(dir, "bad.json");
      fs.writeFileSync(f, JSON.stringify({ ...plan, ...extra }));
      return f;
    };
    const o = path.join(dir, "never");
    expect(refusalLine(runCli(["sweep", bad({ policies: ["fifo"] }), "-o", o]))).toMatch(/bad\.json: sweep\.policies: unknown policy "fifo"/);
    expect(refusalLine(runCli(["sweep", bad({ mixes: [{ tenants: ["nobody"] }] }), "-o", o]))).toMatch(/no tenant "nobody"/);
    expect(refusalLine(runCli(["sweep", bad({ experiment: "missing.json" }), "-o", o]))).toMatch(/cannot read .*missing\.json/);
    expect(refusalLine(runCli(["sweep", bad({ colour: 1 }), "-o", o]))).toMatch(/unknown field "colour"/);
    expect(refusalLine(runCli(["sweep", bad({ loads: [0] }), "-o", o]))).toMatch(/sweep\.loads/);
    expect(refusalLine(runCli(["sweep", planFile]), true)).toMatch(/needs -o/);
    expect(fs.existsSync(o)).toBe(false);
  });
});
