import assert from "node:assert/strict";
import { Pool, PoolClosedError } from "../../src/worker/pool.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("Pool.run() never runs more tasks than permits", async () => {
  const pool = new Pool(3);
  let running = 0;
  let most = 0;
  const gates: (() => void)[] = [];
  const tasks = Array.from({ length: 10 }, () =>
    pool.run(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((r) => gates.push(r));
      running--;
    }));
  let finished = false;
  const all = Promise.all(tasks).then(() => finished = true);
  while (!finished) {
    // Until the tasks that got a permit wait at their gate (or all are done).
    await waitFor(() => gates.length > 0 || finished, { timeoutMs: 1000, what: "tasks started" });
    assert.ok(running <= 3, `running ${running}`);
    gates.splice(0).forEach((open) => open());
  }
  await all;
  assert.equal(most, 3);
  assert.equal(pool.stats.peak, 3);
  assert.equal(pool.stats.inFlight, 0);
});

Deno.test("Pool.run() gives the permit back when a task rejects", async () => {
  const pool = new Pool(1);
  await assert.rejects(pool.run(() => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(pool.stats.inFlight, 0);
  assert.equal(await pool.run(() => Promise.resolve(42)), 42);
});

Deno.test("Pool.close() rejects waiters at once, before any permit is given back", async () => {
  const pool = new Pool(1);
  let release!: () => void;
  const running = pool.run(() => new Promise<void>((r) => release = r));
  let started = false;
  const waiting = pool.run(() => Promise.resolve(void (started = true)));
  await waitFor(() => pool.stats.waiting === 1, { timeoutMs: 1000, what: "one waiter" });
  pool.close();
  await assert.rejects(waiting, PoolClosedError); // while the running task still holds its permit
  assert.equal(pool.stats.waiting, 0);
  await assert.rejects(pool.run(() => Promise.resolve()), PoolClosedError);
  release();
  await running;
  assert.equal(started, false);
  assert.equal(pool.stats.inFlight, 0);
});

Deno.test("Pool starts waiters in arrival order", async () => {
  const pool = new Pool(1);
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 5 }, (_, i) => pool.run(() => Promise.resolve(void order.push(i)))),
  );
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
});

Deno.test("Pool.drain() resolves when in-flight tasks finish, or false when aborted", async () => {
  const pool = new Pool(2);
  assert.equal(await pool.drain(), true);
  let release!: () => void;
  const task = pool.run(() => new Promise<void>((r) => release = r));
  await waitFor(() => pool.stats.inFlight === 1, { timeoutMs: 1000, what: "the task running" });
  const controller = new AbortController();
  const aborted = pool.drain(controller.signal);
  controller.abort();
  assert.equal(await aborted, false);
  const drained = pool.drain();
  release();
  await task;
  assert.equal(await drained, true);
});

Deno.test("Pool rejects a size that is not a positive integer", () => {
  assert.throws(() => new Pool(0), RangeError);
  assert.throws(() => new Pool(1.5), RangeError);
});
