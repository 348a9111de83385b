/**
 * nsys enum ids → canonical strings. Newer exports carry ENUM_* tables (read when present); older ones
 * (2021–2022) do not, so the values observed in every export so far are built in as the fallback.
 */
import type { NsysDb } from "./db";

/** ENUM_CUDA_MEMCPY_OPER as exported by nsys 2022.1 … 2025.1 (labels already in the short canonical form). */
const MEMCPY_KINDS: readonly (string | null)[] = [
  null, "HtoD", "DtoH", "HtoA", "AtoH", "AtoA", "AtoD", "DtoA", "DtoD", "HtoH", "PtoP", "UVM HtoD", "UVM DtoH", "UVM DtoD",
];

/** ENUM_CUDA_MEM_KIND labels; 7 (Unknown) becomes null. */
const MEM_KINDS: readonly (string | null)[] = [
  "Pageable", "Pinned", "Device", "Array", "Managed", "Device Static", "Managed Static", null,
];

/** nsys launchType (not CUPTI's numbering: nsys has 0 = Unknown). */
const LAUNCH_TYPES: Readonly<Record<number, string>> = {
  1: "regular",
  2: "cooperative_single_device",
  3: "cooperative_multi_device",
};

/** ENUM_CUPTI_SYNC_TYPE. */
const SYNC_KINDS: Readonly<Record<number, string>> = { 1: "event", 2: "stream_wait", 3: "stream", 4: "context" };

/** ENUM_CUPTI_STREAM_TYPE (TARGET_INFO_CUDA_STREAM.flag). */
const STREAM_TYPES: Readonly<Record<number, string>> = { 1: "default", 2: "non_blocking", 3: "null" };

const ENDPOINT: Readonly<Record<string, string>> = { HOST: "H", DEVICE: "D", ARRAY: "A", PEER: "P" };

/**
 * Short copy direction from an ENUM_CUDA_MEMCPY_OPER row: name `CUDA_MEMCPY_KIND_UVM_HTOD` or label
 * "Unified Host-to-Device" → "UVM HtoD"; Unknown → null; anything unrecognised keeps its label.
 */
export function shortCopyKind(name: string | null, label: string | null): string | null {
  const m = /^(?:CUDA_MEMCPY_KIND_)?(UVM_)?([HDAP])TO([HDAP])$/.exec((name ?? "").toUpperCase());
  if (m) return `${m[1] ? "UVM " : ""}${m[2]}to${m[3]}`;
  const l = /^(Unified )?(Host|Device|Array|Peer)-to-(Host|Device|Array|Peer)$/i.exec(label ?? "");
  if (l) return `${l[1] ? "UVM " : ""}${ENDPOINT[l[2].toUpperCase()]}to${ENDPOINT[l[3].toUpperCase()]}`;
  const text = label ?? name;
  return text && !/unknown/i.test(text) ? text : null;
}

/** Memory kind from an ENUM_CUDA_MEM_KIND row: the label as nsys gives it ("Pageable", "Device Static"); Unknown → null. */
export function memKindLabel(name: string | null, label: string | null): string | null {
  const text = label ?? name;
  return text && !/unknown/i.test(text) ? text : null;
}

/** id → string lookups for one export. */
export class NsysEnums {
  private constructor(private readonly copyKinds: Map<number, string | null>, private readonly memKinds: Map<number, string | null>) {}

  static load(db: NsysDb): NsysEnums {
    const copy = readEnum(db, "ENUM_CUDA_MEMCPY_OPER", shortCopyKind) ?? builtIn(MEMCPY_KINDS);
    const mem = readEnum(db, "ENUM_CUDA_MEM_KIND", memKindLabel) ?? builtIn(MEM_KINDS);
    return new NsysEnums(copy, mem);
  }

  copyKind(id: number | null): string | null {
    return id === null ? null : (this.copyKinds.get(id) ?? null);
  }

  memKind(id: number | null): string | null {
    return id === null ? null : (this.memKinds.get(id) ?? null);
  }
}

/** Canonical launch_type, null for Unknown (0), a NULL column or an id nsys has not defined. */
export function launchType(id: number | null): string | null {
  return id === null ? null : (LAUNCH_TYPES[id] ?? null);
}

/** Canonical sync_kind for a syncType id ("unknown" for 0 and anything undefined). */
export function syncKind(id: number | null): string {
  return id === null ? "unknown" : (SYNC_KINDS[id] ?? "unknown");
}

/** Canonical stream_type for a TARGET_INFO_CUDA_STREAM.flag, null when unknown. */
export function streamType(flag: number | null): string | null {
  return flag === null ? null : (STREAM_TYPES[flag] ?? null);
}

function builtIn(values: readonly (string | null)[]): Map<number, string | null> {
  return new Map(values.map((v, i) => [i, v]));
}

function readEnum(db: NsysDb, table: string, map: (name: string | null, label: string | null) => string | null): Map<number, string | null> | null {
  if (!db.has(table)) return null;
  const cols = db.columns(table);
  if (!cols.has("id")) return null;
  const out = new Map<number, string | null>();
  db.each(`SELECT id, ${cols.expr("name")} AS name, ${cols.expr("label")} AS label FROM ${cols.from}`, (r) => {
    if (typeof r.id !== "number") return;
    out.set(r.id, map(typeof r.name === "string" ? r.name : null, typeof r.label === "string" ? r.label : null));
  });
  return out.size > 0 ? out : null;
}
