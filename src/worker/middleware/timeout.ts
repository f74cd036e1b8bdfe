/** `--handler-timeout` as a middleware: fail the handler and abort its signal when time is up. */
import { DeadlineEntry, DeadlineQueue } from "../deadline_queue.ts";
import {
  type Handler,
  type HandlerContext,
  HandlerTimeoutError,
  type Middleware,
} from "../handler.ts";
import type { PaymentMethodCreated } from "../../event/event.ts";

export { HandlerTimeoutError };

const ignore = () => {};

/**
 * One call under a time limit: its own deadline node and the context its handler sees (the
 * outer context's fields read through, and a signal of its own), so a call costs this object,
 * its promise and two callbacks. The handler's AbortController is made only if it reads
 * `signal` (profiling showed a controller and a listener per event to cost more than the rest
 * of the middleware).
 */
class TimedCall extends DeadlineEntry implements HandlerContext {
  readonly #outer: HandlerContext;
  readonly #timeoutMs: number;
  #controller: AbortController | undefined;
  #failure: unknown;
  #call: Promise<void> | undefined;
  #resolve: () => void = ignore;
  #reject: (error: unknown) => void = ignore;

  constructor(outer: HandlerContext, timeoutMs: number) {
    super();
    this.#outer = outer;
    this.#timeoutMs = timeoutMs;
  }

  get messageId(): string {
    return this.#outer.messageId;
  }
  get deliveryAttempt(): number {
    return this.#outer.deliveryAttempt;
  }
  get attributes(): Readonly<Record<string, string>> {
    return this.#outer.attributes;
  }
  get data(): Uint8Array {
    return this.#outer.data;
  }
  get publishTime(): Date {
    return this.#outer.publishTime;
  }
  get eventType(): string {
    return this.#outer.eventType;
  }
  get orderingKey(): string | undefined {
    return this.#outer.orderingKey;
  }
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (!this.pending && this.#failure !== undefined) this.#controller.abort(this.#failure);
    }
    return this.#controller.signal;
  }

  /** Runs `next` under the limit: settles as it does, or fails when the deadline expires. */
  run(deadlines: DeadlineQueue, next: Handler, event: PaymentMethodCreated): Promise<void> {
    const settled = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    deadlines.insert(this, performance.now() + this.#timeoutMs);
    this.#call = next(event, this);
    this.#call.then(
      () => {
        if (!this.pending) return; // failed already: reported once
        deadlines.cancel(this);
        this.#resolve();
      },
      (error) => {
        if (!this.pending) return;
        deadlines.cancel(this);
        this.#reject(error);
      },
    );
    return settled;
  }

  /** Time is up (no reason), or the worker gave up on every call (its reason). */
  expire(reason?: unknown): void {
    // `ended` is made only for a call that timed out: no extra promise per event.
    const ended = (this.#call ?? Promise.resolve()).then(ignore, ignore);
    this.#failure = reason ?? new HandlerTimeoutError(this.#timeoutMs, ended);
    this.#controller?.abort(this.#failure);
    this.#reject(this.#failure);
  }
}

/**
 * Fails the handler with {@linkcode HandlerTimeoutError} after `timeoutMs` (0 = no limit) and
 * aborts its signal; the error's `ended` settles when the abandoned call really ends (the worker
 * keeps the event's permit and dedupe mark until then). A rejection the handler makes after its
 * time is up is ignored: its failure has already been reported as the timeout. When the worker's
 * own signal aborts (shutdown), every call fails at once with its reason, even a handler that
 * ignores its signal (the worker's signal is watched once for all calls).
 */
export function withTimeout(timeoutMs: number): Middleware {
  if (timeoutMs <= 0) return (next) => next;
  return (next) => {
    const deadlines = new DeadlineQueue();
    const watched = new WeakSet<AbortSignal>();
    return (event, context) => {
      const outer = context.signal;
      if (outer.aborted) return Promise.reject(outer.reason);
      if (!watched.has(outer)) {
        watched.add(outer);
        outer.addEventListener("abort", () => deadlines.expireAll(outer.reason), { once: true });
      }
      return new TimedCall(context, timeoutMs).run(deadlines, next, event);
    };
  };
}
