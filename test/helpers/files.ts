/** Temporary folders and file fingerprints for tests. */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const made: string[] = [];

/** A fresh empty folder under the OS temp dir; removed by `removeTempDirs` (call it in afterAll). */
export function makeTempDir(prefix = "lithos-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every folder `makeTempDir` made in this test file. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Hex sha256 of a file's bytes. */
export function sha256File(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Names in a folder (including dot files), sorted. */
export function listDir(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}
