/**
 * Handler latency for the console: a histogram with 8 buckets per doubling (each about 9% wide)
 * from 0.1 ms to about an hour, one per second; each tick closes the second and gives its p50,
 * p95 and p99 and those of the last minute. An observation costs a logarithm and an increment.
 */

/** Percentiles of a set of handler times, in milliseconds. */
export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  /** How many times they are of. */
  count: number;
}

const FLOOR_MS = 0.1;
const PER_DOUBLING = 8;
const BUCKETS = 25 * PER_DOUBLING; // 0.1 ms × 2^25 ≈ 56 min
/** Seconds in the longer window. */
export const MINUTE = 60;

/** The upper bound of bucket `i`, in milliseconds. */
function upper(i: number): number {
  return FLOOR_MS * 2 ** (i / PER_DOUBLING);
}

/** The bucket of `ms`. */
export function bucketOf(ms: number): number {
  if (!(ms > FLOOR_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log2(ms / FLOOR_MS) * PER_DOUBLING));
}

function percentiles(counts: Uint32Array, count: number): Percentiles | undefined {
  if (count === 0) return undefined;
  const ranks = [0.5, 0.95, 0.99].map((q) => Math.max(1, Math.ceil(q * count)));
  const found: number[] = [];
  let seen = 0;
  for (let i = 0; i < BUCKETS && found.length < ranks.length; i++) {
    seen += counts[i] ?? 0;
    while (found.length < ranks.length && seen >= (ranks[found.length] ?? Infinity)) {
      found.push(Math.round(upper(i) * 100) / 100);
    }
  }
  const [p50 = 0, p95 = 0, p99 = 0] = found;
  return { p50, p95, p99, count };
}

/** Handler times by second, and the last minute's. */
export class LatencyHistogram {
  #second: Uint32Array = new Uint32Array(BUCKETS);
  #secondCount = 0;
  readonly #minute = new Uint32Array(BUCKETS);
  #minuteCount = 0;
  /** The last {@linkcode MINUTE} seconds' histograms, oldest at `#next`. */
  readonly #ring: { counts: Uint32Array; count: number }[] = [];
  #next = 0;

  /** Counts one handler time. */
  observe(ms: number): void {
    this.#second[bucketOf(ms)]!++;
    this.#secondCount++;
  }

  /** Closes the second: its percentiles and the last minute's (undefined: no handler ran). */
  tick(): { second: Percentiles | undefined; minute: Percentiles | undefined } {
    const closed = { counts: this.#second, count: this.#secondCount };
    const second = percentiles(closed.counts, closed.count);
    const dropped = this.#ring.length === MINUTE ? this.#ring[this.#next] : undefined;
    for (let i = 0; i < BUCKETS; i++) {
      this.#minute[i]! += closed.counts[i]! - (dropped?.counts[i] ?? 0);
    }
    this.#minuteCount += closed.count - (dropped?.count ?? 0);
    if (dropped === undefined) this.#ring.push(closed);
    else this.#ring[this.#next] = closed;
    this.#next = (this.#next + 1) % MINUTE;
    // The dropped second's array is reused for the next second.
    this.#second = dropped?.counts.fill(0) ?? new Uint32Array(BUCKETS);
    this.#secondCount = 0;
    return { second, minute: percentiles(this.#minute, this.#minuteCount) };
  }
}
