import assert from "node:assert/strict";
import {
  deadLetter,
  deadLetterAttributes,
  DeadLetterTooLargeError,
  PUBSUB_LIMITS,
  restoreOriginal,
  truncate,
} from "../../src/worker/dead_letter_message.ts";

const cause = { reason: "invalid-json", detail: "body is not JSON", subscription: "s-1" };
const message = (attributes: Record<string, string>, data = new Uint8Array(10)) => ({
  id: "42",
  deliveryAttempt: 3,
  attributes,
  data: data as never,
});

Deno.test("deadLetterAttributes() keeps the originals, a colliding one under original.", () => {
  assert.deepEqual(deadLetterAttributes(message({ kind: "x", reason: "spoofed" }), cause), {
    kind: "x",
    "original.reason": "spoofed",
    reason: "invalid-json",
    detail: "body is not JSON",
    messageId: "42",
    subscription: "s-1",
    deliveryAttempt: "3",
  });
});

Deno.test("deadLetterAttributes() stays within 100 attributes and counts what it dropped", () => {
  const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`a${i}`, "v"]));
  const attributes = deadLetterAttributes(message(many), cause);
  assert.equal(Object.keys(attributes).length, PUBSUB_LIMITS.attributes);
  assert.equal(attributes.droppedAttributes, "6");
  assert.equal(attributes.reason, "invalid-json");
});

Deno.test("deadLetter() refuses a copy over Pub/Sub's message size, accepts one just under", () => {
  const attributes = deadLetterAttributes(message({}), cause);
  const overhead = Object.entries(attributes).reduce((n, [k, v]) => n + k.length + v.length, 0);
  const fits = new Uint8Array(PUBSUB_LIMITS.messageBytes - overhead);
  assert.equal(deadLetter(message({}, fits), cause).data, fits);
  const over = new Uint8Array(PUBSUB_LIMITS.messageBytes - overhead + 1);
  assert.throws(() => deadLetter(message({}, over), cause), DeadLetterTooLargeError);
});

Deno.test("truncate() fits 1024 bytes without splitting a character", () => {
  assert.equal(truncate("short"), "short");
  const long = "é".repeat(1000); // 2000 bytes
  const cut = truncate(long);
  assert.ok(new TextEncoder().encode(cut).length <= 1024);
  assert.ok(cut.endsWith("é..."));
});

Deno.test("restoreOriginal() gives back every original attribute and the key exactly", () => {
  const originals: Record<string, string>[] = [
    {},
    { eventType: "PaymentMethodCreated", publishedAt: "1" },
    // Names the worker uses, its prefix, Pub/Sub's forwarding prefix and the dropped count.
    { reason: "theirs", "original.reason": "nested", "original.x": "1", messageId: "m" },
    { CloudPubSubDeadLetterSourceDeliveryCount: "9", droppedAttributes: "2", orderingKey: "k" },
  ];
  for (const attributes of originals) {
    for (const orderingKey of ["", "user-7"]) {
      const letter = deadLetterAttributes({ ...message(attributes), orderingKey }, cause);
      assert.equal(letter.reason, "invalid-json");
      assert.deepEqual(restoreOriginal({ attributes: letter }), {
        attributes,
        orderingKey: orderingKey || undefined,
      }, JSON.stringify(letter));
    }
  }
});

Deno.test("restoreOriginal() of a message Pub/Sub's policy forwarded keeps its own attributes", () => {
  const forwarded = {
    reason: "set by the publisher",
    "original.x": "1",
    CloudPubSubDeadLetterSourceDeliveryCount: "5",
    CloudPubSubDeadLetterSourceSubscription: "s-1",
  };
  assert.deepEqual(restoreOriginal({ attributes: forwarded, orderingKey: "k" }), {
    attributes: { reason: "set by the publisher", "original.x": "1" },
    orderingKey: "k",
  });
});
