/**
 * LithOS's kernel atomizer (lithos.md §2.3): a kernel is cut into atoms, contiguous ranges of its flattened
 * block index, each relaunched on its own so the TPCs it may use can change between atoms.
 *
 * - Atom length: `atom_duration`, default 500 µs (the blog's quantum; the paper: 250–500 µs are effective).
 * - Number of atoms: the predicted duration over `atom_duration`, rounded up so that no atom is predicted
 *   longer than the quantum (the paper gives the ratio but not its rounding; the reproducer rounds down).
 * - Kernels predicted within one quantum, and kernels never seen (no prediction yet), stay whole.
 * - An atom holds at least one full wave of blocks on the SMs it is expected to get: an atom smaller than a
 *   wave runs its blocks no faster yet serialises after its siblings (our assumption; the paper disables
 *   atomization for "kernels with many short threads" and when overhead exceeds benefit, without a rule).
 * - Cooperative and persistent kernels are never split (§2.2, §6); traces do not mark them, so none is
 *   detected here. Hopper cluster multiples are not enforced (traces rarely record cluster dimensions).
 * The per-atom cost is the relaunch: the engine charges each atom the timing model's fixed launch cost.
 */

/** Atoms for a kernel predicted to take `predictedNs` (null: unknown) with `waves` waves of blocks. */
export function atomCount(predictedNs: number | null, blocks: number, waves: number, atomNs: number): number {
  if (predictedNs === null || !(predictedNs > atomNs) || blocks < 2) return 1;
  return Math.max(1, Math.min(Math.ceil(predictedNs / atomNs), waves, blocks));
}
