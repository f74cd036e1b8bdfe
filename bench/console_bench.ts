/**
 * Micro-benchmarks of what `--console` adds to the worker: per event, the booking of the
 * handler call (in_flight.ts) and the outcome listener (latency and recent outcomes); per
 * second, one tick (the history's point, the running calls' summary, the push to a page).
 * Run: `deno task microbench`.
 */
import { InFlightCalls } from "../src/ops/console/in_flight.ts";
import { LatencyHistogram } from "../src/ops/console/latency.ts";
import { LiveSeries } from "../src/ops/console/live.ts";
import { RecentOutcomes } from "../src/ops/console/recent.ts";
import { EventHub } from "../src/ops/console/stream.ts";
import type { Snapshot } from "../src/ops/snapshot.ts";
import type { HandlerContext } from "../src/worker/handler.ts";
import type { OutcomeRecord } from "../src/worker/outcome.ts";
import type { WorkerStats } from "../src/worker/worker.ts";

const EVENTS = 1000;
const context = { messageId: "1", deliveryAttempt: 1 } as HandlerContext;
const handler = () => Promise.resolve();

Deno.bench({ name: "1000 handler calls", group: "per event", baseline: true }, async () => {
  for (let i = 0; i < EVENTS; i++) await handler();
});

const calls = new InFlightCalls();
const booked = calls.middleware(handler);
Deno.bench({ name: "1000 handler calls, booked for the console", group: "per event" }, async () => {
  for (let i = 0; i < EVENTS; i++) await booked({} as never, context);
});

const latency = new LatencyHistogram();
const recent = new RecentOutcomes();
const acked: OutcomeRecord = {
  outcome: "acked",
  eventID: crypto.randomUUID(),
  messageId: "1",
  deliveryAttempt: 1,
  durationMs: 21,
  handlerMs: 20.4,
  latencyMs: 25,
};
Deno.bench({ name: "1000 outcomes to the console's listener", group: "listener" }, () => {
  for (let i = 0; i < EVENTS; i++) {
    latency.observe(acked.handlerMs ?? 0);
    recent.record(acked);
  }
});

const stats = {
  acked: 1,
  duplicate: 0,
  nacked: 0,
  "dead-lettered": 0,
  received: 1,
  inFlight: 100,
  peakInFlight: 100,
  waitingForPermit: 0,
  freePermits: 0,
  poolSize: 100,
  leaseWindow: 200,
  connected: true,
  abandoned: 0,
  subscriber: { leased: 150 },
  keys: { keysInFlight: 0, waiting: 0, longest: [] },
  rateLimit: undefined,
} as unknown as WorkerStats;
const running = new InFlightCalls();
const hanging = running.middleware(() => new Promise(() => {}));
for (let i = 0; i < 100; i++) void hanging({} as never, { ...context, messageId: String(i) });
const series = new LiveSeries();
const hub = new EventHub();
const page = hub.open(new Uint8Array()).body?.getReader();
let tick = 0;
Deno.bench({ name: "one tick, 100 calls running, pushed to a page", group: "tick" }, async () => {
  tick++;
  const snapshot: Snapshot = {
    stats: { ...stats, acked: tick * 5000 },
    live: true,
    ready: true,
    at: tick * 1000,
    monotonic: tick * 1000,
  };
  for (let i = 0; i < 50; i++) latency.observe(20 + i / 10);
  hub.broadcast("tick", series.add(snapshot, latency.tick(), running.summary(), recent.total));
  await page?.read(); // the page reads what it was sent
});
