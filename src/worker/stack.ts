/**
 * The worker's handler stack, outermost first: the gate (a call the handler refuses because of
 * the worker's setup waits in place: middleware/gate.ts), the pace (when `--rate-limit` is set, or
 * `adaptivePace`: an HTTP service may throttle with 429 or 503: middleware/rate_limit.ts), the time limit
 * (middleware/timeout.ts), then the handler.
 */
import { compose, type Handler } from "./handler.ts";
import { refusedStatuses } from "./handlers/http.ts";
import { Gate } from "./middleware/gate.ts";
import { Pace, withPace } from "./middleware/rate_limit.ts";
import { withTimeout } from "./middleware/timeout.ts";
import type { WorkerSettings } from "./options.ts";
import type { Pauses } from "./pause.ts";

/** The composed handler and the parts the worker reports on. */
export interface HandlerStack {
  readonly handler: Handler;
  readonly pace: Pace | undefined;
  readonly gate: Gate;
}

/** `base` wrapped as the worker runs it; the gate pauses and resumes through `pauses`. */
export function handlerStack(
  config:
    & Pick<WorkerSettings, "rateLimit" | "retryOn" | "pauseAfter" | "handlerTimeout">
    & { adaptivePace: boolean },
  base: Handler,
  pauses: Pauses,
): HandlerStack {
  const paced = config.rateLimit !== undefined || config.adaptivePace;
  const pace = paced ? new Pace(config.rateLimit) : undefined;
  const gate = new Gate({
    statuses: refusedStatuses(config.retryOn),
    pauseAfterMs: config.pauseAfter,
    pause: (reason, detail) => pauses.add(reason, detail),
    resume: (reason) => pauses.remove(reason),
  });
  const timeout = withTimeout(config.handlerTimeout);
  const handler = pace
    ? compose(base, gate.middleware, withPace(pace), timeout)
    : compose(base, gate.middleware, timeout);
  return { handler, pace, gate };
}
