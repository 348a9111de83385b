/**
 * Nsight Systems Parquet folder export (`nsys export --type parquetdir`: a folder `<name>_pqtdir` of one
 * `<TABLE>.parquet` per table, [NSYS-ARROW] and the veloq note in ../shared/reference/trace-formats.md §1.11).
 *
 * Read with hyparquet (npm `hyparquet`): a maintained, dependency-free, pure-JavaScript Parquet reader, so it
 * installs on Node 20 from the registry with no native build or WebAssembly blob (parquet-wasm ships a ~5 MB wasm
 * build and reads through Arrow buffers; the parquetjs family is unmaintained). hyparquet is an ES module; Node 20.19+
 * loads it through require(), which is what this CommonJS build compiles the import to.
 *
 * The row groups of the tables the nsys row builders read are decoded one at a time and staged into a private
 * SQLite database (nsys-common/staging.ts), then read by the same builders as the SQLite export, so the same report
 * gives the same canonical rows. Timestamps stay integers (a TIMESTAMP column would otherwise become a Date in ms).
 */
import * as fs from "node:fs";
import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { ImportError } from "../errors";
import { ExportFolder, type FolderEntry } from "../folder";
import type { FolderImporter } from "../importer";
import { stageValue } from "../nsys-common/arrow-rows";
import { StagingDb, type StageValue } from "../nsys-common/staging";
import { looksLikeNsysTables } from "../nsys-common/tables";
import { tableOfFile } from "../nsys-arrow";
import type { TraceSink } from "../sink";

/** "PAR1", the magic at both ends of a Parquet file (Apache Parquet format spec, "File Format"). */
const PARQUET_MAGIC = "PAR1";

function isParquet(head: Uint8Array): boolean {
  return head.length >= 4 && Buffer.from(head.buffer, head.byteOffset, 4).toString("latin1") === PARQUET_MAGIC;
}

export const nsysParquetDirImporter: FolderImporter = {
  format: "nsys-parquetdir",
  description: "Nsight Systems Parquet folder export, one .parquet file per table (nsys export --type parquetdir)",
  sniffFolder(folder) {
    const files = folder.entries.filter((e) => isParquet(e.head));
    return files.length > 0 && looksLikeNsysTables(files.map((e) => tableOfFile(e.name)));
  },
  readFolder: readParquetDir,
};

/** Keep integer timestamps as the integers the SQLite export holds. */
const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => v,
  timestampFromMicroseconds: (v: bigint) => v,
  timestampFromNanoseconds: (v: bigint) => v,
};

async function readParquetDir(folder: ExportFolder, sink: TraceSink): Promise<void> {
  const stage = StagingDb.create();
  try {
    for (const entry of folder.entries) {
      if (!isParquet(entry.head) || !stage.wants(tableOfFile(entry.name))) continue;
      await stageParquetFile(entry, stage);
    }
    stage.readInto(sink, folder.path, "parquetdir");
  } finally {
    stage.close();
  }
}

async function stageParquetFile(entry: FolderEntry, stage: StagingDb): Promise<void> {
  const table = tableOfFile(entry.name);
  const file = entry.gzipped ? bufferOf(await ExportFolder.content(entry)) : await fileBuffer(entry.path);
  try {
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file, { parsers: PARSERS });
    } catch (e) {
      throw new ImportError(entry.path, `unreadable Parquet footer (truncated or corrupt): ${(e as Error).message}`);
    }
    // Top-level columns: the schema's root element lists its children first; nsys tables are flat.
    const root = metadata.schema[0];
    const columns = metadata.schema.slice(1, 1 + (root.num_children ?? 0)).map((s) => s.name);
    stage.declare(table, columns);
    const out = stage.table(table, columns);
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      let rows: unknown[][] = [];
      try {
        await parquetRead({ file, metadata, rowStart: start, rowEnd: end, parsers: PARSERS, onComplete: (r) => (rows = r) });
      } catch (e) {
        throw new ImportError(entry.path, `unreadable Parquet data (truncated or corrupt): ${(e as Error).message}`);
      }
      const row: StageValue[] = new Array(columns.length);
      for (const r of rows) {
        for (let j = 0; j < columns.length; j++) row[j] = stageValue(r[j]);
        out.add(row);
      }
      start = end;
    }
  } finally {
    if ("close" in file) await (file as { close(): Promise<void> }).close();
  }
}

function bufferOf(data: Uint8Array): AsyncBuffer {
  return { byteLength: data.byteLength, slice: (s, e) => data.slice(s, e).buffer as ArrayBuffer };
}

/** Reads byte ranges of a file on demand (hyparquet asks for the footer, then each column chunk). */
async function fileBuffer(file: string): Promise<AsyncBuffer & { close(): Promise<void> }> {
  let fd: fs.promises.FileHandle;
  try {
    fd = await fs.promises.open(file, "r");
  } catch (e) {
    throw new ImportError(file, `cannot read: ${(e as Error).message}`);
  }
  const { size } = await fd.stat();
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const out = Buffer.alloc(Math.max(0, stop - start));
      if (out.length > 0) await fd.read(out, 0, out.length, start);
      return out.buffer.slice(out.byteOffset, out.byteOffset + out.length) as ArrayBuffer;
    },
    close: () => fd.close(),
  };
}
