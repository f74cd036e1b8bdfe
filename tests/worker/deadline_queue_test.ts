import assert from "node:assert/strict";
import { DeadlineQueue } from "../../src/worker/deadline_queue.ts";
import { withFakeClock } from "../support/clock.ts";

Deno.test("DeadlineQueue holds only unsettled deadlines, whatever order they settle in", async () => {
  await withFakeClock(async (clock) => {
    const queue = new DeadlineQueue();
    const expired: number[] = [];
    const deadlines = Array.from(
      { length: 1000 },
      (_, i) => queue.add(performance.now() + 100, () => expired.push(i)),
    );
    // Everything but the oldest settles: none of it may stay queued behind the oldest.
    for (const d of deadlines.slice(1)) queue.cancel(d);
    assert.equal(queue.size, 1);
    await clock.tickAsync(100);
    assert.deepEqual(expired, [0]);
    assert.equal(queue.size, 0);
    assert.equal(deadlines[0]?.pending, false);
  });
});

Deno.test("DeadlineQueue expires deadlines in order, each at its own time", async () => {
  await withFakeClock(async (clock) => {
    const queue = new DeadlineQueue();
    const fired: [string, number][] = [];
    const start = performance.now();
    queue.add(start + 10, () => fired.push(["a", performance.now() - start]));
    await clock.tickAsync(5);
    queue.add(start + 15, () => fired.push(["b", performance.now() - start]));
    const c = queue.add(start + 20, () => fired.push(["c", performance.now() - start]));
    queue.cancel(c);
    await clock.tickAsync(50);
    assert.deepEqual(fired, [["a", 10], ["b", 15]]);
    assert.equal(clock.countTimers(), 0, "no timer left once the queue is empty");
  });
});

Deno.test("DeadlineQueue with slack expires deadlines up to that much early, never more", async () => {
  // The fake clock, like Deno's timers, fires a fractional delay on a whole millisecond.
  await withFakeClock(async (clock) => {
    const fired = new Map<number, [string, number][]>();
    for (const slackMs of [0, 1]) {
      const queue = new DeadlineQueue({ slackMs });
      const start = performance.now();
      const list: [string, number][] = [];
      for (const [name, at] of [["a", 10], ["b", 10.8], ["c", 12.5]] as const) {
        queue.add(start + at, () => list.push([name, performance.now() - start]));
      }
      await clock.tickAsync(20);
      fired.set(slackMs, list);
    }
    assert.deepEqual(fired.get(0), [["a", 10], ["b", 11], ["c", 13]], "never early");
    // b is due within 1 ms of a's timer, so it goes with a; c's timer fires 0.5 ms before it.
    assert.deepEqual(fired.get(1), [["a", 10], ["b", 10], ["c", 12]], "at most 1 ms early");
  });
});
