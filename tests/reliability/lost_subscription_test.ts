/**
 * Case 14, lost resources: the subscription is deleted under a running worker (as when it is
 * removed or the worker's permission revoked): after a few failed reopens /healthz answers 503
 * with one error line, so an orchestrator restarts the worker, and the worker keeps running
 * (no crash loop). At start, a missing dead-letter topic stops the worker (exit 1, naming it)
 * instead of an endless nack loop, and a dead-letter topic equal to the topic is refused (exit 2).
 */
import assert from "node:assert/strict";
import { createClient } from "../../src/pubsub/client.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { jsonLogs, runCli, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { httpStatus } from "../support/http.ts";
import { Outcomes } from "../support/outcomes.ts";
import { createTopology, envFor, publishEvents, testConfig } from "../support/pubsub.ts";
import { report, since, tallied } from "../support/reliability.ts";
import { waitFor } from "../support/wait.ts";

const EVENTS = 20;

integrationTest(
  "reliability: a lost subscription fails /healthz; missing resources stop at start",
  async () => {
    const start = performance.now();
    const config = await testConfig({ replayWindow: 0 });
    await createTopology(config);
    const payloads = await publishEvents(config, EVENTS);
    const metricsPort = freePort();
    const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" };

    const missing = await runCli(["worker"], { ...env, PUBSUB_DEAD_LETTER_TOPIC: "no-such-dlt" });
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /error: the dead-letter topic no-such-dlt does not exist/);
    const same = await runCli(["worker"], { ...env, PUBSUB_DEAD_LETTER_TOPIC: config.topic });
    assert.equal(same.code, 2, same.stderr);
    assert.match(same.stderr, /^error: PUBSUB_DEAD_LETTER_TOPIC=.*expected a topic other than/);

    const outcomes = new Outcomes();
    const worker = spawnCli(["worker", "--metrics-port", String(metricsPort)], env);
    outcomes.follow(worker);
    let running = true;
    void worker.finished.then(() => running = false);
    await outcomes.until(() => outcomes.processedCounts().size >= EVENTS, 30_000, "all acked");
    const healthz = () => httpStatus(`http://127.0.0.1:${metricsPort}/healthz`);
    assert.equal(await healthz(), 200);
    const client = createClient(config);
    await client.subscription(config.subscription).delete();
    await client.close();
    const deleted = performance.now();
    await waitFor(async () => await healthz() === 503, {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: "/healthz 503",
    });
    const unhealthyAfter = since(deleted);
    // It has said the subscription is lost (its reaction is over) and still answers: no crash.
    await worker.waitForLine(/is lost/, 10_000);
    assert.equal(await healthz(), 503, "/healthz still answers after the loss");
    assert.equal(running, true, "the worker keeps running (no crash loop)");
    worker.process.kill("SIGTERM");
    assert.equal((await worker.finished).code, 0);
    const lostLines = jsonLogs(worker.lines).filter((l) => /is lost/.test(String(l.message)));
    assert.equal(lostLines.length, 1, "one error line");
    assert.equal(lostLines[0]?.severity, "ERROR");
    const counts = outcomes.processedCounts();
    const lost = payloads.filter((p) => !counts.has(p.eventID)).length;
    assert.equal(lost, 0);
    await report({
      case: "14. lost resources",
      injected: "subscription deleted under a running worker; a missing dead-letter topic; the " +
        "dead-letter topic set to the topic",
      eventsIn: EVENTS,
      ...tallied(outcomes),
      lost,
      seconds: since(start),
      notes: `/healthz 503 ${unhealthyAfter.toFixed(1)}s after the deletion, one error line, ` +
        "worker still running; missing dead-letter topic: exit 1 naming it; dead-letter topic = " +
        "topic: exit 2",
    });
  },
);
