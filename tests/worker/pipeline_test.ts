import assert from "node:assert/strict";

import { builtInContract } from "../../src/event/contract.ts";
import { Dedupe } from "../../src/worker/dedupe.ts";
import {
  compose,
  type Handler,
  RedirectedError,
  RejectedError,
  RetryableError,
} from "../../src/worker/handler.ts";
import { withTimeout } from "../../src/worker/middleware/timeout.ts";
import { TypeLabels } from "../../src/worker/type_labels.ts";
import { type Delivery, type Outcome, processDelivery } from "../../src/worker/pipeline.ts";
import { fakeEvent } from "../../src/event/payload.ts";
import { sleep } from "../../src/base/async.ts";
import { withFakeClock } from "../support/clock.ts";

const options = {
  contract: builtInContract(),
  maxDeliveryAttempts: 5,
  maxPayloadBytes: 1024,
  signal: new AbortController().signal,
};
const delivery = (data: unknown, deliveryAttempt = 1): Delivery => ({
  messageId: "m-1",
  data: new TextEncoder().encode(typeof data === "string" ? data : JSON.stringify(data)),
  deliveryAttempt,
  attributes: {},
  publishTime: new Date(0),
});
const failing: Handler = () => Promise.reject(new Error("database down"));

Deno.test("processDelivery() acks a valid event its handler accepted, timing the handler", async () => {
  await withFakeClock(async (clock) => {
    const event = fakeEvent();
    const seen: unknown[] = [];
    const pending = processDelivery(
      delivery(event),
      async (e) => {
        await sleep(30);
        seen.push(e);
      },
      options,
    );
    await clock.tickAsync(30);
    const outcome = await pending;
    assert.equal(outcome.action, "ack");
    assert.deepEqual(outcome.event, event);
    assert.equal(outcome.action === "ack" && outcome.handlerMs, 30);
    assert.deepEqual(seen, [event]);
  });
});

Deno.test("processDelivery() dead-letters an invalid payload without calling the handler", async () => {
  let called = false;
  const outcome = await processDelivery(
    delivery("{oops"),
    () => Promise.resolve(void (called = true)),
    options,
  );
  assert.equal(outcome.action, "dead-letter");
  assert.equal(outcome.action === "dead-letter" && outcome.reason, "invalid-json");
  assert.equal(called, false);
});

Deno.test("processDelivery() nacks a handler failure, counting it as the message's first failed run", async () => {
  const outcome = await processDelivery(delivery(fakeEvent(), 4), failing, options);
  assert.equal(outcome.action, "nack");
  assert.match(outcome.action === "nack" ? outcome.error.message : "", /database down/);
  assert.equal(outcome.failedRuns, 1);
});

Deno.test("processDelivery() dead-letters only when the handler has failed max-attempts runs", async () => {
  // The fifth delivery of an event whose earlier deliveries were given back unhandled: no.
  const refused = await processDelivery(delivery(fakeEvent(), 5), failing, options);
  assert.equal(refused.action, "nack", "one failed run on delivery 5 is not five failures");
  const outcome = await processDelivery(delivery(fakeEvent(), 2), failing, options, {
    failedBefore: 4,
  });
  assert.equal(outcome.action, "dead-letter");
  if (outcome.action === "dead-letter") {
    assert.equal(outcome.reason, "max-attempts");
    assert.equal(outcome.failedRuns, 5);
    assert.equal(outcome.detail, "the handler failed 5 runs in 2 deliveries: database down");
  }
});

Deno.test("processDelivery() does not count a run the service throttled (429) as failed", async () => {
  const throttled: Handler = () =>
    Promise.reject(new RetryableError("answered 429", undefined, { status: 429 }));
  const outcome = await processDelivery(delivery(fakeEvent(), 9), throttled, options, {
    failedBefore: 4,
  });
  assert.equal(outcome.action, "nack");
  assert.equal(outcome.failedRuns, 4);
  const failed: Handler = () =>
    Promise.reject(new RetryableError("answered 503", undefined, { status: 503 }));
  const last = await processDelivery(delivery(fakeEvent(), 9), failed, options, {
    failedBefore: 4,
  });
  assert.equal(last.action, "dead-letter", "a 503 is a failure");
});

Deno.test("processDelivery() gives the handler the event's key and tells an ack its failed runs", async () => {
  let seen: string | undefined;
  const outcome = await processDelivery(
    delivery(fakeEvent()),
    (_event, context) => Promise.resolve(void (seen = context.orderingKey)),
    options,
    { key: "user-7", failedBefore: 2 },
  );
  assert.equal(seen, "user-7");
  assert.equal(outcome.action, "ack");
  assert.equal(outcome.failedRuns, 2);
  const unkeyed = await processDelivery(
    delivery(fakeEvent()),
    (_event, context) => Promise.resolve(void (seen = context.orderingKey)),
    options,
  );
  assert.equal(seen, undefined);
  assert.equal("failedRuns" in unkeyed, false);
});

Deno.test("processDelivery() waits for a timed-out call of its message, then fails without a second call", async () => {
  await withFakeClock(async (clock) => {
    let calls = 0;
    const counting: Handler = () => Promise.resolve(void calls++);
    let end = () => {};
    const previous = new Promise<void>((resolve) => end = resolve);
    const run = { failedBefore: 1, previous, previousWaitMs: 100 };
    const hung = processDelivery(delivery(fakeEvent()), counting, options, run);
    await clock.tickAsync(100);
    const outcome = await hung;
    assert.equal(outcome.action, "nack");
    assert.equal(outcome.failedRuns, 2, "still running after the timeout again: a failed run");
    assert.match(outcome.action === "nack" ? outcome.error.message : "", /still runs/);
    assert.equal(calls, 0, "never called beside its running call");
    const next = processDelivery(delivery(fakeEvent()), counting, options, run);
    await clock.tickAsync(50);
    end();
    assert.equal((await next).action, "ack", "called once the earlier call ended");
    assert.equal(calls, 1);
  });
});

Deno.test("processDelivery() nacks when the subscription does not count attempts", async () => {
  const outcome = await processDelivery(delivery(fakeEvent(), 0), failing, options);
  assert.equal(outcome.action, "nack");
});

Deno.test("processDelivery() turns a non-Error rejection into an Error", async () => {
  const outcome = await processDelivery(
    delivery(fakeEvent()),
    () => Promise.reject("plain string"),
    options,
  );
  assert.equal(outcome.action === "nack" && outcome.error.message, "plain string");
});

Deno.test("processDelivery() dead-letters an oversized payload without reading it", async () => {
  let called = false;
  const big = { ...fakeEvent(), padding: "x".repeat(2000) };
  const outcome = await processDelivery(
    delivery(big),
    () => Promise.resolve(void (called = true)),
    options,
  );
  assert.equal(outcome.action, "dead-letter");
  if (outcome.action === "dead-letter") {
    assert.equal(outcome.reason, "too-large");
    assert.match(outcome.detail, /payload is \d+ bytes, expected at most 1024/);
  }
  assert.equal(called, false);
});

Deno.test("processDelivery() holds a copy of a running event and settles it with that call", async () => {
  await withFakeClock(async (clock) => {
    const dedupe = new Dedupe(10);
    const event = fakeEvent();
    let release!: () => void;
    let calls = 0;
    const first = processDelivery(delivery(event), () => new Promise((r) => release = r), {
      ...options,
      dedupe,
    });
    let settled = false;
    const copy = processDelivery(delivery(event, 2), () => Promise.resolve(void calls++), {
      ...options,
      dedupe,
    }).then((outcome) => (settled = true, outcome));
    await clock.tickAsync(10 * 60_000); // the first call runs ten minutes, the copy waits
    assert.equal(settled, false, "held (not nacked) while the first call runs");
    release();
    assert.equal((await first).action, "ack");
    const second = await copy;
    assert.equal(second.action, "duplicate", "acked with the call that succeeded");
    assert.equal(second.action === "duplicate" && second.reason, "settled-with-running-copy");
    assert.equal(calls, 0, "its own handler never ran");
    const third = await processDelivery(delivery(event), () => Promise.resolve(), {
      ...options,
      dedupe,
    });
    assert.equal(third.action, "duplicate");
  });
});

Deno.test("processDelivery() dead-letters at once a RejectedError (reason rejected)", async () => {
  const rejecting: Handler = () => Promise.reject(new RejectedError("answered 400: bad card"));
  const outcome = await processDelivery(delivery(fakeEvent(), 1), rejecting, options);
  assert.equal(outcome.action, "dead-letter");
  assert.equal(outcome.action === "dead-letter" && outcome.reason, "rejected");
  assert.match(outcome.action === "dead-letter" ? outcome.detail : "", /answered 400: bad card/);
});

Deno.test("processDelivery() nacks a RetryableError after the delay it asks for", async () => {
  const later: Handler = () => Promise.reject(new RetryableError("answered 429", 2000));
  const outcome = await processDelivery(delivery(fakeEvent(), 1), later, options);
  assert.equal(outcome.action, "nack");
  assert.equal(outcome.action === "nack" && outcome.delayMs, 2000);
});

Deno.test("processDelivery() keeps a timed-out event busy until its abandoned call ends", async () => {
  await withFakeClock(async (clock) => {
    const dedupe = new Dedupe(100);
    const event = fakeEvent();
    let finish = () => {};
    let calls = 0;
    const stubborn: Handler = () => {
      calls++;
      return new Promise<void>((resolve) => finish = resolve);
    };
    const handler = compose(stubborn, withTimeout(20));
    const first = processDelivery(delivery(event), handler, { ...options, dedupe });
    await clock.tickAsync(20);
    const outcome = await first;
    assert.equal(outcome.action, "nack");
    assert.ok("abandoned" in outcome && outcome.abandoned, "the outcome carries the running call");
    // A redelivered copy while the first call still runs: held, not run beside it.
    const copy = processDelivery(delivery(event, 2), handler, { ...options, dedupe });
    await clock.tickAsync(10);
    assert.equal(calls, 1);
    finish();
    await clock.tickAsync(0);
    assert.equal(calls, 2, "the held copy runs once the abandoned (failed) call ended");
    finish();
    assert.equal((await copy).action, "ack");
  });
});

Deno.test("processDelivery() nacks a redirected delivery with reason redirected", async () => {
  const outcome = await processDelivery(
    delivery(fakeEvent()),
    () => Promise.reject(new RedirectedError("answered 301", "http://x/moved")),
    options,
  );
  assert.equal(outcome.action === "nack" && outcome.reason, "redirected");
});

Deno.test("processDelivery() gives the handler the contract's type and counts another label", async () => {
  const labels = new TypeLabels();
  const types: string[] = [];
  const seeing: Handler = (_event, context) => {
    types.push(context.eventType);
    return Promise.resolve();
  };
  const labelled = (eventType?: string): Delivery => ({
    ...delivery(fakeEvent()),
    attributes: eventType === undefined ? {} : { eventType },
  });
  const opts = { ...options, contract: builtInContract("PaymentMethodCreated"), labels };
  for (const label of [undefined, "PaymentMethodCreated", "PaymentMethodDeleted", "Other"]) {
    assert.equal((await processDelivery(labelled(label), seeing, opts)).action, "ack");
  }
  assert.deepEqual(types, Array(4).fill("PaymentMethodCreated"), "the label never wins");
  assert.equal(labels.mismatches, 2);
});

Deno.test("processDelivery() bounds a copy's wait for its event's running call by the handler timeout, and a stop ends it", async () => {
  await withFakeClock(async (clock) => {
    // Two messages with one eventID: the first one's call hangs (abandoned, its mark kept).
    const dedupe = new Dedupe(100);
    const event = fakeEvent();
    assert.equal(dedupe.claim(event.eventID), "new");
    let calls = 0;
    const counting: Handler = () => Promise.resolve(void calls++);
    const other = { ...delivery(event), messageId: "m-2" };
    const outcomes: Outcome[] = [];
    void processDelivery(other, counting, { ...options, dedupe, busyWaitMs: 30_000 })
      .then((o) => outcomes.push(o));
    await clock.tickAsync(29_999);
    assert.equal(outcomes.length, 0, "held while the other call may still end");
    await clock.tickAsync(1);
    const [timedOut] = outcomes;
    assert.equal(timedOut?.action, "nack", "then a failed run: its permit given back");
    assert.equal(timedOut.failedRuns, 1);
    assert.match(timedOut.error.message, /still runs after 30000ms/);
    assert.equal(calls, 0, "never called beside the running call");

    // With --handler-timeout off it waits as long as the call runs, until the worker stops.
    const stop = new AbortController();
    void processDelivery(other, counting, {
      ...options,
      dedupe,
      busyWaitMs: 0,
      signal: stop.signal,
    }).then((o) => outcomes.push(o));
    await clock.tickAsync(3_600_000);
    assert.equal(outcomes.length, 1);
    stop.abort(new Error("the worker is shutting down"));
    await clock.tickAsync(0);
    const stopped = outcomes[1];
    assert.equal(stopped?.action === "nack" && stopped.reason, "shutting-down");
    assert.equal(calls, 0);
  });
});
