/**
 * Nsight Systems SQLite export importer (`nsys export --type sqlite`), every export schema among the fixtures
 * (about 2021 without a version table, 2.9.1 of nsys 2022, 3.13–3.17 of nsys 2024–2025).
 *
 * The export is opened read-only and streamed table by table into the sink: kernels, memops, API calls, syncs and
 * NVTX ranges row by row, then devices, streams and processes from the descriptive tables and from what the rows
 * referenced. Columns are read by name, absent optional tables become empty canonical tables (counted as
 * `nsys.missing_table`), and unknown tables and columns (Extra-P's EXTRAP_*, pipit's `name`) are ignored.
 *
 * The input file is never written. node-sqlite3-wasm locks a database by creating `<path>.lock` beside it, so the
 * importer opens a symlink in a private temporary folder instead: no directory next to the input is touched, a
 * read-only folder works, and several imports of one file do not lock each other out. A gzipped export is
 * decompressed into that folder first.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Importer } from "../importer";
import { ImportError } from "../errors";
import type { TraceSink } from "../sink";
import type { TraceSource } from "../source";
import { isSqliteError, NsysDb } from "./db";
import { readNsysTables } from "./read";

export const nsysSqliteImporter: Importer = {
  format: "nsys-sqlite",
  description: "Nsight Systems SQLite export (nsys export --type sqlite)",
  sniff: (head) => Buffer.from(head.buffer, head.byteOffset, Math.min(16, head.length)).toString("latin1") === "SQLite format 3\u0000",
  read: readNsysSqlite,
};

async function readNsysSqlite(source: TraceSource, sink: TraceSink): Promise<void> {
  const input = await privateCopyOrLink(source);
  let db: NsysDb | null = null;
  try {
    db = NsysDb.open(input.file);
    readNsysTables(db, sink, source.path);
  } catch (e) {
    if (isSqliteError(e)) {
      const message = e.message.split(input.file).join(source.path);
      throw new ImportError(source.path, `not a readable SQLite database: ${message}`);
    }
    throw e;
  } finally {
    try {
      db?.close();
    } finally {
      input.cleanup();
    }
  }
}

interface LocalInput {
  /** What to open: a symlink to the input, or the decompressed export. */
  readonly file: string;
  readonly cleanup: () => void;
}

/** A private temporary folder holding a symlink to the input (or, for a .gz, the decompressed export). */
async function privateCopyOrLink(source: TraceSource): Promise<LocalInput> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lithos-nsys-"));
  const cleanup = (): void => fs.rmSync(dir, { recursive: true, force: true });
  const file = path.join(dir, "input.sqlite");
  try {
    if (source.gzipped) {
      const out = await fs.promises.open(file, "w");
      try {
        for await (const chunk of source.chunks()) await out.write(chunk);
      } finally {
        await out.close();
      }
      return { file, cleanup };
    }
    try {
      fs.symlinkSync(path.resolve(source.path), file);
      return { file, cleanup };
    } catch {
      return { file: source.path, cleanup }; // no symlinks here (Windows without the privilege): open in place
    }
  } catch (e) {
    cleanup();
    throw e;
  }
}
