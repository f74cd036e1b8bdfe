/**
 * Metrics of the worker's pauses and of what its handler gate held: why pulling is paused, how
 * many calls were refused because of the worker's setup, and how many events carried another
 * type's label. Read when scraped: the pause from the snapshot, the counters live.
 */
import client from "prom-client";
import { PAUSE_REASONS } from "../worker/pause.ts";
import type { WorkerCounters, WorkerStats } from "../worker/stats.ts";
import { makers, METRIC_PREFIX } from "./metric_makers.ts";

/**
 * Registers the pause metrics in `registry`, read when scraped: the gauge from `stats()` (the
 * snapshot), the counters from `counters()` (live).
 */
export function pauseMetrics(
  registry: client.Registry,
  stats: () => Pick<WorkerStats, "paused">,
  counters: () => Pick<WorkerCounters, "refusals" | "typeMismatches">,
): void {
  new client.Gauge({
    name: `${METRIC_PREFIX}paused`,
    help: "1 while pulling is paused for this reason (operator: by hand; handler-refused: the " +
      "HTTP service refused every call for --pause-after; handler-permission: a module handler " +
      "lacks a permission), else 0",
    labelNames: ["reason"],
    registers: [registry],
    collect() {
      const paused = new Set(stats().paused.map((p) => p.reason));
      for (const reason of PAUSE_REASONS) this.set({ reason }, paused.has(reason) ? 1 : 0);
    },
  });
  const { counted } = makers(registry);
  counted(
    "handler_refusals_total",
    "handler calls refused because of the worker's setup (HTTP 401, 403, 404, 407, --retry-on; a " +
      "module lacking a permission): their events wait in place, never dead-lettered for this",
    () => counters().refusals,
  );
  counted(
    "events_type_mismatch_total",
    "valid events whose eventType attribute names another type than the contract (handled as " +
      "the contract's type)",
    () => counters().typeMismatches,
  );
}
