/**
 * Headless Chromium driven through the DevTools protocol over a pipe (`--remote-debugging-pipe`: Chromium reads
 * NUL-terminated JSON commands on fd 3 and writes replies and events on fd 4). Why not playwright-core or
 * puppeteer: the export needs six protocol commands, which fit in this file, and a pipe needs neither a WebSocket
 * client (Node 20 has none built in) nor a free port; nor can a library download a browser behind our back.
 * Chromium is the system's (Debian's `chromium`); the page gets no network (every host resolves to nothing), so
 * nothing can be fetched from a CDN by mistake. Used by ./export.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Readable, Writable } from "node:stream";

/** Where Debian (`chromium`) and Ubuntu/others (`chromium-browser`, `google-chrome`) install the browser. */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

/** Chromium is not installed (or not where it was said to be): one line naming the cause and the fix. */
export class ChromiumMissingError extends Error {
  constructor(looked: readonly string[]) {
    super(`Chromium not found (looked for ${looked.join(", ")} and chromium on PATH); install it with "apt-get install chromium" (Debian) to export figures`);
    this.name = "ChromiumMissingError";
  }
}

/** The Chromium executable: `explicit` when given (must exist), else the first of the usual paths or PATH. */
export function findChromium(explicit?: string): string {
  const isExe = (p: string) => { try { fs.accessSync(p, fs.constants.X_OK); return fs.statSync(p).isFile(); } catch { return false; } };
  if (explicit !== undefined) {
    if (isExe(explicit)) return explicit;
    throw new ChromiumMissingError([explicit]);
  }
  for (const c of CANDIDATES) if (isExe(c)) return c;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) if (dir && isExe(path.join(dir, name))) return path.join(dir, name);
  }
  throw new ChromiumMissingError(CANDIDATES);
}

/** A protocol reply's error, or a command that got no reply in time. */
export class DevToolsError extends Error {}

/** One page of a running headless Chromium, spoken to through the DevTools protocol. */
export class ChromiumPage {
  private nextId = 1;
  private buffer = "";
  private readonly pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; method: string }>();
  private sessionId: string | undefined;
  private exited: string | undefined;

  private constructor(private readonly child: ChildProcess, private readonly userDir: string, private readonly timeoutMs: number) {
    const input = child.stdio[4] as Readable;
    input.setEncoding("utf8");
    input.on("data", (chunk: string) => this.receive(chunk));
    const stderr: string[] = [];
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (s: string) => { stderr.push(s); if (stderr.length > 50) stderr.shift(); });
    child.on("exit", (code, signal) => {
      const last = stderr.join("").trim().split("\n").pop() ?? "";
      this.exited = `Chromium exited (${signal ?? `status ${code}`})${last ? `: ${last}` : ""}`;
      for (const p of this.pending.values()) p.reject(new DevToolsError(`${p.method}: ${this.exited}`));
      this.pending.clear();
    });
  }

  /** Starts headless Chromium (`executable`, default found by `findChromium`) and opens one blank page. */
  /**
   * `allowLocalhost`: let the page reach 127.0.0.1 (a local Jupyter server, for the browser test); every other host
   * still resolves to nothing.
   */
  static async launch(options: { executable?: string; timeoutMs?: number; allowLocalhost?: boolean } = {}): Promise<ChromiumPage> {
    const exe = findChromium(options.executable);
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "lithos-chromium-"));
    const args = [
      "--headless", "--remote-debugging-pipe", `--user-data-dir=${userDir}`,
      "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-gpu", "--mute-audio", "--hide-scrollbars",
      // No network at all: plotly.js is inlined, and a figure must never reach a CDN.
      `--host-resolver-rules=MAP * ~NOTFOUND${options.allowLocalhost ? ", EXCLUDE 127.0.0.1" : ""}`,
      // Chromium refuses to start its sandbox as root (CI runs as root in a container).
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
      "about:blank",
    ];
    const child = spawn(exe, args, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
    const page = new ChromiumPage(child, userDir, options.timeoutMs ?? 60_000);
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", () => resolve());
      child.once("error", (e) => reject(new DevToolsError(`cannot start ${exe}: ${e.message}`)));
    });
    try {
      const { targetId } = await page.send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = await page.send("Target.attachToTarget", { targetId, flatten: true });
      page.sessionId = sessionId as string;
    } catch (e) {
      await page.close();
      throw e;
    }
    return page;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf("\0")) >= 0) {
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      const msg = JSON.parse(text) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
      if (msg.id === undefined) continue; // an event: none is needed
      const p = this.pending.get(msg.id);
      if (!p) continue;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new DevToolsError(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result ?? {});
    }
  }

  /** Sends one protocol command (to the page once attached) and waits for its reply. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new DevToolsError(`${method}: ${this.exited}`));
    const id = this.nextId++;
    const message = { id, method, params, ...(this.sessionId ? { sessionId: this.sessionId } : {}) };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DevToolsError(`${method}: no reply from Chromium in ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      (this.child.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  /** Evaluates `expression` in the page (awaiting a promise) and returns its value; a thrown error rejects. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    const ex = r.exceptionDetails as { exception?: { description?: string }; text?: string } | undefined;
    if (ex) throw new DevToolsError(`in the page: ${(ex.exception?.description ?? ex.text ?? "error").split("\n")[0]}`);
    return (r.result as { value: T }).value;
  }

  /** Closes the browser and removes its profile folder. */
  async close(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      this.sessionId = undefined;
      this.send("Browser.close").catch(() => undefined);
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}
