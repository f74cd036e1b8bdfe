/**
 * Handlers and middleware, the two types of the pipeline (as in watermill): a handler takes a
 * valid event and resolves when it is done or rejects when it failed; a middleware wraps a
 * handler. Middleware never acks or nacks: only settle.ts does. The middleware themselves live
 * in middleware/, one file each.
 *
 * The worker's stack, outermost first, is composed in stack.ts: the gate, the pace, the time
 * limit, then the handler (`--simulate-*` wrap the log handler itself: handlers/resolve.ts).
 */
import type { PaymentMethodCreated } from "../event/event.ts";

/** What a handler knows about the delivery besides the event. */
export interface HandlerContext {
  /** Aborts when the handler's time is up; long work should stop then. */
  readonly signal: AbortSignal;
  /** The Pub/Sub message ID. */
  readonly messageId: string;
  /** 1 on the first delivery; 0 when the subscription does not count attempts. */
  readonly deliveryAttempt: number;
  /** The message's attributes (`eventType`, `publishedAt`, and whatever the publisher set); the
   * original system sets none. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The message data exactly as published (the event is parsed from it). */
  readonly data: Uint8Array;
  /** When Pub/Sub accepted the message. */
  readonly publishTime: Date;
  /** The event's type: the contract's (`--event-type`, the schema's title, or
   * `PaymentMethodCreated`), whatever its `eventType` attribute says (that is counted when it
   * differs; `attributes` still has it). */
  readonly eventType: string;
  /** The key the worker keeps this event's order by: the message's ordering key, or the value
   * `--key-from` reads; undefined when the event has none (it is not ordered). */
  readonly orderingKey?: string | undefined;
}

/**
 * Handles one valid event, with every field the producer put in it: resolves when done, rejects
 * when it failed (the event is retried). `E` is the event's type: `PaymentMethodCreated` with the
 * built-in contract; with `--schema`, type it as your schema's event (`Handler<OrderPlaced>`).
 */
export type Handler<E = PaymentMethodCreated> = (
  event: E,
  context: HandlerContext,
) => Promise<void>;
/** Wraps a handler with more behaviour. */
export type Middleware = (next: Handler) => Handler;

/**
 * Thrown by a handler when the event can never succeed (an HTTP service answered 400, say): the
 * worker dead-letters it at once with reason `rejected` instead of retrying it.
 */
export class RejectedError extends Error {
  /** An error saying why the event can never succeed. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RejectedError";
  }
}

/**
 * Thrown by a handler when the event should be tried again later: the worker nacks it, after
 * `retryAfterMs` when given (the message is held meanwhile, at most 60 s), so Pub/Sub redelivers
 * it with the subscription's backoff; a keyed event is tried again in place first, after
 * `retryAfterMs` when given. A `status` of 429 (throttled) is not counted as a failed run.
 */
export class RetryableError extends Error {
  /** The HTTP status that asked for it, when one did (429 and 503 slow the worker's pace). */
  readonly status: number | undefined;
  /** An error asking for a retry, after `retryAfterMs` when given. */
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions & { status?: number },
  ) {
    super(message, options);
    this.name = "RetryableError";
    this.status = options?.status;
  }
}

/**
 * Thrown when the service answered with a redirect (3xx): the event was not delivered. The
 * worker nacks it with reason `redirected`; no header or body is ever sent to the new location.
 */
export class RedirectedError extends Error {
  /** The service at `url` redirected to `location` (both without credentials or query). */
  constructor(message: string, readonly location: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RedirectedError";
  }
}

/**
 * The handler ran longer than its time limit. The call is abandoned, not stopped (a promise
 * cannot be cancelled): `ended` resolves when it really ends, and until then it keeps its pool
 * permit and its event's dedupe mark, so the pool still bounds what runs.
 */
export class HandlerTimeoutError extends Error {
  /** The handler exceeded `timeoutMs`; `ended` settles when the abandoned call ends. */
  constructor(readonly timeoutMs: number, readonly ended: Promise<void>) {
    super(`the handler did not finish within ${timeoutMs}ms`);
    this.name = "HandlerTimeoutError";
  }
}

/** Applies middleware to a handler; the first middleware is the outermost. */
export function compose(handler: Handler, ...middleware: Middleware[]): Handler {
  return middleware.reduceRight((next, wrap) => wrap(next), handler);
}
