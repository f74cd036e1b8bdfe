/** AckBatcher: requests within Pub/Sub's limits, on a stream when one takes them, else as calls. */
import assert from "node:assert/strict";
import {
  AckBatcher,
  batches,
  MAX_BATCH,
  MAX_BATCH_BYTES,
} from "../../../src/pubsub/subscriber/ack_batcher.ts";
import type { PullRequest } from "../../../src/pubsub/subscriber/api.ts";
import type { AckResult } from "../../../src/pubsub/subscriber/ack_result.ts";
import { FakeApi } from "../../support/fake_pubsub.ts";
import { withFakeClock } from "../../support/clock.ts";

Deno.test("batches() cuts ack IDs at 2,500 a request and at the byte limit", () => {
  const ids = Array.from({ length: MAX_BATCH + 1 }, (_, i) => `id-${i}`);
  assert.deepEqual(batches(ids, 3).map((b) => b.ids.length), [MAX_BATCH, 1]);
  const long = "x".repeat(10_000);
  const cut = batches(
    Array.from({ length: 60 }, () => long),
    3,
    Array.from({ length: 60 }, (_, i) => i),
  );
  const perRequest = Math.floor(MAX_BATCH_BYTES / (long.length + 3));
  assert.deepEqual(cut.map((b) => b.ids.length), [perRequest, 60 - perRequest]);
  assert.deepEqual(cut[1]?.also[0], perRequest, "what travels with each ID is cut the same way");
});

Deno.test("AckBatcher writes a batch on a stream that takes it, as a call when none does", async () => {
  await withFakeClock(async (clock) => {
    const api = new FakeApi();
    const written: PullRequest[] = [];
    let streamOpen = true;
    const results: AckResult[] = [];
    const batcher = new AckBatcher(api, "projects/p/subscriptions/s", {
      via: "stream",
      write: (request) => streamOpen && written.push(request) > 0,
      report: () => {},
    });
    batcher.ack("a", (r) => results.push(r));
    batcher.nack("b");
    await clock.tickAsync(10);
    assert.deepEqual(written, [
      { ackIds: ["a"] },
      { modifyDeadlineAckIds: ["b"], modifyDeadlineSeconds: [0] },
    ]);
    assert.deepEqual(results, [{ ok: true }], "sent counts as done at-least-once");
    streamOpen = false;
    batcher.ack("c", (r) => results.push(r));
    await clock.tickAsync(10);
    assert.deepEqual(api.acks, [["c"]], "no stream: an Acknowledge call");
    assert.equal(results.length, 2);
  });
});

Deno.test("AckBatcher on exactly-once sends every request as a call and reports its failures", async () => {
  await withFakeClock(async (clock) => {
    const api = new FakeApi();
    api.failing.set("a", ["PERMANENT_FAILURE_INVALID_ACK_ID"]);
    const reports: string[] = [];
    const results: AckResult[] = [];
    const batcher = new AckBatcher(api, "projects/p/subscriptions/s", {
      via: "stream",
      write: () => assert.fail("exactly-once never writes on a stream"),
      report: (r) => reports.push(r.kind),
    });
    batcher.exactlyOnce = true;
    batcher.ack("a", (r) => results.push(r));
    await clock.tickAsync(10);
    assert.equal(results[0]?.ok === false && results[0].reason, "invalid-ack-id");
    assert.deepEqual(reports, ["acks-failed"]);
    assert.equal(batcher.failures, 1);
  });
});
