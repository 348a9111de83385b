/** Runs the built command line (`bin/lithos-replay.js`) in a child process. */
import { execSync, spawnSync } from "node:child_process";
import * as path from "node:path";
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
