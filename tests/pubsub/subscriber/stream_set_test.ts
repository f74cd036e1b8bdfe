/** StreamSet: shares of the flow control, round-robin writes, keep-alives with the lease. */
import assert from "node:assert/strict";
import { MAX_MESSAGE_BYTES, StreamSet } from "../../../src/pubsub/subscriber/stream_set.ts";
import { FakeApi } from "../../support/fake_pubsub.ts";
import { withFakeClock } from "../../support/clock.ts";

function open(streams: number, seconds: () => number = () => 10) {
  const api = new FakeApi();
  const set = new StreamSet(api, {
    subscription: "projects/p/subscriptions/s",
    streams,
    serverWindow: 30,
    maxBytes: 3 * MAX_MESSAGE_BYTES,
    seconds,
  }, { messages() {}, ended() {}, unsent() {} });
  set.open();
  return { api, set };
}

Deno.test("StreamSet gives each stream its share of the window and bytes, and a client ID of its own", async () => {
  await withFakeClock(() => {
    const { api, set } = open(4);
    const first = api.calls.map((c) => c.writes[0]!);
    assert.deepEqual(
      first.map((w) => w.maxOutstandingMessages),
      [8, 8, 8, 8],
      "30 / 4, rounded up",
    );
    assert.ok(
      first.every((w) => w.maxOutstandingBytes === MAX_MESSAGE_BYTES),
      "at least one message",
    );
    assert.equal(new Set(first.map((w) => w.clientId)).size, 4);
    set.streams.forEach((s) => s.close());
    return Promise.resolve();
  });
});

Deno.test("StreamSet writes round robin, skipping a stream that cannot take it", async () => {
  await withFakeClock(() => {
    const { api, set } = open(3);
    set.streams[1]!.close();
    for (const id of ["a", "b", "c"]) assert.equal(set.writeOnAny({ ackIds: [id] }), true);
    const acks = api.calls.map((c) => c.writes.slice(1).map((w) => w.ackIds?.[0]));
    assert.deepEqual(acks, [["a", "c"], [], ["b"]]);
    set.streams.forEach((s) => s.close());
    assert.equal(set.writeOnAny({ ackIds: ["d"] }), false, "no stream open");
    return Promise.resolve();
  });
});

Deno.test("StreamSet's keep-alive every 30 s carries the lease only when it changed", async () => {
  await withFakeClock(() => {
    let seconds = 10;
    const { api, set } = open(1, () => seconds);
    set.keepAlive(29_999);
    assert.equal(api.calls[0]!.writes.length, 1, "not yet");
    set.keepAlive(30_000);
    seconds = 60;
    set.keepAlive(60_000);
    assert.deepEqual(api.calls[0]!.writes.slice(1), [{}, { streamAckDeadlineSeconds: 60 }]);
    set.streams.forEach((s) => s.close());
    return Promise.resolve();
  });
});
