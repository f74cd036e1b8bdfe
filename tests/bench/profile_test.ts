import assert from "node:assert/strict";
import { frameName, partOf, summarize } from "../../bench/cases/profile.ts";

const PUBSUB = "file:///x/node_modules/.deno/@google-cloud+pubsub@5.3.1/node_modules/" +
  "@google-cloud/pubsub/build/src/subscriber.js";

Deno.test("summarize() sums the drain's samples by part and by function, per 1,000 events", () => {
  const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
    id,
    callFrame: { functionName, url, lineNumber: 9 },
    children,
  });
  const summary = summarize({
    nodes: [
      frame(1, "(root)", "", [2, 3, 4, 5, 6]),
      frame(2, "(garbage collector)", ""),
      frame(3, "ack", PUBSUB),
      frame(4, "processDelivery", "file:///work/src/worker/pipeline.ts", [7]),
      frame(5, "(idle)", ""),
      frame(6, "compile", "ext:core/01_core.js"),
      frame(7, "formatJsonLine", "file:///work/src/telemetry/log.ts"),
    ],
    // Start-up (6) before the first pipeline sample and after the last is left out.
    samples: [6, 4, 2, 2, 5, 3, 7, 4, 6],
    timeDeltas: [500, 10, 10, 30, 100, 40, 20, 0, 700],
  }, 2);
  assert.equal(summary.busyMsPer1000, 55, "110 µs busy for 2 events");
  assert.equal(summary.idlePercent, 100 * 100 / 210);
  assert.deepEqual(summary.parts, [
    ["garbage collection", 100 * 40 / 110],
    ["Pub/Sub client (messages, leases, ack batching)", 100 * 40 / 110],
    ["logging (one JSON line per event)", 100 * 20 / 110],
    ["event-tool (decode, validate, pool, settle)", 100 * 10 / 110],
  ]);
  assert.deepEqual(summary.top[0], {
    frame: "(garbage collector)",
    msPer1000: 20,
    percent: 100 * 40 / 110,
  });
  assert.ok(
    summary.top.some((t) => t.frame === "ack (@google-cloud+pubsub@5.3.1 subscriber.js:10)"),
  );
  assert.equal(
    partOf("decodeEvent", "file:///work/src/event/event.ts"),
    "event-tool (decode, validate, pool, settle)",
  );
});

Deno.test("frameName() names the package or the file of the repository, and the line", () => {
  assert.equal(
    frameName({ functionName: "f", url: "file:///a/b/src/worker/pool.ts", lineNumber: 0 }),
    "f (src/worker/pool.ts:1)",
  );
  assert.equal(frameName({ functionName: "", url: "" }), "(anonymous)");
});
