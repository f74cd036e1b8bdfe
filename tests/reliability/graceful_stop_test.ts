/**
 * Case 2, graceful stop: SIGTERM with 500 events in flight and a 200 ms handler. The process
 * exits 0 within the shutdown timeout, every event in flight finished and was acked, and a
 * restarted worker processes the rest (with a seek when the emulator strands messages that were
 * in transit on the closed stream, as in the crash case).
 */
import assert from "node:assert/strict";
import { jsonLogs, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import {
  createTopology,
  envFor,
  publishEvents,
  pull,
  seekToTime,
  testConfig,
} from "../support/pubsub.ts";
import { Outcomes } from "../support/outcomes.ts";
import { reachWithSeek, report, since } from "../support/reliability.ts";

const EVENTS = 500;
const SHUTDOWN_TIMEOUT_MS = 10_000;

integrationTest("reliability: SIGTERM drains in-flight events and loses none", async () => {
  const start = performance.now();
  const config = await testConfig();
  await createTopology(config);
  const publishedFrom = new Date(Date.now() - 1000);
  const payloads = await publishEvents(config, EVENTS);
  const env = {
    ...envFor(config),
    WORKER_SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`,
    WORKER_SUMMARY_INTERVAL: "0",
  };

  const outcomes = new Outcomes();
  const first = spawnCli(["worker", "--pool-size", "100", "--simulate-latency", "200ms"], env);
  outcomes.follow(first);
  await outcomes.until(() => outcomes.count("acked") >= 100, 60_000, "100 acked");
  const signalled = performance.now();
  first.process.kill("SIGTERM");
  const stopped = await first.finished;
  const stopSeconds = since(signalled);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.ok(stopSeconds * 1000 < SHUTDOWN_TIMEOUT_MS + 2000, `stopped in ${stopSeconds}s`);

  const logs = jsonLogs(first.lines);
  const stopping = logs.findIndex((l) => String(l.message).startsWith("Stopping:"));
  const inFlight = Number(logs[stopping]?.inFlight);
  assert.ok(inFlight > 0, "events were in flight when SIGTERM came");
  const after = logs.slice(stopping + 1).filter((l) => typeof l.outcome === "string");
  // Every event in flight finished and was acked; only events that never started were nacked.
  assert.equal(after.filter((l) => l.outcome === "acked").length, inFlight);
  assert.ok(after.every((l) => l.outcome === "acked" || l.reason === "shutting-down"));
  assert.ok(!logs.some((l) => String(l.message).startsWith("Shutdown timeout")));
  const firstRun = outcomes.processedCounts().size;

  const second = spawnCli(["worker", "--pool-size", "100"], env);
  outcomes.follow(second);
  const processed = () => outcomes.processedCounts().size;
  const seeks = await reachWithSeek(
    outcomes,
    processed,
    EVENTS,
    () => seekToTime(config, config.subscription, publishedFrom),
  );
  second.process.kill("SIGTERM");
  assert.equal((await second.finished).code, 0);

  const counts = outcomes.processedCounts();
  const lost = payloads.filter((p) => !counts.has(p.eventID)).length;
  assert.equal(lost, 0);
  assert.deepEqual(await pull(config, config.subscription), []);
  await report({
    case: "2. graceful stop",
    injected: `SIGTERM with ${inFlight} events in flight (200 ms handler), restart`,
    eventsIn: EVENTS,
    processed: counts.size,
    duplicates: [...counts.values()].reduce((sum, n) => sum + n - 1, 0),
    deadLettered: outcomes.count("dead-lettered"),
    lost,
    seconds: since(start),
    notes: `first worker processed ${firstRun} and exited 0 in ${stopSeconds.toFixed(2)}s ` +
      `(shutdown timeout ${SHUTDOWN_TIMEOUT_MS / 1000}s); ${seeks} seek(s) for messages the ` +
      "emulator stranded on the closed stream",
  });
});
