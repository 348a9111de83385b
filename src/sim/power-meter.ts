/**
 * Board power, energy and the power-capped SM clock over a replay. Busy SM-equivalents by activity class and
 * DRAM traffic are integrated exactly between events; every window they become one point of the power and
 * utilisation series. The power limiter acts on a moving average: the H200's limiter integrates over
 * ~0.1–1 s (hardware.md §7.5: short GEMM bursts run at 1.98 GHz, sustained ones settle at ~1.47 GHz), so the
 * clock for the next window is the one the power model allows for the last `limiterWindows` windows' load.
 */
import { boardPowerW, cappedClockMHz, type PowerParams } from "../gpu/power";
import { snapClockMHz, type GpuSpec } from "../gpu/specs/spec";

export interface PowerSeries {
  /** Window start, ns. */
  readonly startNs: number[];
  /** Average board power over the window, W. */
  readonly powerW: number[];
  /** SM clock during the window, MHz. */
  readonly clockMHz: number[];
  /** Busy SM-equivalents over the window, as a fraction of the GPU's SMs. */
  readonly utilization: number[];
  /** DRAM traffic over the window, bytes/s. */
  readonly memBandwidthBytesPerS: number[];
}

export class PowerMeter {
  /** Current load: busy SM-equivalents per activity class (compute, memory, other) and DRAM bytes/s. */
  readonly sms = new Float64Array(3);
  bandwidth = 0;
  clockMHz: number;
  /** Software clock cap (application clocks, set by a DVFS policy), MHz, or null; applies from the next window. */
  clockCapMHz: number | null = null;
  energyJ = 0;
  readonly series: PowerSeries = { startNs: [], powerW: [], clockMHz: [], utilization: [], memBandwidthBytesPerS: [] };
  private readonly integral = new Float64Array(4);
  private lastNs = 0;
  private windowStart = 0;

  constructor(
    private readonly gpu: GpuSpec,
    private readonly params: PowerParams,
    readonly windowNs: number,
    private readonly limiterWindows: number,
  ) {
    this.clockMHz = gpu.maxClockMHz;
  }

  /** Integrates the current load up to `now`; call before changing `sms` or `bandwidth`. */
  accumulate(now: number): void {
    const dt = now - this.lastNs;
    if (dt > 0) {
      this.integral[0]! += this.sms[0]! * dt;
      this.integral[1]! += this.sms[1]! * dt;
      this.integral[2]! += this.sms[2]! * dt;
      this.integral[3]! += this.bandwidth * dt;
      this.lastNs = now;
    }
  }

  /** Closes the window ending at `now`; returns the clock for the next window. */
  closeWindow(now: number): number {
    this.accumulate(now);
    const dt = now - this.windowStart;
    if (dt <= 0) return this.clockMHz;
    const load = this.loadOf(this.integral, dt);
    const powerW = boardPowerW(this.gpu, this.params, { ...load, clockMHz: this.clockMHz });
    this.energyJ += (powerW * dt) / 1e9;
    const s = this.series;
    s.startNs.push(this.windowStart);
    s.powerW.push(powerW);
    s.clockMHz.push(this.clockMHz);
    s.utilization.push(load.activeSms / this.gpu.smCount);
    s.memBandwidthBytesPerS.push(load.memBandwidthBytesPerS);
    this.recent.push([this.integral[0]!, this.integral[1]!, this.integral[2]!, this.integral[3]!, dt]);
    if (this.recent.length > this.limiterWindows) this.recent.shift();
    this.integral.fill(0);
    this.windowStart = now;
    const sum = new Float64Array(4);
    let span = 0;
    for (const r of this.recent) { for (let i = 0; i < 4; i++) sum[i]! += r[i]!; span += r[4]!; }
    const limited = cappedClockMHz(this.gpu, this.params, this.loadOf(sum, span)).clockMHz;
    this.clockMHz = this.clockCapMHz === null ? limited : Math.min(limited, snapClockMHz(this.gpu, this.clockCapMHz));
    return this.clockMHz;
  }
  private readonly recent: number[][] = [];

  private loadOf(integral: Float64Array, dt: number) {
    const c = integral[0]! / dt, m = integral[1]! / dt, o = integral[2]! / dt;
    const active = Math.min(this.gpu.smCount, c + m + o);
    const total = c + m + o;
    return {
      activeSms: active,
      computeFraction: total > 0 ? c / total : 0,
      memoryFraction: total > 0 ? m / total : 0,
      memBandwidthBytesPerS: integral[3]! / dt,
    };
  }
}
