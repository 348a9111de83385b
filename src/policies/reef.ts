/**
 * REEF (Han et al., OSDI '22) in its NVIDIA form, REEF-N: real-time (here: high-priority, HP) work goes first;
 * best-effort (BE) kernels run when no real-time task is in flight, or padded beside a real-time kernel. REEF-N
 * "cannot proactively kill running kernels" (lithos.md §5 REEF, from the lingyunyang reading notes), so the
 * reset-based preemption of the AMD version is absent: a running BE kernel always runs to its end.
 *
 * Rules, with their sources:
 * 1. An HP kernel is submitted at once (Orion's artifact, `github.com/eth-easl/orion`
 *    `src/scheduler/scheduler_eval.cpp`, `schedule_reef`: "if hp is found, schedule"; lithos.md §5). Its pending
 *    blocks dispatch ahead of any BE blocks, and a starved HP kernel takes SMs from BE kernels as their blocks
 *    finish, as under stream priorities (`reclaimForRanked`; the brief for this simulator). Deviation, kept on
 *    purpose: the artifact creates REEF's HP stream at the default priority (`create_streams(…, reef=true)` in
 *    `src/scheduler/utils_sched.cpp`), so there HP blocks queue behind pending BE blocks; we follow lithos.md's
 *    "submitted immediately" and REEF's real-time-first intent instead.
 * 2. Dynamic kernel padding (REEF OSDI '22 §DKP; the concrete rule from `schedule_reef`): while an HP kernel is
 *    pending or running, one BE kernel may be co-launched beside it if
 *    `BE.duration ≤ HP.duration && BE.sm_used ≥ HP.sm_used`. Duration is the offline profile (`profileNs`: alone
 *    on the whole pool) and sm_used the SMs its grid can fill (`smsNeeded`: min(pool SMs, ceil(blocks / resident))).
 *    One BE kernel per HP kernel ("if one is found, exit"); the first ready BE kernel that fits is taken.
 *    The second inequality is taken literally from the artifact. REEF describes padding as co-launching BE kernels
 *    into the compute units an RT kernel leaves over (lithos.md §5), which would rather read
 *    `BE.sm_used ≤ pool − HP.sm_used`; the artifact's `≥` is the only concrete rule available, and here it cannot
 *    take SMs from the HP kernel anyway: the HP kernel is dispatched first (rule 1) and the padding kernel gets only
 *    what it leaves, so `≥` just admits BE kernels wide enough to use all of the leftover. A padding kernel is never
 *    preempted either.
 * 3. Otherwise BE kernels wait while an HP request is in flight. "In flight" (the brief's "HP kernel pending or
 *    running") is read as the HP tenant being busy: work submitted and not finished (`view.busy`), not merely an HP
 *    kernel ready or running. Assumed because REEF runs BE work only when no real-time task is running (REEF
 *    OSDI '22; lithos.md §5), because in this engine a request's next kernels sit in its stream's queue between
 *    two ready kernels, and because reading "pending" as "ready" would let BE kernels (up to 1.4 ms on the ResNet-50
 *    training trace) slip into every microsecond-long launch gap inside a request. The artifact differs here: it
 *    drains the HP client's buffer at once, so its release counter also advances during a request.
 * 4. When no HP request is in flight, BE kernels are released in batches of `depth` (lithos.md §5, `schedule_reef`'s
 *    `penalty >= depth`): at most `depth` BE kernels are released and unfinished at once, padding kernels not
 *    counted. The artifact counts polling rounds of its busy loop, which have no time meaning in a discrete-event
 *    model, so the bound on BE work queued on the device is what is kept. Default 12: Orion's artifact runs REEF
 *    with `--reef_depth 12` (`artifact_evaluation/fig7/run_reef.py`). A BE tenant's kernels are serialised on its
 *    streams, so with one BE stream the bound never binds; it does with several BE streams or tenants.
 * 5. HP vs BE: `highPriorityTenants` (fill.ts). With no HP tenant (jobs alone) nothing is protected: all kernels
 *    dispatch first come, first served, exactly as under MPS.
 * Not modelled: REEF's reset-based preemption and its GPU-side queues (AMD only); memory operations never reach
 * the policy in this engine.
 */
import { fcfsOrder, fill, highPriorityTenants, rankedOrder, reclaimForRanked, smsNeeded } from "./fill";
import type { KernelWork, Policy, SchedulerView } from "./policy";

export interface ReefOptions {
  /** BE kernels released and unfinished at once while no HP request is in flight. Default 12 (Orion's artifact). */
  depth?: number;
}

export function makeReef(options: ReefOptions = {}): Policy {
  const depth = options.depth ?? 12;
  if (!(Number.isInteger(depth) && depth >= 1)) throw new Error(`reef: depth must be an integer ≥ 1, got ${depth}`);
  /** BE kernels released (rule 4) and not finished. */
  const released = new Set<KernelWork>();
  /** BE kernels co-launched beside an HP kernel (rule 2) and not finished. */
  const padding = new Set<KernelWork>();
  /** HP kernels that already have their padding kernel. */
  const padded = new Set<KernelWork>();

  /** The HP split of the current schedule call, read by the closures below (made once, not on every call). */
  let hp: readonly boolean[] = [];
  const rank = (t: number) => (hp[t] ? 1 : 0);
  const eligible = (k: KernelWork) => hp[k.tenant]! || k.sms > 0 || released.has(k) || padding.has(k);

  function dispatch(view: SchedulerView): KernelWork[] {
    return fill(view, rankedOrder(view, rank, eligible));
  }

  /** The first waiting BE kernel, neither released nor padding, no longer than HP kernel `h` and as wide (rule 2). */
  function paddingFor(view: SchedulerView, h: KernelWork): KernelWork | undefined {
    const hSms = smsNeeded(view, h);
    for (const k of view.waiting) {
      if (!hp[k.tenant] && !released.has(k) && !padding.has(k) && k.profileNs <= h.profileNs && smsNeeded(view, k) >= hSms) return k;
    }
    return undefined;
  }

  return {
    name: "reef",
    schedule(view) {
      hp = highPriorityTenants(view);
      if (!hp.includes(true)) { fill(view, fcfsOrder(view)); return; }
      // Rule 1: HP kernels first.
      let starved = dispatch(view);
      let hpBusy = false;
      for (let t = 0; t < hp.length; t++) if (hp[t] && view.busy(t)) hpBusy = true;
      let more = false;
      if (!hpBusy) {
        // Rule 4: no HP request in flight: release BE kernels up to `depth` outstanding.
        for (const k of view.waiting) {
          if (released.size >= depth) break;
          if (hp[k.tenant] || released.has(k) || padding.has(k)) continue;
          released.add(k);
          more = true;
        }
      } else {
        // Rule 2: one padding kernel beside each HP kernel that is ready or running (running ones first). Written
        // out, without a list of them or a closure per search: this runs on every schedule call while HP work is on.
        const running = view.running, waiting = view.waiting;
        for (let i = 0; i < running.length + waiting.length; i++) {
          const h = i < running.length ? running[i]! : waiting[i - running.length]!;
          if (!hp[h.tenant] || padded.has(h)) continue;
          const fit = paddingFor(view, h);
          if (!fit) continue;
          padding.add(fit);
          padded.add(h);
          more = true;
        }
      }
      if (more) starved = dispatch(view);
      reclaimForRanked(view, starved, rank);
    },
    onKernelDone(_view, k) {
      released.delete(k);
      padding.delete(k);
      padded.delete(k);
    },
  };
}
