import assert from "node:assert/strict";
import { defaults } from "../../src/config/resolve.ts";
import { fakeEvent } from "../../src/event/payload.ts";
import { Tally } from "../../src/worker/tally.ts";
import type { Outcome } from "../../src/worker/pipeline.ts";
import { Settler } from "../../src/worker/settle.ts";
import { withFakeClock } from "../support/clock.ts";
import { fakeClient, fakeMessage, redelivered } from "../support/fake_messages.ts";
import type { PubSub } from "@google-cloud/pubsub";
import { waitFor } from "../support/wait.ts";

const config = { ...defaults(), subscription: "sub-a", deadLetterTopic: "dlt-a" };

function setup() {
  const published: { attributes: Record<string, string> }[] = [];
  const { client, state } = fakeClient(published);
  const tally = new Tally();
  return { settler: new Settler(client, config, tally), tally, published, state };
}

Deno.test("Settler acks a handled event and records it once", async () => {
  const { settler, tally } = setup();
  const settled: string[] = [];
  const message = fakeMessage(fakeEvent(), settled);
  const event = fakeEvent();
  await settler.settle(message, {
    action: "ack",
    event,
    eventID: event.eventID,
    handlerMs: 1,
  });
  assert.deepEqual(settled, [`ack ${message.id}`]);
  assert.equal(tally.counts.acked, 1);
});

Deno.test("Settler holds a Retry-After nack until its delay, and releases held ones at once on stop", async () => {
  await withFakeClock(async (clock) => {
    const { settler } = setup();
    const settled: string[] = [];
    const [first, second] = [fakeMessage("{}", settled), fakeMessage("{}", settled)];
    for (const message of [first, second]) {
      await settler.settle(message, throttled(message === first ? 2000 : 60_000));
    }
    await clock.tickAsync(1999);
    assert.deepEqual(settled, [], "held for its Retry-After");
    await clock.tickAsync(1);
    assert.deepEqual(settled, [`nack ${first.id}`]);
    assert.equal(settler.releaseDelayed(), 1);
    assert.deepEqual(settled, [`nack ${first.id}`, `nack ${second.id}`]);
  });
});

Deno.test("Settler acks a dead-lettered event only after its copy was published", async () => {
  const { settler, published, tally } = setup();
  const settled: string[] = [];
  const message = fakeMessage("not json", settled);
  await settler.settle(message, {
    action: "dead-letter",
    event: undefined,
    eventID: undefined,
    reason: "invalid-json",
    detail: "body is not JSON",
    handlerMs: undefined,
  });
  assert.equal(published.length, 1);
  assert.equal(published[0]?.attributes.reason, "invalid-json");
  assert.deepEqual(settled, [`ack ${message.id}`]);
  assert.equal(tally.counts["dead-lettered"], 1);
});

Deno.test("Settler nacks when the copy cannot be published: transient or for good", async () => {
  for (const [code, reason] of [[14, "dead-letter-publish-failed"], [3, "dead-letter-rejected"]]) {
    const settled: string[] = [];
    const records: string[] = [];
    const message = fakeMessage("not json", settled);
    const tally = new Tally();
    tally.onOutcome((r) => records.push(`${r.outcome} ${r.reason}`));
    const own = new Settler(fakeClientFailing(code as number), config, tally);
    await own.settle(message, {
      action: "dead-letter",
      event: undefined,
      eventID: undefined,
      reason: "invalid-json",
      detail: "x",
      handlerMs: undefined,
    });
    assert.deepEqual(settled, [`nack ${message.id}`], "never acked without its copy");
    assert.deepEqual(records, [`nacked ${reason}`]);
  }
});

function fakeClientFailing(code: number) {
  const { client, state } = fakeClient([]);
  state.failWith = code;
  return client;
}

Deno.test("Settler.abandon() nacks an undecided delivery and names its event when the body has an ID", () => {
  const records: string[] = [];
  const tally = new Tally();
  const own = new Settler(fakeClient([]).client, config, tally);
  tally.onOutcome((r) => records.push(`${r.outcome} ${r.eventID} ${r.reason}`));
  const settled: string[] = [];
  const event = fakeEvent();
  own.abandon(fakeMessage(event, settled), "shutting-down", new Error("the pool is closed"));
  own.abandon(fakeMessage("not json", settled), "shutting-down", new Error("the pool is closed"));
  assert.deepEqual(records, [
    `nacked ${event.eventID} shutting-down`,
    "nacked null shutting-down",
  ]);
  assert.equal(settled.length, 2);
});

const handled = (eventID: string) => ({ action: "ack" as const, event: {}, eventID, handlerMs: 1 });

Deno.test("Settler on exactly-once logs acked only once Pub/Sub confirmed the ack, else ack-failed", async () => {
  const { settler, tally } = setup();
  const records: string[] = [];
  tally.onOutcome((r) => records.push(`${r.outcome} ${r.reason ?? ""}`.trim()));
  const settled: string[] = [];
  const refused = { ok: false as const, reason: "invalid-ack-id" as const, detail: "expired" };
  const good = fakeMessage("{}", settled, 1, { exactlyOnce: true });
  const bad = fakeMessage("{}", settled, 1, { exactlyOnce: true, result: refused });
  await settler.settle(good, handled("e-1"));
  await settler.settle(bad, handled("e-2"));
  // Each line is written once Pub/Sub's answer to its ack arrived.
  await waitFor(() => records.length === 2, { timeoutMs: 1000, what: "both outcome lines" });
  assert.deepEqual(settled, [`ack ${good.id}`, `ack ${bad.id}`]);
  assert.deepEqual(records, ["acked", "ack-failed invalid-ack-id"]);
  assert.deepEqual([tally.counts.acked, tally.counts["ack-failed"]], [1, 1]);
});

Deno.test("Settler gives back what the subscriber gave up, and only logs a handler that ends later", async () => {
  const { settler, tally } = setup();
  const records: string[] = [];
  tally.onOutcome((r) => records.push(`${r.outcome} ${r.reason} ${r.eventID}`));
  const settled: string[] = [];
  const event = fakeEvent();
  const message = fakeMessage(event, settled);
  message.givenUp = "max-lease";
  settler.giveBack(message, "max-lease");
  await settler.settle(message, handled(event.eventID));
  assert.deepEqual(settled, [`nack ${message.id}`], "never acked after it was given back");
  assert.deepEqual(records, [`nacked max-lease ${event.eventID}`], "one outcome");
  assert.equal(tally.counts.acked, 0);
});

/** A client whose dead-letter publishes wait until the test settles them, recording each. */
function pendingPublishes() {
  const calls: { resolve: (id: string) => void; reject: (error: Error) => void }[] = [];
  const client = {
    topic: () => ({
      publishMessage: () =>
        new Promise<string>((resolve, reject) => void calls.push({ resolve, reject })),
    }),
  } as unknown as PubSub;
  return { client, calls };
}

const rejected = (eventID: string) => ({
  action: "dead-letter" as const,
  event: {},
  eventID,
  reason: "rejected" as const,
  detail: "the service answered 422",
  handlerMs: 1,
});

Deno.test("Settler writes one outcome when a message is given back while its dead-letter copy is published, and no second copy", async () => {
  const { client, calls } = pendingPublishes();
  const tally = new Tally();
  const records: string[] = [];
  tally.onOutcome((r) => records.push(`${r.outcome} ${r.reason}`));
  const settler = new Settler(client, config, tally);
  const settled: string[] = [];
  const event = fakeEvent();
  const message = fakeMessage(event, settled);
  const settling = settler.settle(message, rejected(event.eventID));
  message.givenUp = "max-lease"; // --max-lease passes while the copy is on its way
  settler.giveBack(message, "max-lease");
  calls[0]!.resolve("1");
  await settling;
  assert.deepEqual(records, ["nacked max-lease"], "one outcome, the true one");
  assert.deepEqual(settled, [`nack ${message.id}`]);
  // Pub/Sub delivers it again; it is rejected again: acked, its copy not published twice.
  const again = redelivered(message, settled);
  await settler.settle(again, rejected(event.eventID));
  assert.equal(calls.length, 1, "one copy on the dead-letter topic");
  assert.deepEqual(records.slice(1), ["dead-lettered rejected"]);
  assert.deepEqual(settled.slice(1), [`ack ${message.id}`]);

  // A publish that fails after the give-back: still one outcome.
  const other = fakeMessage(fakeEvent(), settled);
  const failing = settler.settle(other, rejected("e-2"));
  other.givenUp = "shutting-down";
  settler.giveBack(other, "shutting-down");
  calls[1]!.reject(Object.assign(new Error("unavailable"), { code: 14 }));
  await failing;
  assert.deepEqual(records.slice(2), ["nacked shutting-down"]);
});

Deno.test("Settler writes one nacked line for a Retry-After hold given back at --max-lease", async () => {
  await withFakeClock(async (clock) => {
    const { settler, tally } = setup();
    const records: string[] = [];
    tally.onOutcome((r) => records.push(`${r.outcome} ${r.reason}`));
    const settled: string[] = [];
    const message = fakeMessage("{}", settled);
    await settler.settle(message, throttled(60_000));
    await clock.tickAsync(30_000);
    message.givenUp = "max-lease";
    settler.giveBack(message, "max-lease");
    assert.deepEqual(settled, [`nack ${message.id}`], "nacked at the give-back");
    assert.deepEqual(records, ["nacked handler-failed"], "its line was written at the decision");
    assert.equal(settler.releaseDelayed(), 0, "no longer held");
    await clock.tickAsync(60_000);
    assert.deepEqual(settled, [`nack ${message.id}`]);
  });
});

Deno.test("Settler.settle() resolves with what it did: acked, or nacked when the outcome could not take", async () => {
  const { settler, state } = setup();
  const event = fakeEvent();
  assert.equal(await settler.settle(fakeMessage(event, []), handled(event.eventID)), "acked");
  assert.equal(await settler.settle(fakeMessage(event, []), rejected(event.eventID)), "acked");
  const failed = {
    action: "nack" as const,
    event: {},
    eventID: event.eventID,
    reason: "handler-failed" as const,
    error: new Error("500"),
    handlerMs: 1,
  };
  assert.equal(await settler.settle(fakeMessage(event, []), failed), "nacked");
  const givenBack = fakeMessage(event, []);
  givenBack.givenUp = "max-lease";
  settler.giveBack(givenBack, "max-lease");
  assert.equal(await settler.settle(givenBack, handled(event.eventID)), "nacked");
  state.failWith = 14;
  assert.equal(
    await settler.settle(fakeMessage(event, []), rejected(event.eventID)),
    "nacked",
    "its dead-letter copy not published",
  );
});

/** A failed run the service throttled: nacked after a Retry-After of `delayMs`. */
function throttled(delayMs: number): Outcome {
  return {
    action: "nack",
    event: {},
    eventID: undefined,
    reason: "handler-failed",
    error: new Error("429"),
    handlerMs: 1,
    delayMs,
  };
}
