/**
 * The fields of one Chrome-trace event that the Kineto mapper reads, in one reusable record.
 *
 * Two readers fill it: the byte reader (fast-event.ts), which takes them straight from the input bytes, and
 * `fieldsFromParsed`, which takes them from a JSON.parse of the event's text (the fallback for anything the byte
 * reader declines). The mapper only ever sees this record, so both paths give the same rows by construction as long
 * as they put the same values here; values keep JSON.parse's types (`unknown`), and the mapper converts them.
 * One instance is reused for every event so the hot path allocates nothing per event.
 */
import { readTsText } from "./time";

export class EventFields {
  ph: unknown = undefined;
  cat: unknown = undefined;
  name: unknown = undefined;
  pid: unknown = undefined;
  tid: unknown = undefined;
  ts: unknown = undefined;
  dur: unknown = undefined;
  /** What readTsText finds in the event's text (the exact `ts` digits): whole µs and ns, valid when tsTextOk. */
  tsWhole = 0;
  tsFrac = 0;
  tsTextOk = false;
  /** The `args` values read (args.name only matters for `process_name` metadata events). */
  argName: unknown = undefined;
  device: unknown = undefined;
  stream: unknown = undefined;
  context: unknown = undefined;
  correlation: unknown = undefined;
  grid: unknown = undefined;
  block: unknown = undefined;
  registers: unknown = undefined; // "registers per thread"
  smem: unknown = undefined; // "shared memory"
  graphId: unknown = undefined; // "graph id"
  graphNodeId: unknown = undefined; // "graph node id"
  bytes: unknown = undefined;
  syncKind: unknown = undefined; // cuda_sync_kind
  waitOnStream: unknown = undefined; // wait_on_stream
  eventId: unknown = undefined; // event_id

  /** Forgets the event-level fields (everything but args). */
  resetTop(): void {
    this.ph = this.cat = this.name = this.pid = this.tid = this.ts = this.dur = undefined;
    this.tsTextOk = false;
    this.resetArgs();
  }

  /** Forgets the args fields: a repeated `args` key replaces the whole object in JSON.parse too. */
  resetArgs(): void {
    this.argName = this.device = this.stream = this.context = this.correlation = this.grid = this.block = undefined;
    this.registers = this.smem = this.graphId = this.graphNodeId = this.bytes = undefined;
    this.syncKind = this.waitOnStream = this.eventId = undefined;
  }
}

/**
 * Fills `f` from a parsed event and its text; returns false for an element that is not an object (the mapper
 * ignores those). Property reads mirror what the mapper did on the parsed object before the byte reader existed.
 */
export function fieldsFromParsed(f: EventFields, value: unknown, raw: string): boolean {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Record<string, unknown>;
  f.resetTop();
  f.ph = e.ph; f.cat = e.cat; f.name = e.name; f.pid = e.pid; f.tid = e.tid; f.ts = e.ts; f.dur = e.dur;
  const parts = readTsText(raw);
  if (parts !== null) {
    f.tsWhole = parts[0];
    f.tsFrac = parts[1];
    f.tsTextOk = true;
  }
  const args = e.args;
  if (args !== undefined && args !== null) {
    const a = args as Record<string, unknown>;
    f.argName = a.name; f.device = a.device; f.stream = a.stream; f.context = a.context; f.correlation = a.correlation;
    f.grid = a.grid; f.block = a.block; f.registers = a["registers per thread"]; f.smem = a["shared memory"];
    f.graphId = a["graph id"]; f.graphNodeId = a["graph node id"]; f.bytes = a.bytes; f.syncKind = a.cuda_sync_kind;
    f.waitOnStream = a.wait_on_stream; f.eventId = a.event_id;
  }
  return true;
}
