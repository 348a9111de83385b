/**
 * ExportFolder: an input that is a folder of per-table files (nsys `--type arrowdir` / `--type parquetdir`),
 * opened for reading only. It lists the regular files with the first bytes of each (decompressed when a file is
 * gzipped, so a folder whose files were gzipped one by one reads the same) for format detection.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { ImportError } from "./errors";
import { readHead } from "./source";

/** How many leading bytes of each file detection looks at (enough for an Arrow schema message and its metadata). */
export const FOLDER_HEAD_BYTES = 4096;

export interface FolderEntry {
  readonly name: string;
  readonly path: string;
  readonly sizeBytes: number;
  readonly gzipped: boolean;
  /** Up to FOLDER_HEAD_BYTES of the (decompressed) content. */
  readonly head: Uint8Array;
}

export class ExportFolder {
  private constructor(readonly path: string, readonly entries: readonly FolderEntry[]) {}

  get fileName(): string {
    return path.basename(this.path);
  }

  /** Lists `dir` (not recursively; hidden files are skipped). */
  static async open(dir: string): Promise<ExportFolder> {
    let names: string[];
    try {
      names = (await fs.promises.readdir(dir)).filter((n) => !n.startsWith(".")).sort();
    } catch (e) {
      throw new ImportError(dir, `cannot list the folder: ${(e as Error).message}`);
    }
    const entries: FolderEntry[] = [];
    for (const name of names) {
      const p = path.join(dir, name);
      const stat = await fs.promises.stat(p).catch(() => null);
      if (!stat?.isFile()) continue;
      // A file whose gzip stream is unreadable from its start gets an empty head: detection skips it, reading reports it.
      const { gzipped, head } = await readHead(p, stat.size, FOLDER_HEAD_BYTES).catch(() => ({ gzipped: true, head: new Uint8Array(0) }));
      entries.push({ name, path: p, sizeBytes: stat.size, gzipped, head });
    }
    return new ExportFolder(dir, entries);
  }

  /** The file's whole content, decompressed. */
  static async content(entry: FolderEntry): Promise<Uint8Array> {
    let data: Buffer;
    try {
      data = await fs.promises.readFile(entry.path);
    } catch (e) {
      throw new ImportError(entry.path, `cannot read: ${(e as Error).message}`);
    }
    if (!entry.gzipped) return data;
    try {
      return zlib.gunzipSync(data);
    } catch (e) {
      const m = (e as Error).message;
      throw new ImportError(entry.path, m === "unexpected end of file" ? "truncated gzip (unexpected end of file)" : `corrupt gzip: ${m}`);
    }
  }
}
