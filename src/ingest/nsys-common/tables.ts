/**
 * The export tables the nsys row builders (src/ingest/nsys-sqlite) read. The JSON, Arrow and Parquet importers stage
 * only these into their private SQLite database; the rest of an export (OS runtime, sampling, dynamic NVTX payload
 * tables, …) cannot change a canonical row, so it is skipped without being decoded further than needed to pass it.
 * test/ingest/nsys-exports.test.ts checks that every table name the builders mention is listed here.
 */
export const READ_TABLES: ReadonlySet<string> = new Set([
  // events (context.ts TABLE)
  "CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_MEMSET",
  "CUPTI_ACTIVITY_KIND_SYNCHRONIZATION", "CUPTI_ACTIVITY_KIND_RUNTIME", "NVTX_EVENTS",
  // strings, enums and version (db.ts, enums.ts, target-info.ts)
  "STRINGIDS", "ENUM_CUDA_MEMCPY_OPER", "ENUM_CUDA_MEM_KIND", "META_DATA_EXPORT", "EXPORT_META_DATA",
  // descriptive tables (target-info.ts, devices.ts)
  "TARGET_INFO_SESSION_START_TIME", "TARGET_INFO_CUDA_STREAM", "TARGET_INFO_CUDA_CONTEXT_INFO",
  "TARGET_INFO_CUDA_NULL_STREAM", "PROCESSES", "TARGET_INFO_GPU", "TARGET_INFO_CUDA_GPU", "TARGET_INFO_CUDA_DEVICE",
]);

/** Whether the row builders read `table` (case-insensitive, as SQLite table names are). */
export function isReadTable(table: string): boolean {
  return READ_TABLES.has(table.toUpperCase());
}

/**
 * Whether a set of table names looks like an nsys export: the string table or a CUPTI / TARGET_INFO table
 * (the same rule the SQLite importer applies to its catalogue).
 */
export function looksLikeNsysTables(names: Iterable<string>): boolean {
  for (const n of names) if (/^(StringIds$|TARGET_INFO_|CUPTI_ACTIVITY_KIND_|ENUM_|META_DATA_EXPORT$|NVTX_EVENTS$)/i.test(n)) return true;
  return false;
}
