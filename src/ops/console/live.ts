/**
 * The Live page's figures: each tick turns the shared snapshot (snapshot.ts), the second's
 * handler times and the calls running now into one point of the five-minute history (rates per
 * second, latency, pool) and the tick the page is pushed.
 */
import type { WorkerStats } from "../../worker/worker.ts";
import type { Snapshot } from "../snapshot.ts";
import type { InFlightSummary } from "./in_flight.ts";
import type { Percentiles } from "./latency.ts";

/** Seconds of history the page charts. */
export const HISTORY_SECONDS = 300;

/** The history's columns, in order (the page reads them by these names). */
export const COLUMNS = [
  "t",
  "acked",
  "nacked",
  "deadLettered",
  "p50",
  "p95",
  "p99",
  "busy",
  "leased",
  "waiting",
] as const;

type Column = typeof COLUMNS[number];
/** One value per column; null where nothing was measured (no handler ran that second). */
export type Point = (number | null)[];

/** What the page is pushed each tick. */
export interface LiveTick {
  point: Point;
  state: {
    ready: boolean;
    live: boolean;
    connected: boolean;
    /** Why pulling is paused (pause.ts), oldest first; empty while it pulls. */
    paused: { reason: string; detail: string; since: number }[];
  };
  totals: {
    received: number;
    acked: number;
    duplicate: number;
    nacked: number;
    deadLettered: number;
  };
  pool: {
    size: number;
    busy: number;
    waitingForPermit: number;
    leased: number;
    leaseWindow: number;
    abandoned: number;
  };
  keys: WorkerStats["keys"];
  /** Handler starts allowed per second now (`--rate-limit`, or a throttled service); null when
   * unlimited. */
  pace: number | null;
  /** Handler time over the last minute; null when no handler ran. */
  latency: Percentiles | null;
  inFlight: InFlightSummary;
  /** Non-acked outcomes since start (recent.ts). */
  outcomes: number;
}

const finalOf = (s: WorkerStats) => ({
  acked: s.acked,
  nacked: s.nacked,
  deadLettered: s["dead-lettered"],
});

/** The five-minute history and the tick that extends it. */
export class LiveSeries {
  readonly #capacity: number;
  readonly #columns = new Map<Column, (number | null)[]>(COLUMNS.map((c) => [c, []]));
  #previous: Snapshot | undefined;

  constructor(capacity = HISTORY_SECONDS) {
    this.#capacity = capacity;
  }

  /** The history, one array per column, oldest first (uPlot's data layout). */
  history(): Point[] {
    return COLUMNS.map((column) => [...this.#columns.get(column) ?? []]);
  }

  /** Adds the point of `snapshot` and returns the tick to push. */
  add(
    snapshot: Snapshot,
    latency: { second: Percentiles | undefined; minute: Percentiles | undefined },
    inFlight: InFlightSummary,
    outcomes: number,
  ): LiveTick {
    const s = snapshot.stats;
    const before = this.#previous;
    this.#previous = snapshot;
    const seconds = before ? Math.max(snapshot.monotonic - before.monotonic, 1) / 1000 : 0;
    const rate = (now: number, then: number | undefined) =>
      then === undefined || seconds === 0 ? 0 : Math.round(((now - then) / seconds) * 10) / 10;
    const [now, then] = [finalOf(s), before ? finalOf(before.stats) : undefined];
    const waiting = s.waitingForPermit + s.keys.waiting;
    const values: Record<Column, number | null> = {
      t: Math.round(snapshot.at / 1000),
      acked: rate(now.acked, then?.acked),
      nacked: rate(now.nacked, then?.nacked),
      deadLettered: rate(now.deadLettered, then?.deadLettered),
      p50: latency.second?.p50 ?? null,
      p95: latency.second?.p95 ?? null,
      p99: latency.second?.p99 ?? null,
      busy: s.inFlight,
      leased: s.subscriber.leased,
      waiting,
    };
    const point = COLUMNS.map((column) => values[column]);
    for (const column of COLUMNS) {
      const values = this.#columns.get(column) ?? [];
      values.push(point[COLUMNS.indexOf(column)] ?? null);
      if (values.length > this.#capacity) values.shift();
    }
    return {
      point,
      state: {
        ready: snapshot.ready,
        live: snapshot.live,
        connected: s.connected,
        paused: s.paused.map((p) => ({
          reason: p.reason,
          detail: p.detail,
          since: p.since.getTime(),
        })),
      },
      totals: { received: s.received, duplicate: s.duplicate, ...now },
      pool: {
        size: s.poolSize,
        busy: s.inFlight,
        waitingForPermit: s.waitingForPermit,
        leased: s.subscriber.leased,
        leaseWindow: s.leaseWindow,
        abandoned: s.abandoned,
      },
      keys: s.keys,
      pace: s.rateLimit ?? null,
      latency: latency.minute ?? null,
      inFlight,
      outcomes,
    };
  }
}
