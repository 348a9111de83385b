/**
 * Nsight Systems Arrow exports ([NSYS-ARROW] in ../shared/reference/trace-formats.md §1.11):
 * - `nsys export --type arrow`: one `.arrows` file of IPC streams written one after another, one per table, each
 *   named by its schema metadata key `table_name` (nsys-arrow);
 * - `nsys export --type arrowdir`: a folder `<name>_arwdir` of one Arrow file per table (nsys-arrowdir).
 * The record batches of the tables the nsys row builders read are staged, row by row, into a private SQLite
 * database (nsys-common/staging.ts) and read by the same builders as the SQLite export, so the same report gives
 * the same canonical rows. Batches are streamed: a table is never held whole in memory, and batches of tables that
 * are not read are passed over.
 */
import { RecordBatchReader } from "apache-arrow";
import { META } from "../../trace/schema";
import { ImportError } from "../errors";
import { ExportFolder, type FolderEntry } from "../folder";
import type { FolderImporter, Importer } from "../importer";
import { stageBatch } from "../nsys-common/arrow-rows";
import { StagingDb } from "../nsys-common/staging";
import { looksLikeNsysTables } from "../nsys-common/tables";
import type { TraceSink } from "../sink";
import type { TraceSource } from "../source";

/** The schema metadata key that names an nsys table ([NSYS-ARROW]). */
export const TABLE_NAME_KEY = "table_name";

/** A key every schema of a lithos-replay trace file carries (src/trace/schema.ts META). */
const OWN_FILE_KEY = META.schemaVersion;

const CONTINUATION = 0xffffffff; // IPC stream messages since Arrow 0.15 start with this marker

/** Whether `head` starts an Arrow IPC stream whose schema metadata holds `table_name` (nsys), not a lithos trace. */
export function isNsysArrowStream(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint32(0, true) !== CONTINUATION) return false;
  const metaLength = view.getInt32(4, true);
  const schema = Buffer.from(head.buffer, head.byteOffset + 8, Math.min(Math.max(metaLength, 0), head.length - 8));
  // lithos-replay's own trace files use the same layout and key, and stamp every schema with lithos.* keys
  return schema.includes(TABLE_NAME_KEY, 0, "latin1") && !schema.includes(OWN_FILE_KEY, 0, "latin1");
}

/** Whether `head` starts an Arrow IPC file ("ARROW1") or stream. */
function isArrowIpc(head: Uint8Array): boolean {
  const file = head.length >= 6 && Buffer.from(head.buffer, head.byteOffset, 6).toString("latin1") === "ARROW1";
  const stream = head.length >= 4 && new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true) === CONTINUATION;
  return file || stream;
}

/** Why an Arrow reader failed, said once (apache-arrow's messages name no file). */
function arrowError(file: string, e: unknown): ImportError {
  if (e instanceof ImportError) return e;
  const m = (e as Error).message ?? String(e);
  return new ImportError(file, `unreadable Arrow IPC data (truncated or corrupt): ${m}`);
}

export const nsysArrowImporter: Importer = {
  format: "nsys-arrow",
  description: "Nsight Systems Arrow export, one .arrows IPC stream file (nsys export --type arrow)",
  sniff: isNsysArrowStream,
  read: readArrowStream,
};

async function readArrowStream(source: TraceSource, sink: TraceSink): Promise<void> {
  const stage = StagingDb.create();
  try {
    let streams = 0;
    try {
      for await (const reader of RecordBatchReader.readAll(source.chunks())) {
        streams++;
        await stageReader(reader, stage, source.path, `stream ${streams}`);
      }
    } catch (e) {
      throw arrowError(source.path, e);
    }
    if (streams === 0) throw new ImportError(source.path, "no Arrow IPC stream in the file");
    stage.readInto(sink, source.path, "arrow");
  } finally {
    stage.close();
  }
}

/** Stages the batches of one reader when the builders read its table; drains them otherwise. */
async function stageReader(reader: RecordBatchReader, stage: StagingDb, file: string, what: string, fallbackName?: string): Promise<void> {
  await reader.open();
  const name = reader.schema.metadata.get(TABLE_NAME_KEY) ?? fallbackName;
  if (name === undefined) throw new ImportError(file, `${what} has no \`${TABLE_NAME_KEY}\` schema metadata: not an nsys Arrow export`);
  if (!stage.wants(name)) {
    for await (const _batch of reader) void _batch; // read past it
    return;
  }
  const columns = reader.schema.fields.map((f) => f.name);
  stage.declare(name, columns);
  const out = stage.table(name, columns);
  for await (const batch of reader) stageBatch(batch, out);
}

/** The table an arrowdir file holds: its `table_name` metadata when readable from the head, else its file name. */
export function tableOfFile(name: string): string {
  return name.replace(/\.gz$/i, "").replace(/\.(arrows?|feather|ipc|parquet)$/i, "");
}

export const nsysArrowDirImporter: FolderImporter = {
  format: "nsys-arrowdir",
  description: "Nsight Systems Arrow folder export, one Arrow file per table (nsys export --type arrowdir)",
  sniffFolder(folder) {
    const arrow = folder.entries.filter((e) => isArrowIpc(e.head));
    return arrow.length > 0 && looksLikeNsysTables(arrow.map((e) => tableOfFile(e.name)));
  },
  readFolder: readArrowDir,
};

async function readArrowDir(folder: ExportFolder, sink: TraceSink): Promise<void> {
  const files = folder.entries.filter((e) => isArrowIpc(e.head));
  const stage = StagingDb.create();
  try {
    for (const entry of files) {
      if (!stage.wants(tableOfFile(entry.name))) continue;
      await stageArrowFile(entry, stage);
    }
    stage.readInto(sink, folder.path, "arrowdir");
  } finally {
    stage.close();
  }
}

async function stageArrowFile(entry: FolderEntry, stage: StagingDb): Promise<void> {
  try {
    // An IPC file needs random access (its footer): it is read whole; nsys writes one table per file.
    const reader = await RecordBatchReader.from(await ExportFolder.content(entry));
    await stageReader(reader, stage, entry.path, entry.name, tableOfFile(entry.name));
  } catch (e) {
    throw arrowError(entry.path, e);
  }
}
