/**
 * A request's latency, split into its wait in the queue and its service. For a server that takes requests one at a
 * time in arrival order (the lab's inference process, and a replayed service's host thread), request i starts when
 * it has arrived and request i − 1 has completed: service = completion − max(arrival, previous completion), wait =
 * the rest. Near saturation a small error in service time becomes a large one in latency (the wait grows as
 * 1 / (1 − load)), so comparing service times says how far a model is from the hardware before queueing magnifies it.
 */

export interface QueueingSplit {
  /** Per request, in arrival order, in the unit of the inputs. */
  readonly service: Float64Array;
  readonly wait: Float64Array;
  /** Fraction of the time from the first arrival to the last completion that the server was serving: its load. */
  readonly busy: number;
}

/**
 * Splits `latencies[i]` (completion − arrival) of requests arriving at `arrivals[i]` (ascending, same unit). Returns
 * null when the completions are not in order, within `tolerance`: then the requests were not served one at a time in
 * arrival order, or the arrival times are not the ones the latencies were measured from.
 */
export function queueingSplit(arrivals: ArrayLike<number>, latencies: ArrayLike<number>, tolerance = 0): QueueingSplit | null {
  const n = latencies.length;
  if (n === 0 || arrivals.length < n) return null;
  const service = new Float64Array(n), wait = new Float64Array(n);
  let previous = -Infinity, served = 0;
  for (let i = 0; i < n; i++) {
    const arrival = arrivals[i]!, completion = arrival + latencies[i]!;
    if (completion < previous - tolerance) return null;
    const start = Math.max(arrival, previous);
    service[i] = Math.max(0, completion - start);
    wait[i] = start - arrival;
    served += service[i]!;
    previous = Math.max(previous, completion);
  }
  const span = previous - arrivals[0]!;
  return { service, wait, busy: span > 0 ? served / span : 0 };
}
