/**
 * Micro-benchmarks of a /metrics scrape (src/ops/server.ts): every metric of an idle worker
 * against the few a poll names (`/metrics?name[]=…`), which skips the process metrics'
 * collection, the event-loop delay figures above all. Run: `deno task microbench`.
 */
import { workerMetrics } from "../src/ops/metrics.ts";
import { Worker } from "../src/worker/worker.ts";

const registry = workerMetrics(new Worker({ emulatorHost: "127.0.0.1:1" }));
const NAMES = ["event_tool_events_acked_total", "event_tool_in_flight_events"];

Deno.bench({ name: "every metric", group: "scrape", baseline: true }, async () => {
  await registry.metrics();
});

Deno.bench({ name: `${NAMES.length} named metrics`, group: "scrape" }, async () => {
  await Promise.all(NAMES.map((name) => registry.getSingleMetricAsString(name)));
});
