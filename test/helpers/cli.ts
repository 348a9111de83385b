/** Runs the built command line (`bin/lithos-replay.js`) in a child process. */
import { execSync, spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "vitest";
import { REPO_ROOT } from "./fixtures";

export const BIN = path.join(REPO_ROOT, "bin", "lithos-replay.js");

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Compiles src/ to dist/ (the CLI runs from dist). */
export function buildPackage(): void {
  execSync("npx tsc -p tsconfig.json", { cwd: REPO_ROOT, stdio: "pipe" });
}

/** `node bin/lithos-replay.js ...args`, waiting for it to exit. */
export function runCli(args: string[], options: { cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same without blocking the test worker: a run of a minute or more under `spawnSync` keeps the worker from
 * answering vitest's RPC, which then fails the file with "Timeout calling onTaskUpdate".
 */
export function runCliAsync(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO_ROOT });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The refusal contract: exit status 2 and exactly one line on stderr (usage lines aside when asked); returns it. */
export function refusalLine(r: CliResult, ignoreUsage = false): string {
  expect(r.status, `stderr: ${r.stderr}`).toBe(2);
  const lines = r.stderr.split("\n").filter((l) => l !== "" && !(ignoreUsage && l.startsWith("usage:")));
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0];
}
