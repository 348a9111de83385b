/** The `compare` command (and `run` with slo_x): tables, JSON, CSV, refusals, on the package's real traces. */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackage, refusalLine, runCli } from "../helpers/cli";
import { makeTempDir, removeTempDirs } from "../helpers/files";
import { REPO_ROOT } from "../helpers/fixtures";

const SERVICE = path.join(REPO_ROOT, "traces", "resnet50_graph_infer_bs1.pt.trace.json.gz");
const JOB = path.join(REPO_ROOT, "traces", "resnet50_colo_train_bs64.pt.trace.json.gz");

let dir: string;
let exp: string;
const experiment = (extra: object = {}) => ({
  gpu: "h200", policy: "mps", duration_s: 0.5, seed: 2,
  tenants: [
    { name: "svc", trace: SERVICE, poisson: { rate_per_s: 300 }, priority: 1, quota_pct: 100, mig_profile: "4g" },
    { name: "train", trace: JOB, back_to_back: {}, priority: 0, quota_pct: 0, limit_pct: 25, mig_profile: "3g" },
  ],
  ...extra,
});

beforeAll(() => {
  buildPackage();
  dir = makeTempDir();
  exp = path.join(dir, "exp.json");
  fs.writeFileSync(exp, JSON.stringify(experiment()));
});
afterAll(() => removeTempDirs());

describe("compare <experiment.json>", () => {
  it("prints one JSON object with a row per system and the alone runs, and writes the rows as CSV", () => {
    const csv = path.join(dir, "table.csv");
    const r = runCli(["compare", exp, "--policies", "mps,mps-limit,priority", "--json", "--out", csv]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rows.map((x: { system: string }) => x.system)).toEqual(["mps", "mps-limit", "priority"]);
    expect(out.alone.map((a: { tenant: string }) => a.tenant)).toEqual(["svc", "train"]);
    expect(out.slo).toEqual({ x: 5 });
    for (const row of out.rows) {
      const s = row.services[0], a = out.alone[0].summary;
      expect(s.p99_x).toBeCloseTo(s.p99_us / a.p99_us, 9);
      expect(row.jobs[0].its_x).toBeCloseTo(row.jobs[0].throughput_its / out.alone[1].summary.throughput_its, 9);
    }
    const lines = fs.readFileSync(csv, "utf8").trim().split("\n");
    expect(lines).toHaveLength(4);
    const header = lines[0]!.split(",");
    for (const k of ["system", "svc_p99_us", "svc_p99_x", "svc_slo_attainment", "svc_goodput_rps", "train_its_x", "aggregate_throughput", "energy_j", "j_per_work", "sm_share"]) expect(header).toContain(k);
    expect(lines[2]!.startsWith("mps-limit,")).toBe(true);
  });

  it("prints a table naming every system, the SLO rule and each tenant alone", () => {
    const r = runCli(["compare", exp, "--policies", "mps,mig", "--slo-x", "3"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("SLO 3 × alone p50");
    expect(r.stdout).toMatch(/^mps\s/m);
    expect(r.stdout).toMatch(/^mig\s/m);
    expect(r.stdout).toMatch(/^ {2}svc: p50 /m);
    expect(r.stdout).toMatch(/^ {2}train: [\d.]+ it\/s/m);
  });

  it("gives the same JSON twice for one seed, and other numbers for another seed", () => {
    const args = ["compare", exp, "--policies", "mps-priority", "--json"];
    const a = JSON.parse(runCli(args).stdout), b = JSON.parse(runCli(args).stdout);
    expect(b).toEqual(a);
    const c = JSON.parse(runCli([...args, "--seed", "9"]).stdout);
    expect(c.rows[0].services[0].p99_us).not.toBe(a.rows[0].services[0].p99_us);
  });

  it("runs the file's systems and sweep, one row per system and value", () => {
    const f = path.join(dir, "sweep.json");
    fs.writeFileSync(f, JSON.stringify(experiment({ duration_s: 0.3, compare: { systems: ["mps"], sweeps: [{ key: "tenant", values: ["svc", "train"] }] } })));
    const r = runCli(["compare", f, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rows.map((x: { point: { tenant: string } }) => x.point.tenant)).toEqual(["svc", "train"]);
    expect(out.rows[0].jobs).toEqual([]);
    expect(out.rows[1].services).toEqual([]);
  });

  it("refuses an unknown policy, an unknown system in the file, a bad sweep and a missing file with one line and exit 2", () => {
    expect(refusalLine(runCli(["compare", exp, "--policies", "mps,fifo"]), true)).toMatch(/unknown policy "fifo"/);
    const f = path.join(dir, "bad.json");
    fs.writeFileSync(f, JSON.stringify(experiment({ compare: { systems: ["fifo"] } })));
    expect(refusalLine(runCli(["compare", f]))).toMatch(/bad\.json: compare\.systems: unknown policy "fifo"/);
    expect(refusalLine(runCli(["compare", exp, "--sweep", "lithos.slip=0.5"]), true)).toMatch(/lithos\.slip/);
    expect(refusalLine(runCli(["compare", path.join(dir, "nope.json")]))).toMatch(/nope\.json: no such file/);
    expect(refusalLine(runCli(["compare", exp, "--slo-x", "-1"]), true)).toMatch(/--slo-x/);
  });

  it("refuses, naming the file and the system, a scenario a system cannot run", () => {
    const f = path.join(dir, "mig.json");
    fs.writeFileSync(f, JSON.stringify(experiment({ tenants: experiment().tenants.map((t) => ({ ...t, mig_profile: "4g" })) })));
    expect(refusalLine(runCli(["compare", f, "--policies", "mig"]))).toMatch(/mig\.json: mig: MIG profiles/);
  });
});

describe("run <experiment.json> with slo_x", () => {
  it("sets each service's SLO to the multiple of its p50 alone that compare uses", () => {
    const f = path.join(dir, "slo.json");
    fs.writeFileSync(f, JSON.stringify(experiment({ slo_x: 4 })));
    const run = JSON.parse(runCli(["run", f, "--json"]).stdout);
    const cmp = JSON.parse(runCli(["compare", f, "--policies", "mps", "--json"]).stdout);
    expect(run.tenants[0].slo_us).toBeCloseTo(4 * cmp.alone[0].summary.p50_us, 9);
    expect(run.tenants[0].slo_attainment).toBe(cmp.rows[0].services[0].slo_attainment);
    expect(run.tenants[1].slo_us).toBeUndefined();
  });
});
