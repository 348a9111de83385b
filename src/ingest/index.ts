/**
 * Importer registry and the one entry point `importTrace`: detect the format from the content, stream the file
 * through its importer, return the canonical tables. Adding a format = one folder + one line in IMPORTERS (or in
 * FOLDER_IMPORTERS for a format that is a folder of files, like nsys arrowdir / parquetdir exports).
 */
import * as fs from "node:fs";
import { readTraceFile, looksLikeArrow } from "../trace/io";
import type { Trace } from "../trace/tables";
import { ImportError } from "./errors";
import { ExportFolder } from "./folder";
import type { FolderImporter, Importer } from "./importer";
import { chakraEtImporter, chakraJsonImporter } from "./chakra";
import { cuptiStreamImporter } from "./cupti-stream";
import { kinetoJsonImporter } from "./kineto-json";
import { isNsysArrowStream, nsysArrowDirImporter, nsysArrowImporter } from "./nsys-arrow";
import { nsysJsonImporter } from "./nsys-json";
import { nsysParquetDirImporter } from "./nsys-parquet";
import { nsysRepImporter } from "./nsys-rep";
import { nsysSqliteImporter } from "./nsys-sqlite";
import { RECOGNIZERS } from "./recognizers";
import { TraceSink } from "./sink";
import { TraceSource } from "./source";

/**
 * Built-in importers of single files, tried in this order: the binary formats by their magic first, then nsys JSON
 * lines (a line with an nsys `"table"`) and Chakra JSON (`workload_graph`) before Kineto, which claims any JSON;
 * Chakra `.et` last, as it has no magic (its first messages are checked at the protobuf wire level).
 */
export const IMPORTERS: readonly Importer[] = [
  nsysSqliteImporter, nsysRepImporter, nsysArrowImporter, cuptiStreamImporter, nsysJsonImporter, chakraJsonImporter,
  kinetoJsonImporter, chakraEtImporter,
];

/** Built-in importers of folders (one file per table). */
export const FOLDER_IMPORTERS: readonly FolderImporter[] = [nsysArrowDirImporter, nsysParquetDirImporter];

const allFormats = (): string[] => [...IMPORTERS, ...FOLDER_IMPORTERS].map((i) => i.format);

export interface ImportOptions {
  /** Force a format by its registry key instead of detecting it. */
  format?: string;
}

/** Finds the importer for a source, or throws an ImportError that says what the file is and what to do. */
export function detectImporter(source: TraceSource, options: ImportOptions = {}): Importer {
  if (options.format) {
    const forced = IMPORTERS.find((i) => i.format === options.format);
    if (!forced) {
      const folder = FOLDER_IMPORTERS.some((i) => i.format === options.format);
      throw new ImportError(source.path, folder
        ? `format "${options.format}" reads a folder (the export's \`_arwdir\` / \`_pqtdir\` directory), not a file`
        : `unknown format "${options.format}" (known: ${allFormats().join(", ")})`);
    }
    return forced;
  }
  const found = IMPORTERS.find((i) => i.sniff(source.head, source.fileName));
  if (found) return found;
  const known = RECOGNIZERS.find((r) => r.sniff(source.head, source.fileName));
  if (known) throw new ImportError(source.path, `${known.what}; ${known.advice}`);
  if (looksLikeArrow(source.head)) throw new ImportError(source.path, "an Arrow file that is not an nsys export (no `table_name` schema metadata): read lithos-replay's own .arrow files with `lithos-replay info`");
  throw new ImportError(
    source.path,
    `unrecognised format (expected ${IMPORTERS.map((i) => i.description).join(" or ")})`,
  );
}

/** Finds the importer for a folder, or throws an ImportError that says what was expected. */
export function detectFolderImporter(folder: ExportFolder, options: ImportOptions = {}): FolderImporter {
  if (options.format) {
    const forced = FOLDER_IMPORTERS.find((i) => i.format === options.format);
    if (!forced) {
      throw new ImportError(folder.path, `is a directory; format "${options.format}" reads a file (folder formats: ${FOLDER_IMPORTERS.map((i) => i.format).join(", ")})`);
    }
    return forced;
  }
  const found = FOLDER_IMPORTERS.find((i) => i.sniffFolder(folder));
  if (found) return found;
  throw new ImportError(folder.path,
    `is a directory, not a trace file (nor an nsys arrowdir/parquetdir export: no Arrow or Parquet files named after nsys tables in it)`);
}

/** Imports one trace file (or nsys export folder) into canonical tables. Throws ImportError on bad input; never modifies the input. */
export async function importTrace(file: string, options: ImportOptions = {}): Promise<Trace> {
  if (isDirectory(file)) return importFolder(await ExportFolder.open(file), options);
  return importSource(await TraceSource.open(file), options);
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false; // TraceSource.open says what is wrong
  }
}

async function importFolder(folder: ExportFolder, options: ImportOptions): Promise<Trace> {
  const importer = detectFolderImporter(folder, options);
  const sink = new TraceSink(importer.format, folder.fileName);
  await importer.readFolder(folder, sink);
  return sink.finish();
}

async function importSource(source: TraceSource, options: ImportOptions): Promise<Trace> {
  const importer = detectImporter(source, options);
  const sink = new TraceSink(importer.format, source.fileName);
  await importer.read(source, sink);
  return sink.finish();
}

/** Loads a trace from any supported input or from a `.arrow` file written by this package. */
export async function loadTrace(file: string, options: ImportOptions = {}): Promise<Trace> {
  if (isDirectory(file)) return importFolder(await ExportFolder.open(file), options);
  const source = await TraceSource.open(file);
  // lithos-replay's own files are Arrow streams too; nsys's name each table in `table_name` metadata
  if (!source.gzipped && looksLikeArrow(source.head) && !isNsysArrowStream(source.head) && !options.format) {
    try {
      return await readTraceFile(file);
    } catch (e) {
      throw new ImportError(file, `unreadable Arrow trace file: ${(e as Error).message}`);
    }
  }
  return importSource(source, options);
}

export { ExportFolder, ImportError, TraceSink, TraceSource };
