import assert from "node:assert/strict";
import type { Message } from "@google-cloud/pubsub";
import { deadLetterAttributes, truncate } from "../../src/worker/dead_letter.ts";

const message = { id: "42", deliveryAttempt: 3, attributes: { kind: "x", reason: "spoofed" } };

Deno.test("deadLetterAttributes() keeps the original attributes and says why and from where", () => {
  const attributes = deadLetterAttributes(message as unknown as Message, {
    reason: "invalid-json",
    detail: "body is not JSON",
    subscription: "s-1",
  });
  assert.deepEqual(attributes, {
    kind: "x",
    reason: "invalid-json",
    detail: "body is not JSON",
    messageId: "42",
    subscription: "s-1",
    deliveryAttempt: "3",
  });
});

Deno.test("truncate() fits 1024 bytes without splitting a character", () => {
  assert.equal(truncate("short"), "short");
  const long = "é".repeat(1000); // 2000 bytes
  const cut = truncate(long);
  assert.ok(new TextEncoder().encode(cut).length <= 1024);
  assert.ok(cut.endsWith("é..."));
});
