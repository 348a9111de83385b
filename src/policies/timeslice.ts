/**
 * Time slicing between processes without MPS: one context runs at a time; the others wait their turn.
 * Measured on the H200 (hardware.md §4.3, `Default` policy): round-robin turns of ≈ 2.09 ms of execution,
 * ≈ 150 µs of dead time per context switch (≈ 175 µs when the context switched out fills the GPU), and
 * work-conserving: a context with nothing to run gives up the GPU at once. A running kernel is preempted at
 * the end of its context's turn and resumes where it stopped (compute preemption saves its state; §4.1).
 */
import { fcfsOrder, fill } from "./fill";
import type { KernelWork, Policy, SchedulerView } from "./policy";

export interface TimesliceOptions {
  /** Execution per turn, ns. Default 2.09 ms (hardware.md §4.3, two-process probe). */
  sliceNs?: number;
  /** Dead time of a switch away from a context holding no SMs, ns. Default 150 µs (§4.3). */
  switchNs?: number;
  /** Dead time of a switch away from a context holding every SM, ns; interpolated by SMs held. Default 175 µs (§4.3). */
  fullSwitchNs?: number;
}

const TURN_END = 0;
const SWITCHED = 1;

export function makeTimeslice(options: TimesliceOptions = {}): Policy {
  const sliceNs = options.sliceNs ?? 2.09e6;
  const switchNs = options.switchNs ?? 150e3;
  const fullSwitchNs = options.fullSwitchNs ?? 175e3;
  let active = -1;
  let next = -1;
  let switching = false;
  /** A turn timer is pending for `active`. */
  let inTurn = false;
  let generation = 0;
  /** The kernels `fill` may run: the active context's (one closure for the run, not one per schedule call). */
  const ofActive = (k: KernelWork): boolean => k.tenant === active;

  /** The next tenant after `from`, round-robin, that has work; -1 if none other does. */
  function nextBusy(view: SchedulerView, from: number): number {
    const n = view.tenants.length;
    for (let i = 1; i <= n; i++) {
      const t = (from + i + n) % n;
      if (t !== from && view.busy(t)) return t;
    }
    return -1;
  }

  function beginTurn(view: SchedulerView, tenant: number): void {
    active = tenant;
    inTurn = true;
    generation++;
    view.setTimer(view.now + sliceNs, TURN_END + 2 * generation);
  }

  function switchTo(view: SchedulerView, tenant: number): void {
    let held = 0;
    for (const k of [...view.running]) {
      if (k.tenant === active) { held += k.cap; view.preempt(k); }
    }
    switching = true;
    inTurn = false;
    next = tenant;
    generation++;
    const dead = switchNs + (fullSwitchNs - switchNs) * (held / view.gpu.smCount);
    view.setTimer(view.now + dead, SWITCHED + 2 * generation);
  }

  return {
    name: "timeslice",
    schedule(view) {
      if (switching) return;
      if (active < 0) {
        const first = nextBusy(view, -1);
        if (first < 0) return;
        beginTurn(view, first);
      }
      if (!view.busy(active)) {
        const other = nextBusy(view, active);
        if (other >= 0) switchTo(view, other);
        return;
      }
      if (!inTurn) beginTurn(view, active);
      fill(view, fcfsOrder(view, ofActive));
    },
    onTimer(view, tag) {
      if (tag >> 1 !== generation) return; // a timer from an earlier turn
      if ((tag & 1) === SWITCHED) {
        switching = false;
        beginTurn(view, next);
      } else {
        inTurn = false;
        const other = nextBusy(view, active);
        if (other >= 0) switchTo(view, other);
        // Work-conserving: nobody else wants the GPU, so the context keeps it (a new turn starts when it has work).
      }
      this.schedule(view);
    },
  };
}
