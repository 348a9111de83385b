/**
 * The Importer contract: one per input format, each in its own folder under src/ingest.
 * An importer says from the first bytes whether a file is its format, then streams it into a TraceSink.
 */
import type { TraceSink } from "./sink";
import type { TraceSource } from "./source";
import type { ExportFolder } from "./folder";

export interface Importer {
  /** Registry key and CLI name, kebab-case: "kineto-json", "nsys-sqlite". */
  readonly format: string;
  /** One line for `--help` and error messages. */
  readonly description: string;
  /** True if the head (at most HEAD_BYTES, decompressed) looks like this format. Pure; never throws. */
  sniff(head: Uint8Array, fileName: string): boolean;
  /** Reads `source` into `sink`. Throws ImportError when no trustworthy tables can be produced. */
  read(source: TraceSource, sink: TraceSink): Promise<void>;
}

/**
 * A format this package recognises but does not import (yet): it only explains what the file is and what to do.
 * Checked after the importers, so a file is never refused when an importer can read it.
 */
export interface Recognizer {
  readonly what: string;
  sniff(head: Uint8Array, fileName: string): boolean;
  /** Why it cannot be imported and what to do instead. */
  readonly advice: string;
}

/** Decodes up to `n` leading bytes as text (for sniffing JSON and SQLite headers). */
export function headText(head: Uint8Array, n = head.length): string {
  return Buffer.from(head.buffer, head.byteOffset, Math.min(n, head.length)).toString("utf8");
}

/** An importer whose input is a folder of per-table files (nsys arrowdir / parquetdir exports). */
export interface FolderImporter {
  readonly format: string;
  readonly description: string;
  /** True if the folder's files look like this format. Pure; never throws. */
  sniffFolder(folder: ExportFolder): boolean;
  /** Reads the folder into `sink`. Throws ImportError when no trustworthy tables can be produced. */
  readFolder(folder: ExportFolder, sink: TraceSink): Promise<void>;
}
