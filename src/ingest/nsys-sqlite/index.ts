/** Nsight Systems SQLite export importer (placeholder, being written). */
import type { Importer } from "../importer";

export const nsysSqliteImporter: Importer = {
  format: "nsys-sqlite",
  description: "Nsight Systems SQLite export (nsys export --type sqlite)",
  sniff: (head) => Buffer.from(head.buffer, head.byteOffset, Math.min(16, head.length)).toString("latin1") === "SQLite format 3\u0000",
  read: async () => {
    throw new Error("not written yet");
  },
};
