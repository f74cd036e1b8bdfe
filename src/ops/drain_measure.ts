/**
 * A worker draining a backlog, measured from inside its process for `event-tool bench`: the rate
 * from the first receipt to the last final outcome, each outcome's latency, the handler's times,
 * CPU per 1,000 events (start-up excluded: counted from the first receipt) and peak RSS.
 */
import type { OutcomeCounts, OutcomeRecord } from "../worker/outcome.ts";
import type { Worker } from "../worker/worker.ts";
import { percentile, startUsage } from "./usage.ts";

/** Percentiles of a set of times, ms. */
export interface Spread {
  p50: number;
  p95: number;
  p99: number;
}

/** What a drain measured. */
export interface DrainFigures {
  /** Final outcomes (acked, duplicate, dead-lettered) counted, and every outcome by kind. */
  events: number;
  outcomes: OutcomeCounts;
  /** From the first receipt to the last final outcome. */
  seconds: number;
  eventsPerSecond: number;
  /** Time in the handler, ms (runs that called it). */
  handler: Spread & { mean: number };
  /** Receipt → outcome (the wait for a permit included), ms. */
  receiptToOutcome: Spread;
  /** Publish → outcome, ms (on a pre-filled backlog, mostly the time it waited there). */
  publishToOutcome: Spread;
  /** CPU of this process per 1,000 events, from the first receipt to the last outcome. */
  cpuMsPer1000: number;
  /** Peak resident memory of this process during the drain, MB. */
  peakRssMb: number;
}

/** Options for {@linkcode measureDrain}. */
export interface MeasureOptions {
  /** Fail when no event reaches a final outcome for this long. Default 60 s. */
  stallMs?: number;
}

const FINAL = new Set(["acked", "duplicate", "dead-lettered"]);

function spread(values: readonly number[]): Spread {
  return { p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99) };
}

/**
 * Starts `worker`, waits until `events` deliveries reached a final outcome, stops it, and returns
 * what the drain measured. Rejects if the drain stalls (see {@linkcode MeasureOptions}).
 */
export async function measureDrain(
  worker: Worker,
  events: number,
  options: MeasureOptions = {},
): Promise<DrainFigures> {
  const stallMs = options.stallMs ?? 60_000;
  const records: OutcomeRecord[] = [];
  const done = Promise.withResolvers<void>();
  let usage: ReturnType<typeof startUsage> | undefined;
  let first = 0;
  let last = 0;
  let final = 0;
  worker.onReceive(() => {
    if (usage !== undefined) return;
    usage = startUsage();
    first = performance.now();
  });
  worker.onOutcome((record) => {
    records.push(record);
    if (!FINAL.has(record.outcome)) return;
    last = performance.now();
    if (++final === events) done.resolve();
  });
  const started = performance.now();
  const watchdog = setInterval(() => {
    const since = performance.now() - (last || first || started);
    if (since < stallMs) return;
    done.reject(
      new Error(`the drain stalled: ${final} of ${events} events finished, none in ${stallMs} ms`),
    );
  }, 1000);
  worker.start();
  try {
    await done.promise;
  } finally {
    clearInterval(watchdog);
    await worker.stop();
  }
  const used = usage!.stop();
  const seconds = (last - first) / 1000;
  const handlerTimes = records.flatMap((r) => r.handlerMs === undefined ? [] : [r.handlerMs]);
  const { acked, duplicate, nacked, "dead-lettered": dead, "ack-failed": failed } = worker.stats;
  return {
    events: final,
    outcomes: { acked, duplicate, nacked, "dead-lettered": dead, "ack-failed": failed },
    seconds,
    eventsPerSecond: final / Math.max(seconds, 0.001),
    handler: {
      mean: handlerTimes.reduce((a, b) => a + b, 0) / Math.max(handlerTimes.length, 1),
      ...spread(handlerTimes),
    },
    receiptToOutcome: spread(records.map((r) => r.durationMs)),
    publishToOutcome: spread(records.map((r) => r.latencyMs)),
    cpuMsPer1000: (used.cpuMs * 1000) / Math.max(final, 1),
    peakRssMb: used.peakRssBytes / (1024 * 1024),
  };
}
