/**
 * The pool a worker needs for a rate, from what a drain measured: by Little's law the events in
 * flight are the rate times the handler's mean time, plus headroom; and the CPU that rate takes,
 * which says how many worker processes it needs (each runs its JavaScript on one core).
 */

/** Room above the mean for handler times that vary: the pool is this many times the mean need. */
export const HEADROOM = 1.25;
/** The share of a core one worker process is planned to use (the rest absorbs bursts and GC). */
export const CORE_SHARE = 0.7;

/** What a rate needs. */
export interface PoolSuggestion {
  /** Events per second asked for. */
  rate: number;
  /** Events in flight at that rate on average (rate × mean handler time). */
  inFlight: number;
  /** Worker processes: one, unless the rate needs more CPU than {@linkcode CORE_SHARE} of a core. */
  replicas: number;
  /** `--pool-size` for each replica. */
  poolSize: number;
  /** Cores the rate takes in all (CPU seconds per second). */
  cores: number;
  /** Events per second one process takes at {@linkcode CORE_SHARE} of a core. */
  perProcess: number;
}

/**
 * The pool and processes for `rate` events/s, given a handler's mean time (ms) and the CPU per
 * 1,000 events a drain measured.
 */
export function suggestPool(
  rate: number,
  measured: { handlerMeanMs: number; cpuMsPer1000: number },
): PoolSuggestion {
  const inFlight = (rate * measured.handlerMeanMs) / 1000;
  const cores = (rate * measured.cpuMsPer1000) / 1_000_000;
  const perProcess = (CORE_SHARE * 1_000_000) / Math.max(measured.cpuMsPer1000, 0.001);
  const replicas = Math.max(1, Math.ceil(rate / perProcess));
  const poolSize = Math.max(1, Math.ceil((inFlight * HEADROOM) / replicas));
  return { rate, inFlight, replicas, poolSize, cores, perProcess };
}
