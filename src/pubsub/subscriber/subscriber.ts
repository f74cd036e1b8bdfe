/**
 * Our StreamingPull subscriber: `streams` streams that together hold at most the lease window
 * (server-side flow control on each, and the streams paused while the window is full), every held
 * message's lease extended until it is settled or its max lease passes, acks and nacks batched on
 * the streams, keep-alives, a watchdog for a stream that goes quiet while there is room, and a
 * close that leaves nothing leased. Messages reach the listener in the order each stream delivered
 * them, with their ordering key.
 */
import { logger } from "../../telemetry/log.ts";
import { AckBatcher } from "./ack_batcher.ts";
import type { PullRequest, ReceivedProto, SubscriberApi } from "./api.ts";
import { AckDeadline } from "./deadline.ts";
import { LeaseBook } from "./leases.ts";
import { LostSubscription } from "./lost.ts";
import { type LeaseOwner, ReceivedMessage } from "./message.ts";
import { PullStream } from "./stream.ts";
import { Watchdog } from "./watchdog.ts";
import type { SubscriberListener, SubscriberOptions, SubscriberStats } from "./options.ts";

export type { SubscriberListener, SubscriberOptions, SubscriberStats };

const TICK_MS = 1000;
/** Room for one message at Pub/Sub's 10 MB limit, with its attributes. */
export const MAX_MESSAGE_BYTES = 10.5 * 1024 * 1024;
const KEEPALIVE_MS = 30_000;
/** A close this soon after start, before any message, means the subscription is unusable. */
const STARTUP_GRACE_MS = 10_000;
const log = logger("subscriber");

/** Consumes one subscription through `api`. */
export class Subscriber implements LeaseOwner {
  readonly #api: SubscriberApi;
  readonly #options: SubscriberOptions;
  readonly #listener: SubscriberListener;
  readonly #book = new LeaseBook();
  readonly #deadline = new AckDeadline();
  readonly #acks: AckBatcher;
  readonly #lost: LostSubscription;
  readonly #streams: PullStream[] = [];
  readonly #watchdog: Watchdog;
  #window: number;
  #paused = false;
  #nextWrite = 0;
  #received = false;
  #openedAt = 0;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #lastKeepAlive = 0;
  #sentDeadline = 0;
  #closed = false;
  #stopping: Promise<void> | undefined;
  #stopped = false;

  constructor(api: SubscriberApi, options: SubscriberOptions, listener: SubscriberListener) {
    this.#api = api;
    this.#options = options;
    this.#listener = listener;
    this.#window = options.window;
    this.#watchdog = new Watchdog(options.watchdogMs ?? 60_000);
    this.#lost = new LostSubscription(options.subscription.split("/").at(-1) ?? "");
    this.#acks = new AckBatcher(api, options.subscription, {
      via: options.ackVia,
      write: (request) => this.#writeOnAny(request),
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
      reconnects: this.#streams.reduce((sum, s) => sum + s.reconnects, 0),
      watchdogReopens: this.#watchdog.reopens,
      ackDeadlineSeconds: this.#deadline.seconds,
    };
  }

  /** The subscription was lost after start (NOT_FOUND or PERMISSION_DENIED on every reopen). */
  get broken(): boolean {
    return this.#lost.broken;
  }

  /** Whether at least one stream is open. */
  get isOpen(): boolean {
    return this.#streams.some((s) => s.isOpen);
  }

  /**
   * Opens the streams and starts the lease ticker. `keyed`: the messages have keys, so each
   * stream's server-side limit is its share of the window plus the waiting allowance (else of
   * the window alone: a message waits for its key only when it has one).
   */
  open({ keyed = false }: { keyed?: boolean } = {}): void {
    const o = this.#options;
    const serverWindow = o.window + (keyed ? o.maxWaiting : 0);
    const clientId = crypto.randomUUID();
    this.#openedAt = performance.now();
    this.#sentDeadline = this.#deadline.seconds;
    for (let index = 0; index < o.streams; index++) {
      const stream = new PullStream(this.#api, {
        index,
        subscription: o.subscription,
        clientId: `${clientId}-${index}`,
        maxMessages: Math.max(1, Math.ceil(serverWindow / o.streams)),
        // Pub/Sub applies the byte limit per stream: each gets its share of the budget, but at
        // least room for one message at Pub/Sub's size limit (or a stream could stall on one).
        maxBytes: Math.max(Math.ceil(o.maxBytes / o.streams), MAX_MESSAGE_BYTES),
        deadlineSeconds: () => this.#deadline.seconds,
      }, {
        messages: (i, received) => this.#onMessages(i, received),
        ended: (i, code, error, delayMs) => this.#onEnded(i, code, error, delayMs),
      });
      this.#streams.push(stream);
      stream.open();
    }
    this.#lastKeepAlive = performance.now();
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
  }

  /** Holds at most `window` messages from now on (streams already open keep their server-side
   * share; the client-side bound applies at once). */
  resize(window: number): void {
    this.#window = window;
    this.#flowControl();
  }

  /** A message was acked or nacked (called by {@linkcode ReceivedMessage}). */
  settle(message: ReceivedMessage, ack: boolean): void {
    this.#book.remove(message);
    this.#deadline.record(performance.now() - message.receivedAt);
    if (ack) this.#acks.ack(message.ackId);
    else this.#acks.nack(message.ackId);
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
      this.#stopping = Promise.all(this.#streams.map((s) => s.drain())).then(() => {});
    }
    return this.#stopping;
  }

  /**
   * Closes for good: stops pulling, nacks every message still held (nothing stays leased), and
   * resolves once every ack and nack was sent.
   */
  async close(): Promise<number> {
    this.#closed = true;
    clearInterval(this.#ticker);
    await this.stopPulling();
    const held = this.#book.all();
    for (const message of held) message.nack();
    await this.#acks.flush();
    return held.length;
  }

  #onMessages(index: number, received: readonly ReceivedProto[]): void {
    if (this.#stopped) {
      // On its way when we stopped: straight back to Pub/Sub, by RPC (the stream is closing).
      const late = received.map((p) => p.ackId ?? "");
      for (const ackId of late) this.#acks.nack(ackId);
      return;
    }
    this.#received = true;
    this.#lost.received();
    const now = performance.now();
    const deadlineMs = this.#deadline.seconds * 1000;
    for (const proto of received) {
      const message = new ReceivedMessage(proto, index, now, this);
      this.#book.add(message, deadlineMs);
      this.#listener.message(message);
    }
    this.#flowControl();
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

  /** Writes on the next reading stream (round robin); false when none reads (the batcher uses RPCs). */
  #writeOnAny(request: PullRequest): boolean {
    const n = this.#streams.length;
    for (let i = 0; i < n && !this.#paused; i++) {
      const index = (this.#nextWrite + i) % n;
      if (this.#streams[index]?.write(request)) {
        this.#nextWrite = index + 1;
        return true;
      }
    }
    return false;
  }

  /** Pauses every stream while the book is full (see LeaseBook.full); resumes below. */
  #flowControl(): void {
    const { maxWaiting, maxBytes, held } = this.#options;
    const full = held || this.#book.full(this.#window, maxWaiting, maxBytes, this.#paused);
    if (full === this.#paused) return;
    this.#paused = full;
    for (const stream of this.#streams) full ? stream.pause() : stream.resume();
  }

  /** Once a second: extend leases due, give up expired ones, keep-alives, the watchdog. */
  #tick(): void {
    const now = performance.now();
    const seconds = this.#deadline.seconds;
    const { extend, expired } = this.#book.due(now, seconds * 1000, this.#options.maxLeaseMs);
    if (extend.length > 0) this.#acks.extend(extend, seconds);
    for (const message of expired) {
      log.warning(
        "Message {messageId} was held past --max-lease ({minutes} min): given back to Pub/Sub",
        { messageId: message.id, minutes: this.#options.maxLeaseMs / 60_000 },
      );
      message.nack();
    }
    if (now - this.#lastKeepAlive >= KEEPALIVE_MS) {
      this.#lastKeepAlive = now;
      const changed = seconds !== this.#sentDeadline;
      this.#sentDeadline = seconds;
      for (const stream of this.#streams) {
        stream.write(changed ? { streamAckDeadlineSeconds: seconds } : {});
      }
    }
    if (!this.#paused && this.#book.ready < this.#window) {
      this.#watchdog.check(now, this.#streams, this.#book);
    }
  }
}
