/**
 * Case 2, graceful stop: SIGTERM with 500 events in flight and a 200 ms handler. The process
 * exits 0 within the shutdown timeout, every event in flight finished and was acked, and a
 * restarted worker processes the rest (with a seek when the emulator strands messages that were
 * in transit on the closed stream, as in the crash case). Lost is counted once the first worker
 * exited, before any seek, on a subscription that keeps no acked event.
 */
import assert from "node:assert/strict";
import { jsonLogs, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { envFor, pull } from "../support/pubsub.ts";
import { Outcomes } from "../support/outcomes.ts";
import {
  countLost,
  freshBacklog,
  reachWithSeek,
  replayFrom,
  report,
  since,
} from "../support/reliability.ts";
import { sleep } from "../../src/base/async.ts";
import { sample } from "../../bench/measure/scrape.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { waitFor } from "../support/wait.ts";
import { SAME_STOP_MS } from "../../src/commands/worker.ts";

const EVENTS = 500;
const SHUTDOWN_TIMEOUT_MS = 10_000;

integrationTest("reliability: SIGTERM drains in-flight events and loses none", async () => {
  const start = performance.now();
  const { config, publishedFrom, payloads } = await freshBacklog({}, EVENTS);
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
  // The 200 ms handlers finish long before the shutdown timeout: stopping must not wait for it.
  assert.ok(stopSeconds < 3, `stopped in ${stopSeconds.toFixed(2)}s`);

  const logs = jsonLogs(first.lines);
  const stopping = logs.findIndex((l) => String(l.message).startsWith("Stopping:"));
  const inFlight = Number(logs[stopping]?.running);
  const waiting = Number(logs[stopping]?.notStarted);
  assert.ok(inFlight > 0, "events were being handled when SIGTERM came");
  const after = logs.slice(stopping + 1).filter((l) => typeof l.outcome === "string");
  // Every event being handled finished and was acked; the ones waiting for a permit, and what was
  // still on its way as the streams drained, were given back (their lines at debug, counted in
  // the last line); the stream stopped at the signal, so no delivery started after it.
  assert.equal(after.filter((l) => l.outcome === "acked").length, inFlight);
  assert.ok(
    after.every((l) => l.outcome === "acked"),
    "no line above debug for what is given back",
  );
  const stoppedLine = logs.find((l) => String(l.message).startsWith("Worker stopped"));
  assert.ok(
    Number(stoppedLine?.givenBack) >= waiting,
    `the stop gave back what it said it would (${stoppedLine?.givenBack} given back, ${waiting} ` +
      "waiting at the signal; more arrive as the streams drain)",
  );
  const newDeliveries = after.length - inFlight;
  assert.equal(newDeliveries, 0, "deliveries after the signal");
  const givenBack = after.length - inFlight - waiting;
  assert.ok(!logs.some((l) => String(l.message).startsWith("Shutdown timeout")));
  const firstRun = outcomes.processedCounts().size;
  const { lost, held } = await countLost(config, payloads, outcomes, publishedFrom);
  assert.equal(lost, 0, `${lost} events neither logged as done nor held`);

  const second = spawnCli(["worker", "--pool-size", "100"], env);
  outcomes.follow(second);
  const processed = () => outcomes.processedCounts().size;
  const seeks = await reachWithSeek(
    outcomes,
    processed,
    EVENTS,
    () => replayFrom(env, publishedFrom),
  );
  // What a replay brought back (copies of events handled already) is handled before the stop.
  await outcomes.untilQuiet(3000, { timeoutMs: 60_000, what: "the replayed copies handled" });
  second.process.kill("SIGTERM");
  assert.equal((await second.finished).code, 0);

  const counts = outcomes.processedCounts();
  assert.ok(payloads.every((p) => counts.has(p.eventID)), "every event processed in the end");
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
    notes: `first worker processed ${firstRun} and exited 0 in ${stopSeconds.toFixed(2)}s; ` +
      `lost counted then, before any seek: ${held} held by the subscription; ` +
      `after SIGTERM: ${inFlight} in flight acked, ${waiting} waiting nacked, ` +
      `${givenBack} on their way nacked unhandled, ${newDeliveries} new deliveries ` +
      `(shutdown timeout ${SHUTDOWN_TIMEOUT_MS / 1000}s); ${seeks} seek(s) for messages the ` +
      "emulator stranded on the closed stream",
  });
});

integrationTest(
  "reliability: a second SIGTERM nacks what is held and exits 143 at once",
  async () => {
    const start = performance.now();
    const { config, publishedFrom, payloads } = await freshBacklog({}, 20);
    const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" };
    const metricsPort = freePort();
    const worker = spawnCli(
      ["worker", "--pool-size", "5", "--simulate-latency", "60s", "--handler-timeout", "120s"],
      { ...env, WORKER_SHUTDOWN_TIMEOUT: "120s", METRICS_PORT: String(metricsPort) },
    );
    const outcomes = new Outcomes();
    outcomes.follow(worker);
    // Five handlers are now sleeping for a minute.
    await waitFor(async () => {
      const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text())
        .catch(() => "");
      return sample(text, "event_tool_in_flight_events") === 5;
    }, { timeoutMs: 30_000, intervalMs: 100, what: "5 handlers in flight" });
    worker.process.kill("SIGTERM");
    await worker.waitForLine(/Stopping:/);
    await sleep(SAME_STOP_MS + 100); // the same signal sooner would count as the same stop
    const signalled = performance.now();
    worker.process.kill("SIGTERM");
    const result = await worker.finished;
    const exitSeconds = since(signalled);
    assert.equal(result.code, 143, result.stderr);
    assert.ok(exitSeconds < 5, `exited ${exitSeconds.toFixed(2)}s after the second signal`);
    const shuttingDown = outcomes.lines.filter((l) => l.reason === "shutting-down").length;
    assert.equal(outcomes.count("acked"), 0);
    assert.equal(outcomes.count("dead-lettered"), 0, "a forced stop never dead-letters");
    assert.ok(shuttingDown >= 5, `${shuttingDown} nacked as shutting-down`);
    const { lost, held } = await countLost(config, payloads, outcomes, publishedFrom);
    assert.equal(lost, 0, `${lost} events neither logged as done nor held`);

    // Nothing is lost: a fresh worker handles all 20 (the nacks made them deliverable again).
    const next = spawnCli(["worker", "--pool-size", "20"], env);
    outcomes.follow(next);
    await outcomes.until(() => outcomes.processedCounts().size >= 20, 60_000, "20 processed");
    next.process.kill("SIGTERM");
    assert.equal((await next.finished).code, 0);
    const counts = outcomes.processedCounts();
    assert.ok(payloads.every((p) => counts.has(p.eventID)), "every event processed in the end");
    await report({
      case: "2b. second signal",
      injected: "SIGTERM, then SIGTERM again while 5 handlers sleep for 60 s",
      eventsIn: payloads.length,
      processed: counts.size,
      duplicates: [...counts.values()].reduce((sum, n) => sum + n - 1, 0),
      deadLettered: outcomes.count("dead-lettered"),
      lost,
      seconds: since(start),
      notes: `exit 143 ${exitSeconds.toFixed(2)}s after the second signal; ${shuttingDown} ` +
        `held events nacked (shutting-down); lost counted then: ${held} held by the ` +
        "subscription; all handled by the next worker",
    });
  },
);
