import assert from "node:assert/strict";
import { builtInContract } from "../../src/event/contract.ts";
import { fakeEvent } from "../../src/event/payload.ts";
import { Abandoned } from "../../src/worker/abandoned.ts";
import { deliver, type RunEnd } from "../../src/worker/deliver.ts";
import { compose, type Handler } from "../../src/worker/handler.ts";
import { withTimeout } from "../../src/worker/middleware/timeout.ts";
import { Tally } from "../../src/worker/tally.ts";
import { Settler } from "../../src/worker/settle.ts";
import { defaults } from "../../src/config/resolve.ts";
import { FailedRuns, retryPolicy } from "../../src/worker/retry.ts";
import { withFakeClock } from "../support/clock.ts";
import { fakeClient, fakeMessage } from "../support/fake_messages.ts";

/** What deliver() shares, around `handler`, counting in `tally`. */
function deliverContext(handler: Handler, tally: Tally, abandoned = new Abandoned(1)) {
  return {
    subscription: "s",
    handler,
    options: {
      contract: builtInContract(),
      maxDeliveryAttempts: 5,
      maxPayloadBytes: 65536,
      signal: new AbortController().signal,
    },
    settler: new Settler(fakeClient([]).client, defaults(), tally),
    abandoned,
    failures: new FailedRuns(),
    retry: retryPolicy(defaults()),
  };
}

/** A first run of an event without a key, recording how it ended in `ends`. */
function unkeyed(ends: RunEnd[]) {
  return { key: undefined, retries: 0, ended: (end: RunEnd) => void ends.push(end) };
}

Deno.test("deliver() settles a timed-out event at its timeout but resolves only when the call ends", async () => {
  await withFakeClock(async (clock) => {
    let finish = () => {};
    const stubborn: Handler = () => new Promise<void>((r) => finish = r);
    const tally = new Tally();
    const abandoned = new Abandoned(1);
    const context = deliverContext(compose(stubborn, withTimeout(100)), tally, abandoned);
    const settled: string[] = [];
    const message = fakeMessage(fakeEvent(), settled);
    let resolved = false;
    const ends: RunEnd[] = [];
    const run = deliver(message, context, unkeyed(ends))
      .then(() => resolved = true);
    await clock.tickAsync(100);
    assert.deepEqual(settled, [`nack ${message.id}`], "nacked at the timeout");
    assert.deepEqual(ends, ["nacked"], "its end told at once");
    assert.equal(abandoned.count, 1);
    assert.equal(resolved, false, "its permit is still held");
    finish();
    await run;
    assert.equal(abandoned.count, 0);
    assert.equal(tally.counts.nacked, 1);
  });
});

Deno.test("deliver() does not handle a message given back while it waited (max lease)", async () => {
  let calls = 0;
  const counting: Handler = () => {
    calls++;
    return Promise.resolve();
  };
  const tally = new Tally();
  const context = deliverContext(counting, tally);
  const settled: string[] = [];
  const message = fakeMessage(fakeEvent(), settled);
  message.nack(); // the subscriber gave it up
  const ends: RunEnd[] = [];
  await deliver(message, context, unkeyed(ends));
  assert.deepEqual(ends, ["nacked"]);
  assert.equal(calls, 0, "the handler never ran");
  assert.deepEqual(settled, [`nack ${message.id}`], "settled once, by the subscriber");
  assert.equal(tally.counts.acked, 0);
});

Deno.test("deliver() tells the key a run whose message was given back while it ran ended nacked, even handled", async () => {
  const settled: string[] = [];
  const message = fakeMessage(fakeEvent(), settled);
  const handledLate: Handler = () => {
    message.givenUp = "max-lease"; // held past --max-lease while the handler ran
    message.nack();
    return Promise.resolve();
  };
  const tally = new Tally();
  const ends: RunEnd[] = [];
  await deliver(message, deliverContext(handledLate, tally), { ...unkeyed(ends), key: "k" });
  assert.deepEqual(ends, ["nacked"], "back in Pub/Sub: its key waits for it");
  assert.deepEqual(settled, [`nack ${message.id}`], "never acked");
  assert.equal(tally.counts.acked, 0);
});
