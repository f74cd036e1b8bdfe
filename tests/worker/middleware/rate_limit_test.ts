import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { Pace } from "../../../src/worker/middleware/rate_limit.ts";
import { withFakeClock } from "../../support/clock.ts";

/** Starts as fast as the pace allows for `ms`; returns how many started in each second. */
async function drive(pace: Pace, clock: { tickAsync(ms: number): Promise<unknown> }, ms: number) {
  const perSecond: number[] = [];
  let started = 0;
  let stop = false;
  (async () => {
    while (!stop) {
      await pace.acquire();
      started++;
      if (pace.rate === undefined) break; // unlimited: nothing left to measure
    }
  })();
  for (let s = 0; s < ms / 1000; s++) {
    const before = started;
    await clock.tickAsync(1000);
    perSecond.push(started - before);
  }
  stop = true;
  return perSecond;
}

Deno.test("Pace holds starts to the limit in every second", async () => {
  await withFakeClock(async (clock) => {
    const pace = new Pace(200);
    const perSecond = await drive(pace, clock, 5000);
    for (const n of perSecond) assert.ok(n >= 180 && n <= 221, `${perSecond.join(", ")}/s`);
  });
});

Deno.test("Pace halves the rate when throttled, then recovers to the limit", async () => {
  await withFakeClock(async (clock) => {
    const pace = new Pace(200);
    await drive(pace, clock, 1000);
    pace.throttled();
    assert.equal(pace.rate, 100);
    pace.throttled(); // within the same second: once
    assert.equal(pace.rate, 100);
    const perSecond = await drive(pace, clock, 8000);
    assert.ok((perSecond[0] ?? 0) <= 130, `slowed at once: ${perSecond.join(", ")}`);
    assert.equal(pace.rate, 200, `recovered: ${perSecond.join(", ")}`);
  });
});

Deno.test("Pace without a limit starts unlimited, and only a throttled handler slows it", async () => {
  await withFakeClock(async (clock) => {
    const pace = new Pace(undefined);
    assert.equal(pace.rate, undefined);
    await pace.acquire();
    pace.throttled();
    assert.ok((pace.rate ?? 0) >= 1);
    await drive(pace, clock, 20_000);
    assert.equal(pace.rate, undefined, "back to no limit");
  });
});

/** Runs `fn` with the worker's log records captured (LogTape configured for the test). */
async function withLogs(fn: (messages: string[]) => Promise<void>): Promise<void> {
  const messages: string[] = [];
  await configure({
    reset: true,
    sinks: { test: (record: LogRecord) => messages.push(record.message.join("")) },
    loggers: [
      { category: ["event-tool"], lowestLevel: "debug", sinks: ["test"] },
      { category: ["logtape", "meta"], lowestLevel: "error", sinks: [] },
    ],
  });
  try {
    await fn(messages);
  } finally {
    await reset();
  }
}

Deno.test("Pace with a limit logs nothing about throttling while nothing was throttled", async () => {
  await withLogs(async (messages) => {
    await withFakeClock(async (clock) => {
      const pace = new Pace(100);
      await drive(pace, clock, 5000);
      assert.deepEqual(messages, [], "no 'no longer throttled' each second");
      pace.throttled();
      await drive(pace, clock, 8000);
      assert.equal(messages.length, 2, messages.join(" | "));
      assert.match(messages[0] ?? "", /is throttled/);
      assert.match(messages[1] ?? "", /no longer throttled: starts back to 100\/s/);
    });
  });
});

Deno.test("Pace keeps a limit below 1/s when throttled: halves it, never raises it", async () => {
  await withFakeClock(async (clock) => {
    const pace = new Pace(0.5);
    pace.throttled();
    assert.equal(pace.rate, 0.25);
    await clock.tickAsync(1000);
    pace.throttled();
    assert.equal(pace.rate, 0.125, "down to a quarter of the limit");
    await clock.tickAsync(1000);
    pace.throttled();
    assert.equal(pace.rate, 0.125);
    const perSecond = await drive(pace, clock, 30_000);
    assert.ok(perSecond.every((n) => n <= 1), perSecond.join(", "));
    assert.equal(pace.rate, 0.5, "recovered to the limit, not past it");
  });
});

Deno.test("Pace starts no burst right after a throttle, nor more than its bucket after idle time", async () => {
  await withFakeClock(async (clock) => {
    const pace = new Pace(undefined); // no limit: a 429 sets one
    for (let i = 0; i < 400; i++) await pace.acquire(); // 400 starts at once
    await clock.tickAsync(500);
    pace.throttled();
    const rate = pace.rate ?? 0;
    assert.ok(rate >= 100, `halved from what it ran: ${rate}/s`);
    let started = 0;
    for (let i = 0; i < 100; i++) pace.acquire().then(() => started++);
    await clock.tickAsync(0);
    assert.ok(started <= 1, `${started} started at once right after the 429`);
    await clock.tickAsync(20_000); // recovered, then idle
    const limited = new Pace(100);
    await drive(limited, clock, 2000);
    await clock.tickAsync(10_000); // idle
    let burst = 0;
    for (let i = 0; i < 100; i++) limited.acquire().then(() => burst++);
    await clock.tickAsync(0);
    assert.equal(burst, 10, "after idle time: the bucket (a tenth of a second's starts), no more");
  });
});
