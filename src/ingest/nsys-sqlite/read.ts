/**
 * The one row-building path for every Nsight Systems export: given an open export (the SQLite file itself, or the
 * private SQLite database that the JSON, Arrow and Parquet importers stage their tables into), check that it is an
 * nsys export with kernels and stream every table into the sink. Sharing it is what makes all export types of one
 * report give the same canonical rows.
 */
import { ImportError } from "../errors";
import type { TraceSink } from "../sink";
import { ImportContext, TABLE } from "./context";
import type { NsysDb } from "./db";
import { writeDevices } from "./devices";
import { NsysEnums } from "./enums";
import { readKernels, readMemops, readSyncs } from "./gpu-activity";
import { readApiCalls, readNvtx } from "./host-activity";
import { readSourceTool, readTimeBase, writeProcesses, writeStreams } from "./target-info";

/** Reads every canonical table from `db` into `sink`; `file` names the input in errors. */
export function readNsysTables(db: NsysDb, sink: TraceSink, file: string, exportType = "sqlite"): void {
  requireKernelTable(db, file, exportType);
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
}

/** Refuses exports that are not nsys exports, and nsys exports without kernels. */
function requireKernelTable(db: NsysDb, file: string, exportType: string): void {
  const nsysLike = db.has("StringIds") || db.tableNames().some((t) => /^(TARGET_INFO_|CUPTI_)/i.test(t));
  const kind = exportType === "sqlite" ? "SQLite database" : `${exportType} export`;
  if (!nsysLike) {
    throw new ImportError(file,
      `${kind} is not an Nsight Systems export (it has no StringIds, TARGET_INFO_* or CUPTI_* tables; expected the output of \`nsys export --type ${exportType}\`)`);
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
