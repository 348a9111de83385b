/**
 * The host program of one process on one device, taken from a trace's canonical tables: every launch and every
 * blocking sync in host order, with the host gaps and GPU-side delays between them. `extractWorkload` cuts this
 * list into units and keeps the ops of the units.
 *
 * Columnar throughout (typed arrays, one sort of an index array): a 500k-kernel trace must stay well under a second.
 */
import type * as arrow from "apache-arrow";
import type { Trace } from "../trace/tables";
import { Columns } from "./columns";
import { OP_KERNEL, OP_MEMOP, OP_SYNC_DEVICE, OP_SYNC_STREAM } from "./workload";

/** Every op of the chosen process on the chosen device, in host order (before cutting into units). */
export interface HostProgram {
  readonly processId: number;
  readonly deviceId: number;
  readonly count: number;
  readonly kind: Uint8Array;
  /** Host mark: the API call's start for a launch (enqueue), its end for a sync (return). */
  readonly mark: Float64Array;
  /** Host time from the previous op's mark to this op's API start, clipped at 0 (see `overlapped`). */
  readonly preNs: Float64Array;
  readonly latencyNs: Float64Array;
  /** Index into `streamIds` (first appearance in this list); -1 for device syncs. */
  readonly stream: Int32Array;
  /** Row in the trace's kernels or memops table; -1 for syncs. */
  readonly item: Int32Array;
  /** Identity for repeat detection: kernel (name, grid, block) or memop (kind, direction, bytes) as a dense id; -1 for syncs. */
  readonly key: Int32Array;
  readonly streamIds: readonly number[];
  /** GPU ops whose correlation id matched no API call of the process: placed at their GPU start. */
  readonly orphans: number;
  /** Ops whose API call started before the previous op's mark (overlapping calls of several threads): preNs clipped to 0. */
  readonly overlapped: number;
}

function need(trace: Trace, message: string): never {
  throw new Error(`${trace.meta.sourceFile || "trace"}: ${message}`);
}

/** The key with the largest count; ties go to the smallest key, so the choice does not depend on row order. */
function mostCommon(counts: Map<number, number>): number {
  let best = NaN, bestCount = -1;
  for (const [k, c] of counts) if (c > bestCount || (c === bestCount && k < best)) { best = k; bestCount = c; }
  return best;
}

/** 32-bit hash step for the repeat keys (collisions only merge two keys, which repeat detection tolerates). */
function mix(h: number, v: number): number {
  h = Math.imul(h ^ (v >>> 0), 0x9e3779b1);
  h = Math.imul(h ^ Math.floor(v / 0x100000000), 0x85ebca6b);
  return h ^ (h >>> 15);
}

/** Rows of a GPU activity table (kernels or memops) that belong to the process and device. */
function gpuRows(cols: Columns, table: arrow.Table, processId: number, deviceId: number): Int32Array {
  const pid = cols.number(table, "process_id"), dev = cols.number(table, "device_id");
  const rows = new Int32Array(table.numRows);
  let n = 0;
  // A null process id means the importer found no API call with that correlation id (Kineto): the GPU op is
  // still this device's work, and a trace records one process per device in practice.
  for (let i = 0; i < rows.length; i++) if (dev[i] === deviceId && (pid[i] === processId || Number.isNaN(pid[i]))) rows[n++] = i;
  return rows.subarray(0, n);
}

/** Chooses the process (most kernels) and device (most of its kernels), honouring the options. */
function chooseProcessAndDevice(cols: Columns, trace: Trace, processId?: number, deviceId?: number): [number, number] {
  // A trace of copies alone (a DMA workload) replays on the copy engines: its memory operations choose.
  const table = trace.kernels.numRows > 0 ? trace.kernels : trace.memops;
  const pid = cols.number(table, "process_id"), dev = cols.number(table, "device_id");
  if (pid.length === 0) need(trace, "no GPU kernels or memory copies in the trace, nothing to replay");
  if (processId === undefined) {
    const perProcess = new Map<number, number>();
    for (const p of pid) if (!Number.isNaN(p)) perProcess.set(p, (perProcess.get(p) ?? 0) + 1);
    processId = perProcess.size ? mostCommon(perProcess) : NaN;
  }
  const perDevice = new Map<number, number>();
  for (let i = 0; i < pid.length; i++) if (pid[i] === processId || Number.isNaN(pid[i])) perDevice.set(dev[i], (perDevice.get(dev[i]) ?? 0) + 1);
  if (perDevice.size === 0) need(trace, `no GPU kernels launched by process ${processId}`);
  if (deviceId === undefined) deviceId = mostCommon(perDevice);
  else if (!perDevice.has(deviceId)) need(trace, `no GPU kernels launched by process ${processId} on device ${deviceId}`);
  return [processId, deviceId];
}

/** Correlation id → API row, as a typed array where the ids are compact (they count up from 1), else a Map. */
function correlationIndex(ids: Float64Array, rows: Int32Array): (id: number) => number {
  let max = -1;
  for (const r of rows) if (ids[r] > max) max = ids[r];
  if (max >= 0 && max <= 4 * rows.length + 1_000_000) {
    const at = new Int32Array(max + 1).fill(-1);
    for (const r of rows) { const c = ids[r]; if (c >= 0 && Number.isInteger(c) && at[c] < 0) at[c] = r; }
    return (id) => (id >= 0 && id <= max && Number.isInteger(id) ? at[id] : -1);
  }
  const map = new Map<number, number>();
  for (const r of rows) if (!map.has(ids[r])) map.set(ids[r], r);
  return (id) => map.get(id) ?? -1;
}

/** Most GPU-side delay of a graph launch's first kernel on an idle stream, ns (hardware.md §0 item 11). */
export const GRAPH_LAUNCH_LATENCY_NS = 8_100;

export function buildHostProgram(trace: Trace, options: { processId?: number; deviceId?: number; columns?: Columns } = {}): HostProgram {
  const cols = options.columns ?? new Columns();
  const [processId, deviceId] = chooseProcessAndDevice(cols, trace, options.processId, options.deviceId);
  const kRows = gpuRows(cols, trace.kernels, processId, deviceId), mRows = gpuRows(cols, trace.memops, processId, deviceId);
  const nK = kRows.length, nM = mRows.length;

  // GPU side, gathered into op-entry order: entries [0, nK) are kernels, [nK, nK + nM) memops.
  const nG = nK + nM;
  const gStart = new Float64Array(nG), gEnd = new Float64Array(nG), gStream = new Float64Array(nG), gCorr = new Float64Array(nG);
  const gKey = new Int32Array(nG);
  const keyIds = new Map<number, number>();
  const dense = (h: number): number => { let id = keyIds.get(h); if (id === undefined) { id = keyIds.size; keyIds.set(h, id); } return id; };
  {
    const t = trace.kernels, s = cols.number(t, "start_ns"), e = cols.number(t, "end_ns"), st = cols.number(t, "stream_id"), c = cols.number(t, "correlation_id");
    const name = cols.dict(t, "name").codes;
    const g = ["grid_x", "grid_y", "grid_z", "block_x", "block_y", "block_z"].map((col) => cols.number(t, col));
    for (let j = 0; j < nK; j++) {
      const r = kRows[j];
      gStart[j] = s[r]; gEnd[j] = e[r]; gStream[j] = st[r]; gCorr[j] = c[r];
      let h = mix(0x4b, name[r]);
      for (const col of g) h = mix(h, Number.isNaN(col[r]) ? 0 : col[r]);
      gKey[j] = dense(h);
    }
  }
  {
    const t = trace.memops, s = cols.number(t, "start_ns"), e = cols.number(t, "end_ns"), st = cols.number(t, "stream_id"), c = cols.number(t, "correlation_id");
    const kind = cols.dict(t, "kind").codes, dir = cols.dict(t, "copy_kind").codes, bytes = cols.number(t, "bytes");
    for (let j = 0; j < nM; j++) {
      const r = mRows[j], g = nK + j;
      gStart[g] = s[r]; gEnd[g] = e[r]; gStream[g] = st[r]; gCorr[g] = c[r];
      gKey[g] = dense(mix(mix(mix(0x4d, kind[r]), dir[r]), bytes[r]));
    }
  }

  // Host side: the process's API calls, found by correlation id.
  const api = trace.api;
  const aPid = cols.number(api, "process_id"), aTid = cols.number(api, "thread_id"), aCorr = cols.number(api, "correlation_id");
  const aStart = cols.number(api, "start_ns"), aEnd = cols.number(api, "end_ns");
  const aSync = cols.dict(api, "sync_kind");
  const aName = cols.dict(api, "name");
  const graphLaunch = aName.values.map((v) => /GraphLaunch/.test(v));
  const ownRows = new Int32Array(aPid.length);
  let nOwn = 0;
  for (let i = 0; i < aPid.length; i++) if (aPid[i] === processId && !Number.isNaN(aCorr[i])) ownRows[nOwn++] = i;
  const apiOf = correlationIndex(aCorr, ownRows.subarray(0, nOwn));
  const gApi = new Int32Array(nG);
  const launched = new Uint8Array(aPid.length);
  let orphans = 0;
  for (let g = 0; g < nG; g++) {
    const a = Number.isNaN(gCorr[g]) ? -1 : apiOf(gCorr[g]);
    gApi[g] = a;
    if (a < 0) orphans++; else launched[a] = 1;
  }
  // Blocking calls. A synchronous memcpy/memset blocks only where its copy ran on this device; otherwise it is host time.
  const syncKindOf = aSync.values.map((v) => (v === "stream" || v === "memcpy" || v === "memset" ? OP_SYNC_STREAM : OP_SYNC_DEVICE));
  const syncRows: number[] = [];
  for (let i = 0; i < aPid.length; i++) {
    const code = aSync.codes[i];
    if (aPid[i] !== processId || code < 0) continue;
    const v = aSync.values[code];
    if ((v === "memcpy" || v === "memset") && !launched[i]) continue;
    syncRows.push(i);
  }
  // The stream a stream sync waited on, where the CUPTI sync activity records it (nsys, some Kineto traces).
  const syncStream = new Map<number, number>();
  {
    const t = trace.syncs, p = cols.number(t, "process_id"), c = cols.number(t, "correlation_id"), st = cols.number(t, "stream_id");
    for (let i = 0; i < p.length; i++) if ((p[i] === processId || Number.isNaN(p[i])) && !Number.isNaN(c[i]) && !Number.isNaN(st[i])) syncStream.set(c[i], st[i]);
  }

  // Host order: API start (an orphan's GPU start stands in), then GPU start within one call, the call's sync last.
  const nE = nG + syncRows.length;
  const hostKey = new Float64Array(nE), subKey = new Float64Array(nE);
  for (let g = 0; g < nG; g++) { hostKey[g] = gApi[g] >= 0 ? aStart[gApi[g]] : gStart[g]; subKey[g] = gStart[g]; }
  for (let k = 0; k < syncRows.length; k++) { hostKey[nG + k] = aStart[syncRows[k]]; subKey[nG + k] = Infinity; }
  const order = new Int32Array(nE);
  for (let i = 0; i < nE; i++) order[i] = i;
  order.sort((x, y) => hostKey[x] - hostKey[y] || subKey[x] - subKey[y] || x - y);

  const kind = new Uint8Array(nE), mark = new Float64Array(nE), preNs = new Float64Array(nE), latencyNs = new Float64Array(nE);
  const stream = new Int32Array(nE), item = new Int32Array(nE), key = new Int32Array(nE);
  const streamIds: number[] = [], streamIndex = new Map<number, number>(), streamEnd: number[] = [];
  const lastStreamOfThread = new Map<number, number>();
  let lastStream = -1, prevMark = NaN, overlapped = 0, n = 0;
  /** Graph launch (API row) → its first kernel's op, when that kernel found its stream idle (see below). */
  const graphFirst = new Map<number, number>();
  const hostGap = (start: number): number => {
    const gap = Number.isNaN(prevMark) ? 0 : start - prevMark;
    if (gap < 0) overlapped++;
    return gap > 0 ? gap : 0;
  };
  for (let i = 0; i < nE; i++) {
    const e = order[i];
    if (e < nG) {
      let s = streamIndex.get(gStream[e]);
      if (s === undefined) { s = streamIds.length; streamIndex.set(gStream[e], s); streamIds.push(gStream[e]); streamEnd.push(-Infinity); }
      const a = gApi[e], enqueue = a >= 0 ? aStart[a] : gStart[e];
      kind[n] = e < nK ? OP_KERNEL : OP_MEMOP;
      item[n] = e < nK ? kRows[e] : mRows[e - nK];
      key[n] = gKey[e];
      stream[n] = s;
      preNs[n] = hostGap(enqueue);
      mark[n] = prevMark = enqueue;
      let latency = a >= 0 ? Math.max(0, gStart[e] - Math.max(streamEnd[s], enqueue)) : 0;
      // A profiled CUDA graph launch starts its first kernel ~0.2 ms late: CUPTI instruments every kernel node
      // (the same ResNet-50 graph request takes 1.03 ms unprofiled, calibration/h200/colocation, against
      // 1.2-1.3 ms between launch and sync in its trace). Without the profiler a launch reaches an idle
      // stream within a launch round trip (8.1 µs on the H200, hardware.md §0 item 11).
      if (a >= 0 && graphLaunch[aName.codes[a]]) {
        const first = graphFirst.get(a);
        if (first === undefined && enqueue >= streamEnd[s]) {
          latency = Math.min(latency, GRAPH_LAUNCH_LATENCY_NS);
          graphFirst.set(a, n);
        } else if (first !== undefined && stream[first] === s) {
          // Unprofiled, a graph's kernels run back to back once its launch has reached the GPU, and the launch takes
          // about as long as the gaps the profiler records between them (calibrations/timeslice-stamps-h100: 131 µs
          // from the launch to the first kernel, then 917 µs, against 151 µs of recorded gaps and 930 µs of
          // kernels). So the gaps are paid before the first kernel, counted from the launch: a request launched
          // while its context waits for the GPU (time slicing) has them behind it when its turn comes. Alone
          // nothing moves: the same gaps, in another place.
          latencyNs[first] += latency;
          latency = 0;
        }
      }
      latencyNs[n] = latency;
      streamEnd[s] = Math.max(streamEnd[s], gEnd[e]);
      if (a >= 0) lastStreamOfThread.set(aTid[a], s);
      lastStream = s;
      n++;
      continue;
    }
    const a = syncRows[e - nG];
    let op = syncKindOf[aSync.codes[a]], s = -1;
    if (op === OP_SYNC_STREAM) {
      // Where the trace does not say which stream was waited on: the stream this thread (else the process) launched on last.
      const recorded = syncStream.get(aCorr[a]);
      s = recorded !== undefined && streamIndex.has(recorded) ? streamIndex.get(recorded)! : (lastStreamOfThread.get(aTid[a]) ?? lastStream);
      if (s < 0) op = OP_SYNC_DEVICE; // nothing launched yet: waiting on it drains nothing either way
    }
    let waited = -Infinity;
    if (s >= 0) waited = streamEnd[s];
    else for (const end of streamEnd) waited = Math.max(waited, end);
    kind[n] = op; item[n] = -1; key[n] = -1; stream[n] = op === OP_SYNC_STREAM ? s : -1;
    preNs[n] = hostGap(aStart[a]);
    mark[n] = prevMark = aEnd[a];
    latencyNs[n] = Math.min(Math.max(0, aEnd[a] - waited), aEnd[a] - aStart[a]);
    n++;
  }
  return {
    processId, deviceId, count: n, kind, mark, preNs, latencyNs, stream, item, key, streamIds, orphans, overlapped,
  };
}
