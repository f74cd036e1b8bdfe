/**
 * The pace (`--rate-limit <n>/s`): handler starts across all streams go through one token bucket
 * (a tenth of a second's starts, at least one: the most that may start at once, also after idle
 * time). A handler that reports it is being throttled (a `RetryableError` with status 429 or 503:
 * the HTTP handler's answer) halves the rate at once, down to 1/s (or a quarter of a limit below
 * 4/s: a limit is never raised); while calls succeed it recovers step by step (×1.25 a second)
 * up to the limit, or, when none was set, up to the rate it ran before it was throttled and then
 * to no limit. Each change of direction is logged once, and only a real one. The per-message
 * Retry-After hold stays the HTTP handler's.
 */
import { logger } from "../../telemetry/log.ts";
import { type Middleware, RetryableError } from "../handler.ts";

const log = logger("worker");
/** Statuses that mean "slow down". */
const THROTTLED = new Set([429, 503]);
const STEP_MS = 1000;
const RECOVERY = 1.25;

/** The worker's pace: a token bucket whose rate adapts to throttling. */
export class Pace {
  readonly #limit: number | undefined;
  /** The rate now; undefined: no limit. */
  #rate: number | undefined;
  #tokens = 1;
  #refilledAt = performance.now();
  #steppedAt = performance.now();
  #cutAt = -Infinity;
  #throttling = false;
  /** The rate the pace recovers to: the limit, or the rate run before the first throttle. */
  #recoverTo = Infinity;
  /** Starts in the current and the previous second, to know the rate being run. */
  #starts = 0;
  #startsBefore = 0;
  #countedAt = performance.now();
  readonly #waiters: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** A pace of at most `limit` starts per second (undefined: none until throttled). */
  constructor(limit: number | undefined) {
    this.#limit = limit;
    this.#rate = limit;
  }

  /** The rate now, starts per second; undefined when unlimited. */
  get rate(): number | undefined {
    return this.#rate;
  }

  /** Resolves when the handler may start. */
  acquire(): Promise<void> {
    this.#advance();
    if (this.#rate === undefined) return this.#started();
    if (this.#waiters.length === 0 && this.#tokens >= 1) {
      this.#tokens--;
      return this.#started();
    }
    return new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
      this.#schedule();
    });
  }

  /** The handler was throttled (429 or 503): halve the rate, once per second at most. */
  throttled(): void {
    const now = performance.now();
    if (now - this.#cutAt < STEP_MS) return;
    const floor = Math.min(1, (this.#limit ?? Infinity) / 4);
    const running = this.#rate ?? Math.max(1, this.#measured(now));
    const rate = Math.max(floor, running / 2);
    if (!this.#throttling) {
      this.#throttling = true;
      this.#recoverTo = this.#limit ?? running; // back up to where it was

      log.warning(
        "The handler is throttled (429/503): starts slowed to {rate}/s, halved at " +
          "each throttled second, then raised step by step while calls succeed",
        {
          rate: Math.round(rate * 100) / 100,
        },
      );
    }
    this.#rate = rate;
    this.#cutAt = now;
    this.#steppedAt = now;
    // From now on at the new rate: no refill for the time before (unlimited, it never ran).
    this.#tokens = Math.min(this.#tokens, 1);
    this.#refilledAt = now;
  }

  #started(): Promise<void> {
    this.#starts++;
    return Promise.resolve();
  }

  /** Starts per second over the last full second and this one. */
  #measured(now: number): number {
    const span = Math.max(STEP_MS, now - this.#countedAt + STEP_MS);
    return ((this.#starts + this.#startsBefore) * 1000) / span;
  }

  /** Refills tokens, counts starts per second, and recovers after throttling. */
  #advance(): void {
    const now = performance.now();
    if (now - this.#countedAt >= STEP_MS) {
      // The previous second's starts, or none when it went by without a call.
      this.#startsBefore = now - this.#countedAt < 2 * STEP_MS ? this.#starts : 0;
      this.#starts = 0;
      this.#countedAt = now;
    }
    while (
      this.#throttling && this.#rate !== undefined && now - this.#steppedAt >= STEP_MS &&
      now - this.#cutAt >= STEP_MS
    ) {
      this.#steppedAt += STEP_MS;
      const ceiling = this.#limit ?? this.#recoverTo;
      const next = this.#rate * RECOVERY + Math.min(1, ceiling / 10);
      if (next >= ceiling) {
        this.#rate = this.#limit;
        this.#throttling = false;
        log.info("The handler is no longer throttled: starts back to {rate}", {
          rate: this.#limit === undefined ? "no limit" : `${this.#limit}/s`,
        });
        break;
      }
      this.#rate = next;
    }
    if (this.#rate === undefined) return;
    const burst = Math.max(1, this.#rate / 10);
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#refilledAt) * this.#rate) / 1000);
    this.#refilledAt = now;
  }

  /** Serves waiters as tokens come, on one timer. */
  #schedule(): void {
    if (this.#timer !== undefined) return;
    const rate = this.#rate ?? Infinity;
    const waitMs = this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * 1000) / rate;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#advance();
      while (this.#waiters.length > 0 && (this.#rate === undefined || this.#tokens >= 1)) {
        if (this.#rate !== undefined) this.#tokens--;
        this.#starts++;
        (this.#waiters.shift() as () => void)();
      }
      if (this.#waiters.length > 0) this.#schedule();
    }, Math.max(0, Math.ceil(waitMs)));
  }
}

/** Waits for the pace before each call, and tells it when the handler was throttled. */
export function withPace(pace: Pace): Middleware {
  return (next) => async (event, context) => {
    await pace.acquire();
    try {
      await next(event, context);
    } catch (error) {
      if (error instanceof RetryableError && THROTTLED.has(error.status ?? 0)) pace.throttled();
      throw error;
    }
  };
}
