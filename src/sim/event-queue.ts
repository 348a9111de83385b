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
 * Keyed events live in a set of their own (one per running kernel: a handful), unordered, its earliest found by a
 * scan when asked and kept until the set changes: a kernel's milestone is re-planned twice per kernel or so, and
 * rewriting it in place costs less than sifting it through a heap. `pop` takes the earlier of the heap's top and
 * the set's earliest.
 *
 * One plain event is held out of its heap, in the `front` slot: the earlier of the last ones pushed. Most plain
 * events are popped soon after they are pushed (a stream's next kernel becomes ready after its launch latency,
 * before anything else happens), and one held in the slot costs no sifting in or out. It keeps its insertion
 * number, and `pop` takes the earliest by (time, insertion) of the slot and the two heaps' tops, so the order is
 * exactly the heaps' alone.
 */
export class EventQueue {
  private readonly plain = new Heap();
  private readonly keyed = new KeyedEvents();
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
      if (this.frontTime < Infinity) this.plain.insert(this.frontTime, this.frontSeq, this.frontKind, this.frontA, this.frontB);
      this.frontTime = t;
      this.frontSeq = seq;
      this.frontKind = kind;
      this.frontA = a;
      this.frontB = b;
      return;
    }
    const h = this.plain;
    h.t = t;
    h.insertAt(seq, kind, a, b);
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
    // The earliest of the heap's top, the keyed set's earliest and the slot's event (insertion numbers are unique:
    // no two events tie).
    const i = k.size > 0 ? k.first() : -1;
    const fromKeyed = i >= 0 && (p.size === 0 || !p.earlierThan(0, k.time[i]!, k.seq[i]!));
    const ft = this.frontTime;
    if (ft < Infinity && (fromKeyed ? earlier(ft, this.frontSeq, k.time[i]!, k.seq[i]!) : p.size === 0 || !p.earlierThan(0, ft, this.frontSeq))) {
      this.topTime = ft;
      this.topKind = this.frontKind;
      this.topA = this.frontA;
      this.topB = this.frontB;
      this.frontTime = Infinity;
      return true;
    }
    if (fromKeyed) {
      this.topTime = k.time[i]!;
      this.topKind = k.kind[i]!;
      this.topA = k.a[i]!;
      this.topB = k.b[i]!;
      k.removeAt(i);
      return true;
    }
    if (p.size === 0) return false;
    this.topTime = p.time[0]!;
    this.topKind = p.kind[0]!;
    this.topA = p.a[0]!;
    this.topB = p.b[0]!;
    p.removeTop();
    return true;
  }

  topTime = 0;
  topKind = 0;
  topA = 0;
  topB = 0;
}

/** A copy of a column twice as long, its values at the front (the queues' columns grow by doubling). */
function doubled<T extends Float64Array | Int32Array | Uint8Array>(column: T): T {
  const out = new (column.constructor as new (n: number) => T)(column.length * 2);
  out.set(column);
  return out;
}

/** Whether an event at (time ta, insertion sa) comes before one at (tb, sb). */
function earlier(ta: number, sa: number, tb: number, sb: number): boolean {
  return ta < tb || (ta === tb && sa < sb);
}

/** A binary min-heap over (time, seq). */
class Heap {
  time = new Float64Array(1024);
  seq = new Float64Array(1024);
  kind = new Uint8Array(1024);
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  size = 0;

  topTime(): number { return this.size > 0 ? this.time[0]! : Infinity; }

  /**
   * Time of the event being placed (by `insertAt`, `siftUp`, `siftDown`). A field, not an argument: a float passed to
   * a call V8 does not inline costs a heap number, and the queue places an event several times per kernel.
   */
  t = 0;

  insert(time: number, seq: number, kind: number, a: number, b: number): void {
    this.t = time;
    this.insertAt(seq, kind, a, b);
  }

  /** `insert` of an event at time `t`. */
  insertAt(seq: number, kind: number, a: number, b: number): void {
    if (this.size === this.time.length) this.grow();
    this.siftUp(this.size++, seq, kind, a, b);
  }

  /** Removes the earliest event: the last one fills its hole, moved down from there. */
  removeTop(): void {
    const last = --this.size;
    if (last === 0) return;
    this.t = this.time[last]!;
    this.siftDown(0, this.seq[last]!, this.kind[last]!, this.a[last]!, this.b[last]!);
  }

  /** Places the event in the hole at `i` or above it: parents later than it move down. */
  private siftUp(i: number, seq: number, kind: number, a: number, b: number): void {
    const time = this.t;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.earlierThan(p, time, seq)) break;
      this.copy(p, i);
      i = p;
    }
    this.set(i, time, seq, kind, a, b);
  }

  /** Places the event in the hole at `i` or below it: earlier children move up. */
  private siftDown(i: number, seq: number, kind: number, a: number, b: number): void {
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
    this.set(i, time, seq, kind, a, b);
  }

  private earlier(i: number, j: number): boolean {
    const ti = this.time[i]!, tj = this.time[j]!;
    return ti < tj || (ti === tj && this.seq[i]! < this.seq[j]!);
  }
  /** Whether the event in slot `i` comes before one at `time` inserted as `seq`. */
  earlierThan(i: number, time: number, seq: number): boolean {
    const t = this.time[i]!;
    return t < time || (t === time && this.seq[i]! < seq);
  }
  private copy(from: number, to: number): void {
    this.time[to] = this.time[from]!;
    this.seq[to] = this.seq[from]!;
    this.kind[to] = this.kind[from]!;
    this.a[to] = this.a[from]!;
    this.b[to] = this.b[from]!;
  }
  private set(i: number, time: number, seq: number, kind: number, a: number, b: number): void {
    this.time[i] = time;
    this.seq[i] = seq;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
  }
  private grow(): void {
    this.time = doubled(this.time); this.seq = doubled(this.seq); this.kind = doubled(this.kind);
    this.a = doubled(this.a); this.b = doubled(this.b);
  }
}

/**
 * Events queued under keys, at most one per key, in slots `0 … size` in no order; `slotOf` finds a key's slot. The
 * earliest is found by a scan of the slots and kept (`firstSlot`) until an event is removed or the kept one moves
 * later. The engine keeps one per running kernel, a handful: scanning them when a milestone pops costs less than
 * keeping a heap ordered through the two or so re-plans per kernel, each of which here rewrites a slot in place.
 */
class KeyedEvents {
  time = new Float64Array(64);
  seq = new Float64Array(64);
  kind = new Uint8Array(64);
  a = new Int32Array(64);
  b = new Int32Array(64);
  /** Key of the event in each slot, and the slot of each key's event (-1: none). */
  private key = new Int32Array(64);
  private slotOf = new Int32Array(64).fill(-1);
  size = 0;
  /** Slot of the earliest event, or -1: not known (found again when asked). */
  private firstSlot = -1;

  /** Time of the event being scheduled (`scheduleAt`), and the time it replaced (-1: none): fields, see Heap.t. */
  t = 0;
  replaced = -1;

  topTime(): number { return this.size > 0 ? this.time[this.first()]! : Infinity; }

  /** Slot of the earliest event (the set is not empty). */
  first(): number {
    let f = this.firstSlot;
    if (f >= 0) return f;
    f = 0;
    for (let i = 1; i < this.size; i++) if (earlier(this.time[i]!, this.seq[i]!, this.time[f]!, this.seq[f]!)) f = i;
    return (this.firstSlot = f);
  }

  schedule(key: number, time: number, seq: number, kind: number, a: number, b: number): number {
    this.t = time;
    this.scheduleAt(key, seq, kind, a, b);
    return this.replaced;
  }

  /** Queues an event at time `t` under `key`, replacing the one queued under it (its time left in `replaced`). */
  scheduleAt(key: number, seq: number, kind: number, a: number, b: number): void {
    if (key >= this.slotOf.length) this.growKeys(key);
    let i = this.slotOf[key]!;
    if (i < 0) {
      this.replaced = -1;
      if (this.size === this.time.length) this.grow();
      i = this.size++;
      this.key[i] = key;
      this.slotOf[key] = i;
    } else this.replaced = this.time[i]!;
    const time = this.t;
    const f = this.firstSlot;
    // The kept earliest stays right unless this event is now before it, or it was this one and did not move earlier
    // (a replacement takes a later insertion number, so even at the same time it may fall behind another).
    if (f === i) { if (!(time < this.replaced)) this.firstSlot = -1; }
    else if (f >= 0 && earlier(time, seq, this.time[f]!, this.seq[f]!)) this.firstSlot = i;
    this.time[i] = time;
    this.seq[i] = seq;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
  }

  /** Drops the event queued under `key`, if any; returns its time, or -1 if there was none. */
  cancel(key: number): number {
    if (key >= this.slotOf.length) return -1;
    const i = this.slotOf[key]!;
    if (i < 0) return -1;
    const dropped = this.time[i]!;
    this.removeAt(i);
    return dropped;
  }

  /** Removes the event in slot `i`: the last slot's event moves into it. */
  removeAt(i: number): void {
    this.slotOf[this.key[i]!] = -1;
    const last = --this.size;
    if (i !== last) {
      const key = this.key[last]!;
      this.key[i] = key;
      this.slotOf[key] = i;
      this.time[i] = this.time[last]!;
      this.seq[i] = this.seq[last]!;
      this.kind[i] = this.kind[last]!;
      this.a[i] = this.a[last]!;
      this.b[i] = this.b[last]!;
    }
    this.firstSlot = -1;
  }

  private grow(): void {
    this.time = doubled(this.time); this.seq = doubled(this.seq); this.kind = doubled(this.kind);
    this.a = doubled(this.a); this.b = doubled(this.b); this.key = doubled(this.key);
  }
  private growKeys(key: number): void {
    const slots = new Int32Array(Math.max(2 * this.slotOf.length, key + 1)).fill(-1);
    slots.set(this.slotOf);
    this.slotOf = slots;
  }
}
