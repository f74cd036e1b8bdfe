/**
 * The worker's periodic one-line summary: events/s since the last line, in flight, and the
 * totals of acked, duplicates, nacked and dead-lettered.
 */
import { logger } from "../telemetry/log.ts";
import type { WorkerStats } from "../worker/worker.ts";

const log = logger("summary");

/** Starts logging a summary every `intervalMs`; returns a function that stops it. */
export function startSummary(stats: () => WorkerStats, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  let last = stats();
  let lastAt = performance.now();
  const timer = setInterval(() => {
    const now = stats();
    const at = performance.now();
    const finished = (s: WorkerStats) => s.acked + s.duplicate + s.nacked + s["dead-lettered"];
    const rate = Math.round(((finished(now) - finished(last)) * 1000) / (at - lastAt));
    log[now.connected ? "info" : "warning"](
      "{rate} events/s, {inFlight} in flight; totals: {acked} acked, {duplicates} duplicates, " +
        "{nacked} nacked, {deadLettered} dead-lettered" +
        (now.connected ? "" : "; not connected to Pub/Sub"),
      { rate, ...now, duplicates: now.duplicate, deadLettered: now["dead-lettered"] },
    );
    last = now;
    lastAt = at;
  }, intervalMs);
  return () => clearInterval(timer);
}
