/**
 * Nsight Systems report (`.nsys-rep`, older `.qdrep`): a binary format that only nsys itself reads. When `nsys` is
 * on the PATH, the report is exported with `nsys export --type sqlite` into a private temporary folder and that
 * export is imported (the input is only read); otherwise the import is refused with the one command to run.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ImportError } from "../errors";
import { headText, type Importer } from "../importer";
import { nsysSqliteImporter } from "../nsys-sqlite";
import type { TraceSink } from "../sink";
import { TraceSource } from "../source";

/** The first bytes of every report among the fixtures (real/nvfuser/*.nsys-rep, SOURCES.md). */
export const REPORT_MAGIC = "NVIDIA Tegra Profiler Report";

export const REPORT_WHAT = "an Nsight Systems report (.nsys-rep/.qdrep, binary)";
export const REPORT_ADVICE = "export it first with `nsys export --type sqlite -o report.sqlite <file>` and import the .sqlite";

/** Generous: exporting a large report takes minutes. */
const EXPORT_TIMEOUT_MS = 30 * 60 * 1000;

export const nsysRepImporter: Importer = {
  format: "nsys-rep",
  description: "Nsight Systems report (.nsys-rep), exported with `nsys export` when nsys is on the PATH",
  sniff: (head, name) => headText(head, REPORT_MAGIC.length) === REPORT_MAGIC || /\.(nsys-rep|qdrep)$/i.test(name),
  read: readReport,
};

/** The `nsys` executable on the PATH, or null. */
export function findNsys(env: NodeJS.ProcessEnv = process.env): string | null {
  const names = process.platform === "win32" ? ["nsys.exe", "nsys.bat", "nsys"] : ["nsys"];
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const n of names) {
      const p = path.join(dir, n);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) return p;
      } catch {
        // not here
      }
    }
  }
  return null;
}

async function readReport(source: TraceSource, sink: TraceSink): Promise<void> {
  const nsys = findNsys();
  if (!nsys) {
    throw new ImportError(source.path,
      `${REPORT_WHAT}; nsys is not on the PATH: ${REPORT_ADVICE.replace("<file>", quoteArg(source.path))}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lithos-nsys-rep-"));
  try {
    const out = path.join(dir, "report.sqlite");
    const args = ["export", "--type", "sqlite", "--output", out, "--force-overwrite", "true", path.resolve(source.path)];
    try {
      await promisify(execFile)(nsys, args, { timeout: EXPORT_TIMEOUT_MS, maxBuffer: 16 << 20 });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      const why = (err.stderr ?? "").trim().split("\n").filter(Boolean).pop() ?? err.message;
      throw new ImportError(source.path, `\`nsys export --type sqlite\` failed: ${why}`);
    }
    if (!fs.existsSync(out)) throw new ImportError(source.path, "`nsys export --type sqlite` wrote no export");
    sink.diagnose("nsys.exported_report", 1, `${nsys} export --type sqlite`);
    // The rows name the export's origin as the report itself, not the temporary file
    const exported = await TraceSource.open(out);
    try {
      await nsysSqliteImporter.read(exported, sink);
    } catch (e) {
      if (e instanceof ImportError) throw new ImportError(source.path, e.cause_.split(out).join(source.path));
      throw e;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function quoteArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
