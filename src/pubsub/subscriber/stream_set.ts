/**
 * The subscriber's streams as one set: opened with a stable client ID each and their share of
 * the server-side flow control, written to round robin (one write per batch, on a stream that
 * reads), paused and resumed together, told the lease asked for (at once when it changes with
 * the delivery mode, else with the keep-alive every 30 s), drained together on stop.
 */
import type { PullRequest, SubscriberApi } from "./api.ts";
import { PullStream, type StreamListener } from "./stream.ts";

/** Room for one message at Pub/Sub's 10 MB limit, with its attributes. */
export const MAX_MESSAGE_BYTES = 10.5 * 1024 * 1024;
const KEEPALIVE_MS = 30_000;

/** How the set is opened. */
export interface StreamSetOptions {
  subscription: string;
  streams: number;
  /** Messages the server may hold out on all streams together. */
  serverWindow: number;
  /** Data bytes held at most, all streams together. */
  maxBytes: number;
  /** The lease asked for now, in seconds. */
  seconds(): number;
}

/** The streams of one subscriber. */
export class StreamSet {
  readonly streams: PullStream[] = [];
  readonly #seconds: () => number;
  #nextWrite = 0;
  #lastKeepAlive = 0;
  #sent = 0;

  /** Opens `options.streams` streams on `api`, reporting to `listener`. */
  constructor(api: SubscriberApi, options: StreamSetOptions, listener: StreamListener) {
    this.#seconds = options.seconds;
    const clientId = crypto.randomUUID();
    const n = options.streams;
    for (let index = 0; index < n; index++) {
      const stream = new PullStream(api, {
        index,
        subscription: options.subscription,
        clientId: `${clientId}-${index}`,
        maxMessages: Math.max(1, Math.ceil(options.serverWindow / n)),
        // Pub/Sub applies the byte limit per stream: each gets its share of the budget, but at
        // least room for one message at Pub/Sub's size limit (or a stream could stall on one).
        maxBytes: Math.max(Math.ceil(options.maxBytes / n), MAX_MESSAGE_BYTES),
        deadlineSeconds: options.seconds,
      }, listener);
      this.streams.push(stream);
    }
  }

  /** Opens every stream. */
  open(): void {
    this.#sent = this.#seconds();
    this.#lastKeepAlive = performance.now();
    for (const stream of this.streams) stream.open();
  }

  /** Whether at least one stream is open. */
  get isOpen(): boolean {
    return this.streams.some((s) => s.isOpen);
  }

  /** Streams reopened so far. */
  get reconnects(): number {
    return this.streams.reduce((sum, s) => sum + s.reconnects, 0);
  }

  /** Writes on the next stream that can take it (round robin); false when none can. */
  writeOnAny(request: PullRequest): boolean {
    const n = this.streams.length;
    for (let i = 0; i < n; i++) {
      const index = (this.#nextWrite + i) % n;
      if (this.streams[index]?.write(request)) {
        this.#nextWrite = index + 1;
        return true;
      }
    }
    return false;
  }

  /** Pauses (or resumes) reading on every stream. */
  pause(paused: boolean): void {
    for (const stream of this.streams) paused ? stream.pause() : stream.resume();
  }

  /** Tells every stream the lease asked for now (it changed with the delivery mode). */
  announce(): void {
    this.#sent = this.#seconds();
    for (const stream of this.streams) stream.write({ streamAckDeadlineSeconds: this.#sent });
  }

  /** Every 30 s: a keep-alive on each stream, with the lease asked for when it changed. */
  keepAlive(now: number): void {
    if (now - this.#lastKeepAlive < KEEPALIVE_MS) return;
    this.#lastKeepAlive = now;
    const seconds = this.#seconds();
    const changed = seconds !== this.#sent;
    this.#sent = seconds;
    for (const stream of this.streams) {
      stream.write(changed ? { streamAckDeadlineSeconds: seconds } : {});
    }
  }

  /** Half-closes and drains every stream; resolves once all have ended. */
  async drain(): Promise<void> {
    await Promise.all(this.streams.map((s) => s.drain()));
  }
}
