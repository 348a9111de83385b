/**
 * The simulator's one event queue: a binary min-heap over (time, insertion order), stored in typed arrays so
 * millions of events cost no per-event objects. Ties in time pop in insertion order, which keeps a run
 * deterministic: the same inputs and seed give the same event order.
 */
export class EventQueue {
  private time = new Float64Array(1024);
  private seq = new Float64Array(1024);
  private kind = new Uint8Array(1024);
  private a = new Int32Array(1024);
  private b = new Int32Array(1024);
  private size = 0;
  private nextSeq = 0;

  get length(): number { return this.size; }

  /** Time of the earliest event (Infinity when empty). */
  peekTime(): number { return this.size > 0 ? this.time[0]! : Infinity; }

  push(time: number, kind: number, a: number, b: number): void {
    if (this.size === this.time.length) this.grow();
    let i = this.size++;
    const s = this.nextSeq++;
    // Sift up: move parents down until the new event's slot is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.earlierThan(p, time, s)) break;
      this.copy(p, i);
      i = p;
    }
    this.set(i, time, s, kind, a, b);
  }

  /** Removes the earliest event; its fields are then in `top*`. Returns false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    this.topTime = this.time[0]!;
    this.topKind = this.kind[0]!;
    this.topA = this.a[0]!;
    this.topB = this.b[0]!;
    const last = --this.size;
    if (last === 0) return true;
    const t = this.time[last]!, s = this.seq[last]!, k = this.kind[last]!, a = this.a[last]!, b = this.b[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.earlier(r, l) ? r : l;
      if (!this.earlierThan(c, t, s)) break;
      this.copy(c, i);
      i = c;
    }
    this.set(i, t, s, k, a, b);
    return true;
  }

  topTime = 0;
  topKind = 0;
  topA = 0;
  topB = 0;

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
  }
  private set(i: number, time: number, seq: number, kind: number, a: number, b: number): void {
    this.time[i] = time;
    this.seq[i] = seq;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
  }
  private grow(): void {
    const n = this.time.length * 2;
    const t = new Float64Array(n); t.set(this.time); this.time = t;
    const s = new Float64Array(n); s.set(this.seq); this.seq = s;
    const k = new Uint8Array(n); k.set(this.kind); this.kind = k;
    const a = new Int32Array(n); a.set(this.a); this.a = a;
    const b = new Int32Array(n); b.set(this.b); this.b = b;
  }
}
