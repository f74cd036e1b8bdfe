/**
 * The dead-letter module on the fake server, where Pub/Sub can fail an ack or answer a publish
 * late and the server's clock can jump past an ack deadline: a requeue publishes each dead letter
 * once, keeps what it holds from other readers, and refuses a selection that changed.
 */
import assert from "node:assert/strict";
import type { Config } from "../../src/config/settings.ts";
import {
  peekDeadLetters,
  REQUEUED_FROM,
  requeueDeadLetters,
  SelectionChangedError,
} from "../../src/ops/dead_letter_queue.ts";
import { createClient } from "../../src/pubsub/client.ts";
import { CODE } from "../fake_pubsub/protos.ts";
import { fakeConfig, type FakePubSub, fakeTest, fakeTopology } from "../support/fake_server.ts";
import { waitFor } from "../support/wait.ts";

/** `count` dead letters of `reason` on `config`'s dead-letter topic, as the worker writes them;
 * returns their message IDs there. */
function deadLetters(fake: FakePubSub, config: Config, reason: string, count: number): string[] {
  return fake.publish(
    config.deadLetterTopic,
    Array.from({ length: count }, (_, i) => ({
      data: JSON.stringify({ eventID: `${reason}-${i}` }),
      attributes: { eventType: "T", reason, detail: "d", messageId: String(i) },
    })),
  );
}

/** The copies on the main subscription, by the dead letter each names. */
function copies(fake: FakePubSub, config: Config): Map<string, number> {
  const counts = new Map<string, number>();
  const subscription = fake.subscriptionOrFail(config.subscription);
  for (const message of subscription.unackedMessages()) {
    const from = message.attributes[REQUEUED_FROM] ?? "?";
    counts.set(from, (counts.get(from) ?? 0) + 1);
  }
  return counts;
}

fakeTest(
  "requeueDeadLetters() tries a failed ack again: each dead letter is published once",
  async (fake) => {
    const config = fakeConfig(fake);
    await fakeTopology(config);
    const ids = deadLetters(fake, config, "rejected", 5);
    // INTERNAL: an ack the client library does not retry by itself.
    fake.faults.failNext("Acknowledge", 1, CODE.INTERNAL);
    const client = createClient(config);
    try {
      const report = await requeueDeadLetters(client, config.deadLetterSubscription, {
        filter: {},
        topic: config.topic,
      });
      assert.equal(report.requeued, 5);
      assert.equal(report.unacked, 0);
      assert.equal(report.remaining, 0);
      assert.equal(fake.record.requests("Acknowledge").filter((c) => c.code !== 0).length, 1);
      const again = await requeueDeadLetters(client, config.deadLetterSubscription, {
        filter: {},
        topic: config.topic,
      });
      assert.equal(again.matched, 0, "nothing left to requeue twice");
      assert.deepEqual(
        [...copies(fake, config)].sort(),
        ids.map((id) => [id, 1]).sort(),
        "one copy of each dead letter, naming it",
      );
    } finally {
      await client.close();
    }
  },
);

fakeTest(
  "requeueDeadLetters() reports a copy whose dead letter could not be acked, and keeps it from other readers",
  async (fake) => {
    const config = fakeConfig(fake);
    await fakeTopology(config);
    deadLetters(fake, config, "rejected", 3);
    fake.faults.failNext("Acknowledge", 10, CODE.INTERNAL);
    const client = createClient(config);
    try {
      const report = await requeueDeadLetters(client, config.deadLetterSubscription, {
        filter: {},
        topic: config.topic,
      });
      assert.equal(report.unacked, 3);
      assert.equal(report.requeued, 0);
      assert.match(report.firstError?.message ?? "", /INTERNAL|13/);
      assert.equal(copies(fake, config).size, 3);
      const peek = await peekDeadLetters(client, config.deadLetterSubscription, {
        filter: {},
        keep: 10,
      });
      assert.equal(peek.matched, 0, "still leased to the requeue that published them");
    } finally {
      await client.close();
    }
  },
);

fakeTest(
  "requeueDeadLetters() keeps what it holds leased: a reader meanwhile gets none, past the subscription's ack deadline",
  async (fake) => {
    // The shortest ack deadline Pub/Sub allows: the requeue's own lease, not the subscription's
    // deadline, must keep its dead letters (the default 60 s equals that lease at first; its
    // renewal every 20 s is tested on a fake clock in tests/pubsub/held_read_test.ts).
    const config = fakeConfig(fake, { ackDeadline: 10_000 });
    await fakeTopology(config);
    deadLetters(fake, config, "rejected", 3);
    fake.faults.options.publishDelayMs = 1000;
    const client = createClient(config);
    try {
      const requeue = requeueDeadLetters(client, config.deadLetterSubscription, {
        filter: {},
        topic: config.topic,
      });
      await waitFor(() => fake.record.requests("Publish").length > 0, {
        timeoutMs: 5000,
        what: "the requeue's publish",
      });
      fake.advance(30_000);
      const meanwhile = await peekDeadLetters(client, config.deadLetterSubscription, {
        filter: {},
        keep: 10,
      });
      assert.equal(meanwhile.matched, 0, "no dead letter reached another reader");
      const report = await requeue;
      assert.equal(report.requeued, 3);
      assert.equal(fake.record.of("expired").length, 0, "no lease ran out");
      assert.equal(copies(fake, config).size, 3);
    } finally {
      await client.close();
    }
  },
);

fakeTest(
  "requeueDeadLetters() with expect refuses a selection that changed, and gives everything back",
  async (fake) => {
    const config = fakeConfig(fake);
    await fakeTopology(config);
    deadLetters(fake, config, "rejected", 4);
    deadLetters(fake, config, "invalid-json", 2);
    const client = createClient(config);
    try {
      await assert.rejects(
        requeueDeadLetters(client, config.deadLetterSubscription, {
          filter: { reason: "rejected" },
          topic: config.topic,
          expect: 3,
        }),
        (error) => error instanceof SelectionChangedError && error.matched === 4,
      );
      assert.equal(copies(fake, config).size, 0, "nothing requeued");
      const progress: string[] = [];
      const report = await requeueDeadLetters(client, config.deadLetterSubscription, {
        filter: { reason: "rejected" },
        topic: config.topic,
        expect: 4,
        onProgress: ({ done, total }) => progress.push(`${done}/${total}`),
      });
      assert.equal(report.requeued, 4);
      assert.equal(report.remaining, 2, "given back at once: the refused read held nothing");
      assert.deepEqual(Object.fromEntries(report.byReason), { rejected: 4, "invalid-json": 2 });
      assert.deepEqual(progress, ["4/4"]);
    } finally {
      await client.close();
    }
  },
);
