import assert from "node:assert/strict";
import { Snapshots, type SnapshotSource } from "../../src/ops/snapshot.ts";
import { startSummary } from "../../src/ops/summary.ts";
import type { WorkerStats } from "../../src/worker/worker.ts";
import { withFakeClock } from "../support/clock.ts";
import { configure, type LogRecord, reset } from "@logtape/logtape";

/** A worker whose stats count how often they are built. */
function source() {
  const state = { reads: 0, acked: 0 };
  const worker: SnapshotSource = {
    get stats() {
      state.reads++;
      return {
        acked: state.acked,
        duplicate: 0,
        nacked: 0,
        "dead-lettered": 0,
        "ack-failed": 0,
        received: state.acked,
        inFlight: 0,
        connected: true,
        subscriber: { leased: 0 },
      } as unknown as WorkerStats;
    },
    live: true,
    ready: true,
  };
  return { state, worker };
}

Deno.test("Snapshots: one read of the worker per tick, however many read the latest", async () => {
  await withFakeClock((clock) => {
    const { state, worker } = source();
    const snapshots = new Snapshots(worker);
    const seen: number[] = [];
    snapshots.onTick((s) => seen.push(s.stats.acked));
    snapshots.start();
    state.acked = 5;
    for (let i = 0; i < 10; i++) assert.equal(snapshots.latest.stats.acked, 0, "within the tick");
    clock.tick(1000);
    assert.deepEqual(seen, [5]);
    for (let i = 0; i < 10; i++) assert.equal(snapshots.latest.stats.acked, 5);
    assert.equal(state.reads, 2, "one at construction, one at the tick");
    snapshots.stop();
    state.acked = 9;
    clock.tick(1500);
    assert.equal(snapshots.latest.stats.acked, 9, "a tick old without a ticker: read again");
    assert.deepEqual(seen, [5], "no tick once stopped");
    return Promise.resolve();
  });
});

Deno.test("startSummary() writes from the ticks, every interval, and not while idle", async () => {
  await withFakeClock(async (clock) => {
    const { state, worker } = source();
    const snapshots = new Snapshots(worker);
    const records: LogRecord[] = [];
    await configure({
      reset: true,
      sinks: { test: (record) => records.push(record) },
      loggers: [
        { category: ["event-tool", "summary"], lowestLevel: "info", sinks: ["test"] },
        { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
      ],
    });
    const logs = { records: () => records };
    try {
      const stop = startSummary(snapshots, 3000);
      snapshots.start();
      clock.tick(2000);
      assert.equal(logs.records().length, 0, "not before the interval");
      state.acked = 30;
      clock.tick(1000);
      const [first] = logs.records();
      assert.equal(first?.properties.acked, 30);
      assert.equal(first?.properties.rate, 10, "30 events in 3 s");
      clock.tick(6000);
      assert.equal(logs.records().length, 1, "idle: no new line");
      stop();
      snapshots.stop();
    } finally {
      await reset();
    }
  });
});
