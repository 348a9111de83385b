/**
 * TGS (Wu et al., NSDI '23): transparent GPU sharing at the OS layer beneath containers. A production
 * (high-priority, HP) job is protected from opportunistic (best-effort, BE) jobs by adaptive rate control of the
 * BE job's kernels (lithos.md §5 TGS, `https://bingyangwu.github.io/publication/tgs`). No spatial partitioning,
 * no preemption (lithos.md §5). TGS's other mechanism, transparent unified memory, is about GPU memory capacity,
 * which this simulator does not model.
 *
 * The exact rate-control law was not retrieved (lithos.md §5: "Exact rate-control law: not retrieved"); what
 * follows is an AIMD controller in the spirit of the description "raise the rate while HP throughput stays at
 * baseline; cut it when HP throughput drops" (lithos.md §5). Every constant below is an assumption:
 * 1. Token gate (lithos.md §5: "BE kernel submission is gated by a token rate"). Tokens are BE work in ns of its
 *    offline profile (`profileNs`, alone on the whole pool), so the rate is a share of the GPU's time, 0 … 1; a
 *    ready BE kernel starts when the bucket is positive and is charged its profile (the bucket may go into debt:
 *    a kernel longer than the bucket still runs, and the next waits longer). The bucket holds at most one window of
 *    tokens. Assumed: weighting by profiled time rather than counting kernels, because BE kernel lengths here span
 *    three orders of magnitude (0.7 µs … 1.4 ms on the ResNet-50 training trace). At the top rate (1) the gate is
 *    open: BE runs unthrottled.
 * 2. Feedback every `windowNs` (default 10 ms, the engine's power window; assumed). The HP signal is the HP
 *    tenants' kernel throughput while busy: Σ `profileNs` of HP kernels finished in the window (`onKernelDone`) ÷ the
 *    time an HP tenant was busy in it (observed at every `schedule`). Assumed instead of raw completions per window
 *    because an open-loop service's completions follow its arrivals, not its interference; for an HP job that runs
 *    back to back, busy time is the whole window and the two agree. A window with less than 5% of it HP-busy
 *    carries no signal.
 * 3. Baseline: the best HP throughput seen in a window in which BE was absent (no BE kernel ran or finished) or
 *    throttled to the floor rate. Until one is seen, every window with a signal counts as degraded, so the rate
 *    falls to the floor and the baseline is measured there.
 * 4. AIMD: at the end of a window with a signal below (1 − tolerance) × baseline (tolerance 5%), the rate is cut
 *    multiplicatively (× 0.5, floor 0.01); otherwise, and in windows without an HP signal, it rises additively
 *    (+ 0.05 of the GPU's time per window; from the floor to open in about 200 ms). The controller starts at the
 *    floor (assumed: it protects the production job before it has measured the opportunistic job's effect).
 * 5. Dispatch: admitted BE kernels and HP kernels share the SMs first come, first served, with no priority between
 *    them (assumed: TGS works beneath containers, so no MPS client or stream priority separates them; lithos.md §5
 *    prescribes no spatial partitioning and no preemption, so the contexts' time slicing that separate containers
 *    would get on the hardware, background knowledge not verified here, is not modelled either).
 * 6. HP vs BE: `highPriorityTenants` (fill.ts). With no HP tenant, or no BE tenant, nothing is gated: first come,
 *    first served, exactly as under MPS (so a job alone runs as fast as under MPS).
 * Deterministic: the controller's state changes only at engine events and its own timers.
 */
import { fcfsOrder, fill, highPriorityTenants } from "./fill";
import type { KernelWork, Policy, SchedulerView } from "./policy";

export interface TgsOptions {
  /** Feedback window, ns. Default 10 ms. */
  windowNs?: number;
  /** Multiplicative cut of the BE rate when HP throughput degrades. Default 0.5. */
  decrease?: number;
  /** Additive raise of the BE rate per window (share of the GPU's time). Default 0.05. */
  increase?: number;
  /** HP throughput below (1 − tolerance) × baseline counts as degraded. Default 0.05. */
  tolerance?: number;
  /** Floor of the BE rate. Default 0.01. */
  minRate?: number;
}

const WINDOW = 0;
const TOKENS = 1;
/** Share of a window the HP tenants must be busy for it to carry a signal. */
const MIN_SIGNAL = 0.05;

export function makeTgs(options: TgsOptions = {}): Policy {
  const windowNs = options.windowNs ?? 10e6;
  const decrease = options.decrease ?? 0.5;
  const increase = options.increase ?? 0.05;
  const tolerance = options.tolerance ?? 0.05;
  const minRate = options.minRate ?? 0.01;
  if (!(windowNs > 0 && decrease > 0 && decrease < 1 && increase > 0 && tolerance >= 0 && minRate > 0 && minRate <= 1)) {
    throw new Error("tgs: windowNs > 0, 0 < decrease < 1, increase > 0, tolerance ≥ 0 and 0 < minRate ≤ 1 are required");
  }
  /**
   * The gate's numbers, as fields of one object rather than closure variables: a closure variable holds a float as a
   * fresh heap number on every update, and these change on every schedule call and completion.
   */
  const g = {
    /** BE rate: profiled BE ns per ns; 1 opens the gate. */
    rate: minRate,
    /** The token bucket (profiled BE ns) as of `tokensAt`, and when its refill timer is due. */
    tokens: 0,
    tokensAt: 0,
    tokenTimerAt: Infinity,
    /** The current window: the rate at its start, HP work done (profiled ns), HP-busy time, and when last observed. */
    rateAtStart: minRate,
    hpWorkNs: 0,
    hpBusyNs: 0,
    lastObs: 0,
  };
  let baseline: number | null = null;
  /** BE kernels let through the gate and not finished. */
  const admitted = new Set<KernelWork>();
  /** The kernels `fill` may run: HP ones (by `gateHp`, this call's split), running ones, admitted BE ones; made once. */
  let gateHp: readonly boolean[] = [];
  const admittedOrRunning = (k: KernelWork) => gateHp[k.tenant]! || k.sms > 0 || admitted.has(k);
  // The current window.
  let windowArmed = false;
  let beActive = false;
  let lastHpBusy = false;

  function hasWork(view: SchedulerView): boolean {
    if (view.waiting.length > 0 || view.running.length > 0) return true;
    for (let t = 0; t < view.tenants.length; t++) if (view.busy(t)) return true;
    return false;
  }

  function hpBusy(view: SchedulerView, hp: readonly boolean[]): boolean {
    for (let t = 0; t < hp.length; t++) if (hp[t] && view.busy(t)) return true;
    return false;
  }

  /** Brings the window's HP-busy time and BE activity up to now. */
  function observe(view: SchedulerView, hp: readonly boolean[]): void {
    if (lastHpBusy) g.hpBusyNs += view.now - g.lastObs;
    g.lastObs = view.now;
    lastHpBusy = hpBusy(view, hp);
    if (!beActive) for (const k of view.running) if (!hp[k.tenant]) { beActive = true; break; }
  }

  function accrue(now: number): void {
    g.tokens = Math.min(g.rate * windowNs, g.tokens + g.rate * (now - g.tokensAt));
    g.tokensAt = now;
  }

  function openWindow(view: SchedulerView, hp: readonly boolean[]): void {
    windowArmed = true;
    g.rateAtStart = g.rate;
    g.hpWorkNs = 0;
    g.hpBusyNs = 0;
    beActive = false;
    g.lastObs = view.now;
    lastHpBusy = hpBusy(view, hp);
    view.setTimer(view.now + windowNs, WINDOW);
  }

  /** The AIMD step at the end of a window (rules 2–4). */
  function closeWindow(view: SchedulerView): void {
    accrue(view.now);
    if (g.hpBusyNs < MIN_SIGNAL * windowNs) {
      g.rate = Math.min(1, g.rate + increase);
      return;
    }
    const x = g.hpWorkNs / g.hpBusyNs;
    if (!beActive || g.rateAtStart <= minRate) baseline = Math.max(baseline ?? 0, x);
    const degraded = baseline === null || x < (1 - tolerance) * baseline;
    g.rate = degraded ? Math.max(minRate, g.rate * decrease) : Math.min(1, g.rate + increase);
  }

  return {
    name: "tgs",
    schedule(view) {
      const hp = highPriorityTenants(view);
      if (!hp.includes(true) || !hp.includes(false)) { fill(view, fcfsOrder(view)); return; }
      if (!windowArmed && hasWork(view)) openWindow(view, hp);
      observe(view, hp);
      accrue(view.now);
      // Rule 1: the token gate, in readiness order.
      let held = false;
      for (const k of view.waiting) {
        if (hp[k.tenant] || admitted.has(k)) continue;
        if (g.rate < 1 && g.tokens <= 0) { held = true; break; }
        if (g.rate < 1) g.tokens -= k.profileNs;
        admitted.add(k);
      }
      gateHp = hp;
      fill(view, fcfsOrder(view, admittedOrRunning));
      if (!beActive) for (const k of view.running) if (!hp[k.tenant]) { beActive = true; break; }
      // Wake up when the bucket turns positive again.
      if (held) {
        const at = view.now + Math.max(1, Math.ceil(-g.tokens / g.rate) + 1);
        if (at < g.tokenTimerAt) { g.tokenTimerAt = at; view.setTimer(at, TOKENS); }
      }
    },
    onTimer(view, tag) {
      if (tag === TOKENS) {
        if (view.now >= g.tokenTimerAt) g.tokenTimerAt = Infinity;
        return;
      }
      const hp = highPriorityTenants(view);
      observe(view, hp);
      closeWindow(view);
      windowArmed = false;
      // Keep measuring while anything is left to run; otherwise the next `schedule` with work opens a window.
      if (hasWork(view)) openWindow(view, hp);
    },
    onKernelDone(view, k) {
      admitted.delete(k);
      if (highPriorityTenants(view)[k.tenant]) g.hpWorkNs += k.profileNs;
      else beActive = true;
    },
  };
}
