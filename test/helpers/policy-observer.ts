/**
 * Watches a policy's decisions inside the real engine: every `start`, `grow` and `reclaim` it makes is recorded
 * with what the policy could see at that moment (the kernel's offline profile, the kernels running and waiting, which tenants were
 * busy), so a test can check a rule at each decision instead of guessing it back from the timeline.
 */
import type { KernelWork, Policy, SchedulerView } from "../../src/policies/policy";

/** A kernel as a test needs it: tenant, offline profile, SMs its grid fills (as `smsNeeded` computes them). */
export interface KernelSnapshot {
  readonly tenant: number;
  readonly profileNs: number;
  readonly memoryBoundness: number;
  readonly need: number;
  /** SMs it held when the snapshot was taken (0 while waiting). */
  readonly sms: number;
}

export interface StartRecord {
  /** A waiting kernel started, a running one spread over more SMs, or SMs taken back from a running one. */
  readonly kind: "start" | "grow" | "reclaim";
  readonly now: number;
  readonly kernel: KernelSnapshot;
  /** SMs it was started on, grown to, or asked to give back. */
  readonly sms: number;
  /** Kernels running (the ones started earlier in the same call included) and still waiting, before this start. */
  readonly running: readonly KernelSnapshot[];
  readonly waiting: readonly KernelSnapshot[];
  /** `view.busy(t)` for every tenant. */
  readonly busy: readonly boolean[];
}

function snapshot(view: SchedulerView, k: KernelWork): KernelSnapshot {
  const pool = view.pools[view.tenants[k.tenant]!.pool]!.smCount;
  return {
    tenant: k.tenant, profileNs: k.profileNs, memoryBoundness: k.memoryBoundness,
    need: Math.min(pool, Math.ceil(k.blocks / Math.max(1, k.resident))), sms: k.sms,
  };
}

/** A view that records every `start`, `grow` and `reclaim` and forwards everything to the engine's view. */
function recordingView(view: SchedulerView, starts: StartRecord[]): SchedulerView {
  const record = (target: SchedulerView, kind: StartRecord["kind"], k: KernelWork, sms: number) => starts.push({
    kind,
    now: target.now,
    kernel: snapshot(target, k),
    sms,
    running: target.running.filter((r) => r !== k).map((r) => snapshot(target, r)),
    waiting: target.waiting.filter((w) => w !== k).map((w) => snapshot(target, w)),
    busy: target.tenants.map((t) => target.busy(t.index)),
  });
  return new Proxy(view, {
    get(target, prop) {
      if (prop === "start") return (k: KernelWork, sms: number) => { record(target, "start", k, sms); target.start(k, sms); };
      if (prop === "grow") return (k: KernelWork, sms: number) => { record(target, "grow", k, sms); target.grow(k, sms); };
      if (prop === "reclaim") return (k: KernelWork, sms: number) => { record(target, "reclaim", k, sms); target.reclaim(k, sms); };
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** `policy` with every start, grow and reclaim it makes recorded in `starts`, in order. */
export function observe(policy: Policy): { policy: Policy; starts: StartRecord[] } {
  const starts: StartRecord[] = [];
  const wrapped: Policy = {
    name: policy.name,
    schedule: (view) => policy.schedule(recordingView(view, starts)),
    onTimer: policy.onTimer && ((view, tag) => policy.onTimer!(recordingView(view, starts), tag)),
    atomize: policy.atomize && ((view, k) => policy.atomize!(view, k)),
    onKernelDone: policy.onKernelDone && ((view, k, runNs) => policy.onKernelDone!(view, k, runNs)),
    pools: policy.pools && ((gpu, tenants) => policy.pools!(gpu, tenants)),
  };
  return { policy: wrapped, starts };
}
