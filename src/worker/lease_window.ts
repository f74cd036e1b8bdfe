/**
 * The lease window: how many messages the client may hold from Pub/Sub at once. A message holds
 * its slot from receipt until its ack is flushed, so the window must exceed the pool by what the
 * pool finishes during that flush, or the pool idles; anything beyond that only waits for a
 * permit (and, with several replicas, waits here while another replica could run it).
 *
 * The rule: window = pool × (1 + hold / handler time), where hold is the time a finished event
 * keeps its slot (its outcome line's write and the ack batch, about 30 ms), clamped to [pool + 1, max(2 × pool, pool + 200)].
 * The handler time is learned as the worker runs (a moving average), so a slow handler gets a
 * window barely above the pool (little waiting) and a fast one the headroom it needs.
 * `--max-outstanding` fixes the window instead.
 */
import type { Config } from "../config/settings.ts";

/** How long a finished event keeps its lease slot: its outcome line's write (the log sink flushes
 * every 10 ms; acks wait for it) and the 10 ms ack batch. */
export const HOLD_MS = 30;
/** Weight of the newest handler time in the moving average. */
const ALPHA = 0.05;
/** Re-size the window only when it moves by more than this fraction. */
const HYSTERESIS = 0.1;

/** The largest window the rule gives (and the first, before any handler time is known). */
export function maxWindow(poolSize: number): number {
  return Math.max(2 * poolSize, poolSize + 200);
}

/** The window for `poolSize` permits and a mean handler time of `handlerMs`. */
export function windowFor(poolSize: number, handlerMs: number): number {
  const wanted = Math.ceil(poolSize * (1 + HOLD_MS / Math.max(handlerMs, 0.01)));
  return Math.min(maxWindow(poolSize), Math.max(poolSize + 1, wanted));
}

/** The window in effect, adapted to the handler times observed. */
export class LeaseWindow {
  readonly #pool: number;
  readonly #fixed: number | undefined;
  #meanMs: number | undefined;
  #current: number;

  constructor(config: Pick<Config, "poolSize" | "maxOutstanding">) {
    this.#pool = config.poolSize;
    this.#fixed = config.maxOutstanding;
    this.#current = this.#fixed ?? 2 * config.poolSize;
  }

  /** Messages the client may hold now. */
  get current(): number {
    return this.#current;
  }

  /** Whether `--max-outstanding` fixed it. */
  get fixed(): boolean {
    return this.#fixed !== undefined;
  }

  /**
   * Learns one handler time; returns the new window when it moved enough to apply, else
   * undefined. O(1), no allocation.
   */
  observe(handlerMs: number): number | undefined {
    if (this.#fixed !== undefined) return undefined;
    this.#meanMs = this.#meanMs === undefined
      ? handlerMs
      : this.#meanMs + ALPHA * (handlerMs - this.#meanMs);
    const next = windowFor(this.#pool, this.#meanMs);
    if (Math.abs(next - this.#current) <= HYSTERESIS * this.#current) return undefined;
    this.#current = next;
    return next;
  }
}
