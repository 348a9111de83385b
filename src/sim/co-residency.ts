/**
 * Blocks of different tenants on the same SM. One hardware block dispatcher serves every client of an MPS server
 * and every stream of a process (hardware.md §3.2, §5.1): it places blocks breadth-first on the least-loaded SMs
 * that have room, so kernels of two tenants sit on disjoint SMs while there are enough, and on the same SMs once
 * their spreads add up to more than the GPU has. Blocks that share an SM share its issue slots, L1 and shared
 * memory bandwidth (hardware.md §3.2 "Contention channels", §6.5: "if blocks co-reside on the same SMs, additionally
 * split issue/FMA throughput of the shared SMs"), which the per-kernel timing model, measured alone, does not see.
 *
 * The engine counts SM-equivalents, not SM identities. What is known is how many physical SMs each running kernel's
 * blocks sit on (`physicalSpan`: all the SMs it spreads over until its last wave, then one per last-wave block at
 * most): two spreads larger than the pool overlap by the excess.
 */
import { lastWaveBlocks } from "./job";

/** Physical SMs a kernel spread over `sms` SMs occupies: all of them until its last wave, then the SMs its last blocks sit on (one block per SM first, breadth-first). */
export function physicalSpan(blocks: number, resident: number, sms: number, waves: number, inLastWave: boolean): number {
  if (sms <= 0) return 0;
  if (!inLastWave) return sms;
  return Math.max(1, Math.min(sms, lastWaveBlocks(blocks, resident, sms, waves)));
}

/**
 * Fraction of a kernel's SMs that also hold blocks of other tenants: its span and the other tenants' spans, placed
 * on disjoint SMs while the pool has them, overlap by what they exceed the pool by.
 */
export function sharedFraction(span: number, otherSpan: number, poolSms: number): number {
  if (span <= 0 || otherSpan <= 0) return 0;
  const overlap = Math.min(span, otherSpan, span + otherSpan - poolSms);
  return overlap <= 0 ? 0 : overlap / span;
}
