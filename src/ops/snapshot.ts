/**
 * One snapshot of the worker's state per tick, shared by everything that watches it: the
 * metrics read the latest when scraped, the summary and the console are handed each tick. The
 * worker builds its stats (pool, subscriber, keys) once a second however many watch, and every
 * figure on /metrics, in the summary line and on the console's page comes from the same moment.
 */
import { logger } from "../telemetry/log.ts";
import type { WorkerStats } from "../worker/worker.ts";

const log = logger("ops");

/** What a snapshot reads: the worker (its public `stats`, `live` and `ready`). */
export interface SnapshotSource {
  readonly stats: WorkerStats;
  readonly live: boolean;
  readonly ready: boolean;
}

/** The worker's state at one moment. */
export interface Snapshot {
  /** The worker's counters and gauges. */
  readonly stats: WorkerStats;
  /** As /healthz and /readyz would answer now. */
  readonly live: boolean;
  readonly ready: boolean;
  /** When it was taken: epoch milliseconds (for people) and `performance.now()` (for rates). */
  readonly at: number;
  readonly monotonic: number;
}

/** Snapshots are taken this often. */
export const TICK_MS = 1000;

/**
 * Takes a snapshot every `tickMs` once started and hands it to the listeners; {@linkcode latest}
 * is never older than a tick, started or not (read without a ticker, it takes a new one when the
 * last is a tick old).
 */
export class Snapshots {
  readonly #source: SnapshotSource;
  readonly #tickMs: number;
  readonly #listeners = new Set<(snapshot: Snapshot) => void>();
  #latest: Snapshot;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(source: SnapshotSource, tickMs = TICK_MS) {
    this.#source = source;
    this.#tickMs = tickMs;
    this.#latest = this.#take();
  }

  /** Milliseconds between snapshots. */
  get tickMs(): number {
    return this.#tickMs;
  }

  /** The latest snapshot (at most a tick old). */
  get latest(): Snapshot {
    if (performance.now() - this.#latest.monotonic >= this.#tickMs) this.#latest = this.#take();
    return this.#latest;
  }

  /** Calls `listener` with each tick's snapshot; returns the function that stops it. */
  onTick(listener: (snapshot: Snapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts ticking (again: no-op). The timer does not keep the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.tick(), this.#tickMs);
    Deno.unrefTimer(this.#timer);
  }

  /** Stops ticking. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Takes a snapshot now and hands it to every listener (the timer calls it each tick). */
  tick(): Snapshot {
    const snapshot = this.#latest = this.#take();
    for (const listener of this.#listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        log.error("A snapshot listener failed: {error}", { error });
      }
    }
    return snapshot;
  }

  #take(): Snapshot {
    const source = this.#source;
    return {
      stats: source.stats,
      live: source.live,
      ready: source.ready,
      at: Date.now(),
      monotonic: performance.now(),
    };
  }
}
