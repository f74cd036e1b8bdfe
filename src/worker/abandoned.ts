/**
 * Handler calls that timed out but have not ended (a promise cannot be cancelled). Each keeps
 * its pool permit until it ends, so the pool bounds what really runs; when they hold every
 * permit the worker takes no new event and reports itself not live, for the orchestrator to
 * restart it.
 */
import { logger } from "../telemetry/log.ts";

const log = logger("worker");

/** Counts abandoned handler calls of one pool of `poolSize` permits. */
export class Abandoned {
  readonly #poolSize: number;
  #count = 0;

  constructor(poolSize: number) {
    this.#poolSize = poolSize;
  }

  /** Abandoned calls still running. */
  get count(): number {
    return this.#count;
  }

  /** True once abandoned calls hold every permit: nothing can run any more. */
  get wedged(): boolean {
    return this.#count >= this.#poolSize;
  }

  /** Counts the call whose end `ended` reports until it ends; resolves then. */
  async hold(ended: Promise<void>): Promise<void> {
    this.#count++;
    if (this.wedged) {
      log.error(
        "All {poolSize} pool permits are held by handlers that timed out and did not stop: " +
          "the worker takes no new event and /healthz fails until one ends",
        { poolSize: this.#poolSize },
      );
    }
    try {
      await ended;
    } finally {
      this.#count--;
    }
  }
}
