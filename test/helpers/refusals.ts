/**
 * The importers' promise on bad input, checked in one place: importing `file` fails with one ImportError that names
 * the file and matches `cause`, and the file's bytes are unchanged.
 */
import { expect } from "vitest";
import { importTrace, ImportError } from "../../src/ingest";
import { sha256File } from "./files";

export async function expectImportRefused(file: string, cause: RegExp, format?: string): Promise<ImportError> {
  const before = sha256File(file);
  const err = await importTrace(file, format ? { format } : {}).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ImportError);
  expect((err as ImportError).file).toBe(file);
  expect((err as ImportError).message).toContain(file);
  expect((err as ImportError).message).toMatch(cause);
  expect(sha256File(file)).toBe(before);
  return err as ImportError;
}
