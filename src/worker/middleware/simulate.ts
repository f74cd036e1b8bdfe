/** Load testing: `--simulate-latency` and `--simulate-failure-rate` as a middleware. */
import { sleep } from "../../base/async.ts";
import { SETTINGS } from "../../config/settings.ts";
import type { Middleware } from "../handler.ts";

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
  return (next) => async (event, context) => {
    if (latencyMs > 0) await sleep(latencyMs, context.signal);
    if (failureRate > 0 && Math.random() < failureRate) throw new SimulatedFailureError();
    await next(event, context);
  };
}
