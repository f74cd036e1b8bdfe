/** `--handler-timeout` as a middleware: fail the handler and abort its signal when time is up. */
import { DeadlineQueue } from "../deadlines.ts";
import type { Middleware } from "../handler.ts";

/** The handler ran longer than its time limit. */
export class HandlerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the handler did not finish within ${timeoutMs}ms`);
    this.name = "HandlerTimeoutError";
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
            if (!deadline.pending) return; // timed out already: reported as such
            deadlines.settle(deadline);
            reject(error);
          },
        );
      }).finally(() => context.signal.removeEventListener("abort", onOuterAbort));
    };
  };
}
