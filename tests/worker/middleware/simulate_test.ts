import assert from "node:assert/strict";
import { fakeEvent } from "../../../src/event/payload.ts";
import { compose, type Handler } from "../../../src/worker/handler.ts";
import { SimulatedFailureError, withSimulation } from "../../../src/worker/middleware/simulate.ts";
import { withFakeClock } from "../../support/clock.ts";
import { handlerContext } from "../../support/handler.ts";

const ok: Handler = () => Promise.resolve();

Deno.test("withSimulation() fails every call at rate 1 and none at rate 0", async () => {
  await assert.rejects(
    compose(ok, withSimulation(0, 1))(fakeEvent(), handlerContext()),
    SimulatedFailureError,
  );
  for (let i = 0; i < 50; i++) {
    await compose(ok, withSimulation(0, 0))(fakeEvent(), handlerContext());
  }
});

Deno.test("withSimulation() calls the handler only after the configured latency", async () => {
  await withFakeClock(async (clock) => {
    let called = false;
    const done = compose(() => Promise.resolve(void (called = true)), withSimulation(30, 0))(
      fakeEvent(),
      handlerContext(),
    );
    await clock.tickAsync(29);
    assert.equal(called, false);
    await clock.tickAsync(1);
    await done;
    assert.equal(called, true);
  });
});
