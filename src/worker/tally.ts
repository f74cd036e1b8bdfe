/**
 * The {@linkcode Tally}: counts deliveries and outcome records once, logs each record, and hands
 * it to whoever listens (metrics, summary, demo, bench, tests).
 */
import { logger } from "../telemetry/log.ts";
import { noteLogWriteFailure } from "../telemetry/stderr_sink.ts";
import { logOutcome, type OutcomeCounts, type OutcomeRecord } from "./outcome.ts";

const log = logger("worker");

/**
 * Counts deliveries and outcomes once, logs each outcome, and tells listeners. `lastOutcomeAt`
 * feeds the liveness check.
 */
export class Tally {
  readonly counts: OutcomeCounts = {
    acked: 0,
    duplicate: 0,
    nacked: 0,
    "dead-lettered": 0,
    "ack-failed": 0,
  };
  received = 0;
  lastOutcomeAt = performance.now();
  readonly #outcomeListeners: ((record: OutcomeRecord) => void)[] = [];
  readonly #receiveListeners: (() => void)[] = [];

  /** Calls `listener` for each delivery as it arrives. */
  onReceive(listener: () => void): void {
    this.#receiveListeners.push(listener);
  }

  /** Calls `listener` after each delivery's outcome was carried out. */
  onOutcome(listener: (record: OutcomeRecord) => void): void {
    this.#outcomeListeners.push(listener);
  }

  /** A delivery arrived. */
  receive(): void {
    this.received++;
    for (const listener of this.#receiveListeners) listener();
  }

  /**
   * A delivery ended: count it, log it, tell the listeners. Never throws: the message was
   * already acked or nacked, so a failing log write or listener must not make it end twice.
   */
  record(record: OutcomeRecord): void {
    this.counts[record.outcome]++;
    this.lastOutcomeAt = performance.now();
    try {
      logOutcome(record);
    } catch {
      noteLogWriteFailure(); // counted in event_tool_log_write_failures_total
    }
    for (const listener of this.#outcomeListeners) {
      try {
        listener(record);
      } catch (error) {
        log.error("An outcome listener failed: {error}", { error });
      }
    }
  }
}
