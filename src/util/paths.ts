/** Locates files shipped with the package (schemas/, traces/), from both src/ (tests) and dist/src/ (built). */
import * as fs from "node:fs";
import * as path from "node:path";

let root: string | undefined;

/** The package root: the nearest ancestor of this file that holds package.json. */
export function packageRoot(): string {
  if (root === undefined) {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "package.json"))) {
      const up = path.dirname(dir);
      if (up === dir) throw new Error("lithos-replay: cannot find the package root (package.json)");
      dir = up;
    }
    root = dir;
  }
  return root;
}
