/**
 * Handlers and middleware, the two types of the pipeline (as in watermill): a handler takes a
 * valid event and resolves when it is done or rejects when it failed; a middleware wraps a
 * handler. Middleware never acks or nacks: only the worker does (see worker.ts).
 *
 * The default stack, outermost first: `withTimeout` → `withSimulation` → `logEvent`.
 */
import type { PaymentMethodCreated } from "../event/event.ts";
import { logger } from "../telemetry/log.ts";

/** What a handler knows about the delivery besides the event. */
export interface HandlerContext {
  /** Aborts when the handler's time is up; long work should stop then. */
  readonly signal: AbortSignal;
  readonly messageId: string;
  /** 1 on the first delivery; 0 when the subscription does not count attempts. */
  readonly deliveryAttempt: number;
}

/** Handles one valid event: resolves when done, rejects when it failed (the event is retried). */
export type Handler = (event: PaymentMethodCreated, context: HandlerContext) => Promise<void>;
/** Wraps a handler with more behaviour. */
export type Middleware = (next: Handler) => Handler;

/** The handler ran longer than its time limit. */
export class HandlerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the handler did not finish within ${timeoutMs}ms`);
    this.name = "HandlerTimeoutError";
  }
}

/** A failure injected by `--simulate-failure-rate`. */
export class SimulatedFailureError extends Error {
  constructor() {
    super("simulated handler failure (--simulate-failure-rate)");
    this.name = "SimulatedFailureError";
  }
}

/** One pending deadline; `expire` is dropped once it expired or its work settled. */
interface Deadline {
  readonly at: number;
  expire: (() => void) | undefined;
}

/**
 * Deadlines that all share one timeout, so they expire in the order they were added: a FIFO
 * queue and a single timer replace a timer per event (which profiling showed to be a large part
 * of the per-event cost). Settled deadlines drop their callback at once and leave the queue as
 * soon as everything before them has, so the queue holds about what is in flight.
 */
class DeadlineQueue {
  #queue: Deadline[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  add(at: number, expire: () => void): Deadline {
    this.#trim();
    const deadline: Deadline = { at, expire };
    this.#queue.push(deadline);
    if (this.#timer === undefined) this.#schedule();
    return deadline;
  }

  /** Marks `deadline` settled: it will not expire. */
  settle(deadline: Deadline): void {
    deadline.expire = undefined;
  }

  #trim(): void {
    while (this.#head < this.#queue.length && this.#queue[this.#head]?.expire === undefined) {
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #schedule(): void {
    this.#trim();
    const next = this.#queue[this.#head];
    if (next === undefined) {
      this.#timer = undefined;
      return;
    }
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, next.at - performance.now()));
  }

  #fire(): void {
    const now = performance.now();
    for (
      let d = this.#queue[this.#head];
      d && (d.expire === undefined || d.at <= now);
      d = this.#queue[this.#head]
    ) {
      this.#head++;
      const expire = d.expire;
      d.expire = undefined;
      expire?.();
    }
    this.#schedule();
  }
}

/**
 * Fails the handler with {@linkcode HandlerTimeoutError} after `timeoutMs` (0 = no limit) and
 * aborts its signal; the caller then releases the event's pool permit. A rejection the handler
 * makes after its time is up is ignored: its failure has already been reported as the timeout.
 */
export function withTimeout(timeoutMs: number): Middleware {
  if (timeoutMs <= 0) return (next) => next;
  return (next) => {
    const deadlines = new DeadlineQueue();
    return (event, context) => {
      const controller = new AbortController();
      const onOuterAbort = () => controller.abort(context.signal.reason);
      context.signal.addEventListener("abort", onOuterAbort, { once: true });
      return new Promise<void>((resolve, reject) => {
        const deadline = deadlines.add(performance.now() + timeoutMs, () => {
          const error = new HandlerTimeoutError(timeoutMs);
          controller.abort(error);
          reject(error);
        });
        next(event, { ...context, signal: controller.signal }).then(
          () => {
            deadlines.settle(deadline);
            resolve();
          },
          (error) => {
            if (deadline.expire === undefined) return; // timed out already: reported as such
            deadlines.settle(deadline);
            reject(error);
          },
        );
      }).finally(() => context.signal.removeEventListener("abort", onOuterAbort));
    };
  };
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Load-testing aid: sleeps `latencyMs`, then fails a `failureRate` fraction of calls. */
export function withSimulation(latencyMs: number, failureRate: number): Middleware {
  if (latencyMs <= 0 && failureRate <= 0) return (next) => next;
  return (next) => async (event, context) => {
    if (latencyMs > 0) await sleep(latencyMs, context.signal);
    if (failureRate > 0 && Math.random() < failureRate) throw new SimulatedFailureError();
    await next(event, context);
  };
}

const eventLog = logger("handler");

/** The default handler: records the event at debug level (one outcome line follows anyway). */
export const logEvent: Handler = (event, context) => {
  if (eventLog.isEnabledFor("debug")) {
    eventLog.debug("Handled {paymentMethodType} {paymentMethodID} for user {userID}", {
      ...event,
      messageId: context.messageId,
    });
  }
  return Promise.resolve();
};

/** Applies middleware to a handler; the first middleware is the outermost. */
export function compose(handler: Handler, ...middleware: Middleware[]): Handler {
  return middleware.reduceRight((next, wrap) => wrap(next), handler);
}
