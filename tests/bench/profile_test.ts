import assert from "node:assert/strict";
import { partOf, summarize } from "../../bench/cases/profile.ts";

Deno.test("summarize() sums a CPU profile's samples by part, largest first", () => {
  const frame = (id: number, functionName: string, url: string) => ({
    id,
    callFrame: { functionName, url },
  });
  const summary = summarize({
    nodes: [
      frame(1, "(garbage collector)", ""),
      frame(2, "ack", "file:///x/node_modules/.deno/@google-cloud+pubsub@5.3.1/subscriber.js"),
      frame(3, "formatJsonLine", "file:///work/src/telemetry/log.ts"),
    ],
    samples: [1, 1, 2, 3],
    timeDeltas: [10, 30, 40, 20],
  });
  assert.deepEqual(summary, [
    ["garbage collection", 40],
    ["Pub/Sub client (messages, leases, ack batching)", 40],
    ["logging (one JSON line per event)", 20],
  ]);
  assert.equal(
    partOf("decodeEvent", "file:///work/src/event/event.ts"),
    "event-tool (decode, validate, pool, settle)",
  );
});
