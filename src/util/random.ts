/**
 * A small seeded random number generator for everything that must replay identically (arrival processes,
 * randomised policies): xoshiro128** seeded through splitmix32. Only 32-bit integer operations and one exact
 * division are used, so a seed gives the same sequence on every platform and Node version.
 */

/** splitmix32 step: turns any 32-bit state into a well-mixed word (used only to expand the seed). */
function splitmix32(state: number): [next: number, out: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * The xoshiro128** generator (Blackman and Vigna) on a four-word state, advanced in place: each call returns the
 * next 32-bit output as an unsigned integer. The state must not be all zero.
 */
export function xoshiro128ss(s: Uint32Array): () => number {
  if (s.length !== 4 || (s[0] | s[1] | s[2] | s[3]) === 0) throw new Error("xoshiro128** needs four state words, not all zero");
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
}

/**
 * A generator of uniform numbers in [0, 1) with 53 random bits, deterministic for a given `seed`.
 * The seed may be any finite number; integers up to 2^53 are distinct seeds (the high word is mixed in too).
 */
export function makeRng(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new Error(`random seed must be a finite number, got ${seed}`);
  const whole = Math.trunc(seed);
  let state = (whole >>> 0) ^ Math.imul(Math.floor(whole / 0x100000000) | 0, 0x27d4eb2d);
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) [state, s[i]] = splitmix32(state);
  // Four zero words from splitmix32 are practically impossible, but xoshiro must never start there.
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  const next32 = xoshiro128ss(s);
  // 27 + 26 bits → an exact multiple of 2^-53, the usual way to fill a double's mantissa.
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

/** An exponentially distributed sample with the given rate (mean 1/rate), by inversion. */
export function exponential(rng: () => number, rate: number): number {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`exponential rate must be a positive finite number, got ${rate}`);
  // 1 − u is in (0, 1], so the logarithm is finite.
  return -Math.log1p(-rng()) / rate;
}
