import assert from "node:assert/strict";
import { AckDeadline } from "../../../src/pubsub/subscriber/ack_deadline.ts";

Deno.test("AckDeadline is the 99th percentile of held time, from 10 s to 600 s", () => {
  const deadline = new AckDeadline(60);
  assert.equal(new AckDeadline().seconds, 10, "the Go client's start: the minimum");
  assert.equal(deadline.seconds, 60, "before any message");
  for (let i = 0; i < 99; i++) deadline.record(200);
  deadline.record(30_000);
  assert.equal(deadline.seconds, 10, "fast handlers: the 10 s floor");
  for (let i = 0; i < 10; i++) deadline.record(25_000);
  assert.equal(deadline.seconds, 25, "1% or more past 25 s");
  deadline.record(3_600_000);
  for (let i = 0; i < 1000; i++) deadline.record(3_600_000);
  assert.equal(deadline.seconds, 600, "capped at 600 s");
});
