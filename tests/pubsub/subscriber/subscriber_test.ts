/** The subscriber on a fake of the generated client, with a fake clock. */
import assert from "node:assert/strict";
import type { ReceivedMessage } from "../../../src/pubsub/subscriber/message.ts";
import {
  MAX_MESSAGE_BYTES,
  Subscriber,
  type SubscriberOptions,
  type SubscriberReport,
  SubscriptionUnusableError,
} from "../../../src/pubsub/subscriber/subscriber.ts";
import { type FakeClock, withFakeClock } from "../../support/clock.ts";
import { FakeApi, protos, SUBSCRIBER_OPTIONS } from "../../support/fake_pubsub.ts";

const OPTIONS: SubscriberOptions = SUBSCRIBER_OPTIONS;

function start(options: Partial<SubscriberOptions> = {}, keyed = false) {
  const api = new FakeApi();
  const received: ReceivedMessage[] = [];
  const fatal: Error[] = [];
  const reports: SubscriberReport[] = [];
  const subscriber = new Subscriber(api, { ...OPTIONS, ...options }, {
    message: (m) => received.push(m),
    fatal: (e) => fatal.push(e),
    report: (r) => reports.push(r),
  });
  subscriber.open({ keyed });
  return { api, subscriber, received, fatal, reports };
}

const tick = (clock: FakeClock, ms: number) => clock.tickAsync(ms);

/** The installed fake clock (withFakeClock's), for helpers that need it. */
let installed: FakeClock | undefined;
function clock(): FakeClock {
  return installed as FakeClock;
}
async function faked(fn: (clock: FakeClock) => Promise<void>) {
  await withFakeClock(async (c) => {
    installed = c;
    await fn(c);
  });
}

Deno.test("Subscriber opens each stream with the subscription, a stable client ID and its flow share", async () => {
  await faked(async () => {
    const { api, subscriber } = start({ streams: 2, window: 100 });
    assert.equal(api.calls.length, 2);
    const [first, second] = api.calls.map((c) => c.writes[0]);
    assert.equal(first?.subscription, OPTIONS.subscription);
    assert.equal(first?.maxOutstandingMessages, 50);
    assert.equal(first?.maxOutstandingBytes, 32 * 1024 * 1024, "its share of the byte budget");
    assert.equal(first?.streamAckDeadlineSeconds, 10, "the minimum until handlers were timed");
    assert.match(first?.clientId ?? "", /-0$/);
    assert.equal(second?.clientId, first?.clientId?.replace(/-0$/, "-1"));
    api.calls[0]?.fail(14); // UNAVAILABLE: reopened with the same client ID
    await tick(clock(), 100);
    assert.equal(api.calls[2]?.writes[0]?.clientId, first?.clientId);
    await subscriber.close();
  });
});

Deno.test("Subscriber leaves every stream room for one message at Pub/Sub's 10 MB limit", async () => {
  await faked(async () => {
    const { api, subscriber } = start({ streams: 10 });
    for (const call of api.calls) {
      assert.equal(call.writes[0]?.maxOutstandingBytes, MAX_MESSAGE_BYTES, "not 6.4 MiB");
    }
    await subscriber.close();
  });
});

Deno.test("Subscriber extends a message held 3× the ack deadline before each deadline passes", async () => {
  await faked(async (clock) => {
    const { api, subscriber, received } = start();
    api.calls[0]?.deliver(protos(1));
    const message = received[0] as ReceivedMessage;
    // Held 3 × the 10 s deadline: extended every time its lease nears its end.
    const extensions: number[] = [];
    for (let s = 1; s <= 30; s++) {
      await tick(clock, 1000);
      const now = api.deadlines().filter(([id]) => id === message.ackId).length;
      if (now > extensions.length) extensions.push(s);
      assert.ok(message.leasedUntil > performance.now(), `still leased at ${s}s`);
    }
    assert.ok(extensions.length >= 3, `extended at ${extensions.join(", ")} s`);
    assert.ok(api.deadlines().every(([, seconds]) => seconds === 10));
    message.ack();
    await tick(clock, 20);
    assert.deepEqual(api.acked(), [message.ackId]);
    assert.equal(subscriber.stats.leased, 0);
    await subscriber.close();
  });
});

Deno.test("Subscriber gives a message up after --max-lease: nacked and counted", async () => {
  await faked(async (clock) => {
    const { api, subscriber, received, reports } = start({ maxLeaseMs: 5 * 60_000 });
    api.calls[0]?.deliver(protos(1));
    await tick(clock, 5 * 60_000 + 1000);
    const message = received[0] as ReceivedMessage;
    assert.equal(message.settled, true);
    assert.deepEqual(reports.filter((r) => r.kind === "lease-expired"), [
      { kind: "lease-expired", messageId: message.id, maxLeaseMs: 5 * 60_000 },
    ]);
    assert.deepEqual(api.deadlines().filter(([, s]) => s === 0).map(([id]) => id), [message.ackId]);
    assert.equal(subscriber.stats.expired, 1);
    message.ack(); // the handler finishing later changes nothing
    await tick(clock, 20);
    assert.deepEqual(api.acked(), []);
    await subscriber.close();
  });
});

Deno.test("Subscriber stops reading at the window: streams pause, and resume a tenth below it", async () => {
  await faked(async (clock) => {
    const { api, subscriber, received } = start({ window: 20 });
    const call = api.calls[0]!;
    assert.equal(call.writes[0]?.maxOutstandingMessages, 20, "the server is told the window");
    call.deliver(protos(20));
    assert.equal(call.paused, true, "paused at the window");
    call.deliver(protos(2)); // what the server had in flight: not read while paused
    assert.equal(received.length, 20, "nothing more handed over");
    received[0]?.ack();
    assert.equal(call.paused, true, "one settle is not room enough: still paused");
    assert.equal(received.length, 20);
    received[1]?.ack();
    assert.equal(received.length, 22, "a tenth of the window free: resumed and read");
    assert.equal(call.paused, true, "and paused again at the window");
    for (const m of received.slice(2)) m.ack();
    assert.equal(call.paused, false);
    assert.equal(subscriber.stats.leased, 0);
    await tick(clock, 20);
    await subscriber.close();
  });
});

Deno.test("Subscriber holds messages waiting for their key beyond the window, up to the allowance", async () => {
  await faked(async (clock) => {
    const { api, subscriber, received } = start({ window: 4, maxWaiting: 6 }, true);
    const call = api.calls[0]!;
    assert.equal(call.writes[0]?.maxOutstandingMessages, 10, "the server leaves room for both");
    call.deliver(protos(4));
    assert.equal(call.paused, true, "the window is full of ready messages");
    for (const m of received.slice(1)) m.wait(true); // three wait for the first one's key
    assert.equal(call.paused, false, "waiting ones leave the window: room for other keys");
    call.deliver(protos(3));
    assert.equal(call.paused, true, "1 ready + 3 more = the window again");
    assert.deepEqual([subscriber.stats.leased, subscriber.stats.waiting], [7, 3]);
    for (const m of received.slice(4)) m.wait(true);
    call.deliver(protos(1));
    assert.equal(call.paused, true, "6 waiting: the allowance is full");
    received[1]?.wait(false); // its turn: it counts in the window again
    received[1]?.ack();
    received[2]?.nack(); // a waiting message given back leaves the count too
    assert.equal(subscriber.stats.waiting, 4);
    assert.equal(call.paused, false);
    for (const m of received) m.ack();
    assert.deepEqual([subscriber.stats.leased, subscriber.stats.waiting], [0, 0]);
    await tick(clock, 20);
    await subscriber.close();
  });
});

Deno.test("Subscriber tells the server the window alone when the work is not keyed", async () => {
  await faked(async () => {
    const { api, subscriber } = start({ window: 4, maxWaiting: 6 });
    assert.equal(api.calls[0]?.writes[0]?.maxOutstandingMessages, 4);
    await subscriber.close();
  });
});

Deno.test("Subscriber reopens with backoff after errors, at once after a planned end", async () => {
  await faked(async (clock) => {
    const { api, subscriber } = start();
    api.calls[0]?.fail(14);
    await tick(clock, 99);
    assert.equal(api.calls.length, 1, "not before 100 ms");
    await tick(clock, 1);
    assert.equal(api.calls.length, 2);
    api.calls[1]?.fail(14);
    await tick(clock, 199);
    assert.equal(api.calls.length, 2, "backoff doubled");
    await tick(clock, 1);
    assert.equal(api.calls.length, 3);
    api.calls[2]?.fail(4); // DEADLINE_EXCEEDED: its planned end
    await tick(clock, 0);
    assert.equal(api.calls.length, 4, "reopened at once");
    assert.equal(subscriber.stats.reconnects, 3);
    await subscriber.close();
  });
});

Deno.test("Subscriber reports a subscription it cannot consume at start as fatal", async () => {
  await faked(async (clock) => {
    const { api, fatal } = start();
    api.calls[0]?.fail(5, "Subscription does not exist");
    await tick(clock, 1000);
    assert.match(fatal[0]?.message ?? "", /cannot be consumed \(Subscription does not exist\)/);
    assert.ok(fatal[0] instanceof SubscriptionUnusableError, "a typed error the owner words");
    assert.equal(fatal[0].code, 5);
    assert.equal(api.calls.length, 1, "not reopened");
  });
});

Deno.test("Subscriber.hold() pauses every stream whatever the window, and hold(false) resumes", async () => {
  await faked(async (clock) => {
    const { api, subscriber, received } = start({ streams: 2 });
    subscriber.hold(true);
    assert.deepEqual(api.calls.map((c) => c.paused), [true, true]);
    api.calls[0]?.deliver(protos(1)); // on its way: read once the hold is lifted
    assert.equal(received.length, 0);
    subscriber.hold(false);
    assert.deepEqual(api.calls.map((c) => c.paused), [false, false]);
    assert.equal(received.length, 1);
    received[0]?.ack();
    await tick(clock, 20);
    await subscriber.close();
  });
});

Deno.test("Subscriber held before it opens opens its streams paused", async () => {
  await faked(async (clock) => {
    const api = new FakeApi();
    const received: ReceivedMessage[] = [];
    const subscriber = new Subscriber(api, OPTIONS, {
      message: (m) => received.push(m),
      fatal: (e) => assert.fail(e),
      report: () => {},
    });
    subscriber.hold(true);
    subscriber.open();
    assert.equal(api.calls[0]?.paused, true);
    api.calls[0]?.deliver(protos(1));
    assert.equal(received.length, 0, "nothing read while held");
    subscriber.hold(false);
    assert.equal(received.length, 1);
    received[0]?.ack();
    await tick(clock, 20);
    await subscriber.close();
  });
});

Deno.test("Subscriber's watchdog reopens a stream quiet for 60 s while there is room", async () => {
  await faked(async (clock) => {
    const { api, subscriber, reports } = start();
    await tick(clock, 59_000);
    assert.equal(api.calls.length, 1);
    assert.deepEqual(reports, []);
    await tick(clock, 2_000);
    assert.equal(api.calls.length, 2);
    assert.equal(api.calls[0]?.cancelled, true);
    assert.equal(subscriber.stats.watchdogReopens, 1);
    assert.deepEqual(reports, [{ kind: "stream-quiet", index: 0, quietMs: 60_000, reopens: 1 }]);
    await subscriber.close();
  });
});

Deno.test("Subscriber sends a keep-alive on every stream every 30 s", async () => {
  await faked(async (clock) => {
    const { api, subscriber } = start({ streams: 2, watchdogMs: 3_600_000 });
    await tick(clock, 30_000);
    for (const call of api.calls) assert.equal(call.writes.length, 2, "the open, then a ping");
    await subscriber.close();
  });
});

Deno.test("Subscriber.close() stops pulling, nacks what is held, sends every ack: nothing leased", async () => {
  await faked(async () => {
    const { api, subscriber, received } = start();
    api.calls[0]?.deliver(protos(3));
    received[0]?.ack();
    const nacked = await subscriber.close();
    assert.equal(nacked, 2);
    assert.equal(api.calls[0]?.ended, true, "half-closed: the server ends the stream");
    assert.deepEqual(api.acked(), [received[0]?.ackId]);
    const zero = api.deadlines().filter(([, s]) => s === 0).map(([id]) => id).sort();
    assert.deepEqual(zero, [received[1]?.ackId, received[2]?.ackId].sort());
    assert.equal(subscriber.stats.leased, 0);
    api.calls[0]?.deliver(protos(1)); // a late response after close is not handed over
    assert.equal(received.length, 3);
  });
});

Deno.test("Subscriber.stopPulling() drains a stream: what was on its way is nacked, not handed over", async () => {
  await faked(async (clock) => {
    const { api, subscriber, received } = start({ window: 2 });
    const call = api.calls[0]!;
    call.deliver(protos(2));
    assert.equal(call.paused, true);
    const late = protos(3);
    call.deliver(late); // buffered by HTTP/2 while paused
    const stopping = subscriber.stopPulling();
    await tick(clock, 20);
    await stopping;
    assert.equal(received.length, 2, "nothing new handed over");
    const zero = api.deadlines().filter(([, s]) => s === 0).map(([id]) => id).sort();
    assert.deepEqual(zero, late.map((p) => p.ackId).sort(), "the late ones nacked at once");
    await subscriber.close();
  });
});

Deno.test("Subscriber sends one stream write per batch, paused streams included (no RPC)", async () => {
  await faked(async (clock) => {
    const { api, subscriber, received } = start({ streams: 2, window: 4 });
    api.calls[0]?.deliver(protos(1));
    api.calls[1]?.deliver(protos(1));
    for (const m of received) m.ack();
    await tick(clock, 10);
    const batches = api.calls.flatMap((c) => c.writes.filter((w) => w.ackIds));
    assert.equal(batches.length, 1, "acks of both streams in one write");
    assert.deepEqual(batches[0]?.ackIds, received.map((m) => m.ackId));
    received.length = 0;
    api.calls[0]?.deliver(protos(4)); // the window is full: every stream pauses
    assert.equal(api.calls[1]?.paused, true);
    await tick(clock, 6000); // their leases near their end while still paused
    const extended = api.calls.flatMap((c) =>
      c.writes.filter((w) => w.modifyDeadlineSeconds?.[0] !== 0 && w.modifyDeadlineAckIds)
    ).flatMap((w) => w.modifyDeadlineAckIds ?? []);
    const ids = received.map((m) => m.ackId);
    assert.ok(
      ids.every((id) => extended.filter((e) => e === id).length >= 2),
      "received and extended on a paused stream (pausing stops reading, not writing)",
    );
    for (const m of received) m.ack();
    await tick(clock, 10);
    assert.deepEqual(api.modacks, [], "no ModifyAckDeadline call");
    assert.deepEqual(
      api.calls.flatMap((c) => c.writes.filter((w) => w.ackIds)).at(-1)?.ackIds,
      ids,
      "acked in one stream write",
    );
    assert.deepEqual(api.acks, [], "no Acknowledge call");
    assert.equal(subscriber.stats.leased, 0);
    await subscriber.close();
  });
});

Deno.test("Subscriber acks by RPC when asked, and retries a batch on a transient code", async () => {
  await faked(async (clock) => {
    const { api, subscriber, received } = start({ ackVia: "rpc" });
    api.ackFailures = [14];
    api.calls[0]?.deliver(protos(2));
    for (const m of received) m.ack();
    await tick(clock, 10);
    await tick(clock, 300);
    assert.deepEqual(api.acks, [received.map((m) => m.ackId)], "sent once it went through");
    assert.equal(subscriber.stats.ackFailures, 0);
    await subscriber.close();
  });
});

Deno.test("Subscriber keeps each stream's delivery order and the ordering key", async () => {
  await faked(async () => {
    const { api, subscriber, received } = start();
    const batch = protos(5, "user-1");
    api.calls[0]?.deliver(batch);
    assert.deepEqual(received.map((m) => m.ackId), batch.map((p) => p.ackId));
    assert.ok(received.every((m) => m.orderingKey === "user-1"));
    await subscriber.close();
  });
});

Deno.test("Subscriber turns broken after NOT_FOUND on three reopens in a row, slowly, once it worked", async () => {
  await faked(async (clock) => {
    const { api, subscriber, received } = start();
    api.calls[0]?.deliver(protos(1));
    received[0]?.ack();
    api.calls[0]?.fail(5, "Subscription does not exist");
    assert.equal(subscriber.broken, false);
    await tick(clock, 999);
    assert.equal(api.calls.length, 1, "a lasting code waits a second at least");
    await tick(clock, 1);
    api.calls[1]?.fail(5);
    await tick(clock, 2000);
    assert.equal(subscriber.broken, false, "two in a row");
    api.calls[2]?.fail(5);
    assert.equal(subscriber.broken, true, "three in a row");
    await tick(clock, 4000);
    api.calls[3]?.deliver(protos(1)); // it came back
    assert.equal(subscriber.broken, false);
    await subscriber.close();
  });
});

Deno.test("Subscriber with a window of one pauses at one and resumes when it is settled", async () => {
  await faked(async (clock) => {
    const { api, subscriber, received } = start({ window: 1 });
    const call = api.calls[0]!;
    call.deliver(protos(1));
    assert.equal(call.paused, true);
    call.deliver(protos(1));
    received[0]?.ack();
    assert.equal(received.length, 2, "resumed at an empty book");
    received[1]?.ack();
    assert.equal(subscriber.stats.leased, 0);
    await tick(clock, 20);
    await subscriber.close();
  });
});
