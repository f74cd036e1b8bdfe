import assert from "node:assert/strict";
import { defaults } from "../../src/config/resolve.ts";
import type { Config } from "../../src/config/settings.ts";
import { builtInContract } from "../../src/event/contract.ts";
import { fakeEvent } from "../../src/event/payload.ts";
import type { ReceivedMessage } from "../../src/pubsub/subscriber/message.ts";
import { Abandoned } from "../../src/worker/abandoned.ts";
import { Dispatcher } from "../../src/worker/dispatch.ts";
import { compose, type Handler, RejectedError, RetryableError } from "../../src/worker/handler.ts";
import { withTimeout } from "../../src/worker/middleware/timeout.ts";
import type { OutcomeRecord } from "../../src/worker/outcome.ts";
import { Tally } from "../../src/worker/tally.ts";
import { Settler } from "../../src/worker/settle.ts";
import { withFakeClock } from "../support/clock.ts";
import { fakeClient, fakeMessage, redelivered } from "../support/fake_messages.ts";

/** The defaults, keyed by the events' userID, with a 1 s retry backoff (as the tests' topology). */
function config(overrides: Partial<Config> = {}): Config {
  return {
    ...defaults(),
    keyFrom: { from: "field", name: "userID" },
    retryMinBackoff: 1000,
    retryMaxBackoff: 1000,
    ...overrides,
  };
}

/** A dispatcher around `handler` (timed out after `config.handlerTimeout`), recording outcomes. */
function harness(handler: Handler, c: Config = config()) {
  const tally = new Tally();
  const records: OutcomeRecord[] = [];
  tally.onOutcome((record) => records.push(record));
  const published: { attributes: Record<string, string> }[] = [];
  const abandoned = new Abandoned(c.poolSize);
  const deadLetterTopic = fakeClient(published);
  const dispatcher = new Dispatcher(c, {
    subscription: "s",
    handler: compose(handler, withTimeout(c.handlerTimeout)),
    options: {
      contract: builtInContract(),
      maxDeliveryAttempts: c.maxDeliveryAttempts,
      maxPayloadBytes: 65536,
      signal: new AbortController().signal,
    },
    settler: new Settler(deadLetterTopic.client, c, tally),
    abandoned,
  });
  return { dispatcher, records, published, abandoned, deadLetterTopic: deadLetterTopic.state };
}

/** `n` events of one user, in order, as messages settling into `settled`. */
function userEvents(n: number, settled: string[], attempt = 1) {
  const userID = crypto.randomUUID();
  return Array.from({ length: n }, () => fakeMessage({ ...fakeEvent(), userID }, settled, attempt));
}

const idOf = (message: ReceivedMessage) =>
  JSON.parse(new TextDecoder().decode(message.data)).eventID;

/** A handler that records each call's event and fails the first `failures` calls of `failing`. */
function failingFirst(failing: ReceivedMessage, failures: number, calls: string[]): Handler {
  let failed = 0;
  return (event) => {
    calls.push(event.eventID);
    if (event.eventID === idOf(failing) && failed < failures) {
      failed++;
      return Promise.reject(new Error(`failure ${failed}`));
    }
    return Promise.resolve();
  };
}

Deno.test("Dispatcher retries a failed keyed event in place, at once then after the backoff, while its key waits", async () => {
  await withFakeClock(async (clock) => {
    const settled: string[] = [];
    const [a1, a2] = userEvents(2, settled);
    const calls: string[] = [];
    const { dispatcher, records } = harness(failingFirst(a1!, 2, calls));
    dispatcher.dispatch(a1!);
    dispatcher.dispatch(a2!);
    await clock.tickAsync(0);
    assert.deepEqual(calls, [idOf(a1!), idOf(a1!)], "the first retry at once; a2 waits");
    assert.deepEqual(settled, [], "nothing nacked: a1 is kept, a2 waits leased");
    await clock.tickAsync(999);
    assert.equal(calls.length, 2, "the second retry waits the subscription's backoff");
    await clock.tickAsync(1);
    assert.deepEqual(calls, [idOf(a1!), idOf(a1!), idOf(a1!), idOf(a2!)]);
    assert.deepEqual(settled, [`ack ${a1!.id}`, `ack ${a2!.id}`], "in order, each once");
    assert.equal(records[0]?.failedRuns, 2, "the outcome line counts the failed runs");
    assert.equal(records[0]?.orderingKey, JSON.parse(new TextDecoder().decode(a1!.data)).userID);
    assert.equal(dispatcher.keyStats.retriesInPlace, 2);
    dispatcher.close();
  });
});

Deno.test("Dispatcher gives a keyed event back after --key-retries, and dead-letters it after max-attempts failed runs", async () => {
  await withFakeClock(async (clock) => {
    const settled: string[] = [];
    const [a1, a2] = userEvents(2, settled);
    const calls: string[] = [];
    const { dispatcher, records, published } = harness(failingFirst(a1!, 99, calls));
    dispatcher.dispatch(a1!);
    dispatcher.dispatch(a2!);
    await clock.tickAsync(2000); // at once, 1 s, 1 s: three retries
    assert.equal(calls.length, 4);
    assert.deepEqual(settled, [`nack ${a1!.id}`], "back to Pub/Sub; a2 waits for it (--key-from)");
    assert.equal(records[0]?.reason, "handler-failed");
    assert.equal(records[0]?.failedRuns, 4);
    dispatcher.dispatch(redelivered(a1!, settled));
    await clock.tickAsync(0);
    const dead = records.find((r) => r.outcome === "dead-lettered");
    assert.equal(dead?.reason, "max-attempts", "one more run on its next delivery: the fifth");
    assert.equal(dead?.failedRuns, 5);
    assert.match(dead?.detail ?? "", /^the handler failed 5 runs in 2 deliveries: failure/);
    assert.equal(published.length, 1);
    assert.deepEqual(calls.slice(4), [idOf(a1!), idOf(a2!)], "then the key goes on");
    assert.deepEqual(settled.slice(1), [`ack ${a1!.id}`, `ack ${a2!.id}`]);
    dispatcher.close();
  });
});

Deno.test("Dispatcher dead-letters a keyed event that can never succeed alone, at once; its key goes on", async () => {
  await withFakeClock(async (clock) => {
    const { a1, a2, calls, rejecting } = firstOfKeyRejected("answered 400: unknown card");
    const { dispatcher, records, published } = harness(rejecting);
    dispatcher.dispatch(a1!);
    dispatcher.dispatch(a2!);
    await clock.tickAsync(0);
    assert.deepEqual(calls, [idOf(a1!), idOf(a2!)], "not retried: a2 runs next");
    assert.deepEqual(records.map((r) => [r.outcome, r.reason ?? null]), [
      ["dead-lettered", "rejected"],
      ["acked", null],
    ]);
    assert.equal(published.length, 1);
    dispatcher.close();
  });
});

Deno.test("Dispatcher never dead-letters an event its handler failed once, however many deliveries it had", async () => {
  await withFakeClock(async (clock) => {
    const settled: string[] = [];
    // Its fifth delivery (the subscription's last): the earlier ones were given back unhandled.
    const [a1] = userEvents(1, settled, 5);
    const calls: string[] = [];
    const { dispatcher, records } = harness(failingFirst(a1!, 1, calls), config({ keyRetries: 0 }));
    dispatcher.dispatch(a1!);
    await clock.tickAsync(0);
    assert.equal(calls.length, 2, "tried again in place: a nack would have it forwarded");
    assert.deepEqual(settled, [`ack ${a1!.id}`]);
    assert.equal(records.length, 1);
    assert.equal(records[0]?.outcome, "acked");
    dispatcher.close();
  });
});

Deno.test("Dispatcher: a keyed handler that times out and never ends counts as failed runs; the key moves on", async () => {
  await withFakeClock(async (clock) => {
    const settled: string[] = [];
    const [a1, a2] = userEvents(2, settled);
    const calls: string[] = [];
    let running = 0;
    const hangsOnA1: Handler = (event) => {
      calls.push(event.eventID);
      if (event.eventID !== idOf(a1!)) return Promise.resolve();
      running++;
      return new Promise<void>(() => {}); // ignores its signal, never ends
    };
    const { dispatcher, records, abandoned } = harness(
      hangsOnA1,
      config({ handlerTimeout: 100, poolSize: 4 }),
    );
    dispatcher.dispatch(a1!);
    dispatcher.dispatch(a2!);
    // 100 ms timeout, then three retries that each wait 100 ms for the hung call (at once,
    // after 1 s, after 1 s): four failed runs, then back to Pub/Sub.
    await clock.tickAsync(2400);
    assert.deepEqual(settled, [`nack ${a1!.id}`]);
    assert.match(records[0]?.detail ?? "", /still runs/);
    dispatcher.dispatch(redelivered(a1!, settled));
    await clock.tickAsync(100);
    assert.equal(records[1]?.outcome, "dead-lettered", "the fifth timed-out run: dead-lettered");
    await clock.tickAsync(0);
    assert.equal(calls.at(-1), idOf(a2!), "the key moved on");
    assert.equal(settled.at(-1), `ack ${a2!.id}`);
    assert.equal(running, 1, "the hung event was never called beside its running call");
    assert.equal(abandoned.count, 1, "its one call keeps its permit");
    dispatcher.close();
  });
});

Deno.test("Dispatcher.close() gives back at once an event waiting for its retry", async () => {
  await withFakeClock(async (clock) => {
    const settled: string[] = [];
    const [a1] = userEvents(1, settled);
    const calls: string[] = [];
    const { dispatcher, records } = harness(failingFirst(a1!, 2, calls));
    dispatcher.dispatch(a1!);
    await clock.tickAsync(10); // two failures: waiting 1 s for the next try
    dispatcher.close();
    await clock.tickAsync(0);
    assert.deepEqual(settled, [`nack ${a1!.id}`]);
    assert.equal(records[0]?.reason, "shutting-down");
    await clock.tickAsync(2000);
    assert.equal(calls.length, 2, "not tried again after the stop");
  });
});

Deno.test("Dispatcher nacks a failed event without a key at once (Pub/Sub's backoff applies)", async () => {
  await withFakeClock(async (clock) => {
    const settled: string[] = [];
    const message = fakeMessage(fakeEvent(), settled);
    let calls = 0;
    const failing: Handler = () => {
      calls++;
      return Promise.reject(new RetryableError("answered 500"));
    };
    const { dispatcher, records } = harness(failing, config({ keyFrom: undefined }));
    dispatcher.dispatch(message);
    await clock.tickAsync(0);
    assert.equal(calls, 1);
    assert.deepEqual(settled, [`nack ${message.id}`]);
    assert.equal(records[0]?.failedRuns, 1);
    assert.equal(records[0]?.orderingKey, undefined);
    dispatcher.close();
  });
});

Deno.test("Dispatcher holds a key whose dead-letter copy could not be published: the event is nacked, its later events wait", async () => {
  await withFakeClock(async (clock) => {
    const { settled, a1, a2, calls, rejecting } = firstOfKeyRejected("answered 422");
    const { dispatcher, records, published, deadLetterTopic } = harness(rejecting);
    deadLetterTopic.failWith = 14; // the dead-letter topic is unavailable
    dispatcher.dispatch(a1!);
    dispatcher.dispatch(a2!);
    await clock.tickAsync(0);
    assert.deepEqual(records.map((r) => `${r.outcome} ${r.reason}`), [
      "nacked dead-letter-publish-failed",
    ]);
    assert.deepEqual(calls, [idOf(a1!)], "a2 waits: a1 comes back and must run first");
    assert.deepEqual(settled, [`nack ${a1!.id}`]);
    delete deadLetterTopic.failWith;
    dispatcher.dispatch(redelivered(a1!, settled));
    await clock.tickAsync(0);
    assert.deepEqual(calls, [idOf(a1!), idOf(a1!), idOf(a2!)], "a1 again, then a2");
    assert.equal(published.length, 1);
    assert.deepEqual(settled.slice(1), [`ack ${a1!.id}`, `ack ${a2!.id}`]);
    dispatcher.close();
  });
});

Deno.test("Dispatcher keeps an event's failed runs when its dead-letter copy could not be published", async () => {
  await withFakeClock(async (clock) => {
    const settled: string[] = [];
    const [a1] = userEvents(1, settled);
    const calls: string[] = [];
    const { dispatcher, records, published, deadLetterTopic } = harness(
      failingFirst(a1!, 99, calls),
    );
    dispatcher.dispatch(a1!);
    await clock.tickAsync(2000); // four failed runs: back to Pub/Sub
    deadLetterTopic.failWith = 14;
    const second = redelivered(a1!, settled);
    dispatcher.dispatch(second);
    await clock.tickAsync(0); // the fifth: dead-lettered, but the copy is not published
    assert.deepEqual(records.map((r) => `${r.outcome} ${r.reason} ${r.failedRuns}`), [
      "nacked handler-failed 4",
      "nacked dead-letter-publish-failed 5",
    ]);
    delete deadLetterTopic.failWith;
    dispatcher.dispatch(redelivered(second, settled));
    await clock.tickAsync(0);
    assert.equal(calls.length, 6, "one more run, not five");
    assert.equal(records.at(-1)?.outcome, "dead-lettered");
    assert.equal(published.length, 1);
    dispatcher.close();
  });
});

Deno.test("Dispatcher dead-letters an event once when Pub/Sub delivers it again while it is retried in place on its last delivery", async () => {
  await withFakeClock(async (clock) => {
    const settled: string[] = [];
    const message = fakeMessage(fakeEvent(), settled, 5); // the subscription's last delivery
    let calls = 0;
    const failing: Handler = () => {
      calls++;
      return Promise.reject(new RetryableError("answered 500"));
    };
    const { dispatcher, records, published } = harness(failing, config({ keyFrom: undefined }));
    dispatcher.dispatch(message);
    await clock.tickAsync(0); // two failed runs (the retry at once), then a 1 s backoff
    assert.equal(calls, 2);
    // Its lease lapsed on the server meanwhile (say): Pub/Sub delivers it again.
    const copy = redelivered(message, settled);
    dispatcher.dispatch(copy);
    await clock.tickAsync(20_000);
    assert.equal(published.length, 1, "one copy on the dead-letter topic");
    assert.deepEqual(
      records.map((r) => `${r.outcome} ${r.reason}`),
      ["dead-lettered max-attempts", "duplicate already-dead-lettered"],
    );
    assert.equal(calls, 5, "five failed runs in all, none after the dead-letter");
    assert.deepEqual(settled.sort(), [`ack ${message.id}`, `ack ${message.id}`]);
    dispatcher.close();
  });
});

/** Two events of one key whose handler rejects the first (`detail`) and records every call. */
function firstOfKeyRejected(detail: string) {
  const settled: string[] = [];
  const [a1, a2] = userEvents(2, settled);
  const calls: string[] = [];
  const rejecting: Handler = (event) => {
    calls.push(event.eventID);
    return event.eventID === idOf(a1!)
      ? Promise.reject(new RejectedError(`the service ${detail}`))
      : Promise.resolve();
  };
  return { settled, a1: a1!, a2: a2!, calls, rejecting };
}
