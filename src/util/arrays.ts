/**
 * In-place array edits for the replay's hot paths (the engine's running and waiting lists, LithOS's latency
 * rings), where `splice` would build an array of what it removed on every call, and setting `length` goes through
 * a slow runtime call in V8 where `pop` stays in compiled code.
 */

/** `a.splice(i, 1)` for an index inside `a`, keeping the order of the rest. */
export function removeAt<T>(a: T[], i: number): void {
  for (let k = i + 1; k < a.length; k++) a[k - 1] = a[k]!;
  a.pop();
}

/** `a.splice(i, 0, x)`. */
export function insertAt<T>(a: T[], i: number, x: T): void {
  a.push(x);
  for (let k = a.length - 1; k > i; k--) a[k] = a[k - 1]!;
  a[i] = x;
}

/** Empties `a` (a reused scratch array) and returns it. */
export function emptied<T>(a: T[]): T[] {
  while (a.length > 0) a.pop();
  return a;
}
