/**
 * Per-key order with a concurrent pool: events with the same key (the message's ordering key,
 * or `--key-from`) run at most `--key-concurrency` at a time (1: one after another, in the order
 * the stream delivered them); different keys run in parallel up to the pool size. A key's later
 * events wait here, without holding a permit. When a key's event is nacked, its later events
 * already here are nacked too (in order), and events of that key arriving before the failed one
 * comes back are nacked at once: Pub/Sub redelivers the key's messages from the failed one, so
 * none is handled before it. A dead-lettered event lets the key go on.
 */
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";

/** How a run ended, as far as the key is concerned. */
export type KeyedEnd = "done" | "nacked";

/** Counts for metrics. */
export interface KeyStats {
  /** Keys with at least one event running. */
  keysInFlight: number;
  /** Events waiting for an earlier event of their key. */
  waiting: number;
  /** The keys with the most events waiting (at most {@linkcode LONGEST_KEYS}), most first: each
   * with its events running and waiting. */
  longest: { key: string; running: number; waiting: number }[];
}

/** How many of the longest key queues {@linkcode KeyStats} names. */
export const LONGEST_KEYS = 5;

interface KeyState {
  running: number;
  queue: ReceivedMessage[];
  /** A nacked message of this key that must come back before the key goes on, and until when. */
  blockedBy?: { messageId: string; until: number } | undefined;
}

/** Options for {@linkcode KeyScheduler}. */
export interface KeySchedulerOptions {
  /** Events of one key at once. */
  concurrency: number;
  /** How long a key stays blocked at most, waiting for its failed message to come back. */
  blockMs: number;
  /** Runs `message` (through the pool); resolves with how it ended. */
  run(message: ReceivedMessage): Promise<KeyedEnd>;
  /** Gives `message` back without running it: an earlier event of its key failed, or the
   * worker is stopping. */
  release(message: ReceivedMessage, why: "key-failed" | "shutting-down"): void;
}

/** Schedules keyed messages. */
export class KeyScheduler {
  readonly #options: KeySchedulerOptions;
  readonly #keys = new Map<string, KeyState>();
  #waiting = 0;

  constructor(options: KeySchedulerOptions) {
    this.#options = options;
  }

  /** Counts now. */
  get stats(): KeyStats {
    let keysInFlight = 0;
    const longest: KeyStats["longest"] = [];
    for (const [key, state] of this.#keys) {
      if (state.running > 0) keysInFlight++;
      if (state.queue.length > 0) {
        longest.push({ key, running: state.running, waiting: state.queue.length });
      }
    }
    longest.sort((a, b) => b.waiting - a.waiting).length = Math.min(longest.length, LONGEST_KEYS);
    return { keysInFlight, waiting: this.#waiting, longest };
  }

  /** Runs `message` now, after its key's earlier events, or gives it back (see above). */
  submit(key: string, message: ReceivedMessage): void {
    let state = this.#keys.get(key);
    if (state === undefined) this.#keys.set(key, state = { running: 0, queue: [] });
    if (state.blockedBy !== undefined) {
      const { messageId, until } = state.blockedBy;
      if (message.id === messageId || performance.now() >= until) state.blockedBy = undefined;
      else return this.#options.release(message, "key-failed");
    }
    if (state.running < this.#options.concurrency && state.queue.length === 0) {
      this.#start(key, state, message);
    } else {
      state.queue.push(message);
      message.wait(true); // held beyond the lease window: it holds no room a ready event needs
      this.#waiting++;
    }
  }

  /** Gives back every waiting message (the worker is stopping); returns how many. */
  close(): number {
    let released = 0;
    for (const state of this.#keys.values()) {
      for (const message of state.queue.splice(0)) {
        this.#options.release(message, "shutting-down");
        released++;
      }
    }
    this.#waiting = 0;
    return released;
  }

  #start(key: string, state: KeyState, message: ReceivedMessage): void {
    state.running++;
    const ended = (end: KeyedEnd) => {
      state.running--;
      if (end === "nacked") {
        this.#sweep();
        state.blockedBy = {
          messageId: message.id,
          until: performance.now() + this.#options.blockMs,
        };
        this.#waiting -= state.queue.length;
        for (const later of state.queue.splice(0)) this.#options.release(later, "key-failed");
      }
      this.#next(key, state);
    };
    this.#options.run(message).then(ended, () => ended("nacked"));
  }

  /** Forgets idle keys whose block ran out (their failed message went elsewhere). */
  #sweep(): void {
    const now = performance.now();
    for (const [key, state] of this.#keys) {
      const expired = state.blockedBy !== undefined && now >= state.blockedBy.until;
      if (expired && state.running === 0 && state.queue.length === 0) this.#keys.delete(key);
    }
  }

  #next(key: string, state: KeyState): void {
    while (state.running < this.#options.concurrency && state.queue.length > 0) {
      this.#waiting--;
      const message = state.queue.shift() as ReceivedMessage;
      message.wait(false);
      this.#start(key, state, message);
    }
    if (state.running === 0 && state.queue.length === 0 && state.blockedBy === undefined) {
      this.#keys.delete(key);
    }
  }
}
