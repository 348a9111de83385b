/**
 * LithOS (SOSP'25; everything known is in lithos.md) as a sharing policy, every mechanism switchable so the
 * paper's ablations are policy names: `+tpc` (TPC scheduler only), `+atom` (with the kernel atomizer) and
 * `lithos` (all: with right-sizing and power management). Plain MPS is the ablations' base (`mps`).
 *
 * TPC scheduler (lithos.md §2.2). The engine counts SMs, not SM identities, so TPCs are counted too:
 * - Each tenant has a quota of TPCs, a guarantee: its kernels take free SMs up to the quota first. Quotas come
 *   from the scenario (`quota_pct`, whole TPCs); without any, services share the GPU evenly and jobs get
 *   none (the paper's best-effort setting, "zeroing its TPC quota, so that it can only steal").
 * - TPC stealing: a tenant whose quota is exhausted borrows TPCs that nobody with work in flight owns. An
 *   owner with work in flight (a request submitted) keeps its whole unused quota: "stealing is disabled for
 *   the latter's subsequent atoms once request B is submitted" (§2.2).
 * - A kernel's TPC mask is fixed at launch (§2.2). A kernel launched on its own quota may still take more of
 *   its quota's TPCs as borrowers' blocks finish (its mask names them; the block distributor fills them when
 *   they free up). A kernel launched on stolen TPCs never grows, and keeps them until it (or its atom) ends:
 *   without atomization the owner waits for the borrower's whole kernel (head-of-line blocking, Fig. 10b).
 * - Work on stolen TPCs runs at low hardware priority and with a bounded number of outstanding atoms: here a
 *   borrower takes only SMs that are free once every owner has been served, and one atom per stream runs at a
 *   time. The per-TPC timers of the paper guard what the engine knows exactly (which SMs are free).
 * - Launch queues ("virtual streams") with ≤ 100 µs of submitted work: kernels wait in the policy's queue
 *   until it starts them, and the next atom of a kernel is queued as the previous one ends, so the bound
 *   never binds in this model and is not a parameter.
 *
 * Kernel atomizer (./lithos/atomizer.ts), online latency predictor (./lithos/predictor.ts), right-sizing
 * (./lithos/right-size.ts) and power management (./lithos/dvfs.ts) each name their rules and sources.
 * Right-sizing probes a kernel once at a second TPC count to fit its scaling model; the paper probes at one
 * TPC, here half the TPCs by default so a probe costs at most twice the kernel (a one-TPC probe of a
 * ResNet-50 request's 342 kernels would stall the service for ~0.1 s).
 */
import { snapClockMHz } from "../gpu/specs/spec";
import { emptied } from "../util/arrays";
import { fcfsOrder, fill, spreadLimit } from "./fill";
import { atomCount } from "./lithos/atomizer";
import { dvfsClockMHz, sensitivity } from "./lithos/dvfs";
import { LatencyPredictor } from "./lithos/predictor";
import { occupancyTpcs, rightSizedTpcs } from "./lithos/right-size";
import type { KernelWork, Policy, SchedulerView } from "./policy";

export interface LithosOptions {
  /** Policy name reported (the ablation's). */
  name?: string;
  /** Quotas and stealing by TPC; off: plain MPS (the ablations' base). Default true. */
  tpcScheduling?: boolean;
  /** Borrow idle TPCs beyond the quota. Default true. */
  stealing?: boolean;
  /** Cut long kernels into atoms. Default true. */
  atomization?: boolean;
  /** Atom duration, µs. Default 500 (lithos.md §2.3: the blog's quantum; 250–500 effective). */
  atomUs?: number;
  /** Right-size kernels within `slip`. Default true. */
  rightSizing?: boolean;
  /** Latency slip of right-sizing. Default 1.1 (§2.5). */
  slip?: number;
  /** TPCs of the right-sizing probe; default half the GPU's (the paper: 1, see above). */
  probeTpcs?: number;
  /** Device-wide DVFS. Default true. */
  dvfs?: boolean;
  /** Slowdown budget k of f = f_max/(1 + k/S). Default 0.1 (the DVFS slip 1.1 of §2.6/[R-TR §10.1]). */
  dvfsK?: number;
  /** Time a clock switch takes, and between two decisions, ms. Default 50 (§2.6). */
  clockSwitchMs?: number;
}

/** The paper's ablation ladder (Fig. 20) and the full system. */
export const LITHOS_VARIANTS: Readonly<Record<string, LithosOptions>> = {
  "+tpc": { name: "+tpc", atomization: false, rightSizing: false, dvfs: false },
  "+atom": { name: "+atom", rightSizing: false, dvfs: false },
  lithos: { name: "lithos" },
};

const DVFS_TICK = 1;

export function makeLithos(options: LithosOptions = {}): Policy {
  const o = {
    name: options.name ?? "lithos",
    tpcScheduling: options.tpcScheduling ?? true,
    stealing: options.stealing ?? true,
    atomization: options.atomization ?? true,
    atomNs: (options.atomUs ?? 500) * 1e3,
    rightSizing: options.rightSizing ?? true,
    slip: options.slip ?? 1.1,
    probeTpcs: options.probeTpcs ?? null,
    dvfs: options.dvfs ?? true,
    dvfsK: options.dvfsK ?? 0.1,
    switchNs: (options.clockSwitchMs ?? 50) * 1e6,
    /** Largest step down per decision: 5% of f_max (the paper steps down gradually; the step is not stated). */
    stepDownMHz: (fMax: number) => 0.05 * fMax,
  };
  if (!(o.atomNs > 0)) throw new Error("lithos: atom duration must be > 0");
  if (!(o.slip >= 1)) throw new Error("lithos: right-sizing slip must be ≥ 1");
  if (!(o.dvfsK > 0)) throw new Error("lithos: DVFS budget k must be > 0");

  let quotas: number[] | null = null;
  let per = 2;
  const predictors: LatencyPredictor[] = [];
  /** Kernels launched on their own quota: the SMs they may grow to. */
  const growTo = new ByStream<number>();
  /** Waiting kernels: the SMs decided for them when first considered (a probe is decided once). */
  const decided = new ByStream<{ sms: number; rightSized: boolean }>();
  /**
   * The decision object of each stream, reused by its next kernel (a stream has one live kernel at a time, and a
   * decision lives until its kernel starts): one object per kernel was a good part of the policy's garbage.
   */
  const decisions: ({ sms: number; rightSized: boolean } | undefined)[] = [];
  const probed = new Set<number>();
  /** The kernels `schedule` considers, reused from call to call (each call consumes it before the next). */
  const candidateScratch: KernelWork[] = [];
  const counts = { kernelsAtomized: 0, atoms: 0, probes: 0, rightSized: 0, stolenLaunches: 0, launches: 0, clockSwitches: 0 };
  // Power management: per key, samples (TPCs, clock, duration) and its sensitivity once known. Indexed by key
  // (small integers from 0, see LatencyPredictor.models): looked up on every kernel completion.
  // A key's samples are kept as three parallel arrays of numbers (TPCs, clock, duration; oldest first), not one
  // object per sample: every completion scans them, and 16 objects scattered in memory cost a cache miss each.
  const clockSamples: ({ t: number[]; f: number[]; ns: number[] } | undefined)[] = [];
  const sens: (number | undefined)[] = [];
  /**
   * This decision window's runtime of completed kernels, its sensitivity-weighted sum, and the runtime of kernels seen
   * for the first time: fields of an object, not closure variables, which hold a float as a fresh heap number on every
   * update (three per completion).
   */
  const win = { weight: 0, weighted: 0, unseen: 0 };
  let pendingCap: number | null = null;
  let tickArmed = false;
  let capNow: number | null = null;

  /** Quotas and predictors, on the first call. */
  function setup(view: SchedulerView): void {
    // The check is here and the work in `init`: `init`'s closures capture its locals, so each call of it allocates a
    // context for them, even one that returns at once (this is called once or twice per kernel).
    if (quotas === null) init(view);
  }
  function init(view: SchedulerView): void {
    per = view.gpu.smCount / view.gpu.tpcCount;
    const given = view.tenants.some((t) => t.quota !== null);
    const services = view.tenants.filter((t) => t.role === "service").length;
    const sharers = services > 0 ? services : view.tenants.length;
    const even = per * Math.floor(view.gpu.tpcCount / sharers);
    quotas = view.tenants.map((t) => t.quota ?? (given ? 0 : services === 0 || t.role === "service" ? even : 0));
    for (let i = 0; i < view.tenants.length; i++) predictors.push(new LatencyPredictor());
  }

  /** Whole TPCs (a kernel of one block may take a single SM). */
  const tpcFloor = (sms: number) => (sms >= per ? per * Math.floor(sms / per + 1e-9) : Math.max(0, Math.floor(sms)));

  /** SMs of unused quota that tenants other than `t` with work in flight keep for themselves. */
  function reservedExcept(view: SchedulerView, t: number): number {
    const q = quotas!;
    let r = 0;
    for (let u = 0; u < q.length; u++) if (u !== t && q[u]! > 0 && view.busy(u)) r += Math.max(0, q[u]! - view.held(u));
    return r;
  }

  /**
   * SMs of the last `grantable` result that are borrowed. Left here, not returned in an object with the rest: the
   * policy asks for every waiting kernel on every schedule call, and an object each time was most of its garbage.
   */
  let grantedStolen = 0;

  /** SMs a kernel of tenant t could be launched on now: its free quota, then what it may borrow (`grantedStolen`). */
  function grantable(view: SchedulerView, t: number, want: number): number {
    const free = view.free(0);
    const own = tpcFloor(Math.min(want, Math.max(0, quotas![t]! - view.held(t)), free));
    let stolen = 0;
    if (o.stealing && own < want) stolen = tpcFloor(Math.max(0, Math.min(want - own, free - own - reservedExcept(view, t))));
    grantedStolen = stolen;
    return own + stolen;
  }

  /** SMs the kernel should run on: what its blocks fill, right-sized when a scaling model is known. Decided once per kernel. */
  function targetSms(view: SchedulerView, k: KernelWork): { sms: number; rightSized: boolean } {
    const known = decided.get(k);
    if (known) return known;
    const spread = spreadLimit(view, k);
    let tpcs = Math.ceil(spread / per);
    let rightSized = false;
    if (o.rightSizing) {
      // Stage 1, the occupancy filter (right-size.ts says why one block per SM).
      const occupancy = occupancyTpcs(k.blocks, per);
      if (occupancy < tpcs) { tpcs = occupancy; rightSized = true; }
      const all = view.gpu.tpcCount;
      const fit = predictors[k.tenant]!.fit(k.key);
      if (fit) {
        const sized = rightSizedTpcs(fit, all, o.slip);
        if (sized < tpcs) { tpcs = sized; rightSized = true; }
      } else if (k.atom === 0 && !probed.has(k.key) && predictors[k.tenant]!.countsSeen(k.key) === 1) {
        // Second sighting: probe a second point of the scaling curve.
        probed.add(k.key);
        counts.probes++;
        tpcs = Math.min(tpcs, o.probeTpcs ?? Math.max(1, Math.floor(all / 2)));
      }
    }
    let d = decisions[k.stream];
    if (d === undefined) decisions[k.stream] = d = { sms: 0, rightSized: false };
    d.sms = Math.min(spread, tpcs * per);
    d.rightSized = rightSized;
    decided.set(k, d);
    return d;
  }

  /** Tenants in the order they are served: higher priority first, then larger quota; FCFS within. Sorts `ks` in place. */
  function servingOrder(view: SchedulerView, ks: KernelWork[]): KernelWork[] {
    const q = quotas!;
    const ts = view.tenants;
    // sortByRank by priority · 10⁶ + quota, written out: no closure made and called on every schedule.
    for (let i = 1; i < ks.length; i++) {
      const k = ks[i]!, r = ts[k.tenant]!.priority * 1e6 + q[k.tenant]!;
      let j = i - 1;
      for (; j >= 0 && ts[ks[j]!.tenant]!.priority * 1e6 + q[ks[j]!.tenant]! < r; j--) ks[j + 1] = ks[j]!;
      ks[j + 1] = k;
    }
    return ks;
  }

  function armTick(view: SchedulerView): void {
    if (!o.dvfs || tickArmed) return;
    tickArmed = true;
    view.setTimer(view.now + o.switchNs, DVFS_TICK);
  }

  return {
    name: o.name,
    // TPC masks keep tenants' blocks on disjoint TPCs (lithos.md §2.2).
    sharesSms: !o.tpcScheduling,

    atomize(view, k) {
      if (!o.tpcScheduling || !o.atomization) return 1;
      setup(view);
      // Predicted at the TPCs it could get now, or its quota, or (a borrower facing a busy GPU) all of them.
      const want = spreadLimit(view, k);
      const sms = grantable(view, k.tenant, want) || quotas![k.tenant]! || view.pools[0]!.smCount;
      const tpcs = Math.max(1, Math.round(Math.min(sms, want) / per));
      const predicted = predictors[k.tenant]!.predict(k.key, tpcs);
      const waves = Math.ceil(k.blocks / (k.resident * Math.max(1, Math.min(sms, want))));
      const n = atomCount(predicted, k.blocks, waves, o.atomNs);
      if (n > 1) { counts.kernelsAtomized++; counts.atoms += n; }
      return n;
    },

    schedule(view) {
      if (!o.tpcScheduling) { fill(view, fcfsOrder(view)); return; }
      setup(view);
      if (view.waiting.length > 0 || view.running.length > 0) armTick(view);
      const candidates = emptied(candidateScratch);
      for (const k of view.running) if (growTo.has(k) && !k.inLastWave && k.reclaiming === 0 && k.sms < growTo.get(k)!) candidates.push(k);
      for (const k of view.waiting) candidates.push(k);
      for (const k of servingOrder(view, candidates)) {
        const t = k.tenant;
        if (k.sms > 0) {
          // Own-masked: spread onto more of its quota's TPCs as they free up.
          const room = Math.min(Math.max(0, quotas![t]! - view.held(t)), view.free(0));
          const n = Math.min(growTo.get(k)!, k.sms + tpcFloor(room));
          if (n > k.sms && view.capFor(k, n) - k.cap <= room) view.grow(k, n);
          continue;
        }
        const target = targetSms(view, k);
        const n = grantable(view, t, target.sms);
        const stolen = grantedStolen;
        if (n <= 0) continue;
        view.start(k, n);
        decided.delete(k);
        counts.launches++;
        if (target.rightSized) counts.rightSized++;
        if (stolen > 0) counts.stolenLaunches++;
        else growTo.set(k, target.sms);
      }
    },

    onKernelDone(view, k, runNs) {
      growTo.delete(k);
      if (!o.tpcScheduling) return;
      const tpcs = Math.max(1, Math.round(k.sms / per));
      const wholeNs = (runNs * k.kernelBlocks) / k.blocks;
      const pred = predictors[k.tenant]!;
      const unseen = pred.countsSeen(k.key) === 0;
      pred.observe(k.key, tpcs, wholeNs);
      if (!o.dvfs) return;
      // Power management: learn the kernel's clock sensitivity at this TPC count; weigh it by its runtime.
      const f = view.clockMHz;
      let samples = clockSamples[k.key];
      if (!samples) { samples = { t: [], f: [], ns: [] }; clockSamples[k.key] = samples; }
      // The nearest clock above (else below) gives the local sensitivity: kernels slow down little until a
      // knee (a memory-bound kernel once the SMs can no longer keep the memory busy), then steeply.
      // (One pass, no arrays: the lowest clock above f, else the highest below; the first such sample on ties.)
      // The same pass finds the sample at this TPC count and clock, if any (the first one).
      // (Sample indices; -1: none.)
      let above = -1, below = -1, same = -1;
      for (let i = 0; i < samples.t.length; i++) {
        if (samples.t[i] !== tpcs) continue;
        const fi = samples.f[i]!;
        if (Math.abs(fi - f) <= 1) { if (same < 0) same = i; continue; }
        if (fi > f) { if (above < 0 || fi < samples.f[above]!) above = i; } else if (below < 0 || fi > samples.f[below]!) below = i;
      }
      const other = above >= 0 ? above : below;
      if (other >= 0) {
        const s = sensitivity(view.gpu.maxClockMHz, { f: samples.f[other]!, ns: samples.ns[other]! }, { f, ns: wholeNs });
        if (s !== null) sens[k.key] = s;
      }
      if (same >= 0) samples.ns[same] = wholeNs;
      else { samples.t.push(tpcs); samples.f.push(f); samples.ns.push(wholeNs); }
      if (samples.t.length > 16) { samples.t.shift(); samples.f.shift(); samples.ns.shift(); }
      win.weight += runNs;
      win.weighted += runNs * (sens[k.key] ?? 1);
      if (unseen) win.unseen += runNs;
    },

    onTimer(view, tag) {
      if (tag !== DVFS_TICK) return;
      tickArmed = false;
      // The clock decided one switch ago is in effect now.
      if (pendingCap !== capNow) { view.setClockCap(pendingCap); capNow = pendingCap; counts.clockSwitches++; }
      if (win.weight > 0) {
        const fMax = view.gpu.maxClockMHz;
        const target = win.unseen > 0 ? fMax : dvfsClockMHz(fMax, win.weighted / win.weight, o.dvfsK);
        // Down gradually, up at once (§2.6: "stepping down gradually from the maximum frequency").
        const from = capNow ?? fMax;
        const f = target < from ? Math.max(target, from - o.stepDownMHz(fMax)) : target;
        pendingCap = f >= fMax ? null : snapClockMHz(view.gpu, f);
      }
      win.weight = win.weighted = win.unseen = 0;
      if (view.tenants.some((t) => view.busy(t.index))) armTick(view);
    },

    report() {
      const out: Record<string, number | Record<string, number>> = {
        kernels_atomized: counts.kernelsAtomized,
        atoms: counts.atoms,
        right_sized_launches: counts.rightSized,
        right_sizing_probes: counts.probes,
        launches: counts.launches,
        launches_on_stolen_tpcs: counts.stolenLaunches,
        clock_switches: counts.clockSwitches,
      };
      predictors.forEach((p, i) => {
        const s = p.stats();
        out[`predictor_tenant${i}`] = {
          predictions: s.predictions,
          misprediction_rate: s.predictions ? s.mispredictions / s.predictions : 0,
          p99_abs_error_us: s.p99AbsErrorNs / 1e3,
        };
      });
      return out;
    },
  };
}

/**
 * A map from kernels to values for kernels alive at the same time, at most one per stream (the engine runs a
 * stream's kernels, and a kernel's atoms, one after another), kept in arrays indexed by stream. The policy looks
 * kernels up on every schedule call and completion; a Map keyed by kernel objects spent much of that time hashing
 * and resizing its table as kernels came and went.
 */
class ByStream<V> {
  private readonly kernels: (KernelWork | undefined)[] = [];
  private readonly values: (V | undefined)[] = [];

  has(k: KernelWork): boolean {
    return this.kernels[k.stream] === k;
  }
  get(k: KernelWork): V | undefined {
    return this.kernels[k.stream] === k ? this.values[k.stream] : undefined;
  }
  set(k: KernelWork, v: V): void {
    const old = this.kernels[k.stream];
    if (old !== undefined && old !== k) throw new Error(`lithos: two live kernels on stream ${k.stream}`);
    this.kernels[k.stream] = k;
    this.values[k.stream] = v;
  }
  delete(k: KernelWork): void {
    if (this.kernels[k.stream] !== k) return;
    this.kernels[k.stream] = undefined;
    this.values[k.stream] = undefined;
  }
}
