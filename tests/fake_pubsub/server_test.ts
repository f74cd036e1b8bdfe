/** The fake server through the package's own clients: resources, streams, deadlines, limits. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createClient } from "../../src/pubsub/client.ts";
import {
  generatedApi,
  type PullCall,
  type PullRequest,
  type PullResponse,
  type SubscriberApi,
} from "../../src/pubsub/subscriber/api.ts";
import { fakeConfig, type FakePubSub, fakeTest, fakeTopology } from "../support/fake_server.ts";
import { waitFor } from "../support/wait.ts";

/** A stream opened on `subscription`, with every response it received. */
function open(api: SubscriberApi, subscription: string, first: PullRequest = {}) {
  const call = api.streamingPull(60_000);
  const responses: PullResponse[] = [];
  const ended: { code?: number }[] = [];
  call.on("data", (r) => responses.push(r));
  call.on("error", (e) => ended.push({ code: e.code ?? 2 }));
  call.write({ subscription, streamAckDeadlineSeconds: 10, ...first });
  const messages = () => responses.flatMap((r) => r.receivedMessages ?? []);
  return { call, responses, ended, messages };
}

/** A topology on `fake` with `count` messages published, and clients to it. */
async function setUp(fake: FakePubSub, count: number) {
  const config = fakeConfig(fake);
  await fakeTopology(config);
  fake.publish(config.topic, Array.from({ length: count }, (_, i) => ({ data: `m${i}` })));
  const client = createClient(config);
  const api = generatedApi(client);
  const subscription = fake.name("subscriptions", config.subscription);
  const close = async () => {
    await api.close();
    await client.close();
  };
  return { config, client, api, subscription, close };
}

const ids = (messages: { ackId?: string | null }[]) => messages.map((m) => m.ackId ?? "");

fakeTest(
  "fake: setup creates the resources and reads back the service's defaults",
  async (fake) => {
    const config = fakeConfig(fake, { ackDeadline: 30_000 });
    await fakeTopology(config);
    const client = createClient(config);
    try {
      const [metadata] = await client.subscription(config.subscription).getMetadata();
      assert.equal(metadata.ackDeadlineSeconds, 30);
      assert.equal(metadata.deadLetterPolicy?.maxDeliveryAttempts, 5);
      assert.equal(metadata.enableExactlyOnceDelivery, false);
      await client.subscription(config.subscription).setMetadata({ ackDeadlineSeconds: 60 });
      assert.equal(fake.protoOf(config.subscription).ackDeadlineSeconds, 60);
      await assert.rejects(client.createTopic(config.topic), { code: 6 }); // ALREADY_EXISTS
      await assert.rejects(client.subscription("missing").getMetadata(), { code: 5 });
      await assert.rejects(
        client.subscription(config.subscription).setMetadata({ ackDeadlineSeconds: 5 }),
        { code: 3 },
      );
    } finally {
      await client.close();
    }
  },
);

fakeTest("fake: a stream gets at most its max outstanding messages until it acks", async (fake) => {
  const { api, subscription, close } = await setUp(fake, 5);
  try {
    const stream = open(api, subscription, { maxOutstandingMessages: 2 });
    await waitFor(() => stream.messages().length === 2, { what: "2 delivered" });
    // The server sends what fits as the stream opens: its record holds all it sent.
    assert.equal(fake.record.of("delivered").length, 2, "no more while 2 are outstanding");
    assert.equal(stream.responses[0]?.subscriptionProperties?.exactlyOnceDeliveryEnabled, false);
    stream.call.write({ ackIds: ids(stream.messages()).slice(0, 1) });
    await waitFor(() => stream.messages().length === 3, { what: "one more after an ack" });
    stream.call.write({
      modifyDeadlineAckIds: ids(stream.messages()).slice(1, 2),
      modifyDeadlineSeconds: [30],
    });
    // The server applies a request as it reads it, and sends what that frees at once.
    await waitFor(() => fake.record.of("extended").length === 1, { what: "the change read" });
    assert.equal(fake.record.of("delivered").length, 3, "a deadline change frees no room");
    assert.equal(fake.record.of("acked").length, 1);
    assert.equal(fake.record.of("extended")[0]?.seconds, 30);
    stream.call.cancel();
  } finally {
    await close();
  }
});

fakeTest(
  "fake: an expired delivery comes back with the next attempt and a new ack ID",
  async (fake) => {
    const { api, subscription, close } = await setUp(fake, 1);
    try {
      const stream = open(api, subscription);
      await waitFor(() => stream.messages().length === 1, { what: "delivered" });
      const first = stream.messages()[0]!;
      assert.equal(first.deliveryAttempt, 1);
      fake.advance(9_000);
      assert.equal(fake.record.of("expired").length, 0, "not before its 10 s");
      fake.advance(1_000 + 1); // at its deadline: expired; after the 1 s retry backoff, sent again
      fake.advance(1_000);
      await waitFor(() => stream.messages().length === 2, { what: "redelivered" });
      const second = stream.messages()[1]!;
      assert.equal(second.deliveryAttempt, 2);
      assert.notEqual(second.ackId, first.ackId);
      assert.equal(second.message?.messageId, first.message?.messageId);
      stream.call.write({ ackIds: [first.ackId ?? ""] }); // stale: no effect without exactly-once
      await waitFor(() => fake.record.of("ignored").length === 1, { what: "the stale ack seen" });
      assert.equal(fake.subscriptionOrFail(subscription).unacked, 1);
      stream.call.cancel();
    } finally {
      await close();
    }
  },
);

fakeTest(
  "fake: a deadline change moves the deadline; the stream's new deadline applies to later deliveries",
  async (fake) => {
    const { api, subscription, close } = await setUp(fake, 1);
    try {
      const stream = open(api, subscription);
      await waitFor(() => stream.messages().length === 1, { what: "delivered" });
      await api.modifyAckDeadline(subscription, ids(stream.messages()), 60);
      fake.advance(50_000);
      assert.equal(fake.record.of("expired").length, 0);
      fake.advance(10_001);
      assert.equal(fake.record.of("expired").length, 1);
      const writes = () => fake.record.requests("StreamingPull.write").length;
      const before = writes();
      stream.call.write({ streamAckDeadlineSeconds: 120 });
      await waitFor(() => writes() > before, { what: "the new stream deadline read" });
      fake.advance(1_000); // the retry backoff
      await waitFor(() => stream.messages().length === 2, { what: "redelivered" });
      fake.advance(119_000);
      assert.equal(fake.record.of("expired").length, 1, "the new delivery has 120 s");
      stream.call.cancel();
    } finally {
      await close();
    }
  },
);

fakeTest(
  "fake: limits: 2,500 ack IDs and 512 KiB per request, settings only on the first request",
  async (fake) => {
    const { api, subscription, client, config, close } = await setUp(fake, 1);
    try {
      const many = Array.from({ length: 2501 }, (_, i) => `id-${i}`);
      await assert.rejects(api.acknowledge(subscription, many), { code: 3 });
      const big = Array.from({ length: 2000 }, () => "x".repeat(300));
      await assert.rejects(api.acknowledge(subscription, big), { code: 3 });
      assert.ok(fake.record.requests("Acknowledge").every((c) => c.code === 3));
      assert.ok((fake.record.requests("Acknowledge")[1]?.bytes ?? 0) > 512 * 1024);
      await assert.rejects(
        client.topic(config.topic).publishMessage({ data: Buffer.alloc(10_000_001) }),
        { code: 3 },
      );
      const stream = open(api, subscription);
      await waitFor(() => stream.messages().length === 1, { what: "delivered" });
      stream.call.write({ maxOutstandingMessages: 5 });
      await waitFor(() => stream.ended.length === 1, { what: "the stream aborted" });
      assert.equal(stream.ended[0]?.code, 3);
      const other = open(api, subscription);
      other.call.write({ ackIds: ["never-issued"] });
      await waitFor(() => other.ended.length === 1, { what: "a malformed ack aborts" });
      assert.equal(other.ended[0]?.code, 3);
    } finally {
      await close();
    }
  },
);

fakeTest(
  "fake: exactly-once: a stale ack fails with ErrorInfo per ack ID, the others apply",
  async (fake) => {
    const { api, subscription, close } = await setUp(fake, 2);
    try {
      fake.updateSubscription(
        { name: subscription, enableExactlyOnceDelivery: true } as { name: string },
        ["enable_exactly_once_delivery"],
      );
      const stream = open(api, subscription);
      await waitFor(() => stream.messages().length === 2, { what: "delivered" });
      assert.equal(stream.responses[0]?.subscriptionProperties?.exactlyOnceDeliveryEnabled, true);
      const [a, b] = ids(stream.messages());
      fake.advance(10_001); // both expire
      await api.modifyAckDeadline(subscription, [a!], 60).catch(() => {});
      fake.advance(1_000);
      await waitFor(() => stream.messages().length === 4, { what: "both redelivered" });
      const [c, d] = ids(stream.messages().slice(2));
      const error = await api.acknowledge(subscription, [a!, c!]).then(() => undefined, (e) => e);
      assert.equal(error?.code, 3);
      assert.equal(error?.reason, "EXACTLY_ONCE_ACKID_FAILURE");
      assert.deepEqual(error?.errorInfoMetadata, { [a!]: "PERMANENT_FAILURE_INVALID_ACK_ID" });
      assert.equal(fake.record.of("acked").length, 1, "the current one applied");
      stream.call.write({ ackIds: [b!, d!] });
      await waitFor(() => stream.responses.some((r) => r.acknowledgeConfirmation), {
        what: "a confirmation",
      });
      const confirmed = stream.responses.find((r) => r.acknowledgeConfirmation)!
        .acknowledgeConfirmation!;
      assert.deepEqual(confirmed.ackIds, [d]);
      assert.deepEqual(confirmed.invalidAckIds, [b]);
      await api.acknowledge(subscription, [c!]); // the same ack again: fine
      fake.advance(700_000); // past every deadline
      fake.advance(1_000); // and the retry backoff
      assert.equal(fake.subscriptionOrFail(subscription).unacked, 0);
      assert.equal(
        fake.record.of("delivered").length,
        4,
        "an acked message is never delivered again",
      );
      stream.call.cancel();
    } finally {
      await close();
    }
  },
);

fakeTest(
  "fake: exactly-once: a share of ack IDs fails transiently once, not applied",
  async (fake) => {
    const { api, subscription, close } = await setUp(fake, 1);
    try {
      fake.updateSubscription(
        { name: subscription, enableExactlyOnceDelivery: true } as { name: string },
        ["enable_exactly_once_delivery"],
      );
      const stream = open(api, subscription);
      await waitFor(() => stream.messages().length === 1, { what: "delivered" });
      const error = await api.acknowledge(subscription, ids(stream.messages())).then(
        () => undefined,
        (e) => e,
      );
      assert.match(Object.values(error?.errorInfoMetadata ?? {})[0] as string, /^TRANSIENT_/);
      assert.equal(fake.subscriptionOrFail(subscription).unacked, 1);
      await api.acknowledge(subscription, ids(stream.messages()));
      assert.equal(fake.subscriptionOrFail(subscription).unacked, 0);
      stream.call.cancel();
    } finally {
      await close();
    }
  },
  { faults: { transientAckShare: 1 } },
);

fakeTest(
  "fake: faults: streams end after N messages; UNAVAILABLE on the next calls; a hung server answers nothing",
  async (fake) => {
    const { api, subscription, close } = await setUp(fake, 5);
    try {
      fake.faults.options.endStreamAfterMessages = 3;
      const stream = open(api, subscription);
      await waitFor(() => stream.ended.length === 1, { what: "the stream ended" });
      assert.equal(stream.messages().length, 3);
      assert.equal(stream.ended[0]?.code, 14);
      fake.faults.unavailableNext(1);
      await assert.rejects(api.modifyAckDeadline(subscription, ids(stream.messages()), 30), {
        code: 14,
      });
      await api.modifyAckDeadline(subscription, ids(stream.messages()), 30);
      fake.faults.hanging = true;
      let answered = false;
      const acks = () => fake.record.requests("Acknowledge").length;
      void api.acknowledge(subscription, ids(stream.messages())).then(
        () => answered = true,
        () => answered = true, // the close cancels it
      );
      // A hung server decides not to answer as it receives a call: once it recorded the call,
      // no answer can come.
      await waitFor(() => acks() === 1, { what: "the ack received while hung" });
      assert.equal(answered, false, "no answer while hung");
      assert.equal(fake.record.of("acked").length, 0);
    } finally {
      fake.faults.hanging = false;
      await close();
    }
  },
);

fakeTest(
  "fake: after the dead-letter policy's last attempt the message is forwarded",
  async (fake) => {
    const { api, subscription, config, close } = await setUp(fake, 1);
    try {
      const stream: { call: PullCall } & ReturnType<typeof open> = open(api, subscription);
      for (let attempt = 1; attempt <= 5; attempt++) {
        await waitFor(() => stream.messages().length === attempt, { what: `attempt ${attempt}` });
        await api.modifyAckDeadline(subscription, ids(stream.messages()).slice(-1), 0);
        fake.advance(1_000);
      }
      await waitFor(() => fake.record.of("dead-lettered").length === 1, { what: "forwarded" });
      const letters = await fake.pull(config.deadLetterSubscription, 10, true) as {
        receivedMessages: { message: { attributes: Record<string, string> } }[];
      };
      assert.equal(
        letters.receivedMessages[0]?.message.attributes.CloudPubSubDeadLetterSourceDeliveryCount,
        "5",
      );
      stream.call.cancel();
    } finally {
      await close();
    }
  },
);
