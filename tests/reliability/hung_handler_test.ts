/**
 * Case 5, hung handler: a handler that never returns is cut off by the handler timeout, its
 * permit is released, and the pool goes on serving the other events. Throughput against the
 * pool's bound is reported, not asserted (timing belongs in benchmarks).
 */
import assert from "node:assert/strict";

import { type Handler } from "../../src/worker/handler.ts";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, publishEvents, pull, pullAll, testConfig } from "../support/pubsub.ts";
import { runWorker } from "../support/worker.ts";
import { report, since } from "../support/reliability.ts";
import { randomPayloads } from "../../src/event/payload.ts";
import { sleep } from "../../src/base/async.ts";

const NORMAL = 500;
const HUNG = 10;
const POOL = 10;
const LATENCY_MS = 20;

integrationTest("reliability: hung handlers time out and release their permits", async () => {
  const start = performance.now();
  const config = await testConfig({ poolSize: POOL, handlerTimeout: 300, maxDeliveryAttempts: 5 });
  await createTopology(config);
  const normal = randomPayloads(NORMAL);
  const hung = randomPayloads(HUNG);
  const hungIDs = new Set(hung.map((p) => p.eventID));
  await publishEvents(config, [...hung, ...normal]);

  let calls = 0;
  const handler: Handler = (event) => {
    calls++;
    // A hung handler: never settles and ignores its abort signal.
    return hungIDs.has(event.eventID) ? new Promise(() => {}) : sleep(LATENCY_MS);
  };
  let firstAck = 0;
  let lastAck = 0;
  const { records, worker } = await runWorker(config, (r) => {
    const acked = r.filter((x) => x.outcome === "acked");
    if (acked.length >= 1 && firstAck === 0) firstAck = performance.now();
    if (acked.length >= NORMAL && lastAck === 0) lastAck = performance.now();
    return acked.length >= NORMAL && r.filter((x) => x.outcome === "dead-lettered").length >= HUNG;
  }, { handler });

  const dead = records.filter((r) => r.outcome === "dead-lettered");
  assert.deepEqual(new Set(dead.map((r) => r.eventID)), hungIDs);
  assert.ok(
    dead.every((r) =>
      r.reason === "max-attempts" && /did not finish within 300ms/.test(r.detail ?? "")
    ),
  );
  const timeouts = records.filter((r) =>
    r.outcome === "nacked" && /within 300ms/.test(r.detail ?? "")
  );
  assert.equal(timeouts.length, HUNG * 4, "each hung event timed out on attempts 1 to 4");
  assert.equal(worker.stats.inFlight, 0, "every permit came back");
  assert.ok(worker.stats.peakInFlight <= POOL);
  assert.equal((await pullAll(config, config.deadLetterSubscription, HUNG)).length, HUNG);
  assert.deepEqual(await pull(config, config.subscription), []);

  const rate = (NORMAL - 1) / ((lastAck - firstAck) / 1000);
  const bound = POOL / (LATENCY_MS / 1000);
  await report({
    case: "5. hung handler",
    injected: `${HUNG} events whose handler never returns; handler timeout 300ms; pool ${POOL}`,
    eventsIn: NORMAL + HUNG,
    processed: records.filter((r) => r.outcome === "acked").length,
    duplicates: records.filter((r) => r.outcome === "duplicate").length,
    deadLettered: dead.length,
    lost: NORMAL + HUNG -
      new Set(records.filter((r) => r.outcome !== "nacked").map((r) => r.eventID)).size,
    seconds: since(start),
    notes: `${timeouts.length} timeouts, all permits released; other events at ` +
      `${Math.round(rate)} events/s = ${Math.round((100 * rate) / bound)}% of pool/latency ` +
      `(${bound}/s); ${calls} handler calls`,
  });
});
