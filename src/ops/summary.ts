/**
 * The worker's periodic one-line summary: events/s since the last line, in flight, and the
 * totals since start of acked, duplicates, nacked and dead-lettered. The first line is always
 * written (it says whether the worker is connected); later ones only when something changed (an
 * idle worker stays quiet), a change of the connection state included. It reads the snapshots
 * the metrics and the console share (snapshot.ts), so a line written every `intervalMs` is
 * written at the first tick that far from the last line.
 */
import { logger } from "../telemetry/log.ts";
import type { WorkerStats } from "../worker/worker.ts";
import type { Snapshot, Snapshots } from "./snapshot.ts";

const log = logger("summary");

const finished = (s: WorkerStats) =>
  s.acked + s.duplicate + s.nacked + s["dead-lettered"] + s["ack-failed"];

/** Logs a summary every `intervalMs` from `snapshots`' ticks; returns a function that stops it. */
export function startSummary(snapshots: Snapshots, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  const start = snapshots.latest;
  let last: Snapshot | undefined; // the first line is always written (it says the state)
  // A tick may come a little early: half a tick of slack keeps a 1 s line from skipping one.
  const due = Math.max(intervalMs - snapshots.tickMs / 2, 0);
  return snapshots.onTick((snapshot) => {
    if (snapshot.monotonic - (last ?? start).monotonic < due) return;
    const [now, before] = [snapshot.stats, last?.stats];
    const idle = before !== undefined && finished(now) === finished(before) &&
      now.received === before.received && now.inFlight === before.inFlight &&
      now.connected === before.connected;
    if (idle) return;
    const from = last ?? start;
    const rate = Math.round(
      ((finished(now) - finished(from.stats)) * 1000) /
        Math.max(snapshot.monotonic - from.monotonic, 1),
    );
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
    last = snapshot;
  });
}
