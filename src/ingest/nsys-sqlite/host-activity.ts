/**
 * Host activity: CUPTI_ACTIVITY_KIND_RUNTIME → api (CUDA runtime and driver calls) and NVTX_EVENTS →
 * annotations (category "nvtx"). Process and thread ids are decoded from globalTid in SQL.
 */
import { apiDomain, apiSyncKind, stripApiVersion } from "../common/api-calls";
import type { AnnotationRow, ApiRow } from "../../trace/schema";
import { selectList } from "./db";
import { TABLE, type ImportContext } from "./context";

/** ENUM_NSYS_EVENT_CLASS ids of real API calls. Others (67 "CUDA backtrace") repeat a call to attach its callchain. */
const EVENT_CLASS_DOMAIN: Readonly<Record<number, "runtime" | "driver">> = { 0: "runtime", 1: "driver" };

/** What a RUNTIME nameId means, worked out once per distinct id. */
interface ApiName {
  readonly name: string;
  readonly domain: "runtime" | "driver" | null;
  readonly syncKind: string | null;
  readonly resolved: boolean;
}

/** Streams CUPTI_ACTIVITY_KIND_RUNTIME into sink.apiCall; skips (and counts) rows that are not API calls. */
export function readApiCalls(ctx: ImportContext): void {
  const c = ctx.table(TABLE.runtime);
  if (!c) return;
  const { list, at } = selectList({
    r: c.rowid(), s: ctx.time(c, "start"), e: ctx.time(c, "end"), ec: c.expr("eventClass"), pid: c.pid("globalTid"),
    tid: c.tid("globalTid"), corr: c.expr("correlationId"), n: c.expr("nameId"),
  });
  const names = new Map<number, ApiName>();
  const skippedClasses = new Map<number, number>();
  const nameCol = `${TABLE.runtime}.nameId`;
  const row: ApiRow = { process_id: 0, thread_id: 0, start_ns: 0, end_ns: 0, name: "", domain: "runtime", source_row: 0 };
  let index = 0;
  ctx.db.rows(`SELECT ${list} FROM ${c.from}`, (r) => {
    index++;
    const ec = r.num(at.ec);
    if (ec !== null && !(ec in EVENT_CLASS_DOMAIN)) {
      skippedClasses.set(ec, (skippedClasses.get(ec) ?? 0) + 1);
      return;
    }
    const s = r.num(at.s), e = r.num(at.e), pid = r.num(at.pid), tid = r.num(at.tid);
    if (s === null || e === null) {
      ctx.tally.add("nsys.incomplete_row", TABLE.runtime);
      return;
    }
    if (pid === null || tid === null) {
      ctx.tally.add("nsys.api_without_thread", TABLE.runtime);
      return;
    }
    const api = apiName(ctx, names, r.num(at.n));
    if (!api.resolved) ctx.tally.add("nsys.unresolved_string", nameCol);
    const corr = r.num(at.corr);
    row.process_id = pid;
    row.thread_id = tid;
    row.correlation_id = corr;
    row.start_ns = s;
    row.end_ns = e;
    row.name = api.name;
    row.domain = (ec !== null ? EVENT_CLASS_DOMAIN[ec] : api.domain) ?? "runtime";
    row.sync_kind = api.syncKind;
    row.source_row = r.num(at.r) ?? index;
    if (corr !== null && (api.syncKind !== null || api.name.includes("WaitEvent"))) ctx.noteWaitingThread(pid, corr, tid);
    ctx.seen.process(pid);
    ctx.sink.apiCall(row);
  });
  for (const [ec, n] of skippedClasses) ctx.sink.diagnose("nsys.non_api_runtime_rows", n, `eventClass ${ec}`);
}

function apiName(ctx: ImportContext, cache: Map<number, ApiName>, id: number | null): ApiName {
  const key = id ?? -1;
  let api = cache.get(key);
  if (!api) {
    const text = id === null ? undefined : ctx.db.string(id);
    if (text === undefined) api = { name: id === null ? "" : String(id), domain: null, syncKind: null, resolved: false };
    else {
      const name = stripApiVersion(text);
      api = { name, domain: apiDomain(name), syncKind: apiSyncKind(name), resolved: true };
    }
    cache.set(key, api);
  }
  return api;
}

/**
 * NVTX_EVENTS types that describe rather than time something: categories (33, 64), thread and process naming
 * (39, 72–74), domain creation and destruction (75, 76). Marks are 34 (NvtxMark) and 65 (NvtxtMark).
 */
const NVTX_META = new Set([33, 39, 64, 72, 73, 74, 75, 76]);
const NVTX_MARKS = new Set([34, 65]);

/** Streams NVTX_EVENTS ranges and marks into sink.annotation (a mark gets end_ns = start_ns). */
export function readNvtx(ctx: ImportContext): void {
  const c = ctx.table(TABLE.nvtx);
  if (!c) return;
  const { list, at } = selectList({
    r: c.rowid(), s: ctx.time(c, "start"), e: ctx.time(c, "end"), et: c.expr("eventType"), tx: c.expr("text"),
    ti: c.expr("textId"), pid: c.pid("globalTid"), tid: c.tid("globalTid"),
  });
  const textCol = `${TABLE.nvtx}.textId`;
  const row: AnnotationRow = { category: "nvtx", name: "", start_ns: 0, end_ns: 0, source_row: 0 };
  let index = 0;
  let meta = 0;
  ctx.db.rows(`SELECT ${list} FROM ${c.from}`, (r) => {
    index++;
    const et = r.num(at.et), s = r.num(at.s), e = r.num(at.e);
    if (et !== null && (NVTX_META.has(et) || (e === null && !NVTX_MARKS.has(et)))) {
      meta++;
      return;
    }
    if (s === null) {
      ctx.tally.add("nsys.incomplete_row", TABLE.nvtx);
      return;
    }
    const pid = r.num(at.pid);
    row.name = nvtxText(ctx, r.text(at.tx), r.num(at.ti), textCol);
    row.process_id = pid;
    row.thread_id = r.num(at.tid);
    row.start_ns = s;
    row.end_ns = e ?? s;
    row.source_row = r.num(at.r) ?? index;
    ctx.seen.process(pid);
    ctx.sink.annotation(row);
  });
  if (meta > 0) ctx.sink.diagnose("nsys.nvtx_meta_rows", meta, TABLE.nvtx);
}

/** COALESCE(text, StringIds[textId]); "" (counted) when the range has neither. */
function nvtxText(ctx: ImportContext, text: string | null, textId: number | null, what: string): string {
  if (text !== null) return text;
  if (textId !== null) {
    const s = ctx.db.string(textId);
    if (s !== undefined) return s;
    ctx.tally.add("nsys.unresolved_string", what);
    return String(textId);
  }
  ctx.tally.add("nsys.nvtx_without_text", TABLE.nvtx);
  return "";
}
