/**
 * Case 4, flaky handler: 30% of handler calls fail at random. Every event is eventually acked or,
 * after its last attempt, dead-lettered; none is lost; redeliveries are spaced by the
 * subscription's retry policy rather than coming back in a hot loop.
 */
import assert from "node:assert/strict";
import { spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { envFor, pullAll } from "../support/pubsub.ts";
import { type OutcomeLine, Outcomes } from "../support/outcomes.ts";
import { countLost, freshBacklog, report, since } from "../support/reliability.ts";

const EVENTS = 300;
const BACKOFF_MS = 1000;

/**
 * Gaps between one delivery's outcome and the next delivery of the same event, in ms, for
 * deliveries from attempt `fromAttempt` on.
 */
function redeliveryGaps(lines: OutcomeLine[], fromAttempt: number): number[] {
  const byEvent = new Map<string, OutcomeLine[]>();
  for (const line of lines) {
    if (line.eventID) byEvent.set(line.eventID, [...byEvent.get(line.eventID) ?? [], line]);
  }
  const gaps: number[] = [];
  for (const deliveries of byEvent.values()) {
    deliveries.sort((a, b) => a.deliveryAttempt - b.deliveryAttempt);
    for (let i = 1; i < deliveries.length; i++) {
      const previous = deliveries[i - 1] as OutcomeLine;
      const next = deliveries[i] as OutcomeLine;
      if (next.deliveryAttempt < fromAttempt) continue;
      const received = Date.parse(next.time) - next.durationMs;
      gaps.push(received - Date.parse(previous.time));
    }
  }
  return gaps.sort((a, b) => a - b);
}

integrationTest("reliability: a handler failing 30% of calls loses no event", async () => {
  const start = performance.now();
  const { config, publishedFrom, payloads } = await freshBacklog(
    { retryMinBackoff: BACKOFF_MS, retryMaxBackoff: BACKOFF_MS },
    EVENTS,
  );

  const outcomes = new Outcomes();
  const worker = spawnCli(
    ["worker", "--pool-size", "50", "--simulate-failure-rate", "0.3", "--simulate-latency", "5ms"],
    envFor(config),
  );
  outcomes.follow(worker);
  await outcomes.until(() => outcomes.settled().size >= EVENTS, 90_000, "every event settled");
  worker.process.kill("SIGTERM");
  assert.equal((await worker.finished).code, 0);

  const { lost } = await countLost(config, payloads, outcomes, publishedFrom);
  assert.equal(lost, 0);
  const deadLettered = outcomes.lines.filter((l) => l.outcome === "dead-lettered");
  assert.ok(deadLettered.every((l) => l.reason === "max-attempts" && l.deliveryAttempt === 5));
  const letters = await pullAll(config, config.deadLetterSubscription, deadLettered.length);
  assert.equal(letters.length, deadLettered.length);
  assert.ok(outcomes.count("nacked") > 0, "failures were injected");
  assert.ok(
    outcomes.lines.every((l) => l.deliveryAttempt <= 5),
    "no event beyond its last attempt",
  );

  // The retry policy spaces redeliveries. The emulator sends the first redelivery at once and
  // applies the backoff from the second on; Pub/Sub applies it to every one.
  const first = redeliveryGaps(outcomes.lines, 2);
  const later = redeliveryGaps(outcomes.lines, 3);
  assert.ok(later.length > 0, "some events failed twice");
  assert.ok((later[0] ?? 0) >= BACKOFF_MS * 0.8, `a later redelivery came after ${later[0]}ms`);
  const median = (gaps: number[]) => gaps[Math.floor(gaps.length / 2)] ?? 0;
  await report({
    case: "4. flaky handler",
    injected: "30% of handler calls fail at random; 5 attempts; retry backoff 1s",
    eventsIn: EVENTS,
    processed: outcomes.processedCounts().size,
    duplicates: outcomes.count("duplicate"),
    deadLettered: deadLettered.length,
    lost,
    seconds: since(start),
    notes: `${outcomes.count("nacked")} nacks; gap before 2nd delivery: median ` +
      `${Math.round(median(first))}ms (the emulator redelivers a first nack at once); before ` +
      `later ones: min ${Math.round(later[0] ?? 0)}ms, median ${Math.round(median(later))}ms`,
  });
});
