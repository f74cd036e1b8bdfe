/**
 * The worker's periodic one-line summary: events/s since the last line, in flight, and the
 * totals since start of acked, duplicates, nacked and dead-lettered. The first line is always
 * written (it says whether the worker is connected); later ones only when something changed (an
 * idle worker stays quiet), a change of the connection state included.
 */
import { logger } from "../telemetry/log.ts";
import type { WorkerStats } from "../worker/worker.ts";

const log = logger("summary");

const finished = (s: WorkerStats) =>
  s.acked + s.duplicate + s.nacked + s["dead-lettered"] + s["ack-failed"];

/** Starts logging a summary every `intervalMs`; returns a function that stops it. */
export function startSummary(stats: () => WorkerStats, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  const start = stats();
  let last: WorkerStats | undefined; // the first line is always written (it says the state)
  let lastAt = performance.now();
  const timer = setInterval(() => {
    const now = stats();
    const at = performance.now();
    const idle = last !== undefined && finished(now) === finished(last) &&
      now.received === last.received && now.inFlight === last.inFlight &&
      now.connected === last.connected;
    if (idle) return;
    const rate = Math.round(((finished(now) - finished(last ?? start)) * 1000) / (at - lastAt));
    // Keys as the outcome lines and metrics spell them: one spelling each.
    log[now.connected ? "info" : "warning"](
      "{rate} events/s, {inFlight} in flight; since start: {acked} acked, {duplicate} " +
        "duplicates, {nacked} nacked, {deadLettered} dead-lettered" +
        (now.connected ? "" : "; not connected to Pub/Sub"),
      {
        rate,
        inFlight: now.inFlight,
        acked: now.acked,
        duplicate: now.duplicate,
        nacked: now.nacked,
        deadLettered: now["dead-lettered"],
        received: now.received,
        leased: now.subscriber.leased,
        abandoned: now.abandoned,
        connected: now.connected,
      },
    );
    last = now;
    lastAt = at;
  }, intervalMs);
  return () => clearInterval(timer);
}
