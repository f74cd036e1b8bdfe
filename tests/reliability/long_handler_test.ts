/**
 * Case 15, a handler longer than the ack deadline: the subscription's ack deadline is 10 s and
 * each handler runs 25 s. The worker extends every held message's lease before it runs out, so
 * each event is delivered exactly once and acked; nothing is redelivered meanwhile.
 */
import assert from "node:assert/strict";
import { spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { envFor } from "../support/pubsub.ts";
import { countLost, freshBacklog, report, since, tallied } from "../support/reliability.ts";

const EVENTS = 5;

integrationTest(
  "reliability: a 25 s handler on a 10 s ack deadline is delivered once",
  async () => {
    const start = performance.now();
    const { config, publishedFrom, payloads } = await freshBacklog({ ackDeadline: 10_000 }, EVENTS);
    const outcomes = new Outcomes();
    const port = Math.floor(20_000 + Math.random() * 20_000);
    const worker = spawnCli(
      ["worker", "--pool-size", "10", "--simulate-latency", "25s", "--handler-timeout", "60s"],
      { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0", METRICS_PORT: String(port) },
    );
    outcomes.follow(worker);
    await outcomes.until(() => outcomes.count("acked") >= EVENTS, 60_000, "5 acked");
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    worker.process.kill("SIGTERM");
    assert.equal((await worker.finished).code, 0);

    const extensions = Number(/^event_tool_lease_extensions_total (\d+)/m.exec(metrics)?.[1]);
    assert.equal(outcomes.lines.length, EVENTS, "one outcome per event: none redelivered");
    assert.ok(outcomes.lines.every((l) => l.outcome === "acked" && l.deliveryAttempt === 1));
    assert.ok(extensions >= EVENTS, `${extensions} lease extensions`);
    const { lost, held } = await countLost(config, payloads, outcomes, publishedFrom);
    assert.equal(lost, 0);
    assert.equal(held, 0, "the subscription holds nothing that could be delivered again");
    await report({
      case: "15. handler longer than the ack deadline",
      injected: "ack deadline 10 s, every handler 25 s",
      eventsIn: EVENTS,
      ...tallied(outcomes),
      lost,
      seconds: since(start),
      notes: `each delivered once (attempt 1), ${extensions} lease extensions sent`,
    });
  },
);
