/**
 * Retry in place, and what counts as a failed run. A keyed event whose handler fails is kept (its
 * lease extended) and run again while its key's later events wait in the worker, leased: a nack
 * would send the key's later events back with it (Pub/Sub redelivers a key from the nacked
 * message on) and use up a delivery of each, so a failure would cost its key's turn through
 * Pub/Sub, not its retry. After `--key-retries` retries the event goes back to Pub/Sub after all.
 * An event on the last delivery the subscription allows is retried in place too, keyed or not: a
 * nack there would let the subscription's dead-letter policy forward it, although its handler may
 * have failed fewer times than that (deliveries are also spent by give-backs and stops).
 *
 * The worker dead-letters an event for `max-attempts` when its handler failed that many runs, as
 * this process saw them (in-place runs and earlier deliveries alike; a run the service refused
 * with 429, or that never ran, is not a failure), remembered per message in {@linkcode FailedRuns}.
 */
import type { Config } from "../config/settings.ts";
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";

/** How in-place retries are spaced and bounded (mutable: the start-up checks read the
 * subscription's own retry policy into it). */
export interface RetryPolicy {
  /** In-place retries of a keyed event per delivery (`--key-retries`). */
  keyRetries: number;
  /** The subscription's minimum retry backoff, in ms. */
  minBackoffMs: number;
  /** The subscription's maximum retry backoff, in ms. */
  maxBackoffMs: number;
  /** How long a run waits for a timed-out call of its message that still runs before it counts
   * as timed out too (`--handler-timeout`; 0: no limit). */
  previousWaitMs: number;
}

/** The policy of `config`, until the subscription's own retry policy is read. */
export function retryPolicy(
  config: Pick<Config, "keyRetries" | "retryMinBackoff" | "retryMaxBackoff" | "handlerTimeout">,
): RetryPolicy {
  return {
    keyRetries: config.keyRetries,
    minBackoffMs: config.retryMinBackoff,
    maxBackoffMs: config.retryMaxBackoff,
    previousWaitMs: config.handlerTimeout,
  };
}

/**
 * How long to wait before in-place retry `retry` (1 for the first): the first at once, as most
 * failures are one-off (a dropped connection, one bad instance), then the subscription's backoff,
 * doubling from its minimum up to its maximum, so a service that keeps failing is not hammered;
 * a `Retry-After` the service sent wins.
 */
export function backoffMs(policy: RetryPolicy, retry: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  if (retry <= 1) return 0;
  return Math.min(policy.maxBackoffMs, policy.minBackoffMs * 2 ** (retry - 2));
}

/** What decides whether a failed run is tried again in place. */
export interface FailedRun {
  /** The event has a key. */
  keyed: boolean;
  /** Retries in place of this delivery so far. */
  retries: number;
  /** The subscription's max delivery attempts (its dead-letter policy). */
  maxAttempts: number;
}

/**
 * Whether a failed run of `message` is tried again in place: a keyed one within its
 * `--key-retries` for this delivery, and any on the subscription's last delivery (where a nack
 * would have it forwarded to the dead-letter topic).
 */
export function retriesInPlace(
  policy: RetryPolicy,
  message: Pick<ReceivedMessage, "deliveryAttempt">,
  run: FailedRun,
): boolean {
  if (run.keyed && run.retries < policy.keyRetries) return true;
  return message.deliveryAttempt > 0 && message.deliveryAttempt >= run.maxAttempts;
}

interface History {
  failed: number;
  /** A timed-out call of this message that still runs. */
  running?: Promise<void> | undefined;
}

/** Messages remembered at most (the oldest is forgotten first; ~150 bytes each). */
export const FAILED_RUNS_CAPACITY = 10_000;

/**
 * The failed handler runs of the messages this process has seen fail, by message ID (stable
 * across redeliveries), and their timed-out calls that still run. Bounded: a message forgotten
 * (or seen first by another replica) starts again from 0, so the worker never dead-letters an
 * event for more failures than it saw.
 */
export class FailedRuns {
  readonly #history = new Map<string, History>();
  readonly #capacity: number;
  /** Failed runs kept for a retry in place so far (counted by the caller). */
  retriesInPlace = 0;

  constructor(capacity = FAILED_RUNS_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Messages remembered now. */
  get size(): number {
    return this.#history.size;
  }

  /** Failed runs of `messageId` so far. */
  failed(messageId: string): number {
    return this.#history.get(messageId)?.failed ?? 0;
  }

  /** A timed-out call of `messageId` that still runs, if any. */
  running(messageId: string): Promise<void> | undefined {
    return this.#history.get(messageId)?.running;
  }

  /**
   * Records that `messageId` has failed `failed` runs in all; `running` settles when its
   * timed-out call really ends.
   */
  record(messageId: string, failed: number, running?: Promise<void>): void {
    const history: History = { failed, running: running ?? this.running(messageId) };
    this.#history.delete(messageId); // the most recent last
    this.#history.set(messageId, history);
    if (this.#history.size > this.#capacity) {
      const oldest = this.#history.keys().next().value as string;
      this.#history.delete(oldest);
    }
    running?.then(() => {
      if (history.running === running) history.running = undefined;
    });
  }

  /** Forgets `messageId`: it was acked or dead-lettered. */
  forget(messageId: string): void {
    this.#history.delete(messageId);
  }
}
