import assert from "node:assert/strict";
import { defaults } from "../../src/config/resolve.ts";
import { Tally } from "../../src/worker/tally.ts";
import { Pool } from "../../src/worker/pool.ts";
import type { Session } from "../../src/worker/session.ts";
import { Settler } from "../../src/worker/settle.ts";
import { shutdown } from "../../src/worker/shutdown.ts";
import { withFakeClock } from "../support/clock.ts";
import { fakeClient } from "../support/fake_messages.ts";

Deno.test("shutdown() stops pulling first, gives in-flight work its timeout, then aborts and closes", async () => {
  await withFakeClock(async (clock) => {
    const steps: string[] = [];
    const pool = new Pool(2);
    const abort = new AbortController();
    abort.signal.addEventListener("abort", () => steps.push("abort"));
    // One handler finishes in 1 s, one ignores everything but the abort.
    void pool.run(() =>
      new Promise<void>((r) => setTimeout(() => (steps.push("fast done"), r()), 1000))
    );
    void pool.run(() =>
      new Promise<void>((r) =>
        abort.signal.addEventListener("abort", () => (steps.push("slow aborted"), r()))
      )
    );
    const waiting = pool.run(() => Promise.resolve()).catch(() => steps.push("waiter rejected"));
    const session = {
      leased: 3,
      stopPulling: () => steps.push("stop pulling"),
      close: () => (steps.push("session closed"), Promise.resolve(0)),
    } as unknown as Session;
    const settler = new Settler(fakeClient([]).client, defaults(), new Tally());
    const dispatcher = { close: () => pool.close() };
    const done = shutdown({
      dispatcher,
      pool,
      session,
      settler,
      abort,
      shutdownTimeout: 5000,
      running: 2,
      notStarted: 1,
    });
    // Before shutdown() first awaits anything: no message can be leased once it was called.
    assert.deepEqual(steps, ["stop pulling"], "pulling stops as the shutdown begins");
    await clock.tickAsync(0); // no time passes: only what happens at once
    assert.deepEqual(steps, ["stop pulling", "waiter rejected"], "waiters given back at once");
    await waiting;
    await clock.tickAsync(1000);
    assert.equal(steps.at(-1), "fast done", "in-flight work goes on");
    await clock.tickAsync(3999);
    assert.ok(!steps.includes("abort"), "not before the shutdown timeout");
    await clock.tickAsync(1);
    await done;
    assert.deepEqual(steps, [
      "stop pulling",
      "waiter rejected",
      "fast done",
      "abort",
      "slow aborted",
      "session closed",
    ]);
  });
});
