/**
 * Writes a file so that a failure never leaves a partial one: the bytes go to a temporary name in the destination
 * folder, which is renamed at the end (a rename within a folder is atomic); on failure the temporary file is removed.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export async function writeFileAtomic(outPath: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(path.resolve(outPath)), `.${path.basename(outPath)}.${process.pid}.tmp`);
  try {
    await fs.promises.writeFile(tmp, data, { flag: "wx" });
    await fs.promises.rename(tmp, outPath);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}
