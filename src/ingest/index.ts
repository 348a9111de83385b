/**
 * Importer registry and the one entry point `importTrace`: detect the format from the content, stream the file
 * through its importer, return the canonical tables. Adding a format = one folder + one line in IMPORTERS.
 */
import { readTraceFile, looksLikeArrow } from "../trace/io";
import type { Trace } from "../trace/tables";
import { ImportError } from "./errors";
import type { Importer } from "./importer";
import { kinetoJsonImporter } from "./kineto-json";
import { nsysSqliteImporter } from "./nsys-sqlite";
import { RECOGNIZERS } from "./recognizers";
import { TraceSink } from "./sink";
import { TraceSource } from "./source";

/** Built-in importers, tried in this order. */
export const IMPORTERS: readonly Importer[] = [nsysSqliteImporter, kinetoJsonImporter];

export interface ImportOptions {
  /** Force a format by its registry key instead of detecting it. */
  format?: string;
}

/** Finds the importer for a source, or throws an ImportError that says what the file is and what to do. */
export function detectImporter(source: TraceSource, options: ImportOptions = {}): Importer {
  if (options.format) {
    const forced = IMPORTERS.find((i) => i.format === options.format);
    if (!forced) throw new ImportError(source.path, `unknown format "${options.format}" (known: ${IMPORTERS.map((i) => i.format).join(", ")})`);
    return forced;
  }
  const found = IMPORTERS.find((i) => i.sniff(source.head, source.fileName));
  if (found) return found;
  const known = RECOGNIZERS.find((r) => r.sniff(source.head, source.fileName));
  if (known) throw new ImportError(source.path, `${known.what}; ${known.advice}`);
  if (looksLikeArrow(source.head)) throw new ImportError(source.path, "an Arrow file: read it with `lithos-replay info` (nsys Arrow exports are not read yet)");
  throw new ImportError(
    source.path,
    `unrecognised format (expected ${IMPORTERS.map((i) => i.description).join(" or ")})`,
  );
}

/** Imports one trace file into canonical tables. Throws ImportError on bad input; never modifies the input. */
export async function importTrace(file: string, options: ImportOptions = {}): Promise<Trace> {
  return importSource(await TraceSource.open(file), options);
}

async function importSource(source: TraceSource, options: ImportOptions): Promise<Trace> {
  const importer = detectImporter(source, options);
  const sink = new TraceSink(importer.format, source.fileName);
  await importer.read(source, sink);
  return sink.finish();
}

/** Loads a trace from any supported input or from a `.arrow` file written by this package. */
export async function loadTrace(file: string, options: ImportOptions = {}): Promise<Trace> {
  const source = await TraceSource.open(file);
  if (!source.gzipped && looksLikeArrow(source.head)) {
    try {
      return await readTraceFile(file);
    } catch (e) {
      throw new ImportError(file, `unreadable Arrow trace file: ${(e as Error).message}`);
    }
  }
  return importSource(source, options);
}

export { ImportError, TraceSink, TraceSource };
