/**
 * The handler calls running now and how long each has run, for the console: a middleware (the
 * innermost, so a call's age is the handler's own time, not a wait for the pace) books each call
 * in a set that keeps start order, so the oldest are the first ones. Per call: one small object
 * and a set insertion and removal; the summary is read once a tick. A call that timed out and
 * still runs (abandoned) stays here until it really ends: the console shows it as the oldest.
 */
import type { Middleware } from "../../worker/handler.ts";

/** A call running now. */
export interface RunningCall {
  messageId: string;
  attempt: number;
  /** Milliseconds it has run. */
  ageMs: number;
}

/** What is running now, by age. */
export interface InFlightSummary {
  count: number;
  /** Counts by age: under 1 s, 1–10 s, 10–60 s, a minute or more. */
  byAge: [number, number, number, number];
  /** The oldest calls, oldest first. */
  oldest: RunningCall[];
}

/** The upper bounds of {@linkcode InFlightSummary.byAge}'s first three classes, ms. */
export const AGE_CLASSES_MS = [1000, 10_000, 60_000] as const;

interface Call {
  readonly messageId: string;
  readonly attempt: number;
  readonly startedAt: number;
}

/** Books the handler calls that run. */
export class InFlightCalls {
  readonly #running = new Set<Call>();

  /** The middleware that books each call; add it innermost. */
  readonly middleware: Middleware = (next) => (event, context) => {
    const call = {
      messageId: context.messageId,
      attempt: context.deliveryAttempt,
      startedAt: performance.now(),
    };
    this.#running.add(call);
    const end = () => this.#running.delete(call);
    try {
      const running = next(event, context);
      running.then(end, end);
      return running;
    } catch (error) {
      end();
      throw error;
    }
  };

  /** What runs now: counts by age and the `limit` oldest. */
  summary(limit = 5, now = performance.now()): InFlightSummary {
    const byAge: [number, number, number, number] = [0, 0, 0, 0];
    const oldest: RunningCall[] = [];
    for (const call of this.#running) {
      const ageMs = now - call.startedAt;
      const i = AGE_CLASSES_MS.findIndex((bound) => ageMs < bound);
      byAge[i === -1 ? 3 : i as 0 | 1 | 2]++;
      if (oldest.length < limit) {
        oldest.push({ messageId: call.messageId, attempt: call.attempt, ageMs: Math.round(ageMs) });
      }
    }
    return { count: this.#running.size, byAge, oldest };
  }
}
