import assert from "node:assert/strict";
import { InFlightCalls } from "../../../src/ops/console/in_flight.ts";
import type { HandlerContext } from "../../../src/worker/handler.ts";
import { withFakeClock } from "../../support/clock.ts";

const context = (messageId: string) =>
  ({ messageId, deliveryAttempt: 1, signal: new AbortController().signal }) as HandlerContext;

Deno.test("InFlightCalls books each running call, oldest first, and forgets it however it ends", async () => {
  await withFakeClock(async (clock) => {
    const calls = new InFlightCalls();
    const ends = new Map<string, PromiseWithResolvers<void>>();
    const handler = calls.middleware((_event, ctx) => {
      const end = Promise.withResolvers<void>();
      ends.set(ctx.messageId, end);
      return end.promise;
    });
    const a = handler({} as never, context("a"));
    clock.tick(70_000);
    const b = handler({} as never, context("b"));
    clock.tick(2_000);
    const c = handler({} as never, context("c"));
    clock.tick(500);
    const now = calls.summary();
    assert.equal(now.count, 3);
    assert.deepEqual(now.byAge, [1, 1, 0, 1], "0.5 s, 2.5 s, 72.5 s");
    assert.deepEqual(now.oldest.map((call) => [call.messageId, call.ageMs]), [
      ["a", 72_500],
      ["b", 2_500],
      ["c", 500],
    ]);
    ends.get("a")?.resolve();
    ends.get("b")?.reject(new Error("failed"));
    await a;
    await assert.rejects(b);
    assert.deepEqual(calls.summary(1).oldest.map((call) => call.messageId), ["c"]);
    ends.get("c")?.resolve();
    await c;
    assert.equal(calls.summary().count, 0);
  });
});

Deno.test("InFlightCalls forgets a call whose handler throws before it returns a promise", () => {
  const calls = new InFlightCalls();
  const handler = calls.middleware(() => {
    throw new Error("sync");
  });
  assert.throws(() => handler({} as never, context("x")), /sync/);
  assert.equal(calls.summary().count, 0);
});
