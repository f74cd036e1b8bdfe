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
 * When the worker's own signal aborts (shutdown), the call fails at once with its reason.
 */
export function withTimeout(timeoutMs: number): Middleware {
  if (timeoutMs <= 0) return (next) => next;
  return (next) => {
    const deadlines = new DeadlineQueue();
    return (event, context) =>
      new Promise<void>((resolve, reject) => {
        const controller = new AbortController();
        /** Fails the call now (once), aborting the handler's signal. */
        const fail = (error: unknown) => {
          if (!deadline.pending) return; // ended already: reported once
          deadlines.settle(deadline);
          context.signal.removeEventListener("abort", onOuterAbort);
          controller.abort(error);
          reject(error);
        };
        const deadline = deadlines.add(performance.now() + timeoutMs, () => {
          // Expired deadlines are no longer pending: fail by hand.
          const error = new HandlerTimeoutError(timeoutMs);
          context.signal.removeEventListener("abort", onOuterAbort);
          controller.abort(error);
          reject(error);
        });
        // The worker gave up (shutdown): fail now, even if the handler ignores its signal.
        const onOuterAbort = () => fail(context.signal.reason);
        context.signal.addEventListener("abort", onOuterAbort, { once: true });
        next(event, { ...context, signal: controller.signal }).then(
          () => {
            if (!deadline.pending) return;
            deadlines.settle(deadline);
            context.signal.removeEventListener("abort", onOuterAbort);
            resolve();
          },
          fail,
        );
      });
  };
}
