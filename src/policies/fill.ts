/**
 * The block dispatcher the sharing policies have in common: hand free SM-equivalents to kernels in a given
 * order, growing running kernels that still have blocks to dispatch and starting waiting ones. The order is
 * the policy: first come first served (MPS), priority first (stream or client priorities), or one tenant only
 * (time slicing). Hardware dispatches blocks breadth-first over the SMs it may use (hardware.md §0 item 12),
 * so a kernel spreads over as many SMs as its blocks and its limit allow.
 */
import { emptied } from "../util/arrays";
import type { KernelWork, SchedulerView, TenantView } from "./policy";

/** Most SMs a kernel may spread over: its blocks, its tenant's limit, its pool. */
export function spreadLimit(view: SchedulerView, k: KernelWork): number {
  const t = view.tenants[k.tenant]!;
  const pool = view.pools[t.pool]!.smCount;
  return Math.min(k.blocks, t.smLimit ?? pool, pool);
}

/** SM-equivalents a tenant may still take: what is free in its pool, within its own limit. */
export function available(view: SchedulerView, t: TenantView): number {
  const free = view.free(t.pool);
  return t.smLimit === null ? free : Math.min(free, t.smLimit - view.held(t.index));
}

/** Kernels that can take more SMs: running ones with blocks left to dispatch on fewer SMs than they could use. */
export function growable(view: SchedulerView, k: KernelWork): boolean {
  return !k.inLastWave && k.reclaiming === 0 && k.sms < spreadLimit(view, k);
}

/** The array `fill` returns, reused from call to call (as `fcfsOrder`'s is). */
const starvedScratch: KernelWork[] = [];

/**
 * Gives capacity to `order` (running kernels to grow and waiting kernels to start) in that order until none
 * is left. Returns the kernels that got nothing (or less than they could use), in order, in an array that the
 * next call reuses: use it before calling `fill` again.
 */
export function fill(view: SchedulerView, order: readonly KernelWork[]): KernelWork[] {
  const starved = emptied(starvedScratch);
  for (const k of order) {
    const t = view.tenants[k.tenant]!;
    const avail = available(view, t);
    const want = spreadLimit(view, k);
    if (k.sms > 0) {
      // Running: grow into what is free, up to its spread limit.
      if (!growable(view, k)) continue;
      // A growable kernel holds all its SMs (it is not in its last wave), so n SMs cost at most n.
      const n = Math.min(want, k.sms + Math.max(0, avail));
      if (n > k.sms && view.capFor(k, n) - k.cap <= avail) view.grow(k, n);
      if (n < want) starved.push(k);
      continue;
    }
    if (avail <= 0) { starved.push(k); continue; }
    // Waiting: all the SMs its blocks can use if their SM-equivalents are free, else what is free.
    const n = view.capFor(k, want) <= avail ? want : Math.min(want, avail);
    view.start(k, n);
    if (n < want) starved.push(k);
  }
  return starved;
}

/**
 * The array `fcfsOrder` returns, reused from call to call: the engine calls `schedule` millions of times in a
 * replay, and a fresh array each time was a good part of its garbage. Policies consume the order at once (hand it
 * to `fill`, or sort a copy of it) and never keep it.
 */
const fcfsScratch: KernelWork[] = [];

/**
 * Running kernels first (by start), then waiting ones (by readiness): first come, first served; only `eligible` ones
 * when given. The array is reused by the next call: use it (or copy it) before calling `fcfsOrder` again.
 */
export function fcfsOrder(view: SchedulerView, eligible?: (k: KernelWork) => boolean): KernelWork[] {
  const order = emptied(fcfsScratch);
  // Without a filter, no call per kernel: an always-true default was a call V8 did not inline, on every schedule.
  for (const k of view.running) if ((eligible === undefined || eligible(k)) && growable(view, k)) order.push(k);
  for (const k of view.waiting) if (eligible === undefined || eligible(k)) order.push(k);
  return order;
}

/**
 * Like `fcfsOrder` but higher tenant priority first; ties keep first come, first served. `rankedOrder` by tenant
 * priority, written out: stream priorities schedule on every event, and two closures a call were a good part of it.
 */
export function priorityOrder(view: SchedulerView): KernelWork[] {
  const ks = fcfsOrder(view);
  const ts = view.tenants;
  // sortByRank's insertion sort, ranking by tenant priority.
  for (let i = 1; i < ks.length; i++) {
    const k = ks[i]!, r = ts[k.tenant]!.priority;
    let j = i - 1;
    for (; j >= 0 && ts[ks[j]!.tenant]!.priority < r; j--) ks[j + 1] = ks[j]!;
    ks[j + 1] = k;
  }
  return ks;
}

/**
 * Like `fcfsOrder` (restricted to `eligible` kernels) but tenants of higher `rank` first; ties keep first come,
 * first served. `priorityOrder` ranks by tenant priority; REEF, Orion and TGS rank high-priority tenants first.
 */
export function rankedOrder(view: SchedulerView, rank: (tenant: number) => number, eligible?: (k: KernelWork) => boolean): KernelWork[] {
  // Stable: within one rank, running kernels (started earlier) stay ahead of waiting ones. sortByRank written out
  // with the tenant's rank: REEF, Orion and TGS schedule on every event, and a closure per call was their garbage.
  const ks = fcfsOrder(view, eligible);
  for (let i = 1; i < ks.length; i++) {
    const k = ks[i]!, r = rank(k.tenant);
    let j = i - 1;
    for (; j >= 0 && rank(ks[j]!.tenant) < r; j--) ks[j + 1] = ks[j]!;
    ks[j + 1] = k;
  }
  return ks;
}

/**
 * Sorts `ks` in place by `rank` (larger first), keeping the order of kernels of equal rank: an insertion sort,
 * as the lists are a handful of kernels sorted on every schedule call (no garbage, and no work when only one
 * tenant has kernels, the common case).
 */
export function sortByRank(ks: KernelWork[], rank: (k: KernelWork) => number): KernelWork[] {
  for (let i = 1; i < ks.length; i++) {
    const k = ks[i]!, r = rank(k);
    let j = i - 1;
    for (; j >= 0 && rank(ks[j]!) < r; j--) ks[j + 1] = ks[j]!;
    ks[j + 1] = k;
  }
  return ks;
}

/**
 * Stream or client priorities: the block scheduler prefers pending blocks of more urgent work but never
 * preempts running blocks. A starved urgent kernel takes SMs from less urgent running kernels as their
 * blocks finish (`reclaim`), which is how its wait stays near one block's duration instead of a whole kernel.
 */
export function reclaimForUrgent(view: SchedulerView, starved: readonly KernelWork[]): void {
  // reclaimForRanked by tenant priority, written out (no closure, no calls through it: see priorityOrder).
  const ts = view.tenants;
  for (let s = 0; s < starved.length; s++) {
    const k = starved[s]!;
    const t = ts[k.tenant]!;
    let short = view.capFor(k, spreadLimit(view, k)) - (k.cap + available(view, t));
    const running = view.running;
    for (let i = 0; i < running.length; i++) if (running[i]!.reclaiming > 0) short -= running[i]!.reclaiming;
    if (short <= 0) continue;
    for (let i = 0; i < running.length; i++) {
      if (short <= 0) break;
      const r = running[i]!;
      const rt = ts[r.tenant]!;
      if (rt.priority >= t.priority || rt.pool !== t.pool || r.inLastWave || r.reclaiming > 0 || r.sms <= 1) continue;
      const take = Math.min(short, r.sms - 1);
      view.reclaim(r, take);
      short -= take;
    }
  }
}

/** `reclaimForUrgent` with urgency given by `rank` (a tenant index → larger is more urgent) instead of tenant priority. */
export function reclaimForRanked(view: SchedulerView, starved: readonly KernelWork[], rank: (tenant: number) => number): void {
  for (const k of starved) {
    const t = view.tenants[k.tenant]!;
    let short = view.capFor(k, spreadLimit(view, k)) - (k.cap + available(view, t));
    for (const r of view.running) if (r.reclaiming > 0) short -= r.reclaiming;
    if (short <= 0) continue;
    for (const r of view.running) {
      if (short <= 0) break;
      const rt = view.tenants[r.tenant]!;
      if (rank(rt.index) >= rank(t.index) || rt.pool !== t.pool || r.inLastWave || r.reclaiming > 0 || r.sms <= 1) continue;
      const take = Math.min(short, r.sms - 1);
      view.reclaim(r, take);
      short -= take;
    }
  }
}

/**
 * Which tenants are high priority (HP) and which best effort (BE), for the policies that protect one class from
 * the other (REEF, Orion, TGS; lithos.md §5, where "priority systems … reduce the priority of the BE application").
 * A tenant is HP when its priority is above the lowest priority among the tenants; when all priorities are equal,
 * services (request-driven, latency matters) are HP and jobs BE. Jobs alone, or services alone at one priority,
 * leave one class empty: nothing to protect.
 */
export function highPriorityTenants(view: { readonly tenants: readonly TenantView[] }): readonly boolean[] {
  // The split depends on the tenants alone, and the policies ask on every schedule call: kept per tenants array.
  let hp = HIGH_PRIORITY.get(view.tenants);
  if (hp === undefined) HIGH_PRIORITY.set(view.tenants, (hp = highPriorityOf(view.tenants)));
  return hp;
}

const HIGH_PRIORITY = new WeakMap<readonly TenantView[], readonly boolean[]>();

function highPriorityOf(ts: readonly TenantView[]): boolean[] {
  let lowest = Infinity;
  for (const t of ts) lowest = Math.min(lowest, t.priority);
  if (ts.some((t) => t.priority !== lowest)) return ts.map((t) => t.priority > lowest);
  return ts.map((t) => t.role === "service");
}

/**
 * SMs a kernel's grid can fill at its occupancy, at most its pool's: ceil(blocks / resident blocks per SM). The
 * "sm_used" of an offline kernel profile (REEF's and Orion's), as opposed to `spreadLimit`, the SMs its blocks
 * spread over when there are more SMs than it needs.
 */
export function smsNeeded(view: SchedulerView, k: KernelWork): number {
  const pool = view.pools[view.tenants[k.tenant]!.pool]!.smCount;
  return Math.min(pool, Math.ceil(k.blocks / Math.max(1, k.resident)));
}
