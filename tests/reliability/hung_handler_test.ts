/**
 * Case 5, hung handler: handlers that ignore their abort signal run past the handler timeout.
 * Each timed-out call is nacked at its timeout but keeps its pool permit and its event's dedupe
 * mark until it really ends, so the pool bounds what really runs (counted inside the handler)
 * and a redelivered copy never runs beside the abandoned call. Throughput is reported, not
 * asserted (timing belongs in benchmarks).
 */
import assert from "node:assert/strict";

import type { Handler } from "../../src/worker/handler.ts";
import { integrationTest } from "../support/emulator.ts";

import { runWorker } from "../support/worker.ts";
import { countLost, freshBacklog, report, since, tallied } from "../support/reliability.ts";
import { Outcomes } from "../support/outcomes.ts";
import { randomPayloads } from "../../src/event/payload.ts";
import { sleep } from "../../src/base/async.ts";

const NORMAL = 500;
const HUNG = 3;
const POOL = 10;
const LATENCY_MS = 20;
const TIMEOUT_MS = 300;
const HANG_MS = 1500;

integrationTest(
  "reliability: timed-out handlers keep their permits until they really end",
  async () => {
    const start = performance.now();
    const normal = randomPayloads(NORMAL);
    const hung = randomPayloads(HUNG);
    const hungIDs = new Set(hung.map((p) => p.eventID));
    const { config, publishedFrom } = await freshBacklog(
      { poolSize: POOL, handlerTimeout: TIMEOUT_MS, maxDeliveryAttempts: 10 },
      [...hung, ...normal],
    );

    let running = 0;
    let peakRunning = 0;
    const calls = new Map<string, number>();
    const runningOf = new Map<string, number>();
    let overlaps = 0;
    let peakAbandoned = 0;
    const handler: Handler = async (event) => {
      const n = (calls.get(event.eventID) ?? 0) + 1;
      calls.set(event.eventID, n);
      if ((runningOf.get(event.eventID) ?? 0) > 0) overlaps++;
      runningOf.set(event.eventID, (runningOf.get(event.eventID) ?? 0) + 1);
      peakRunning = Math.max(peakRunning, ++running);
      try {
        // A hung event's first call ignores its signal and runs 5 × the timeout; later calls work.
        await sleep(hungIDs.has(event.eventID) && n === 1 ? HANG_MS : LATENCY_MS);
      } finally {
        running--;
        runningOf.set(event.eventID, (runningOf.get(event.eventID) ?? 1) - 1);
      }
    };
    const outcomes = new Outcomes();
    let firstAck = 0;
    let lastAck = 0;
    const { records, worker } = await runWorker(config, (r) => {
      const acked = r.filter((x) => x.outcome === "acked");
      if (acked.length >= 1 && firstAck === 0) firstAck = performance.now();
      if (acked.length >= NORMAL && lastAck === 0) lastAck = performance.now();
      return new Set(acked.map((x) => x.eventID)).size >= NORMAL + HUNG;
    }, {
      handler,
      onStart: (w) => {
        outcomes.attach(w);
        const sampler = setInterval(() => {
          peakAbandoned = Math.max(peakAbandoned, w.stats.abandoned);
          if (w.stats.abandoned > 0) assert.ok(w.live, "live while permits remain");
        }, 20);
        w.done.finally(() => clearInterval(sampler));
      },
    });
    const { lost } = await countLost(config, [...hung, ...normal], outcomes, publishedFrom);
    assert.equal(lost, 0);

    const timeouts = records.filter((r) =>
      r.outcome === "nacked" && new RegExp(`within ${TIMEOUT_MS}ms`).test(r.detail ?? "")
    );
    assert.equal(timeouts.length, HUNG, "each hung event timed out once");
    assert.ok(peakRunning <= POOL, `${peakRunning} handler calls ran at once (pool ${POOL})`);
    assert.equal(overlaps, 0, "a redelivered copy never ran beside its abandoned call");
    for (const id of hungIDs) assert.equal(calls.get(id), 2, "called again only once it ended");
    assert.equal(peakAbandoned, HUNG, "the gauge counted every abandoned call");
    assert.equal(worker.stats.abandoned, 0, "every abandoned call ended");
    assert.equal(worker.stats.inFlight, 0, "every permit came back");

    const rate = (NORMAL - 1) / ((lastAck - firstAck) / 1000);
    const bound = POOL / (LATENCY_MS / 1000);
    await report({
      case: "5. hung handler",
      injected: `${HUNG} events whose first call ignores its signal and runs ${HANG_MS}ms; ` +
        `handler timeout ${TIMEOUT_MS}ms; pool ${POOL}`,
      eventsIn: NORMAL + HUNG,
      ...tallied(outcomes),
      lost,
      seconds: since(start),
      notes: `${timeouts.length} timeouts; at most ${peakRunning} calls really ran at once ` +
        `(pool ${POOL}); ${peakAbandoned} abandoned calls held their permits until they ended; ` +
        "redeliveries held until their abandoned call ended, 0 overlaps; other events at " +
        `${Math.round(rate)} events/s = ${Math.round((100 * rate) / bound)}% of pool/latency ` +
        `(${bound}/s)`,
    });
  },
);
