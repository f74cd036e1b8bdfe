/**
 * Per-key order with a concurrent pool: events with the same key (the message's ordering key,
 * or `--key-from`) run at most `--key-concurrency` at a time (1: one after another, in the order
 * the stream delivered them); different keys run in parallel up to the pool size. A key's later
 * events wait here, leased, without a permit, also while an earlier one is retried in place.
 *
 * When a key's event goes back to Pub/Sub anyway (its retries in place spent, or given back at
 * `--max-lease`), the key waits for it, at most `blockMs`, and it runs first when it comes back:
 * - ordering keys (`giveBack`): Pub/Sub redelivers the key from that event on, so the later
 *   events held here, and those arriving before it comes back, are given back (`key-failed`).
 * - `--key-from` keys: Pub/Sub does not redeliver the others: they wait here, nothing refused.
 * A dead-lettered event lets the key go on. Messages given back while they wait are dropped
 * within a second (the first of them is waited for): a queue never keeps copies.
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
  /** The keys with the most events waiting (at most {@linkcode LONGEST_KEYS}), most first: each
   * with its events running and waiting. */
  longest: { key: string; running: number; waiting: number }[];
}

/** A key that has held one event for longer than asked (see {@linkcode KeyScheduler.stuck}). */
export interface StuckKey {
  key: string;
  messageId: string;
  /** Since when (`performance.now()`): its first copy's receipt, as `--max-lease` counts. */
  since: number;
}

/** How many of the longest key queues {@linkcode KeyStats} names. */
export const LONGEST_KEYS = 5;

interface KeyState {
  running: number;
  queue: ReceivedMessage[];
  /** A message of this key back in Pub/Sub: the key waits for it until `until`. */
  blockedBy?: { messageId: string; until: number } | undefined;
  /** Ends the wait of parked events when the block runs out (`--key-from` keys only). */
  timer?: ReturnType<typeof setTimeout> | undefined;
  /** The event the key runs (or ran last), and since when it holds it (its copies keep it). */
  head?: ReceivedMessage;
  headSince: number;
}

/** Options for {@linkcode KeyScheduler}. */
export interface KeySchedulerOptions {
  /** Events of one key at once. */
  concurrency: number;
  /** How long a key waits at most for its event back in Pub/Sub. */
  blockMs: () => number;
  /** Keys are Pub/Sub ordering keys: give back what may not run before the event comes back. */
  giveBack: boolean;
  /** Runs `message` of `key` (through the pool, retried in place as needed); calls `ended`
   * once, with how it ended. */
  run(message: ReceivedMessage, key: string, ended: (end: KeyedEnd) => void): void;
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
  #submitted = 0;
  #closed = false;

  constructor(options: KeySchedulerOptions) {
    this.#options = options;
  }

  /** Counts now. */
  get stats(): Pick<KeyStats, "keysInFlight" | "waiting" | "longest"> {
    this.#sweep();
    let keysInFlight = 0;
    let waiting = 0;
    const longest: KeyStats["longest"] = [];
    for (const [key, state] of this.#keys) {
      if (state.running > 0) keysInFlight++;
      waiting += state.queue.length;
      if (state.queue.length > 0) {
        longest.push({ key, running: state.running, waiting: state.queue.length });
      }
    }
    longest.sort((a, b) => b.waiting - a.waiting).length = Math.min(longest.length, LONGEST_KEYS);
    return { keysInFlight, waiting, longest };
  }

  /** The key that has held one running event the longest, if longer than `ms`. */
  stuck(ms: number): StuckKey | undefined {
    let oldest: StuckKey | undefined;
    const now = performance.now();
    for (const [key, { running, head, headSince: since }] of this.#keys) {
      const messageId = head?.id;
      if (running === 0 || messageId === undefined || now - since <= ms) continue;
      if (oldest === undefined || since < oldest.since) oldest = { key, messageId, since };
    }
    return oldest;
  }

  /** Runs `message` now, after its key's earlier events, or gives it back (see above). */
  submit(key: string, message: ReceivedMessage): void {
    // The clock is read every 64 submissions: given-back copies stay bounded all the same.
    if ((++this.#submitted & 63) === 0 && performance.now() - this.#sweptAt >= SWEEP_MS) {
      this.#sweep();
    }
    let state = this.#keys.get(key);
    if (state === undefined) this.#keys.set(key, state = { running: 0, queue: [], headSince: 0 });
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
    if (state.head?.id !== message.id) state.headSince = message.receivedAt;
    state.head = message;
    const ended = (end: KeyedEnd) => {
      state.running--;
      if (end === "nacked") this.#block(key, state, message.id);
      this.#next(key, state);
    };
    this.#options.run(message, key, ended);
  }

  /**
   * `messageId` of this key is back in Pub/Sub: wait for it (see the module comment), unless its
   * fresh copy waits here already (delivered while its earlier run went on): that runs first.
   */
  #block(key: string, state: KeyState, messageId: string): void {
    this.#unblock(state);
    const copy = state.queue.findIndex((m) => m.id === messageId && !m.settled);
    if (copy >= 0) return void state.queue.unshift(...state.queue.splice(copy, 1));
    const blockMs = this.#options.blockMs();
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
      const message = state.queue[0] as ReceivedMessage;
      if (message.settled) {
        this.#dropGivenBack(key, state, performance.now());
        continue;
      }
      state.queue.shift();
      message.wait(false);
      this.#start(key, state, message);
    }
    if (state.running === 0 && state.queue.length === 0 && state.blockedBy === undefined) {
      this.#keys.delete(key);
    }
  }

  /**
   * Drops from the key's queue the messages given back while they waited (held past
   * `--max-lease`). Unless a copy of it is here already, the first of them must be waited for:
   * Pub/Sub delivers it again, and nothing behind it may run before (ordering keys: Pub/Sub
   * delivers the key again from it on, so those before it go back too). A running event given
   * back (held at the handler gate, say) comes first: the key waits for it, not for a later one.
   */
  #dropGivenBack(key: string, state: KeyState, now: number): void {
    const live = new Set<string>();
    for (const message of state.queue) if (!message.settled) live.add(message.id);
    const head = headGivenBack(state) && !live.has(state.head!.id) ? state.head : undefined;
    const first = head ? 0 : state.queue.findIndex((m) => m.settled && !live.has(m.id));
    const gone = head ?? state.queue[first];
    const kept = (list: ReceivedMessage[]) => list.filter((message) => !message.settled);
    const waitsFor = state.blockedBy !== undefined && now < state.blockedBy.until
      ? state.blockedBy.messageId
      : undefined;
    if (gone === undefined || (waitsFor !== undefined && (!head || waitsFor === gone.id))) {
      state.queue = kept(state.queue);
      return;
    }
    const before = kept(state.queue.slice(0, first));
    state.queue = kept(state.queue.slice(head ? 0 : first + 1));
    this.#block(key, state, gone.id);
    if (!this.#options.giveBack) state.queue.unshift(...before);
    else for (const m of before) this.#options.release(m, "key-failed", key);
  }

  /** Drops given-back messages from every queue; forgets keys whose wait ran out. */
  #sweep(): void {
    const now = performance.now();
    this.#sweptAt = now;
    for (const [key, state] of this.#keys) {
      const givenBack = state.queue.some((message) => message.settled) || headGivenBack(state);
      if (givenBack) this.#dropGivenBack(key, state, now);
      const expired = state.blockedBy !== undefined && now >= state.blockedBy.until;
      if (expired) this.#unblock(state);
      if (expired || givenBack) this.#next(key, state);
    }
  }
}

/** The key's running event was given back (held past `--max-lease`) while it ran. */
function headGivenBack(state: KeyState): boolean {
  return state.running > 0 && state.head?.givenUp !== undefined;
}
