/**
 * Exact Kineto timestamps. `ts` is written as microseconds with three decimals (ns resolution), either relative
 * to `baseTimeNanoseconds` (2024-05 on) or as absolute Unix-epoch µs (older), which float64 cannot hold to the ns.
 * So the integer and fraction parts are read from the event's text and kept relative to a base in whole µs.
 */

import { scanned } from "./json-bytes";

/** Relative µs timestamps are below ~3 months (kineto floors the base to 7889238 s); epoch µs are above 1e15. */
const RELATIVE_LIMIT_US = 1e14;

export class KinetoClock {
  /** Whole µs subtracted from every ts; chosen from the first timestamp seen. */
  private baseUs: number | null = null;

  /** The µs offset in use (0 for relative traces), or null before the first timestamp. */
  get offsetUs(): number | null {
    return this.baseUs;
  }

  /** Whether the last toNs used the text's digits (false: the text could not be read and the float was rounded). */
  exact = false;

  /**
   * ns from the time base for the `ts` of an event. `whole`/`frac` are the µs and ns that readTsText found in the
   * event's text (when `textOk`); they are used when they agree with the parsed float to within 1 µs.
   * Sets `exact` rather than returning a pair: this runs for every event, and the pair was an allocation each.
   */
  toNs(ts: number, textOk: boolean, whole: number, frac: number): number {
    if (this.baseUs === null) this.baseUs = Math.abs(ts) < RELATIVE_LIMIT_US ? 0 : Math.floor(ts / 1e6) * 1e6;
    this.exact = textOk && Math.abs(whole - ts) <= 1;
    return this.exact ? (whole - this.baseUs) * 1000 + frac : Math.round((ts - this.baseUs) * 1000);
  }
}

/** Finds `"ts": <number>` in an event's text; returns [whole µs, ns fraction 0..999] or null. */
export function readTsText(raw: string): [number, number] | null {
  const k = raw.indexOf('"ts"');
  if (k < 0) return null;
  let i = raw.indexOf(":", k + 4);
  if (i < 0) return null;
  i++;
  while (raw.charCodeAt(i) === 0x20 || raw.charCodeAt(i) === 0x0a || raw.charCodeAt(i) === 0x0d || raw.charCodeAt(i) === 0x09) i++;
  let neg = false;
  if (raw[i] === "-") { neg = true; i++; }
  let whole = 0;
  let digits = 0;
  for (let c = raw.charCodeAt(i); c >= 48 && c <= 57; c = raw.charCodeAt(++i)) { whole = whole * 10 + (c - 48); digits++; }
  if (digits === 0) return null;
  let frac = 0;
  if (raw[i] === ".") {
    i++;
    let scale = 100;
    let roundUp = false;
    let n = 0;
    for (let c = raw.charCodeAt(i); c >= 48 && c <= 57; c = raw.charCodeAt(++i), n++) {
      if (n < 3) { frac += (c - 48) * scale; scale /= 10; }
      else if (n === 3) roundUp = c >= 53;
    }
    if (roundUp) frac++;
  }
  const c = raw[i];
  if (c === "e" || c === "E") return null;
  return neg ? [-whole - (frac > 0 ? 1 : 0), frac > 0 ? 1000 - frac : 0] : [whole, frac];
}

/** Where readTsBytes puts what it reads. */
export interface TsText {
  tsWhole: number;
  tsFrac: number;
  tsTextOk: boolean;
}

/**
 * readTsText for the byte reader: the same digits rule applied to the number that numberEnd has just scanned (the
 * value of the `ts` key), whose sign, integer part and exponent it recorded in `scanned`; only the first four
 * fraction digits are read here. Must give exactly what readTsText gives on the event's text; a test holds them
 * together.
 */
export function tsFromScan(b: Uint8Array, out: TsText): void {
  out.tsTextOk = false;
  if (scanned.exponent) return;
  const whole = scanned.intValue;
  let frac = 0;
  let i = scanned.intEnd;
  if (b[i] === 0x2e) {
    i++;
    let scale = 100;
    // Three digits make the ns; the fourth rounds them (readTsText looks no further).
    for (let n = 0, c = b[i]; n < 4 && c >= 48 && c <= 57; c = b[++i], n++) {
      if (n < 3) { frac += (c - 48) * scale; scale /= 10; }
      else if (c >= 53) frac++;
    }
  }
  out.tsWhole = scanned.neg ? -whole - (frac > 0 ? 1 : 0) : whole;
  out.tsFrac = scanned.neg ? (frac > 0 ? 1000 - frac : 0) : frac;
  out.tsTextOk = true;
}
