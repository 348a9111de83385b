#!/usr/bin/env node
// Writes schemas/trace.proto and schemas/TABLES.md from the compiled table declarations (run `npm run build` first).
// With --check, exits 1 when the committed files differ from what the declarations give.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { protoText, tablesMarkdown } = require("../dist/src/trace/schema-doc.js");

const root = path.resolve(__dirname, "..");
const files = { "schemas/trace.proto": protoText(), "schemas/TABLES.md": tablesMarkdown() };
const check = process.argv.includes("--check");
let stale = false;
for (const [rel, text] of Object.entries(files)) {
  const file = path.join(root, rel);
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  if (current === text) continue;
  if (check) { console.error(`${rel} is out of date: run npm run schema-doc`); stale = true; }
  else { fs.writeFileSync(file, text); console.log(`wrote ${rel}`); }
}
process.exit(stale ? 1 : 0);
