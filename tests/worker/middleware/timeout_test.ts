import assert from "node:assert/strict";
import { sleep } from "../../../src/base/async.ts";
import { fakeEvent } from "../../../src/event/payload.ts";
import { compose, type Handler } from "../../../src/worker/handler.ts";
import { HandlerTimeoutError, withTimeout } from "../../../src/worker/middleware/timeout.ts";
import { Pool } from "../../../src/worker/pool.ts";
import { withFakeClock } from "../../support/clock.ts";
import { handlerContext } from "../../support/handler.ts";

const hang: Handler = (_event, { signal }) =>
  new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

Deno.test("withTimeout() fails a hung handler at its deadline and aborts its signal", async () => {
  await withFakeClock(async (clock) => {
    let aborted = false;
    const handler = compose((event, ctx) => {
      ctx.signal.addEventListener("abort", () => aborted = true);
      return hang(event, ctx);
    }, withTimeout(20));
    const result = handler(fakeEvent(), handlerContext()).then(() => "resolved", (e) => e);
    await clock.tickAsync(19);
    assert.equal(aborted, false, "not before its deadline");
    await clock.tickAsync(1);
    assert.ok(await result instanceof HandlerTimeoutError);
    assert.equal(aborted, true);
  });
});

Deno.test("withTimeout() inside the pool gives the permit back after a hang", async () => {
  await withFakeClock(async (clock) => {
    const pool = new Pool(1);
    const handler = compose(hang, withTimeout(20));
    const hung = pool.run(() => handler(fakeEvent(), handlerContext())).catch((e) => e);
    await clock.tickAsync(20);
    assert.ok(await hung instanceof HandlerTimeoutError);
    assert.equal(pool.stats.inFlight, 0);
    assert.equal(await pool.run(() => Promise.resolve("next")), "next");
  });
});

Deno.test("withTimeout(0) leaves the handler alone", async () => {
  let called = 0;
  await compose(() => Promise.resolve(void called++), withTimeout(0))(
    fakeEvent(),
    handlerContext(),
  );
  assert.equal(called, 1);
});

Deno.test("withTimeout() times out each hung call on its own deadline and spares the rest", async () => {
  await withFakeClock(async (clock) => {
    const handler = compose(
      (event, ctx) => event.paymentMethodType === "card" ? hang(event, ctx) : sleep(5),
      withTimeout(40),
    );
    const card = () => ({ ...fakeEvent(), paymentMethodType: "card" as const });
    const bank = () => ({ ...fakeEvent(), paymentMethodType: "bank_account" as const });
    const settledAt: Record<string, number> = {};
    const track = (name: string, p: Promise<void>) =>
      p.then(() => "ok", () => "timeout").then((how) => {
        settledAt[name] = performance.now();
        return how;
      });
    const start = performance.now();
    const first = track("first", handler(card(), handlerContext()));
    await clock.tickAsync(20);
    const second = track("second", handler(bank(), handlerContext()));
    const third = track("third", handler(card(), handlerContext()));
    await clock.tickAsync(60);
    assert.deepEqual(await Promise.all([first, second, third]), ["timeout", "ok", "timeout"]);
    assert.equal(settledAt.first! - start, 40, "the first call's own 40 ms");
    assert.equal(settledAt.second! - start, 25, "the fast call is not held by the hung ones");
    assert.equal(settledAt.third! - start, 60, "the later call got its own 40 ms");
  });
});

Deno.test("withTimeout() ignores a rejection that comes after its timeout", async () => {
  await withFakeClock(async (clock) => {
    let fail: (error: Error) => void = () => {};
    const late: Handler = () => new Promise((_, reject) => fail = reject);
    const result = compose(late, withTimeout(10))(fakeEvent(), handlerContext()).catch((e) => e);
    await clock.tickAsync(10);
    fail(new Error("too late"));
    assert.ok(await result instanceof HandlerTimeoutError);
  });
});

Deno.test("withTimeout() fails at once when the worker's signal aborts, even if the handler ignores it", async () => {
  const outer = new AbortController();
  const ignoring: Handler = () => new Promise(() => {});
  const result = compose(ignoring, withTimeout(60_000))(fakeEvent(), {
    ...handlerContext(),
    signal: outer.signal,
  }).catch((e) => e);
  outer.abort(new Error("shutting down"));
  assert.equal((await result).message, "shutting down");
});

Deno.test("withTimeout(): a timed-out call's error tells when the abandoned call really ends", async () => {
  await withFakeClock(async (clock) => {
    let finish = () => {};
    // Ignores its signal: keeps running after the timeout.
    const stubborn: Handler = () => new Promise<void>((resolve) => finish = resolve);
    const result = compose(stubborn, withTimeout(20))(fakeEvent(), handlerContext()).catch((e) =>
      e
    );
    await clock.tickAsync(20);
    const error = await result;
    assert.ok(error instanceof HandlerTimeoutError);
    let ended = false;
    void error.ended.then(() => ended = true);
    await clock.tickAsync(1000);
    assert.equal(ended, false, "still running after its timeout");
    finish();
    await clock.tickAsync(0);
    assert.equal(ended, true, "ended once the call returned");
  });
});
