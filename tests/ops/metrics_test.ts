import assert from "node:assert/strict";

import { workerMetrics } from "../../src/ops/metrics.ts";
import { Snapshots, type SnapshotSource } from "../../src/ops/snapshot.ts";
import type { OutcomeRecord } from "../../src/worker/outcome.ts";
import { Worker } from "../../src/worker/worker.ts";
import { workerOptions } from "../../src/worker/cli_options.ts";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, publishEvents, testConfig } from "../support/pubsub.ts";
import { sample } from "../../bench/measure/scrape.ts";
import { publishRaw } from "../support/worker.ts";

integrationTest("workerMetrics() counts what was received, acked and dead-lettered", async () => {
  const config = await testConfig({ poolSize: 20 });
  await createTopology(config);
  await publishEvents(config, 50);
  await publishRaw(config, ["not json", "null", new Uint8Array([0xff])]);

  const worker = new Worker(workerOptions(config));
  const snapshots = new Snapshots(worker);
  const registry = workerMetrics(worker, snapshots);
  const done = Promise.withResolvers<void>();
  let outcomes = 0;
  worker.onOutcome(() => ++outcomes === 53 && done.resolve());
  worker.start();
  await done.promise;
  snapshots.tick(); // as the worker's ticker does each second
  const text = await registry.metrics();
  const window = worker.stats.leaseWindow; // adapts to handler time: read with the scrape
  await worker.stop();

  assert.equal(sample(text, "event_tool_events_received_total"), 53);
  assert.equal(sample(text, "event_tool_events_acked_total"), 50);
  assert.equal(sample(text, 'event_tool_events_dead_lettered_total{reason="invalid-json"}'), 1);
  assert.equal(sample(text, 'event_tool_events_dead_lettered_total{reason="invalid-event"}'), 1);
  assert.equal(sample(text, 'event_tool_events_dead_lettered_total{reason="invalid-encoding"}'), 1);
  assert.equal(sample(text, "event_tool_handler_duration_seconds_count"), 50);
  assert.equal(sample(text, "event_tool_publish_to_ack_seconds_count"), 53);
  assert.equal(sample(text, "event_tool_pool_size"), 20);
  assert.equal(sample(text, "event_tool_lease_window"), window);
  assert.ok(window > 20 && window <= 220, `lease window ${window} within (pool, 220]`);
  assert.equal(sample(text, "event_tool_handlers_abandoned"), 0);
  assert.equal(sample(text, "event_tool_log_write_failures_total"), 0);
  assert.equal(sample(text, "event_tool_handler_errors_total"), 0);
  assert.match(text, /^event_tool_process_cpu_seconds_total [\d.e+-]+$/m, "default metrics");
  assert.ok(
    (sample(text, "event_tool_process_resident_memory_bytes") ?? 0) > 10_000_000,
    "real RSS",
  );
});

Deno.test("README's Monitoring section lists every metric the worker registers", async () => {
  const registry = workerMetrics(new Worker({ emulatorHost: "127.0.0.1:1" }));
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const own = registry.getMetricsAsArray().map((m) => m.name)
    .filter((name) => !/_process_|_nodejs_/.test(name));
  assert.ok(own.length >= 14);
  for (const name of own) assert.ok(readme.includes(`\`${name}`), `${name} is in README.md`);
});

/** A worker the test drives by hand: deliveries and outcomes counted as the real one counts. */
function handDriven() {
  const counts = { acked: 0, duplicate: 0, nacked: 0, "dead-lettered": 0, "ack-failed": 0 };
  let received = 0;
  const onReceive: (() => void)[] = [];
  const onOutcome: ((record: OutcomeRecord) => void)[] = [];
  const subscriber = {
    leased: 0,
    extensions: 0,
    expired: 0,
    ackFailures: 0,
    reconnects: 0,
    watchdogReopens: 0,
    ackDeadlineSeconds: 10,
  };
  const counters = () => ({
    ...counts,
    received,
    retriesInPlace: 0,
    refusals: 0,
    typeMismatches: 0,
    subscriber,
  });
  const worker = {
    get counters() {
      return counters();
    },
    get stats() {
      return {
        ...counters(),
        inFlight: 0,
        poolSize: 10,
        freePermits: 10,
        leaseWindow: 20,
        abandoned: 0,
        keys: { keysInFlight: 0, waiting: 0, retriesInPlace: 0, longest: [] },
        rateLimit: undefined,
        paused: [],
      };
    },
    live: true,
    ready: true,
    onReceive: (listener: () => void) => void onReceive.push(listener),
    onOutcome: (listener: (record: OutcomeRecord) => void) => void onOutcome.push(listener),
  } as unknown as Worker;
  const receive = () => {
    received++;
    for (const listener of onReceive) listener();
  };
  const end = (outcome: "acked" | "nacked") => {
    counts[outcome]++;
    const record: OutcomeRecord = {
      outcome,
      eventID: "e",
      messageId: "m",
      deliveryAttempt: 1,
      durationMs: 1,
      latencyMs: 1,
      ...(outcome === "nacked" ? { reason: "handler-failed" as const } : {}),
    };
    for (const listener of onOutcome) listener(record);
  };
  return { worker, receive, end };
}

Deno.test("workerMetrics() counters agree with each other at any scrape, without waiting for a snapshot", async () => {
  const { worker, receive, end } = handDriven();
  const snapshots = new Snapshots(worker as unknown as SnapshotSource); // taken now: all 0
  const registry = workerMetrics(worker, snapshots);
  for (let i = 0; i < 5; i++) receive();
  for (const outcome of ["acked", "acked", "acked", "nacked", "nacked"] as const) end(outcome);
  const text = await registry.metrics(); // within the snapshot's second
  const received = sample(text, "event_tool_events_received_total") ?? NaN;
  const acked = sample(text, "event_tool_events_acked_total") ?? NaN;
  const nacked = sample(text, 'event_tool_events_nacked_total{reason="handler-failed"}') ?? NaN;
  assert.deepEqual([received, acked, nacked], [5, 3, 2], "received − acked − nacked = 0");
  assert.equal(sample(text, "event_tool_handler_errors_total"), 2);
});
