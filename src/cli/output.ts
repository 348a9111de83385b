/** Command inputs and outputs: outputs written atomically, inputs read with one-line errors that name the file. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { writeFileAtomic } from "../util/atomic-write";
import { UsageError } from "./args";

/** Writes a command's output atomically; a missing output folder is a usage error. */
export async function writeOutput(outPath: string, data: string | Uint8Array): Promise<void> {
  if (!fs.existsSync(path.dirname(path.resolve(outPath)))) throw new UsageError(`output folder ${path.dirname(outPath)} does not exist`);
  await writeFileAtomic(outPath, data);
}

/** Reads an input text file (gzipped or not), turning failures into one-line errors that name the file. */
export function readInputText(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new InputError(file, "no such file");
  }
  if (stat.isDirectory()) throw new InputError(file, "is a directory");
  let bytes = fs.readFileSync(file);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (e) {
      throw new InputError(file, `corrupt gzip: ${(e as Error).message}`);
    }
  }
  const text = bytes.toString("utf8");
  if (text.trim() === "") throw new InputError(file, "empty file");
  return text;
}

/** Bad input to a command (not a trace import): printed as `lithos-replay: <file>: <cause>`, exit status 2. */
export class InputError extends Error {
  constructor(readonly file: string, cause: string) {
    super(`${file}: ${cause}`);
  }
}
