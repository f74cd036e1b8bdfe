import assert from "node:assert/strict";
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
