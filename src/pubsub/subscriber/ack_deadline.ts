/**
 * The ack deadline the subscriber asks for: the 99th percentile of how long messages were held
 * (receipt to ack or nack), in whole seconds from 10 s to 600 s, as the Go client computes it. A
 * histogram of one-second buckets: O(1) to record, O(600) to read, no allocation.
 */

/** Pub/Sub's bounds on an ack deadline, in seconds. */
export const MIN_DEADLINE_S = 10;
export const MAX_DEADLINE_S = 600;
/** The shortest lease on an exactly-once subscription (the Go client's): an ack retried for a
 * while must still find its lease. */
export const EXACTLY_ONCE_MIN_S = 60;

/** Held-time distribution and the deadline it gives. */
export class AckDeadline {
  readonly #counts = new Uint32Array(MAX_DEADLINE_S + 1);
  #total = 0;
  readonly #initial: number;

  /** Starts at `initialSeconds` (clamped; the Go client starts at the minimum) until the first
   * message was held. */
  constructor(initialSeconds = MIN_DEADLINE_S) {
    this.#initial = clamp(initialSeconds);
  }

  /** A message was held `ms` from receipt to its ack or nack. */
  record(ms: number): void {
    this.#counts[clamp(Math.ceil(ms / 1000))]!++;
    this.#total++;
  }

  /** The deadline in seconds: the 99th percentile of held times, from 10 to 600. */
  get seconds(): number {
    if (this.#total === 0) return this.#initial;
    const rank = Math.ceil(this.#total * 0.99);
    let seen = 0;
    for (let s = 0; s <= MAX_DEADLINE_S; s++) {
      seen += this.#counts[s]!;
      if (seen >= rank) return clamp(s);
    }
    return MAX_DEADLINE_S;
  }
}

function clamp(seconds: number): number {
  return Math.min(MAX_DEADLINE_S, Math.max(MIN_DEADLINE_S, seconds));
}
