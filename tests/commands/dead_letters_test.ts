import assert from "node:assert/strict";
import { freePort } from "../../src/pubsub/emulator.ts";
import { runCli, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { createTopology, envFor, pull, pullAll, release, testConfig } from "../support/pubsub.ts";
import { publishRaw } from "../support/worker.ts";
import type { Config } from "../../src/config/settings.ts";
import { createClient } from "../../src/pubsub/client.ts";
import { fakeEvent } from "../../src/event/payload.ts";

/** Attributes of the rejected event: names the worker uses and its prefix too, all given back. */
const ATTRIBUTES = {
  eventType: "PaymentMethodCreated",
  reason: "the publisher's own",
  "original.note": "kept as it is",
  messageId: "theirs",
};

/** Publishes `event` with {@linkcode ATTRIBUTES} and ordering key `key`. */
async function publishKeyed(config: Config, event: object, key: string): Promise<void> {
  const client = createClient(config);
  try {
    await client.topic(config.topic, { messageOrdering: true }).publishMessage({
      data: new TextEncoder().encode(JSON.stringify(event)),
      attributes: ATTRIBUTES,
      orderingKey: key,
    });
  } finally {
    await client.close();
  }
}

integrationTest(
  "dead-letters: a rejected event is peeked with its reason, requeued once fixed as it was published, handled once",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" };
    const rejected = fakeEvent();
    await publishKeyed(config, rejected, "user-7");
    await publishRaw(config, ["not json"]);
    let fixed = false;
    const handled: string[] = [];
    const port = freePort();
    const service = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, (r) => {
      if (!fixed) return new Response("card type not supported", { status: 422 });
      handled.push(r.headers.get("ce-id") ?? "");
      return new Response(null, { status: 204 });
    });
    const args = ["worker", "--handler-url", `http://127.0.0.1:${port}/events`];
    try {
      const outcomes = new Outcomes();
      const first = spawnCli(args, env);
      outcomes.follow(first);
      await outcomes.until(() => outcomes.count("dead-lettered") >= 2, 30_000, "2 dead letters");
      first.process.kill("SIGTERM");
      assert.equal((await first.finished).code, 0);

      const peek = await runCli(["dead-letters", "peek", "--reason", "rejected"], env);
      assert.equal(peek.code, 0, peek.stderr);
      assert.match(
        peek.stdout,
        new RegExp(
          `^rejected: event ${rejected.eventID}, original message \\d+, attempt 1, key user-7, `,
          "m",
        ),
      );
      assert.match(
        peek.stdout,
        /^ {2}detail: the handler service answered 422: card type not supported$/m,
      );
      assert.match(peek.stdout, /^1 shown of 1 matching, 2 on .*; nothing acked$/m);
      const all = await runCli(["dead-letters", "peek"], env);
      assert.match(all.stdout, /^invalid-json: event \(no event ID\)/m);
      assert.match(all.stdout, /^ {2}body: not json$/m);

      const dry = await runCli(
        ["dead-letters", "requeue", "--reason", "rejected", "--dry-run"],
        env,
      );
      assert.match(dry.stdout, /^1 matched, 1 would be requeued to .*, 2 on .*; nothing changed$/m);
      // A dry run holds nothing once it has read: every dead letter can be pulled at once.
      const letters = await pull(config, config.deadLetterSubscription);
      assert.equal(letters.length, 2, "both dead letters are back on their subscription");
      await release(config, config.deadLetterSubscription, letters.map((m) => m.ackId));
      const letter = letters.find((m) => m.attributes.reason === "rejected");

      fixed = true;
      const requeue = await runCli(["dead-letters", "requeue", "--reason", "rejected"], env);
      assert.equal(requeue.code, 0, requeue.stderr);
      assert.match(requeue.stdout, /^1 matched, 1 requeued to .*, 1 remain on /m);
      const messages = await pull(config, config.subscription);
      assert.equal(messages.length, 1);
      assert.deepEqual(
        messages[0]?.attributes,
        { ...ATTRIBUTES, requeuedFrom: letter?.messageId },
        "its original attributes exactly, and the dead letter it came from",
      );
      assert.equal(messages[0]?.orderingKey, "user-7", "its ordering key");
      await release(config, config.subscription, messages.map((m) => m.ackId));

      const second = spawnCli(args, env);
      outcomes.follow(second);
      await outcomes.until(() => outcomes.count("acked") >= 1, 30_000, "the requeued event");
      second.process.kill("SIGTERM");
      assert.equal((await second.finished).code, 0);
      assert.deepEqual(handled, [rejected.eventID], "handled once");
      const left = await runCli(["dead-letters", "peek"], env);
      assert.match(
        left.stdout,
        /^1 shown of 1 matching, 1 on /m,
        `only the invalid one: ${left.stdout}`,
      );
      const rest = await runCli(["dead-letters", "requeue", "--reason", "invalid-json"], env);
      assert.match(rest.stdout, /^1 matched, 1 requeued to .*, 0 remain on /m);
      const empty = await runCli(["dead-letters", "peek"], env);
      assert.match(
        empty.stdout,
        /^0 shown of 0 matching, 0 on /m,
        "the dead-letter subscription is empty",
      );
    } finally {
      await service.shutdown();
    }
  },
);

/** Publishes `count` dead letters of `reason` straight to the dead-letter topic, as the worker
 * would; returns their event IDs. */
async function deadLetters(config: Config, reason: string, count: number): Promise<string[]> {
  const client = createClient(config);
  try {
    const topic = client.topic(config.deadLetterTopic);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const event = fakeEvent();
      ids.push(event.eventID);
      await topic.publishMessage({
        data: new TextEncoder().encode(JSON.stringify(event)),
        attributes: { eventType: "PaymentMethodCreated", reason, detail: "test", messageId: "1" },
      });
    }
    return ids;
  } finally {
    await client.close();
  }
}

integrationTest(
  "dead-letters requeue takes every match unless --limit, and says what matched, was requeued and remains",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const env = envFor(config);
    const rejected = await deadLetters(config, "rejected", 13); // more than the old default of 10
    await deadLetters(config, "invalid-json", 2);

    const some = await runCli(
      ["dead-letters", "requeue", "--reason", "rejected", "--limit", "4"],
      env,
    );
    assert.equal(some.code, 0, some.stderr);
    assert.equal(
      some.stdout.trim(),
      `13 matched, 4 requeued to ${config.topic}, 11 remain on ${config.deadLetterSubscription} ` +
        "(9 matching left by --limit 4)",
    );
    const all = await runCli(["dead-letters", "requeue", "--reason", "rejected"], env);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(
      all.stdout.trim(),
      `9 matched, 9 requeued to ${config.topic}, 2 remain on ${config.deadLetterSubscription}`,
    );
    const requeued = await pullAll(config, config.subscription, 13);
    assert.deepEqual(
      requeued.map((m) => JSON.parse(m.text).eventID).sort(),
      [...rejected].sort(),
      "each rejected event once on the topic",
    );
    const peek = await runCli(["dead-letters", "peek"], env);
    assert.match(peek.stdout, /^2 shown of 2 matching, 2 on .*; nothing acked$/m);
  },
);

integrationTest("snapshot list, and plain lines for a duplicate or unknown snapshot", async () => {
  const config = await testConfig();
  await createTopology(config);
  const env = envFor(config);
  assert.equal((await runCli(["snapshot", "create", "snap-one"], env)).code, 0);
  const list = await runCli(["snapshot", "list"], env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^snap-one {2}expires \d{4}-/m);
  assert.match(list.stdout, /^1 snapshot\(s\) of /m);
  const again = await runCli(["snapshot", "create", "snap-one"], env);
  assert.equal(again.code, 2);
  assert.equal(
    again.stderr.trim(),
    "error: snapshot snap-one already exists, expected a new name (or `event-tool snapshot delete snap-one` first)",
  );
  for (const args of [["snapshot", "delete", "snap-none"], ["replay", "--snapshot", "snap-none"]]) {
    const missing = await runCli(args, env);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(
      missing.stderr.trim(),
      /^error: snapshot snap-none \(or the subscription .*\) does not exist, expected one that `event-tool snapshot list` shows$/,
    );
  }
  assert.equal((await runCli(["snapshot", "delete", "snap-one"], env)).code, 0);
});
