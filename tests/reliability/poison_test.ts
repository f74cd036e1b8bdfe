/**
 * Case 3, poison catalogue: payloads that can never succeed each land on the dead-letter topic
 * exactly once with the matching reason, valid events around them are acked, the subscription
 * ends empty, no message is delivered more than twice, and the worker never exits.
 */
import assert from "node:assert/strict";

import { createClient } from "../../src/pubsub/client.ts";
import { spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, envFor, pullAll, testConfig, unacked } from "../support/pubsub.ts";
import { Outcomes } from "../support/outcomes.ts";
import { report, since } from "../support/reliability.ts";
import { fakeEvent } from "../../src/event/payload.ts";

const text = (value: string) => new TextEncoder().encode(value);
const json = (value: unknown) => text(JSON.stringify(value));
const good = fakeEvent();

/** kind → [body, expected dead-letter reason] */
const CATALOGUE: Record<string, [Uint8Array, string]> = {
  "empty body": [new Uint8Array(), "invalid-json"],
  "non-UTF-8 bytes": [new Uint8Array([0xc3, 0x28, 0xff, 0xfe]), "invalid-encoding"],
  "truncated JSON": [text(JSON.stringify(good).slice(0, 40)), "invalid-json"],
  "JSON array": [json([good]), "invalid-event"],
  "null": [text("null"), "invalid-event"],
  "a bare number": [text("42"), "invalid-event"],
  "missing fields": [json({ eventID: good.eventID }), "invalid-event"],
  "wrong types": [json({ ...good, userID: 12345 }), "invalid-event"],
  "invalid UUIDs": [json({ ...good, paymentMethodID: "pm_123" }), "invalid-event"],
  "non-string paymentMethodType": [json({ ...good, paymentMethodType: ["card"] }), "invalid-event"],
  "bad createdAt": [json({ ...good, createdAt: "26/11/2026" }), "invalid-event"],
  "oversized payload": [json({ ...good, padding: "x".repeat(70 * 1024) }), "too-large"],
};
const VALID = 20;

integrationTest(
  "reliability: a catalogue of poison messages is dead-lettered once each",
  async () => {
    const start = performance.now();
    const config = await testConfig();
    await createTopology(config);
    const client = createClient(config);
    const topic = client.topic(config.topic);
    const valid = Array.from({ length: VALID }, fakeEvent);
    const published: string[] = []; // message IDs
    for (const [kind, [body]] of Object.entries(CATALOGUE)) {
      // Pub/Sub refuses a message with neither data nor attributes, so each carries its kind.
      published.push(await topic.publishMessage({ data: body, attributes: { kind } }));
      const event = valid.pop();
      if (event) {
        published.push(
          await topic.publishMessage({ data: json(event), attributes: { kind: "valid" } }),
        );
      }
    }
    for (const event of valid) published.push(await topic.publishMessage({ data: json(event) }));
    await client.close();

    const outcomes = new Outcomes();
    const worker = spawnCli(["worker", "--pool-size", "10"], envFor(config));
    outcomes.follow(worker);
    let running = true;
    void worker.finished.then(() => running = false);
    const kinds = Object.keys(CATALOGUE).length;
    await outcomes.until(
      () => outcomes.count("dead-lettered") >= kinds && outcomes.count("acked") >= VALID,
      60_000,
      "every message settled",
    );
    assert.equal(running, true, "the worker is still running");
    worker.process.kill("SIGTERM");
    assert.equal((await worker.finished).code, 0);

    const dead = await pullAll(config, config.deadLetterSubscription, kinds);
    const byKind = new Map(dead.map((m) => [m.attributes.kind, m]));
    assert.equal(dead.length, kinds, "one dead letter per poison message");
    for (const [kind, [body, reason]] of Object.entries(CATALOGUE)) {
      const letter = byKind.get(kind);
      assert.ok(letter, `${kind} is on the dead-letter topic`);
      assert.equal(letter.attributes.reason, reason, kind);
      assert.deepEqual(letter.data, body, `${kind} keeps its exact bytes`);
      assert.equal(letter.attributes.subscription, config.subscription);
    }
    // Nothing unacked, leased or not: nothing nacked can come back.
    assert.deepEqual(await unacked(config, config.subscription), []);
    // Lost: a published message with no final outcome line that the subscription does not hold.
    const final = new Set(
      outcomes.lines.filter((l) => l.outcome !== "nacked").map((l) => l.messageId),
    );
    const lost = published.filter((id) => !final.has(id)).length;
    assert.equal(lost, 0);
    const deliveries = new Map<string, number>();
    for (const line of outcomes.lines) {
      deliveries.set(line.messageId, (deliveries.get(line.messageId) ?? 0) + 1);
    }
    const most = Math.max(...deliveries.values());
    assert.ok(most <= 2, `a message was delivered ${most} times`);
    assert.deepEqual(outcomes.errors, []);
    await report({
      case: "3. poison catalogue",
      injected: `${kinds} kinds: ${
        Object.keys(CATALOGUE).join(", ")
      }; ${VALID} valid events around them`,
      eventsIn: kinds + VALID,
      processed: outcomes.count("acked"),
      duplicates: outcomes.count("duplicate"),
      deadLettered: outcomes.count("dead-lettered"),
      lost,
      seconds: since(start),
      notes: `each poison kind dead-lettered exactly once with its reason; at most ${most} ` +
        "deliveries of any message",
    });
  },
);
