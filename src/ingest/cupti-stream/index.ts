/**
 * Raw CUPTI activity stream importer: the length-delimited `schemas/cupti.proto` stream that tools/cupti-collector
 * writes (plain or gzipped). Read message by message: a Header first, then Records, each mapped to rows as it comes.
 * Any damage (a cut, a corrupt length or message, a wrong magic) refuses the whole file with one ImportError.
 */
import { ImportError } from "../errors";
import type { Importer } from "../importer";
import type { TraceSink } from "../sink";
import type { TraceSource } from "../source";
import { FrameError, frames, type Frame } from "../common/delimited";
import { headerType, MAGIC, recordType, SUPPORTED_VERSIONS, u64, type CuptiHeader, type CuptiRecord } from "./messages";
import { CuptiRecordMapper } from "./records";

/** Header field 1 (magic) is a length-delimited string: key byte (1 << 3) | 2. */
const MAGIC_KEY = 0x0a;

/** True if the stream opens with a Header whose first field is the magic (after its 1- or 2-byte length prefix). */
export function isCuptiStream(head: Uint8Array): boolean {
  for (const prefix of [1, 2]) {
    if (prefix === 2 && !(head[0] & 0x80)) continue;
    const at = prefix;
    if (head[at] !== MAGIC_KEY || head[at + 1] !== MAGIC.length) continue;
    if (Buffer.from(head.subarray(at + 2, at + 2 + MAGIC.length)).toString("latin1") === MAGIC) return true;
  }
  return false;
}

export const cuptiStreamImporter: Importer = {
  format: "cupti-stream",
  description: "lithos CUPTI collector stream (tools/cupti-collector, length-delimited protobuf, .pb or .pb.gz)",
  sniff: (head) => isCuptiStream(head),
  read: readCuptiStream,
};

async function readCuptiStream(source: TraceSource, sink: TraceSink): Promise<void> {
  let mapper: CuptiRecordMapper | null = null;
  try {
    for await (const frame of frames(source.chunks())) {
      if (frame.index === 0) {
        mapper = startTrace(source, sink, decodeHeader(source, frame));
        continue;
      }
      (mapper as CuptiRecordMapper).record(decodeRecord(source, frame), frame.index);
    }
  } catch (e) {
    if (e instanceof FrameError) throw new ImportError(source.path, `corrupt CUPTI stream: ${e.message}`);
    throw e;
  }
  if (!mapper) throw new ImportError(source.path, "corrupt CUPTI stream: no header message");
  mapper.finish();
  if (sink.kernels.length === 0) sink.diagnose("cupti.no_kernels");
}

function decodeHeader(source: TraceSource, frame: Frame): CuptiHeader {
  let header: CuptiHeader;
  try {
    header = headerType().decode(frame.bytes) as unknown as CuptiHeader;
  } catch (e) {
    throw new ImportError(source.path, `not a lithos CUPTI stream: unreadable header (${(e as Error).message})`);
  }
  if (header.magic !== MAGIC) throw new ImportError(source.path, `not a lithos CUPTI stream: header magic is ${JSON.stringify(header.magic)}, expected "${MAGIC}"`);
  if (!SUPPORTED_VERSIONS.includes(header.version)) {
    throw new ImportError(source.path, `CUPTI stream version ${header.version} is not supported (this lithos-replay reads ${SUPPORTED_VERSIONS.join(", ")})`);
  }
  if (u64(header.cupti_start_ns) === 0n) throw new ImportError(source.path, "corrupt CUPTI stream: the header has no CUPTI start timestamp");
  return header;
}

function decodeRecord(source: TraceSource, frame: Frame): CuptiRecord {
  try {
    return recordType().decode(frame.bytes) as unknown as CuptiRecord;
  } catch (e) {
    throw new ImportError(source.path, `corrupt CUPTI stream: message ${frame.index} at byte ${frame.offset} does not decode (${(e as Error).message})`);
  }
}

function startTrace(source: TraceSource, sink: TraceSink, h: CuptiHeader): CuptiRecordMapper {
  const parts = [h.collector || "lithos CUPTI collector", `CUPTI API ${h.cupti_api_version}`, `CUDA driver ${h.cuda_driver_version}`];
  if (h.kernel_record) parts.push(h.kernel_record);
  sink.meta.sourceTool = parts.join(", ");
  // time 0 = header.cupti_start_ns, read back to back with the wall clock at header.epoch_start_ns
  const epoch = u64(h.epoch_start_ns);
  sink.meta.timeBaseEpochNs = epoch === 0n ? null : epoch;
  if (!h.names_demangled) sink.diagnose("cupti.mangled_names");
  return new CuptiRecordMapper(sink, u64(h.cupti_start_ns), Number(u64(h.process_id)));
}
