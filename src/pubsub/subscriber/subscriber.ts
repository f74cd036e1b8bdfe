/**
 * Our StreamingPull subscriber: streams that together hold at most the lease window (server-side
 * flow control, and paused while the window is full), each response's receipt told to Pub/Sub
 * (receipts.ts), every held message's lease extended until it is settled or its max lease
 * passes, acks and nacks batched with their results, a watchdog, and a close that leaves nothing
 * leased. It never settles a message itself: what it gives up (max lease, close) goes to the
 * listener. On exactly-once (mode.ts), leases are ≥ 60 s and acks wait for Pub/Sub's answer.
 * Messages reach the listener in the order each stream delivered them, with their ordering key.
 * It logs nothing: what happens is reported to the listener as typed reports (report.ts).
 */
import { AckBatcher } from "./ack_batcher.ts";
import type { PullResponse, SubscriberApi } from "./api.ts";
import { LeaseBook } from "./leases.ts";
import { LostSubscription } from "./lost.ts";
import type { AckResult } from "./ack_result.ts";
import { type GiveUpReason, type LeaseOwner, ReceivedMessage } from "./message.ts";
import { DeliveryMode } from "./mode.ts";
import { Receipts } from "./receipts.ts";
import { StreamSet } from "./stream_set.ts";
import { Watchdog } from "./watchdog.ts";
import type { SubscriberListener, SubscriberOptions, SubscriberStats } from "./options.ts";
import type { Report, SubscriberReport } from "./report.ts";

export type { SubscriberListener, SubscriberOptions, SubscriberReport, SubscriberStats };
export { SubscriptionUnusableError } from "./report.ts";
export { MAX_MESSAGE_BYTES } from "./stream_set.ts";

const TICK_MS = 1000;
/** A close this soon after start, before any message, means the subscription is unusable. */
const STARTUP_GRACE_MS = 10_000;

/** Consumes one subscription through `api`. */
export class Subscriber implements LeaseOwner {
  readonly #api: SubscriberApi;
  readonly #options: SubscriberOptions;
  readonly #listener: SubscriberListener;
  readonly #book = new LeaseBook();
  readonly #acks: AckBatcher;
  readonly #mode: DeliveryMode;
  readonly #receipts: Receipts;
  readonly #lost: LostSubscription;
  #streams: StreamSet | undefined;
  readonly #watchdog: Watchdog;
  #window: number;
  /** Held by the owner (`hold`): no new message, whatever the window. */
  #held = false;
  #paused = false;
  #received = false;
  #openedAt = 0;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #stopping: Promise<void> | undefined;
  #stopped = false;

  constructor(api: SubscriberApi, options: SubscriberOptions, listener: SubscriberListener) {
    this.#api = api;
    this.#options = options;
    this.#listener = listener;
    this.#window = options.window;
    const report: Report = (r) => listener.report(r);
    this.#watchdog = new Watchdog(options.watchdogMs ?? 60_000, report);
    this.#lost = new LostSubscription(options.subscription.split("/").at(-1) ?? "", report);
    this.#acks = new AckBatcher(api, options.subscription, {
      via: options.ackVia,
      // Paused or not: pausing stops reading only, and the two directions of a gRPC stream
      // are independent (an RPC per batch while paused cost a fifth of the CPU per event).
      write: (request) => this.#streams?.writeOnAny(request) ?? false,
      report,
    });
    this.#mode = new DeliveryMode(this.#acks, report);
    this.#receipts = new Receipts(this.#acks, {
      accepted: (message) => void (message.settled || listener.message(message)),
      refused: (message) => void (this.#book.remove(message) && this.#flowControl()),
      report,
    });
  }

  /** Counters now. */
  get stats(): SubscriberStats {
    return {
      leased: this.#book.size,
      waiting: this.#book.waiting,
      leasedBytes: this.#book.bytes,
      extensions: this.#book.extensions,
      expired: this.#book.expired,
      ackFailures: this.#acks.failures,
      exactlyOnce: this.#mode.exactlyOnce,
      receiptsRefused: this.#receipts.refused,
      leasesLost: this.#mode.leasesLost,
      reconnects: this.#streams?.reconnects ?? 0,
      watchdogReopens: this.#watchdog.reopens,
      ackDeadlineSeconds: this.#mode.seconds,
    };
  }

  /** The subscription was lost after start (NOT_FOUND or PERMISSION_DENIED on every reopen). */
  get broken(): boolean {
    return this.#lost.broken;
  }

  /** Whether at least one stream is open. */
  get isOpen(): boolean {
    return this.#streams?.isOpen ?? false;
  }

  /**
   * Opens the streams and starts the lease ticker. `keyed`: the messages have keys, so the
   * server-side limit is the window plus the waiting allowance (a message waits only for a key).
   */
  open({ keyed = false }: { keyed?: boolean } = {}): void {
    const o = this.#options;
    this.#openedAt = performance.now();
    this.#streams = new StreamSet(this.#api, {
      subscription: o.subscription,
      streams: o.streams,
      serverWindow: o.window + (keyed ? o.maxWaiting : 0),
      maxBytes: o.maxBytes,
      seconds: () => this.#mode.seconds,
    }, {
      messages: (i, response) => this.#onMessages(i, response),
      ended: (i, code, error, delayMs) => this.#onEnded(i, code, error, delayMs),
      unsent: (_, requests) => this.#acks.resend(requests),
    });
    if (this.#paused) this.#streams.pause(true); // held before it opened: opens paused
    this.#streams.open();
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
  }

  /** Holds at most `window` messages from now on (streams already open keep their server-side
   * share; the client-side bound applies at once). */
  resize(window: number): void {
    this.#window = window;
    this.#flowControl();
  }

  /**
   * Takes no new message while `held`, whatever the window (the owner's pause): the streams are
   * paused as when the window is full; messages already received are settled as usual.
   */
  hold(held: boolean): void {
    this.#held = held;
    this.#flowControl();
  }

  /** A message was acked or nacked (called by {@linkcode ReceivedMessage}). */
  settle(message: ReceivedMessage, ack: boolean, done: (result: AckResult) => void): void {
    this.#mode.deadline.record(performance.now() - message.receivedAt);
    if (ack) {
      this.#book.acking(message);
      this.#acks.ack(message.ackId, (result) => {
        this.#book.acked(message);
        done(result);
      });
    } else {
      this.#book.remove(message);
      this.#acks.nack(message.ackId, done);
    }
    if (this.#paused) this.#flowControl();
  }

  /** A held message started or stopped waiting for its key (called by {@linkcode ReceivedMessage}). */
  waiting(message: ReceivedMessage, waiting: boolean): void {
    this.#book.setWaiting(message, waiting);
    this.#flowControl();
  }

  /**
   * Stops pulling: each stream is half-closed and drained, and what was still on its way is
   * nacked at once (not handed over), so nothing stays leased to a stream that is gone. Held
   * messages can still be settled. Resolves once every stream has ended.
   */
  stopPulling(): Promise<void> {
    if (this.#stopping === undefined) {
      this.#stopped = true; // before draining: what a resumed stream hands over is late
      this.#stopping = this.#streams?.drain() ?? Promise.resolve();
    }
    return this.#stopping;
  }

  /**
   * Closes for good: stops pulling, gives up every message still held (the listener nacks it:
   * nothing stays leased), and resolves once every ack and nack was answered, or at `until` (a
   * `performance.now()` time) when Pub/Sub does not answer: those messages come back.
   */
  async close(until = Infinity): Promise<number> {
    this.#closed = true;
    clearInterval(this.#ticker);
    await this.stopPulling();
    const held = this.#book.all();
    for (const message of held) this.#giveUp(message, "shutting-down", true);
    await this.#acks.drain(until);
    return held.length;
  }

  #onMessages(index: number, response: PullResponse): void {
    const properties = response.subscriptionProperties;
    // Leases change with the mode (60 s at least on exactly-once): the streams are told at once.
    const exactlyOnce = properties?.exactlyOnceDeliveryEnabled === true;
    if (properties && this.#mode.set(exactlyOnce)) this.#streams?.announce();
    const now = performance.now();
    const seconds = this.#mode.seconds;
    const messages = (response.receivedMessages ?? []).map((proto) => {
      const message = new ReceivedMessage(proto, index, now, this, this.#mode.exactlyOnce);
      this.#book.add(message, seconds * 1000);
      return message;
    });
    // On its way when we stopped: straight back to Pub/Sub (the listener nacks it).
    if (this.#stopped) return messages.forEach((m) => this.#giveUp(m, "shutting-down", false));
    this.#received = true;
    this.#lost.received();
    this.#receipts.receive(index, messages, seconds);
    this.#flowControl();
  }

  /** Gives `message` back through the listener; nacks it if the listener did not settle it. */
  #giveUp(message: ReceivedMessage, reason: GiveUpReason, handedOver: boolean): void {
    message.givenUp = reason;
    this.#listener.giveUp?.(message, reason, handedOver);
    if (!message.settled) void message.nack();
  }

  #onEnded(index: number, code: number, error: Error | undefined, delayMs: number): void {
    const startingUp = !this.#received &&
      performance.now() - this.#openedAt < STARTUP_GRACE_MS;
    const fatal = this.#lost.ended({ index, code, error, delayMs, startingUp });
    if (fatal === undefined || this.#closed) return;
    this.#closed = true;
    void this.stopPulling();
    clearInterval(this.#ticker);
    this.#listener.fatal(fatal);
  }

  /** Pauses every stream while the book is full (see LeaseBook.full); resumes below. */
  #flowControl(): void {
    const { maxWaiting, maxBytes } = this.#options;
    const full = this.#held || this.#book.full(this.#window, maxWaiting, maxBytes, this.#paused);
    if (full === this.#paused) return;
    this.#paused = full;
    this.#streams?.pause(full);
  }

  /** Once a second: extend leases due, give up expired ones, keep-alives, the watchdog. */
  #tick(): void {
    const now = performance.now();
    const seconds = this.#mode.seconds;
    const { extend, expired } = this.#book.due(now, seconds * 1000, this.#options.maxLeaseMs);
    if (extend.length > 0) this.#mode.extend(extend, seconds);
    for (const message of expired) {
      const { maxLeaseMs } = this.#options;
      this.#listener.report({ kind: "lease-expired", messageId: message.id, maxLeaseMs });
      this.#giveUp(message, "max-lease", true);
    }
    this.#streams?.keepAlive(now);
    if (this.#streams && !this.#paused && this.#book.ready < this.#window) {
      this.#watchdog.check(now, this.#streams.streams, this.#book);
    }
  }
}
