/** The package's own name and version, read once from package.json (stamped into every file it writes). */
import * as fs from "node:fs";
import { packageRoot } from "./paths";

let cached: string | undefined;

export function producer(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(fs.readFileSync(`${packageRoot()}/package.json`, "utf8")) as { name: string; version: string };
    cached = `${pkg.name} ${pkg.version}`;
  }
  return cached;
}
