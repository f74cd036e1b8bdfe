/**
 * Load testing: `--simulate-latency` and `--simulate-failure-rate` as a middleware. Every call
 * sleeps the same time, so the sleeps share one timer through a FIFO queue (as the handler
 * deadlines do): no timer, closure or AbortController per event, and timers that fire on time
 * under load instead of late. A sleep ends at its time on average, up to 1 ms (at most a tenth
 * of it) early: Deno's timers count whole milliseconds (see DeadlineQueue). A sleep is not
 * interrupted by the handler's signal: the timeout middleware fails a call whose time is up (or
 * whose worker is stopping) on its own.
 */
import { SETTINGS } from "../../config/settings.ts";
import { DeadlineQueue } from "../deadline_queue.ts";
import type { Handler, Middleware } from "../handler.ts";

/** A failure injected by `--simulate-failure-rate`. */
export class SimulatedFailureError extends Error {
  constructor() {
    super(`simulated handler failure (${SETTINGS.simulateFailureRate.flag})`);
    this.name = "SimulatedFailureError";
  }
}

/** Sleeps `latencyMs`, then fails a `failureRate` fraction of calls. */
export function withSimulation(latencyMs: number, failureRate: number): Middleware {
  if (latencyMs <= 0 && failureRate <= 0) return (next) => next;
  // Slack: a sleep ends at its time on average (see DeadlineQueue), as a handler's would; at
  // most a tenth of it early, so a 1 ms sleep is never near 0.
  const sleeps = new DeadlineQueue({ slackMs: Math.min(1, latencyMs / 10) });
  return (next) => {
    /** After the sleep: fail as often as asked, else the handler (a throw becomes a rejection). */
    const after: Handler = (event, context) => {
      if (failureRate > 0 && Math.random() < failureRate) {
        return Promise.reject(new SimulatedFailureError());
      }
      try {
        return next(event, context);
      } catch (error) {
        return Promise.reject(error);
      }
    };
    if (latencyMs <= 0) return after;
    // One promise per call, settled by the handler's own (no async function, no await).
    return (event, context) =>
      new Promise<void>((resolve, reject) => {
        sleeps.add(
          performance.now() + latencyMs,
          () => after(event, context).then(resolve, reject),
        );
      });
  };
}
