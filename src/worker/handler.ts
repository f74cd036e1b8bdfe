/**
 * Handlers and middleware, the two types of the pipeline (as in watermill): a handler takes a
 * valid event and resolves when it is done or rejects when it failed; a middleware wraps a
 * handler. Middleware never acks or nacks: only settle.ts does. The middleware themselves live
 * in middleware/, one file each.
 *
 * The worker's default stack, outermost first: `withTimeout` → `withSimulation` → `logEvent`.
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
  /** The message's attributes (`eventType`, `publishedAt`, and whatever the publisher set). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Handles one valid event: resolves when done, rejects when it failed (the event is retried). */
export type Handler = (event: PaymentMethodCreated, context: HandlerContext) => Promise<void>;
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
 * it with the subscription's backoff.
 */
export class RetryableError extends Error {
  /** An error asking for a retry, after `retryAfterMs` when given. */
  constructor(message: string, readonly retryAfterMs?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "RetryableError";
  }
}

/** Applies middleware to a handler; the first middleware is the outermost. */
export function compose(handler: Handler, ...middleware: Middleware[]): Handler {
  return middleware.reduceRight((next, wrap) => wrap(next), handler);
}
