/**
 * The one error an import may end with: the input cannot give trustworthy tables.
 * The CLI prints it as one line, `lithos-replay: <file>: <cause>`, and exits with status 2.
 */
export class ImportError extends Error {
  constructor(readonly file: string, readonly cause_: string) {
    super(`${file}: ${cause_}`);
    this.name = "ImportError";
  }
}
