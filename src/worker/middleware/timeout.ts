/** `--handler-timeout` as a middleware: fail the handler and abort its signal when time is up. */
import { DeadlineQueue } from "../deadlines.ts";
import { type HandlerContext, HandlerTimeoutError, type Middleware } from "../handler.ts";

export { HandlerTimeoutError };

/**
 * Fails the handler with {@linkcode HandlerTimeoutError} after `timeoutMs` (0 = no limit) and
 * aborts its signal; the error's `ended` settles when the abandoned call really ends (the worker
 * keeps the event's permit and dedupe mark until then). A rejection the handler
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
        // Assigned once, below; read by the deadline's callback, which may only run later.
        // deno-lint-ignore prefer-const
        let call: Promise<void> | undefined;
        const deadline = deadlines.add(performance.now() + timeoutMs, (reason) => {
          // `ended` is made only for a call that timed out: no extra promise per event.
          const ended = (call ?? Promise.resolve()).then(() => {}, () => {});
          failure = reason ?? new HandlerTimeoutError(timeoutMs, ended);
          controller?.abort(failure);
          reject(failure);
        });
        const inner: HandlerContext = {
          messageId: context.messageId,
          deliveryAttempt: context.deliveryAttempt,
          attributes: context.attributes,
          data: context.data,
          publishTime: context.publishTime,
          eventType: context.eventType,
          get signal() {
            if (controller === undefined) {
              controller = new AbortController();
              if (!deadline.pending && failure !== undefined) controller.abort(failure);
            }
            return controller.signal;
          },
        };
        call = next(event, inner);
        call.then(
          () => {
            if (!deadline.pending) return; // failed already: reported once
            deadlines.cancel(deadline);
            resolve();
          },
          (error) => {
            if (!deadline.pending) return;
            deadlines.cancel(deadline);
            reject(error);
          },
        );
      });
    };
  };
}
