/**
 * The subscriber's leases as the server sees them, on a fake of the generated client with a
 * fake clock: a receipt for each response, extensions before the deadline the server gave,
 * acks and deadline changes never lost with a stream, what it gives up handed to its owner, a
 * bounded close.
 */
import assert from "node:assert/strict";
import type { AckResult } from "../../../src/pubsub/subscriber/ack_result.ts";
import { withFakeClock } from "../../support/clock.ts";
import { protos, startSubscriber } from "../../support/fake_pubsub.ts";

Deno.test("Subscriber tells Pub/Sub each response's lease at once, in one write", async () => {
  await withFakeClock(async () => {
    const { api, subscriber } = start();
    const batch = protos(3);
    api.calls[0]?.deliver(batch);
    const receipt = api.calls[0]?.writes.at(-1);
    assert.deepEqual(receipt?.modifyDeadlineAckIds, batch.map((p) => p.ackId));
    assert.deepEqual(receipt?.modifyDeadlineSeconds, [10, 10, 10]);
    await subscriber.close();
  });
});

Deno.test("Subscriber extends every lease before the deadline the server gave, as handler times grow", async () => {
  await withFakeClock(async (clock) => {
    const { api, subscriber, received } = start();
    // The server's deadline for an ack ID: its last deadline change plus its seconds.
    const granted = new Map<string, number>();
    const now = () => performance.now();
    let writes = 0;
    let rpcs = 0;
    const watch = () => {
      const call = api.calls[0]!;
      const changes = [
        ...call.writes.slice(writes).flatMap((w) =>
          (w.modifyDeadlineAckIds ?? []).map((id, i) => [id, w.modifyDeadlineSeconds![i]!] as const)
        ),
        ...api.modacks.slice(rpcs).flatMap((m) => m.ackIds.map((id) => [id, m.seconds] as const)),
      ];
      writes = call.writes.length;
      rpcs = api.modacks.length;
      for (const [id, seconds] of changes) granted.set(id, now() + seconds * 1000);
    };
    api.calls[0]?.deliver(protos(4));
    watch();
    for (let s = 0; s < 20; s++) {
      await clock.tickAsync(1000);
      watch();
    }
    for (const m of received) void m.ack(); // held 20 s: leases are now asked for 20 s
    await clock.tickAsync(6000);
    api.calls[0]?.deliver(protos(4));
    watch();
    const later = received.slice(4);
    const asked = subscriber.stats.ackDeadlineSeconds;
    assert.ok(asked >= 20, `leases asked for ${asked} s`);
    assert.deepEqual(api.calls[0]?.writes.at(-1)?.modifyDeadlineSeconds, [
      asked,
      asked,
      asked,
      asked,
    ]);
    for (let s = 0; s < 45; s++) {
      await clock.tickAsync(1000);
      watch();
      for (const m of later) {
        assert.ok(granted.get(m.ackId)! > now(), `lease of ${m.ackId} still granted at ${s}s`);
      }
    }
    for (const m of later) void m.ack();
    await subscriber.close();
  });
});

Deno.test("Subscriber sends again by RPC the acks and deadline changes written to a stream that ended", async () => {
  await withFakeClock(async (clock) => {
    const { api, subscriber, received } = start();
    api.calls[0]?.deliver(protos(2));
    void received[0]?.ack();
    await clock.tickAsync(10);
    assert.ok(api.calls[0]?.writes.some((w) => w.ackIds?.includes(received[0]!.ackId)));
    assert.deepEqual(api.acks, [], "sent on the stream");
    api.calls[0]?.fail(14); // ended before the server read it (for all we know)
    await clock.tickAsync(0);
    assert.deepEqual(api.acks, [[received[0]?.ackId]], "the ack again, by RPC");
    assert.deepEqual(
      api.modacks.map((m) => [m.ackIds.length, m.seconds]),
      [[2, 10]],
      "the receipt",
    );
    void received[1]?.ack();
    await subscriber.close();
  });
});

Deno.test("Subscriber keeps extending an acked message's lease while its ack is retried", async () => {
  await withFakeClock(async (clock) => {
    const { api, subscriber, received } = start({ ackVia: "rpc" });
    api.ackFailures = [14, 14, 14, 14, 14, 14];
    api.calls[0]?.deliver(protos(1));
    const result = received[0]!.ack();
    await clock.tickAsync(8_000);
    assert.equal(subscriber.stats.leased, 0, "it left the window at once");
    const extended = api.modacks.filter((m) =>
      m.seconds === 10 && m.ackIds[0] === received[0]?.ackId
    );
    assert.ok(extended.length >= 2, "receipt and extension while the ack is retried");
    await clock.tickAsync(60_000);
    assert.deepEqual(await result, { ok: true });
    await subscriber.close();
  });
});

Deno.test("Subscriber gives a message past --max-lease to its owner, who settles it", async () => {
  await withFakeClock(async (clock) => {
    const { api, subscriber, received, givenUp } = start({ maxLeaseMs: 60_000 }, true);
    api.calls[0]?.deliver(protos(1));
    await clock.tickAsync(61_000);
    assert.deepEqual(givenUp.map(([m, r, h]) => [m.id, r, h]), [[
      received[0]?.id,
      "max-lease",
      true,
    ]]);
    assert.equal(received[0]?.givenUp, "max-lease");
    await clock.tickAsync(20);
    assert.equal(api.deadlines().filter(([, s]) => s === 0).length, 1, "nacked once, by the owner");
    const late = await received[0]!.ack();
    assert.equal(late.ok, false, "a late ack does nothing");
    await subscriber.close();
  });
});

Deno.test("Subscriber gives up what arrives as it stops pulling, never handed over", async () => {
  await withFakeClock(async (clock) => {
    const { api, subscriber, received, givenUp } = start({}, true);
    const stopping = subscriber.stopPulling();
    api.calls[0]?.deliver(protos(2));
    await clock.tickAsync(20);
    await stopping;
    assert.equal(received.length, 0);
    assert.deepEqual(givenUp.map(([, r, h]) => [r, h]), [["shutting-down", false], [
      "shutting-down",
      false,
    ]]);
    await subscriber.close();
  });
});

Deno.test("Subscriber.close() gives up at its deadline when Pub/Sub does not answer", async () => {
  await withFakeClock(async (clock) => {
    const { api, subscriber, received } = start({ ackVia: "rpc" });
    api.calls[0]?.deliver(protos(2));
    api.hang = true;
    const result = received[0]!.ack();
    let closed = false;
    const closing = subscriber.close(performance.now() + 5000).then(() => (closed = true));
    await clock.tickAsync(4900);
    assert.equal(closed, false, "waits for the answers until the deadline");
    await clock.tickAsync(200);
    assert.equal(closed, true);
    await closing;
    const answer: AckResult = await result;
    assert.equal(answer.ok === false && answer.reason, "unconfirmed");
  });
});

function start(options: Parameters<typeof startSubscriber>[0] = {}, settleGiveUps = false) {
  return startSubscriber(options, { settleGiveUps });
}
