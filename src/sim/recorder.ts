/**
 * Every kernel execution interval of a replay, columnar, for timelines (kept only when a run asks for it).
 * A kernel preempted by a context switch gives one interval per run; `sms` is its spread when the run began.
 */
export class KernelRecorder {
  private n = 0;
  tenant = new Int32Array(1024);
  op = new Int32Array(1024);
  startNs = new Float64Array(1024);
  endNs = new Float64Array(1024);
  sms = new Int32Array(1024);

  get count(): number { return this.n; }

  add(tenant: number, op: number, start: number, end: number, sms: number): void {
    if (this.n === this.tenant.length) this.grow();
    const i = this.n++;
    this.tenant[i] = tenant; this.op[i] = op; this.startNs[i] = start; this.endNs[i] = end; this.sms[i] = sms;
  }

  private grow(): void {
    const n = this.tenant.length * 2;
    const i32 = (a: Int32Array) => { const b = new Int32Array(n); b.set(a); return b; };
    const f64 = (a: Float64Array) => { const b = new Float64Array(n); b.set(a); return b; };
    this.tenant = i32(this.tenant); this.op = i32(this.op); this.sms = i32(this.sms);
    this.startNs = f64(this.startNs); this.endNs = f64(this.endNs);
  }
}
