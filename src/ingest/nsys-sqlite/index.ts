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
import { ImportContext, TABLE } from "./context";
import { isSqliteError, NsysDb } from "./db";
import { writeDevices } from "./devices";
import { NsysEnums } from "./enums";
import { readKernels, readMemops, readSyncs } from "./gpu-activity";
import { readApiCalls, readNvtx } from "./host-activity";
import { readSourceTool, readTimeBase, writeProcesses, writeStreams } from "./target-info";

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
    requireKernelTable(db, source.path);
    sink.meta.sourceTool = readSourceTool(db);
    const ctx = new ImportContext(db, sink, NsysEnums.load(db), readTimeBase(db, sink));
    readKernels(ctx);
    readMemops(ctx);
    readApiCalls(ctx); // before the syncs: they take their thread from the API call
    readSyncs(ctx);
    readNvtx(ctx);
    writeDevices(ctx);
    writeStreams(ctx); // before the processes: stream owners are processes too
    writeProcesses(ctx);
    ctx.tally.flush(sink);
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

/** Refuses SQLite files that are not nsys exports, and nsys exports without kernels. */
function requireKernelTable(db: NsysDb, file: string): void {
  const nsysLike = db.has("StringIds") || db.tableNames().some((t) => /^(TARGET_INFO_|CUPTI_)/i.test(t));
  if (!nsysLike) {
    throw new ImportError(file,
      "SQLite database is not an Nsight Systems export (it has no StringIds, TARGET_INFO_* or CUPTI_* tables; expected the output of `nsys export --type sqlite`)");
  }
  if (!db.has(TABLE.kernel)) {
    throw new ImportError(file,
      `no ${TABLE.kernel} table: the report recorded no CUDA kernels (profile with \`nsys profile -t cuda\`)`);
  }
  const c = db.columns(TABLE.kernel);
  for (const column of ["start", "end"]) {
    if (!c.has(column)) throw new ImportError(file, `${TABLE.kernel} has no \`${column}\` column: not an nsys kernel table`);
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
