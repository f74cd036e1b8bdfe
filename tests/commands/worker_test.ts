import assert from "node:assert/strict";
import { createClient } from "../../src/pubsub/client.ts";
import { freePort } from "../../src/pubsub/emulator.ts";

import { sample } from "../../bench/measure/scrape.ts";
import { jsonLogs, runCli, spawnCli } from "../support/cli.ts";
import { httpStatus } from "../support/http.ts";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, envFor, publishEvents, pull, testConfig } from "../support/pubsub.ts";
import { waitFor } from "../support/wait.ts";

integrationTest(
  "worker drains on SIGTERM, exits 0, and a second worker finishes the rest",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const payloads = await publishEvents(config, 300);
    const env = envFor(config);
    const args = ["worker", "--pool-size", "50", "--simulate-latency", "200ms"];

    const first = spawnCli(args, env);
    await first.waitForLine(/"outcome":"acked"/);
    first.process.kill("SIGTERM");
    const stopped = await first.finished;
    assert.equal(stopped.code, 0, stopped.stderr);
    const logs = jsonLogs(first.lines);
    const stopping = logs.find((l) => String(l.message).startsWith("Stopping:"));
    assert.ok(stopping, "the worker logged that it was stopping");
    const firstAcked = logs.filter((l) => l.outcome === "acked");
    // Everything in flight when SIGTERM came was finished and acked, not dropped.
    assert.ok(firstAcked.length >= Number(stopping.running), `${firstAcked.length} acked`);
    assert.ok(firstAcked.length < 300, "SIGTERM came mid-run");
    for (const line of logs.filter((l) => l.outcome !== undefined)) {
      for (const field of ["eventID", "messageId", "deliveryAttempt", "outcome", "durationMs"]) {
        assert.ok(field in line, `${field} in ${JSON.stringify(line)}`);
      }
    }

    const second = spawnCli(["worker", "--pool-size", "100"], env);
    const expected = new Set(payloads.map((p) => p.eventID));
    const handled = new Set(firstAcked.map((l) => String(l.eventID)));
    while (handled.size < expected.size) {
      const line = await second.waitForLine(/"outcome":"acked"/, 30_000);
      second.lines.splice(0, second.lines.indexOf(line) + 1);
      handled.add(String(JSON.parse(line).eventID));
    }
    second.process.kill("SIGTERM");
    assert.equal((await second.finished).code, 0);
    assert.deepEqual(handled, expected, "no event lost");
    assert.deepEqual(await pull(config, config.subscription), []);
  },
);

integrationTest(
  "worker on a subscription that does not exist exits 1 and says to run setup",
  async () => {
    const config = await testConfig();
    // The topics exist (setup was half done), the subscription does not.
    const client = createClient(config);
    await client.createTopic(config.topic);
    await client.createTopic(config.deadLetterTopic);
    await client.close();
    const result = await runCli(["worker"], envFor(config));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /error: the subscription s-\w+ cannot be consumed .*run `event-tool setup`/,
    );
  },
);

integrationTest(
  "worker serves /metrics and /readyz, and is not ready once SIGTERM came",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    await publishEvents(config, 40);
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    const worker = spawnCli(
      ["worker", "--metrics-port", String(port), "--pool-size", "5", "--simulate-latency", "400ms"],
      envFor(config),
    );
    await waitFor(async () => await httpStatus(`${base}/readyz`) === 200, {
      timeoutMs: 20_000,
      what: "/readyz to answer 200",
    });
    assert.equal(await httpStatus(`${base}/healthz`), 200);
    await worker.waitForLine(/"outcome":"acked"/);
    // Gauges and totals come from the snapshot taken each second: at most a second behind.
    let metrics = "";
    await waitFor(async () => {
      metrics = await (await fetch(`${base}/metrics`)).text();
      return (sample(metrics, "event_tool_events_acked_total") ?? 0) >= 1 &&
        sample(metrics, "event_tool_ready") === 1;
    }, { timeoutMs: 2000, what: "ready and the first ack on /metrics within a second's snapshot" });
    assert.equal(sample(metrics, "event_tool_ready"), 1);
    assert.equal(sample(metrics, "event_tool_pool_size"), 5);
    assert.ok((sample(metrics, "event_tool_events_acked_total") ?? 0) >= 1);
    assert.ok((sample(metrics, "event_tool_in_flight_events") ?? 0) > 0, "handlers are running");

    worker.process.kill("SIGTERM");
    const seen = new Set<number | undefined>();
    let code: number | undefined;
    worker.finished.then((r) => code = r.code);
    await waitFor(async () => {
      seen.add(await httpStatus(`${base}/readyz`)); // sampled every 20 ms while it drains
      return code !== undefined;
    }, {
      timeoutMs: 40_000,
      intervalMs: 20,
      what: "the worker to exit after SIGTERM",
      progress: () => `/readyz answered ${[...seen].join(", ")}`,
    });
    assert.equal(code, 0);
    assert.ok(seen.has(503), `statuses seen while draining: ${[...seen].join(", ")}`);
  },
);
