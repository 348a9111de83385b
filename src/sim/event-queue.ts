/**
 * The simulator's one event queue: events ordered by (time, insertion order), stored in typed arrays so
 * millions of events cost no per-event objects. Ties in time pop in insertion order, which keeps a run
 * deterministic: the same inputs and seed give the same event order.
 *
 * An event may be queued under a key (`schedule`): a later `schedule` under the same key replaces it in place,
 * and `cancel` drops it. The engine keys each running kernel's next milestone by its job id, and re-plans it
 * whenever the kernel's rate changes: before keys, every re-plan left a stale event behind to pop and skip
 * (about a third of all events). A replaced event takes a fresh insertion number, so the order is exactly that
 * of pushing a new event and skipping the old one.
 *
 * Keyed events live in a heap of their own (one per running kernel: a handful), so that the other events, the
 * bulk, pay nothing for the key bookkeeping; `pop` takes the earlier of the two heaps' tops.
 *
 * One plain event is held out of its heap, in the `front` slot: the earlier of the last ones pushed. Most plain
 * events are popped soon after they are pushed (a stream's next kernel becomes ready after its launch latency,
 * before anything else happens), and one held in the slot costs no sifting in or out. It keeps its insertion
 * number, and `pop` takes the earliest by (time, insertion) of the slot and the two heaps' tops, so the order is
 * exactly the heaps' alone.
 */
export class EventQueue {
  private readonly plain = new Heap(false);
  private readonly keyed = new Heap(true);
  private nextSeq = 0;

  /** The plain event held out of the heap (see the header): `frontTime` Infinity when the slot is empty. */
  private frontTime = Infinity;
  private frontSeq = 0;
  private frontKind = 0;
  private frontA = 0;
  private frontB = 0;

  get length(): number { return this.plain.size + this.keyed.size + (this.frontTime < Infinity ? 1 : 0); }

  /**
   * Whether every queued event is later than `t` (true when empty). The engine asks after every event: a boolean,
   * where returning the earliest time (a float, from a call V8 does not inline) made a heap number each time.
   */
  allAfter(t: number): boolean { return this.frontTime > t && this.plain.topTime() > t && this.keyed.topTime() > t; }

  push(time: number, kind: number, a: number, b: number): void {
    this.pushTime = time;
    this.pushAt(kind, a, b);
  }

  /** `push` with the time in `pushTime` (set just before): see `plan`. */
  pushAt(kind: number, a: number, b: number): void {
    const seq = this.nextSeq++;
    const t = this.pushTime;
    // The slot keeps the earlier of its event and this one (on a tie in time its own, inserted first).
    if (t < this.frontTime) {
      if (this.frontTime < Infinity) this.plain.insert(this.frontTime, this.frontSeq, this.frontKind, this.frontA, this.frontB, -1);
      this.frontTime = t;
      this.frontSeq = seq;
      this.frontKind = kind;
      this.frontA = a;
      this.frontB = b;
      return;
    }
    const h = this.plain;
    h.t = t;
    h.insertAt(seq, kind, a, b, -1);
  }
  pushTime = 0;

  /**
   * Queues an event under `key` (≥ 0), replacing the one queued under it if there is one. Returns the time of
   * the event it replaced, or -1 if none.
   */
  schedule(key: number, time: number, kind: number, a: number, b: number): number {
    return this.keyed.schedule(key, time, this.nextSeq++, kind, a, b);
  }

  /**
   * `schedule` with the time in `planTime` (set just before), and the replaced event's time left in `replacedTime`
   * (-1: none; `cancel` leaves its dropped event's time there too). The engine re-plans a kernel twice per kernel or so: a time passed to a call V8 does not inline, or
   * returned from one, is boxed in a fresh heap number each time, where these fields are written in place.
   */
  plan(key: number, kind: number, a: number, b: number): void {
    const h = this.keyed;
    h.t = this.planTime;
    h.scheduleAt(key, this.nextSeq++, kind, a, b);
    this.replacedTime = h.replaced;
  }
  planTime = 0;
  replacedTime = -1;

  /** Drops the event queued under `key`, if any. Returns its time, or -1 if there was none (also left in `replacedTime`). */
  cancel(key: number): number {
    return (this.replacedTime = this.keyed.cancel(key));
  }

  /** Removes the earliest event; its fields are then in `top*`. Returns false when empty. */
  pop(): boolean {
    const p = this.plain, k = this.keyed;
    const h = k.size === 0 ? p : p.size === 0 || k.before(p) ? k : p;
    // The slot's event, if it comes before the heaps' earliest (insertion numbers are unique: no tie between them).
    const ft = this.frontTime;
    if (ft < Infinity && (h.size === 0 || h.after(ft, this.frontSeq))) {
      this.topTime = ft;
      this.topKind = this.frontKind;
      this.topA = this.frontA;
      this.topB = this.frontB;
      this.frontTime = Infinity;
      return true;
    }
    if (h.size === 0) return false;
    this.topTime = h.time[0]!;
    this.topKind = h.kind[0]!;
    this.topA = h.a[0]!;
    this.topB = h.b[0]!;
    h.removeTop();
    return true;
  }

  topTime = 0;
  topKind = 0;
  topA = 0;
  topB = 0;
}

/** A binary min-heap over (time, seq), optionally with each event's slot found by its key. */
class Heap {
  time = new Float64Array(1024);
  seq = new Float64Array(1024);
  kind = new Uint8Array(1024);
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  size = 0;
  /** Key of the event in each slot (-1: none), and the slot of each key's event (-1: none); keyed heaps only. */
  private key: Int32Array;
  private slotOf: Int32Array;

  constructor(private readonly keyed: boolean) {
    this.key = new Int32Array(keyed ? 1024 : 0);
    this.slotOf = new Int32Array(keyed ? 64 : 0).fill(-1);
  }

  topTime(): number { return this.size > 0 ? this.time[0]! : Infinity; }

  /** Whether this heap's earliest event (non-empty) comes after one at `time` inserted as `seq`. */
  after(time: number, seq: number): boolean {
    return !this.earlierThan(0, time, seq);
  }

  /** Whether this heap's earliest event comes before `other`'s (both non-empty). */
  before(other: Heap): boolean {
    return this.earlierThan(0, other.time[0]!, other.seq[0]!);
  }

  /**
   * Time of the event being placed (by `insertAt`, `scheduleAt`, `siftUp`, `siftDown`), and the time `scheduleAt`
   * replaced (-1: none). Fields, not arguments and results: a float passed to or returned from a call V8 does not
   * inline costs a heap number, and the queue places an event several times per kernel.
   */
  t = 0;
  replaced = -1;

  insert(time: number, seq: number, kind: number, a: number, b: number, key: number): void {
    this.t = time;
    this.insertAt(seq, kind, a, b, key);
  }

  /** `insert` of an event at time `t`. */
  insertAt(seq: number, kind: number, a: number, b: number, key: number): void {
    if (this.size === this.time.length) this.grow();
    this.siftUp(this.size++, seq, kind, a, b, key);
  }

  schedule(key: number, time: number, seq: number, kind: number, a: number, b: number): number {
    this.t = time;
    this.scheduleAt(key, seq, kind, a, b);
    return this.replaced;
  }

  /** `schedule` of an event at time `t`; the replaced event's time in `replaced`. */
  scheduleAt(key: number, seq: number, kind: number, a: number, b: number): void {
    if (key >= this.slotOf.length) this.growKeys(key);
    const i = this.slotOf[key]!;
    if (i < 0) { this.replaced = -1; this.insertAt(seq, kind, a, b, key); return; }
    this.replaced = this.time[i]!;
    // Later than before: it can only move down; earlier: only up.
    if (this.earlierThan(i, this.t, seq)) this.siftDown(i, seq, kind, a, b, key);
    else this.siftUp(i, seq, kind, a, b, key);
  }

  cancel(key: number): number {
    if (key >= this.slotOf.length) return -1;
    const i = this.slotOf[key]!;
    if (i < 0) return -1;
    const dropped = this.time[i]!;
    this.slotOf[key] = -1;
    this.removeAt(i);
    return dropped;
  }

  removeTop(): void {
    if (this.keyed) this.slotOf[this.key[0]!] = -1;
    this.removeAt(0);
  }

  /** Fills the hole at `i` with the last event, moving it up or down from there. */
  private removeAt(i: number): void {
    const last = --this.size;
    if (i === last) return;
    const t = this.time[last]!, s = this.seq[last]!, k = this.kind[last]!, a = this.a[last]!, b = this.b[last]!;
    const key = this.keyed ? this.key[last]! : -1;
    this.t = t;
    if (i === 0 || this.earlierThan((i - 1) >> 1, t, s)) this.siftDown(i, s, k, a, b, key);
    else this.siftUp(i, s, k, a, b, key);
  }

  /** Places the event in the hole at `i` or above it: parents later than it move down. */
  private siftUp(i: number, seq: number, kind: number, a: number, b: number, key: number): void {
    const time = this.t;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.earlierThan(p, time, seq)) break;
      this.copy(p, i);
      i = p;
    }
    this.set(i, time, seq, kind, a, b, key);
  }

  /** Places the event in the hole at `i` or below it: earlier children move up. */
  private siftDown(i: number, seq: number, kind: number, a: number, b: number, key: number): void {
    const time = this.t;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.earlier(r, l) ? r : l;
      if (!this.earlierThan(c, time, seq)) break;
      this.copy(c, i);
      i = c;
    }
    this.set(i, time, seq, kind, a, b, key);
  }

  private earlier(i: number, j: number): boolean {
    const ti = this.time[i]!, tj = this.time[j]!;
    return ti < tj || (ti === tj && this.seq[i]! < this.seq[j]!);
  }
  private earlierThan(i: number, time: number, seq: number): boolean {
    const t = this.time[i]!;
    return t < time || (t === time && this.seq[i]! < seq);
  }
  private copy(from: number, to: number): void {
    this.time[to] = this.time[from]!;
    this.seq[to] = this.seq[from]!;
    this.kind[to] = this.kind[from]!;
    this.a[to] = this.a[from]!;
    this.b[to] = this.b[from]!;
    if (this.keyed) {
      const key = this.key[from]!;
      this.key[to] = key;
      this.slotOf[key] = to;
    }
  }
  private set(i: number, time: number, seq: number, kind: number, a: number, b: number, key: number): void {
    this.time[i] = time;
    this.seq[i] = seq;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
    if (this.keyed) {
      this.key[i] = key;
      this.slotOf[key] = i;
    }
  }
  private grow(): void {
    const n = this.time.length * 2;
    const t = new Float64Array(n); t.set(this.time); this.time = t;
    const s = new Float64Array(n); s.set(this.seq); this.seq = s;
    const k = new Uint8Array(n); k.set(this.kind); this.kind = k;
    const a = new Int32Array(n); a.set(this.a); this.a = a;
    const b = new Int32Array(n); b.set(this.b); this.b = b;
    if (this.keyed) { const key = new Int32Array(n); key.set(this.key); this.key = key; }
  }
  private growKeys(key: number): void {
    const slots = new Int32Array(Math.max(2 * this.slotOf.length, key + 1)).fill(-1);
    slots.set(this.slotOf);
    this.slotOf = slots;
  }
}
