/**
 * The notebook as a user meets it: a real Jupyter server on localhost, the import notebook opened in headless
 * Chromium (Debian's, driven over the DevTools pipe by src/plot/chromium.ts), every cell run in the page through the
 * tslab kernel, and the plotly figures checked as drawn SVG in the DOM. A screenshot is kept as
 * out/browser/01-import-a-trace.png (the CI artifact). The notebook runs from a scratch copy so that the server's
 * autosave never touches notebooks/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChromiumPage } from "../../src/plot/chromium";
import { buildPackage } from "../helpers/cli";
import { makeTempDir, removeTempDirs } from "../helpers/files";
import { REPO_ROOT } from "../helpers/fixtures";

const NOTEBOOK = "01-import-a-trace.ipynb";
const SHOT = path.join(REPO_ROOT, "out", "browser", NOTEBOOK.replace(/\.ipynb$/, ".png"));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
    s.on("error", reject);
  });
}

async function until<T>(what: string, probe: () => Promise<T | null | false | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

let server: ChildProcess | undefined, page: ChromiumPage | undefined, serverLog = "";
let url = "";

beforeAll(async () => {
  buildPackage();
  // A scratch root that looks like the repository to the notebook: notebooks/ (a copy), dist/ and traces/ (links).
  const root = makeTempDir("lithos-browser-");
  fs.mkdirSync(path.join(root, "notebooks"));
  fs.copyFileSync(path.join(REPO_ROOT, "notebooks", NOTEBOOK), path.join(root, "notebooks", NOTEBOOK));
  for (const d of ["dist", "traces"]) fs.symlinkSync(path.join(REPO_ROOT, d), path.join(root, d));
  const port = await freePort();
  const token = crypto.randomBytes(16).toString("hex");
  server = spawn("jupyter", ["notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, `--NotebookApp.token=${token}`, `--notebook-dir=${root}`, "--allow-root"], { stdio: ["ignore", "pipe", "pipe"] });
  server.stdout!.on("data", (b) => { serverLog += b; });
  server.stderr!.on("data", (b) => { serverLog += b; });
  await until("the Jupyter server", async () => (await fetch(`http://127.0.0.1:${port}/api?token=${token}`)).ok, 60_000);
  url = `http://127.0.0.1:${port}/notebooks/notebooks/${NOTEBOOK}?token=${token}`;
  page = await ChromiumPage.launch({ timeoutMs: 60_000, allowLocalhost: true });
}, 120_000);

afterAll(async () => {
  await page?.close();
  server?.kill("SIGTERM");
  removeTempDirs();
});

describe("the import notebook in a real browser", () => {
  it("runs every cell through the tslab kernel and draws its plotly figures as SVG", async () => {
    const p = page!;
    await p.send("Page.enable");
    await p.send("Emulation.setDeviceMetricsOverride", { width: 1280, height: 2400, deviceScaleFactor: 1, mobile: false });
    await p.send("Page.navigate", { url });
    await until("the notebook and its kernel", () => p.evaluate<boolean>(
      "typeof Jupyter !== 'undefined' && !!Jupyter.notebook && !!Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected() && Jupyter.notebook.kernel.info_reply !== undefined && Object.keys(Jupyter.notebook.kernel.info_reply).length > 0",
    ), 120_000).catch(async (e) => {
      const where = await p.evaluate<string>("location.href + ' ' + document.title").catch((x) => String(x));
      throw new Error(`${(e as Error).message} (page: ${where}); server said: ${serverLog.slice(-1500)}`);
    });
    await p.evaluate("Jupyter.notebook.set_autosave_interval(0), Jupyter.notebook.execute_all_cells(), true");
    // Done when every code cell has a number (not "*") and the kernel is idle.
    await until("every cell to run", () => p.evaluate<boolean>(
      "Jupyter.notebook.get_cells().every(c => c.cell_type !== 'code' || (typeof c.input_prompt_number === 'number')) && Jupyter.notebook.kernel_busy === false",
    ), 300_000);
    const errors = await p.evaluate<string[]>("[...document.querySelectorAll('.output_error, .output_stderr')].map(e => e.innerText.slice(0, 300))");
    expect(errors).toEqual([]);
    const figures = await until("plotly to draw", async () => {
      const n = await p.evaluate<number>("document.querySelectorAll('.js-plotly-plot .main-svg').length");
      return n >= 4 ? n : null; // kernel breakdown, temporal breakdown, idle time, trace comparison (2 SVG layers each)
    }, 60_000);
    expect(figures).toBeGreaterThanOrEqual(4);
    // The kernel-breakdown bars are drawn: SVG bar paths with a real extent.
    const bars = await p.evaluate<number>("[...document.querySelectorAll('.js-plotly-plot .bars path')].filter(e => e.getBBox().width > 1).length");
    expect(bars).toBeGreaterThan(5);
    const text = await p.evaluate<string>("document.body.innerText");
    expect(text).toContain("6840 kernels, 62 API calls");
    const shot = await p.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true });
    fs.mkdirSync(path.dirname(SHOT), { recursive: true });
    fs.writeFileSync(SHOT, Buffer.from(shot.data as string, "base64"));
    expect(fs.statSync(SHOT).size).toBeGreaterThan(20_000);
  }, 420_000);
});
