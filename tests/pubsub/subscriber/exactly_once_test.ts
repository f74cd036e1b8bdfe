/**
 * The subscriber on an exactly-once subscription (its responses say so), on a fake of the
 * generated client with a fake clock: leases of 60 s at least, receipts confirmed before a
 * message is handed over, acks as RPCs whose results are Pub/Sub's per-ack-ID answers,
 * transient failures retried 1 s doubling to 64 s for at most 10 minutes.
 */
import assert from "node:assert/strict";
import { withFakeClock } from "../../support/clock.ts";
import { protos, startSubscriber } from "../../support/fake_pubsub.ts";

const INVALID = "PERMANENT_FAILURE_INVALID_ACK_ID";
const TRANSIENT = "TRANSIENT_FAILURE_UNORDERED_ACK_ID";

Deno.test("Subscriber on exactly-once: 60 s leases, a receipt confirmed before the handler, a refused one dropped", async () => {
  await withFakeClock(async (clock) => {
    const { api, subscriber, received } = startSubscriber();
    const batch = protos(3);
    api.failing.set(batch[1]!.ackId!, [INVALID]);
    api.calls[0]?.deliver(batch, true);
    assert.deepEqual(api.calls[0]?.writes.at(-1), { streamAckDeadlineSeconds: 60 });
    assert.equal(received.length, 0, "nothing handed over before Pub/Sub confirmed the receipt");
    await clock.tickAsync(0);
    assert.deepEqual(api.modacks, [{ ackIds: batch.map((p) => p.ackId), seconds: 60 }]);
    assert.deepEqual(received.map((m) => m.ackId), [batch[0]!.ackId, batch[2]!.ackId]);
    assert.ok(received.every((m) => m.exactlyOnce));
    assert.equal(subscriber.stats.receiptsRefused, 1);
    assert.equal(subscriber.stats.leased, 2, "the refused one is not held");
    assert.equal(subscriber.stats.ackDeadlineSeconds, 60);
    for (const m of received) void m.ack();
    await clock.tickAsync(20);
    await subscriber.close();
  });
});

Deno.test("Subscriber on exactly-once: acks are RPCs, each resolved with Pub/Sub's answer", async () => {
  await withFakeClock(async (clock) => {
    const { api, subscriber, received } = startSubscriber(); // --ack-via stream: RPCs all the same
    const batch = protos(3);
    api.calls[0]?.deliver(batch, true);
    await clock.tickAsync(0);
    api.failing.set(batch[0]!.ackId!, [TRANSIENT]);
    api.failing.set(batch[1]!.ackId!, [INVALID]);
    const results = received.map((m) => m.ack());
    await clock.tickAsync(10);
    assert.ok(api.calls[0]?.writes.every((w) => !w.ackIds), "no ack on a stream");
    const [retried, refused, acked] = [results[0]!, results[1]!, results[2]!];
    assert.deepEqual(await acked, { ok: true });
    const answer = await refused;
    assert.equal(answer.ok === false && answer.reason, "invalid-ack-id");
    assert.equal(api.acks.length, 1);
    await clock.tickAsync(999);
    assert.equal(api.acks.length, 1, "a transient failure waits 1 s");
    await clock.tickAsync(1);
    assert.deepEqual(api.acks[1], [batch[0]!.ackId]);
    assert.deepEqual(await retried, { ok: true });
    await subscriber.close();
  });
});

Deno.test("Subscriber on exactly-once: retries 1 s doubling to 64 s, then unconfirmed after 10 minutes", async () => {
  await withFakeClock(async (clock) => {
    const { api, subscriber, received } = startSubscriber();
    const [proto] = protos(1);
    api.calls[0]?.deliver([proto!], true);
    await clock.tickAsync(0);
    const attempts: number[] = [];
    const acknowledge = api.acknowledge.bind(api);
    api.acknowledge = (subscription, ids) => {
      attempts.push(Math.round(performance.now() / 1000));
      api.failing.set(proto!.ackId!, [TRANSIENT]); // every ack fails for now
      return acknowledge(subscription, ids);
    };
    const start = Math.round(performance.now() / 1000);
    const result = received[0]!.ack();
    await clock.tickAsync(11 * 60_000);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    assert.deepEqual(gaps.slice(0, 8), [1, 2, 4, 8, 16, 32, 64, 64]);
    assert.ok(attempts.at(-1)! - start <= 600, `last attempt ${attempts.at(-1)! - start}s in`);
    const answer = await result;
    assert.equal(answer.ok === false && answer.reason, "unconfirmed", JSON.stringify(answer));
    await subscriber.close();
  });
});

Deno.test("Subscriber on exactly-once: a refused extension loses the lease, which is extended no more", async () => {
  await withFakeClock(async (clock) => {
    const { api, subscriber, received } = startSubscriber();
    const [proto] = protos(1);
    api.calls[0]?.deliver([proto!], true);
    await clock.tickAsync(0);
    api.failing.set(proto!.ackId!, [INVALID]);
    await clock.tickAsync(56_000); // 60 s lease, extended 5 s before its end
    assert.equal(received[0]?.leaseLost, true);
    assert.equal(subscriber.stats.leasesLost, 1);
    const extensions = api.modacks.length;
    await clock.tickAsync(120_000);
    assert.equal(api.modacks.length, extensions, "not extended again");
    const acked = received[0]!.ack();
    await clock.tickAsync(20);
    assert.equal((await acked).ok, true, "this fake accepts it; the service would refuse it");
    await subscriber.close();
  });
});
