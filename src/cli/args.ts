/** A small argument parser: positionals, `--flag`, `--key value`, `--key=value`, `-o value`. No dependency needed. */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

/** Thrown for a usage mistake; the CLI prints it with the command's usage and exits with status 2. */
export class UsageError extends Error {}

export function parseArgs(argv: string[], valued: readonly string[], flags: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith("-") || a === "-") { positionals.push(a); continue; }
    const eq = a.indexOf("=");
    const key = eq > 0 ? a.slice(0, eq) : a;
    if (valued.includes(key)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${key} needs a value`);
      options.set(key, value);
    } else if (flags.includes(key) && eq < 0) options.set(key, true);
    else throw new UsageError(`unknown option ${key}`);
  }
  return { positionals, options };
}

/** `--seed <n>` of the validation commands (colocation, stacking, phases): a whole number ≥ 0, default 1. */
export function seedOption(options: Map<string, string | true>): number {
  const seed = Number(options.get("--seed") ?? 1);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError("--seed takes a whole number ≥ 0");
  return seed;
}
