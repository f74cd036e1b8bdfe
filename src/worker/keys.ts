/**
 * Per-key order with a concurrent pool: events with the same key (the message's ordering key,
 * or `--key-from`) run at most `--key-concurrency` at a time (1: one after another, in the order
 * the stream delivered them); different keys run in parallel up to the pool size. A key's later
 * events wait here, leased, without holding a permit, also while an earlier one is retried in
 * place (one run of the scheduler lasts until the event is settled).
 *
 * When a key's event goes back to Pub/Sub anyway (its retries in place spent, or given back at
 * `--max-lease`), the key waits for it to come back, at most `blockMs`, and it runs first then:
 * - ordering keys (`giveBack`): Pub/Sub redelivers the key from that event on, so the later
 *   events held here, and those arriving before it comes back, are given back (`key-failed`):
 *   none may run before it. Each give-back is a delivery Pub/Sub counts, never a failed run.
 * - `--key-from` keys: Pub/Sub does not redeliver the others, so they stay here, leased, and so do
 *   new ones: nothing is refused.
 * A dead-lettered event lets the key go on. Messages given back while they wait are dropped from
 * the queue within a second (the first of them is waited for), so a queue never keeps copies.
 */
import type { ReceivedMessage } from "../pubsub/subscriber/message.ts";

/** How a run ended, as far as the key is concerned. */
export type KeyedEnd = "done" | "nacked";

/** Counts for metrics. */
export interface KeyStats {
  /** Keys with at least one event running (or being retried in place). */
  keysInFlight: number;
  /** Events waiting for an earlier event of their key. */
  waiting: number;
  /** Failed runs kept to be tried again in place (keyed events, last deliveries) since start. */
  retriesInPlace: number;
  /** A key that has run one event past `--max-lease`, in words; absent when none. */
  stuck?: string;
}

/** A key that has run one event for longer than asked (see {@linkcode KeyScheduler.stuck}). */
export interface StuckKey {
  key: string;
  messageId: string;
  /** Since when (`performance.now()`) the key has run that event. */
  since: number;
}

interface KeyState {
  running: number;
  queue: ReceivedMessage[];
  /** A message of this key back in Pub/Sub: the key waits for it until `until`. */
  blockedBy?: { messageId: string; until: number } | undefined;
  /** Ends the wait of parked events when the block runs out (`--key-from` keys only). */
  timer?: ReturnType<typeof setTimeout> | undefined;
  /** The event the key has been running since `since` (its copies keep the time). */
  head?: { messageId: string; since: number } | undefined;
}

/** Options for {@linkcode KeyScheduler}. */
export interface KeySchedulerOptions {
  /** Events of one key at once. */
  concurrency: number;
  /** How long a key waits at most for its event back in Pub/Sub. */
  blockMs: () => number;
  /** Keys are Pub/Sub ordering keys: give back what may not run before the event comes back. */
  giveBack: boolean;
  /** Runs `message` of `key` (through the pool, retried in place as needed); resolves with how
   * it ended. */
  run(message: ReceivedMessage, key: string): Promise<KeyedEnd>;
  /** Gives `message` of `key` back without running it: an earlier event of its key is back in
   * Pub/Sub (ordering keys only), or the worker is stopping. */
  release(message: ReceivedMessage, why: "key-failed" | "shutting-down", key: string): void;
}

const SWEEP_MS = 1000;

/** Schedules keyed messages. */
export class KeyScheduler {
  readonly #options: KeySchedulerOptions;
  readonly #keys = new Map<string, KeyState>();
  #sweptAt = performance.now();
  #closed = false;

  constructor(options: KeySchedulerOptions) {
    this.#options = options;
  }

  /** Counts now. */
  get stats(): Pick<KeyStats, "keysInFlight" | "waiting"> {
    this.#sweep();
    let keysInFlight = 0;
    let waiting = 0;
    for (const state of this.#keys.values()) {
      if (state.running > 0) keysInFlight++;
      waiting += state.queue.length;
    }
    return { keysInFlight, waiting };
  }

  /** The key that has run one event the longest, if longer than `ms`. */
  stuck(ms: number): StuckKey | undefined {
    let oldest: StuckKey | undefined;
    const now = performance.now();
    for (const [key, { running, head }] of this.#keys) {
      if (running === 0 || head === undefined || now - head.since <= ms) continue;
      if (oldest === undefined || head.since < oldest.since) oldest = { key, ...head };
    }
    return oldest;
  }

  /** Runs `message` now, after its key's earlier events, or gives it back (see above). */
  submit(key: string, message: ReceivedMessage): void {
    if (performance.now() - this.#sweptAt >= SWEEP_MS) this.#sweep();
    let state = this.#keys.get(key);
    if (state === undefined) this.#keys.set(key, state = { running: 0, queue: [] });
    const blocked = state.blockedBy;
    if (blocked !== undefined) {
      if (message.id === blocked.messageId) {
        this.#unblock(state);
        this.#enqueue(state, message, true); // back: it runs before the events that waited
        return this.#next(key, state);
      }
      if (performance.now() < blocked.until) {
        if (this.#options.giveBack) return this.#options.release(message, "key-failed", key);
        return this.#enqueue(state, message); // parked until it comes back
      }
      this.#unblock(state);
    }
    if (state.running < this.#options.concurrency && state.queue.length === 0) {
      this.#start(key, state, message);
    } else {
      this.#enqueue(state, message);
      this.#next(key, state);
    }
  }

  /** Gives back every waiting message (the worker is stopping); returns how many. */
  close(): number {
    this.#closed = true;
    let released = 0;
    for (const [key, state] of this.#keys) {
      clearTimeout(state.timer);
      for (const message of state.queue.splice(0)) {
        if (message.settled) continue;
        this.#options.release(message, "shutting-down", key);
        released++;
      }
    }
    return released;
  }

  #enqueue(state: KeyState, message: ReceivedMessage, first = false): void {
    if (first) state.queue.unshift(message);
    else state.queue.push(message);
    message.wait(true); // held beyond the lease window: it holds no room a ready event needs
  }

  #start(key: string, state: KeyState, message: ReceivedMessage): void {
    state.running++;
    if (state.head?.messageId !== message.id) {
      state.head = { messageId: message.id, since: performance.now() };
    }
    const ended = (end: KeyedEnd) => {
      state.running--;
      if (state.head?.messageId === message.id && end === "done") state.head = undefined;
      if (end === "nacked") this.#block(key, state, message.id);
      this.#next(key, state);
    };
    this.#options.run(message, key).then(ended, () => ended("nacked"));
  }

  /** `messageId` of this key is back in Pub/Sub: wait for it (see the module comment). */
  #block(key: string, state: KeyState, messageId: string): void {
    const blockMs = this.#options.blockMs();
    this.#unblock(state);
    state.blockedBy = { messageId, until: performance.now() + blockMs };
    if (this.#options.giveBack) {
      for (const later of state.queue.splice(0)) {
        if (!later.settled) this.#options.release(later, "key-failed", key);
      }
    } else if (!this.#closed) {
      state.timer = setTimeout(() => {
        state.timer = undefined;
        state.blockedBy = undefined;
        this.#next(key, state);
      }, blockMs);
    }
  }

  #unblock(state: KeyState): void {
    clearTimeout(state.timer);
    state.timer = undefined;
    state.blockedBy = undefined;
  }

  /** Starts what may start; forgets an idle key. */
  #next(key: string, state: KeyState): void {
    while (
      !this.#closed && state.blockedBy === undefined && state.running < this.#options.concurrency &&
      state.queue.length > 0
    ) {
      const message = state.queue.shift() as ReceivedMessage;
      if (message.settled) {
        // Given back while it waited: the key waits for it, the first given back.
        this.#block(key, state, message.id);
        break;
      }
      message.wait(false);
      this.#start(key, state, message);
    }
    if (state.running === 0 && state.queue.length === 0 && state.blockedBy === undefined) {
      this.#keys.delete(key);
    }
  }

  /**
   * Drops the messages given back while they waited (held past `--max-lease`) from every queue,
   * each key then waiting for the first of them; forgets keys whose wait ran out.
   */
  #sweep(): void {
    const now = performance.now();
    this.#sweptAt = now;
    for (const [key, state] of this.#keys) {
      const first = state.queue.findIndex((message) => message.settled);
      if (first >= 0) {
        const messageId = (state.queue[first] as ReceivedMessage).id;
        state.queue = state.queue.filter((message) => !message.settled);
        if (state.blockedBy === undefined || now >= state.blockedBy.until) {
          // It comes back before the ones behind it; those before it may still run.
          const before = state.queue.splice(0, first);
          this.#block(key, state, messageId);
          if (!this.#options.giveBack) state.queue.unshift(...before);
          else for (const m of before) this.#options.release(m, "key-failed", key);
        }
      }
      const expired = state.blockedBy !== undefined && now >= state.blockedBy.until;
      if (expired) this.#unblock(state);
      if (expired || first >= 0) this.#next(key, state);
    }
  }
}
