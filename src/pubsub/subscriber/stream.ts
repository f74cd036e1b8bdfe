/**
 * One StreamingPull stream: opens with the subscription, a stable client ID (so a reconnect
 * keeps the server's view) and its share of the flow control; hands each response's messages on
 * in the order it delivered them; reopens when it ends (at once after its planned end, with
 * backoff after an error, 100 ms doubling to 60 s, reset by data); can be paused (no more reading:
 * HTTP/2 flow control stops the server) and written to (acks, modacks, keep-alives).
 */
import type { PullCall, PullRequest, PullResponse, SubscriberApi } from "./api.ts";
import { GRPC } from "../grpc_codes.ts";

/** How long one call may stay open before it ends by itself and is reopened (as the Node and Go
 * clients do). */
export const STREAM_LIFETIME_MS = 15 * 60_000;
/** gRPC codes after which a stream is reopened as usual (the Node client's list, and OK). */
export const RETRYABLE = new Set<number>([
  GRPC.OK,
  GRPC.CANCELLED,
  GRPC.DEADLINE_EXCEEDED,
  GRPC.RESOURCE_EXHAUSTED,
  GRPC.ABORTED,
  GRPC.INTERNAL,
  GRPC.UNAVAILABLE,
]);
const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 60_000;
const LASTING_BACKOFF_MS = 1_000;
/**
 * Acks and deadline changes written this recently when a call ends may not have been read: they
 * are handed back to be sent again by RPC (an ack or deadline change twice is harmless).
 */
export const RESEND_WINDOW_MS = 5_000;

/** What a stream tells its subscriber. */
export interface StreamListener {
  /** A response with messages, in the order the stream delivered them. */
  messages(stream: number, response: PullResponse): void;
  /** The call ended with `code` (0 when it ended by itself); it will be reopened after
   * `delayMs` unless the subscriber closes. */
  ended(stream: number, code: number, error: Error | undefined, delayMs: number): void;
  /** Acks and deadline changes written shortly before the call ended: to send again. */
  unsent(stream: number, requests: PullRequest[]): void;
}

/** Options for one {@linkcode PullStream}. */
export interface StreamOptions {
  index: number;
  /** Full subscription name. */
  subscription: string;
  clientId: string;
  /** Server-side flow control for this stream. */
  maxMessages: number;
  maxBytes: number;
  /** The ack deadline to open with, in seconds. */
  deadlineSeconds(): number;
}

/** One StreamingPull stream, reopened until closed. */
export class PullStream {
  readonly #api: SubscriberApi;
  readonly #options: StreamOptions;
  readonly #listener: StreamListener;
  #call: PullCall | undefined;
  #closed = false;
  #draining = false;
  #paused = false;
  #backoff = MIN_BACKOFF_MS;
  #reopen: ReturnType<typeof setTimeout> | undefined;
  /** Acks and deadline changes written lately, with when (oldest first). */
  #recent: [number, PullRequest][] = [];
  /** When it last delivered a message (`performance.now()`); when it opened, before any. */
  lastData = 0;
  /** Times it was reopened after an error or its planned end. */
  reconnects = 0;

  constructor(api: SubscriberApi, options: StreamOptions, listener: StreamListener) {
    this.#api = api;
    this.#options = options;
    this.#listener = listener;
  }

  /** Whether a call is open now (writes can go on it). */
  get isOpen(): boolean {
    return this.#call !== undefined;
  }

  /** Opens the call and sends the first request. */
  open(): void {
    if (this.#closed) return;
    const o = this.#options;
    const call = this.#api.streamingPull(STREAM_LIFETIME_MS);
    this.#call = call;
    this.lastData = performance.now();
    let ended = false;
    const end = (code: number, error?: Error) => {
      if (ended) return;
      ended = true;
      if (this.#call !== call) return; // replaced (restart) or closed: nothing to reopen
      this.#call = undefined;
      this.#handBack();
      if (this.#closed) return;
      // Ended by itself, or at the end of its lifetime.
      const planned = code === GRPC.OK || code === GRPC.DEADLINE_EXCEEDED;
      // A code reopening may not cure (NOT_FOUND, PERMISSION_DENIED, …) waits at least a second.
      if (!RETRYABLE.has(code)) this.#backoff = Math.max(this.#backoff, LASTING_BACKOFF_MS);
      const delay = planned ? 0 : this.#backoff;
      if (!planned) this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
      this.reconnects++;
      this.#listener.ended(o.index, code, error, delay);
      this.#reopen = setTimeout(() => this.open(), delay);
    };
    call.on("data", (response) => {
      const received = response.receivedMessages;
      if (!received || received.length === 0) return;
      this.lastData = performance.now();
      this.#backoff = MIN_BACKOFF_MS;
      this.#listener.messages(o.index, response);
    });
    call.on("error", (error) => end(error.code ?? 2, error));
    call.on("end", () => end(0));
    call.on("close", () => end(0));
    call.write({
      subscription: o.subscription,
      streamAckDeadlineSeconds: o.deadlineSeconds(),
      clientId: o.clientId,
      maxOutstandingMessages: o.maxMessages,
      maxOutstandingBytes: o.maxBytes,
    });
    if (this.#paused) call.pause();
  }

  /** Writes `request` on the open call; false when there is none (or it is half-closed). */
  write(request: PullRequest): boolean {
    if (this.#call === undefined || this.#draining) return false;
    this.#call.write(request);
    if (request.ackIds || request.modifyDeadlineAckIds) this.#remember(request);
    return true;
  }

  #remember(request: PullRequest): void {
    const now = performance.now();
    const recent = this.#recent;
    if (recent.length > 0 && recent[0]![0] < now - RESEND_WINDOW_MS) {
      const fresh = recent.findIndex(([at]) => at >= now - RESEND_WINDOW_MS);
      recent.splice(0, fresh < 0 ? recent.length : fresh);
    }
    recent.push([now, request]);
  }

  /** The call ended without a clean end after our half-close: what it may not have read. */
  #handBack(): void {
    if (this.#recent.length === 0) return;
    const now = performance.now();
    const requests = this.#recent.filter(([at]) => at >= now - RESEND_WINDOW_MS).map(([, r]) => r);
    this.#recent = [];
    if (requests.length > 0) this.#listener.unsent(this.#options.index, requests);
  }

  /** Stops reading: the server stops sending once HTTP/2's window fills. */
  pause(): void {
    if (this.#paused || this.#draining) return;
    this.#paused = true;
    this.#call?.pause();
  }

  /** Reads again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#call?.resume();
  }

  /** Reopens now (the watchdog: a stream that delivers nothing while there is room). */
  restart(): void {
    const call = this.#call;
    if (call === undefined) return;
    this.#call = undefined;
    call.cancel();
    this.#handBack();
    this.reconnects++;
    this.open();
  }

  /**
   * Stops for good, without stranding anything: half-closes the call (the server stops sending
   * and ends the stream), keeps reading what was already on its way (the listener nacks it) until
   * the stream ends or `maxMs` pass, then cancels. Resolves when done.
   */
  drain(maxMs = 2000): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reopen);
    const call = this.#call;
    if (call === undefined) return Promise.resolve();
    this.#draining = true;
    call.resume();
    const done = Promise.withResolvers<void>();
    const finish = (clean: boolean) => {
      clearTimeout(timer);
      // After a half-close the server reads every request before it ends the call.
      if (clean) this.#recent = [];
      this.close();
      done.resolve();
    };
    const timer = setTimeout(() => finish(false), maxMs);
    call.on("end", () => finish(true));
    call.on("error", () => finish(false));
    call.on("close", () => finish(true));
    call.end();
    return done.promise;
  }

  /** Ends the call for good: no reopening, no more messages. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#reopen);
    const call = this.#call;
    this.#call = undefined;
    if (call === undefined) return;
    call.end();
    call.cancel();
    this.#handBack();
  }
}
