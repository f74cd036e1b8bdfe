/** `--handler-timeout` as a middleware: fail the handler and abort its signal when time is up. */
import { DeadlineQueue } from "../deadlines.ts";
import type { HandlerContext, Middleware } from "../handler.ts";

/** The handler ran longer than its time limit. */
export class HandlerTimeoutError extends Error {
  /** The handler exceeded `timeoutMs`. */
  constructor(readonly timeoutMs: number) {
    super(`the handler did not finish within ${timeoutMs}ms`);
    this.name = "HandlerTimeoutError";
  }
}

/**
 * Fails the handler with {@linkcode HandlerTimeoutError} after `timeoutMs` (0 = no limit) and
 * aborts its signal; the caller then releases the event's pool permit. A rejection the handler
 * makes after its time is up is ignored: its failure has already been reported as the timeout.
 * When the worker's own signal aborts (shutdown), every call fails at once with its reason, even
 * a handler that ignores its signal.
 *
 * Per call this costs one deadline node and one small context object: the handler's
 * AbortController is made only if the handler reads `context.signal`, and the worker's signal is
 * watched once for all calls (profiling showed a controller and a listener per event to cost
 * more than the rest of the middleware).
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
      return new Promise<void>((resolve, reject) => {
        let controller: AbortController | undefined;
        let failure: unknown;
        const deadline = deadlines.add(performance.now() + timeoutMs, (reason) => {
          failure = reason ?? new HandlerTimeoutError(timeoutMs);
          controller?.abort(failure);
          reject(failure);
        });
        const inner: HandlerContext = {
          messageId: context.messageId,
          deliveryAttempt: context.deliveryAttempt,
          attributes: context.attributes,
          get signal() {
            if (controller === undefined) {
              controller = new AbortController();
              if (!deadline.pending && failure !== undefined) controller.abort(failure);
            }
            return controller.signal;
          },
        };
        next(event, inner).then(
          () => {
            if (!deadline.pending) return; // failed already: reported once
            deadlines.settle(deadline);
            resolve();
          },
          (error) => {
            if (!deadline.pending) return;
            deadlines.settle(deadline);
            reject(error);
          },
        );
      });
    };
  };
}
