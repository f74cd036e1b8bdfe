/** What a person reads on a terminal: outcome lines in words, quiet when idle, a clear stop. */
import assert from "node:assert/strict";
import { sleep } from "../../src/base/async.ts";
import { TICK_MS } from "../../src/ops/snapshot.ts";
import { jsonLogs, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, envFor, publishEvents, testConfig } from "../support/pubsub.ts";
import { publishRaw } from "../support/worker.ts";
import { waitFor } from "../support/wait.ts";

integrationTest(
  "worker's pretty log: reason and detail in words, no stray quotes, a clear stop",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const [payload] = await publishEvents(config, 1);
    await publishRaw(config, ["not json at all"]);
    const worker = spawnCli(["worker", "--simulate-failure-rate", "1", "--pool-size", "5"], {
      ...envFor(config),
      LOG_FORMAT: "pretty",
      WORKER_SUMMARY_INTERVAL: "1s",
      NO_COLOR: "1",
    });
    const nacked = await worker.waitForLine(/ nacked in /);
    const invalid = await worker.waitForLine(/ dead-lettered in /);
    await worker.waitForLine(/events\/s/, 5000); // a summary (once a second here)
    const summariesBefore = worker.lines.filter((l) => /events\/s/.test(l)).length;
    worker.process.kill("SIGTERM");
    const result = await worker.finished;
    assert.equal(result.code, 0);

    assert.match(
      nacked,
      new RegExp(
        `Event ${payload?.eventID} nacked in [\\d.]+ms \\(message \\d+, attempt \\d+, ` +
          "\\d+ failed runs?\\): " +
          "handler-failed: simulated handler failure",
      ),
    );
    assert.match(
      invalid,
      /Message \d+ \(no event ID\) dead-lettered in [\d.]+ms \(attempt 1\): invalid-json: body is not JSON/,
    );
    for (const line of [nacked, invalid]) assert.doesNotMatch(line, /"/, "no stray quotes");
    const stop = worker.lines.find((l) => /Stopping:/.test(l)) ?? "";
    assert.match(
      stop,
      /Stopping: \d+ events? being handled get up to 30s to finish; \d+ not started are given back/,
    );
    assert.match(worker.lines.join("\n"), /Worker stopped; since start: \d+ acked/);
    assert.ok(summariesBefore >= 1, "a summary after work");
  },
);

integrationTest("worker's summary is not repeated while nothing changes", async () => {
  const config = await testConfig();
  await createTopology(config);
  const worker = spawnCli(["worker"], { ...envFor(config), WORKER_SUMMARY_INTERVAL: "500ms" });
  await worker.waitForLine(/Connected to Pub\/Sub/);
  const summaries = () => worker.lines.filter((l) => /events\/s/.test(l)).length;
  const connected = () =>
    jsonLogs(worker.lines).some((l) => /events\/s/.test(String(l.message)) && l.connected);
  await waitFor(connected, { timeoutMs: 5000, what: "a summary saying it is connected" });
  const settled = summaries();
  // The scenario: the worker stays idle for three snapshot ticks, at each of which it would
  // write a line if anything had changed (tests/ops/snapshot_test.ts holds the same on a fake
  // clock; here the real worker's stats must stay still).
  await sleep(3 * TICK_MS);
  worker.process.kill("SIGTERM");
  await worker.finished;
  assert.equal(summaries(), settled, "no summary while nothing changes");
});

integrationTest(
  "a Ctrl-C stop says itself at info in two lines, and each event given back only at debug, by its ID",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const payloads = await publishEvents(config, 30);
    const run = async (level: string) => {
      const worker = spawnCli(["worker", "--pool-size", "2", "--simulate-latency", "300ms"], {
        ...envFor(config),
        WORKER_SUMMARY_INTERVAL: "0",
        LOG_LEVEL: level,
      });
      await worker.waitForLine(/"outcome":"acked"/);
      worker.process.kill("SIGINT");
      const result = await worker.finished;
      assert.equal(result.code, 0, result.stderr);
      const logs = jsonLogs(worker.lines);
      const from = logs.findIndex((l) => String(l.message).startsWith("SIGINT: stopping"));
      return logs.slice(from + 1);
    };

    const info = await run("info");
    const said = info.filter((l) => l.outcome === undefined && l.severity !== "DEBUG");
    assert.deepEqual(said.map((l) => l.severity), ["INFO", "INFO"], JSON.stringify(said));
    const [stopping, stopped] = said;
    assert.match(String(stopping?.message), /^Stopping: [12] events? being handled get up to/);
    assert.equal(
      info.filter((l) => l.outcome === "acked").length,
      Number(stopping?.running),
      "what it said was being handled, and nothing more, finished",
    );
    assert.ok(!info.some((l) => l.severity === "WARNING"), "no warning for a normal stop");
    const givenBack = Number(stopped?.givenBack);
    assert.ok(
      givenBack > 0 && givenBack === Number(stopping?.notStarted),
      String(stopped?.message),
    );

    const debug = await run("debug");
    const back = debug.filter((l) => l.reason === "shutting-down");
    assert.ok(back.length > 0 && back.every((l) => l.severity === "DEBUG"));
    const ids = new Set(payloads.map((p) => p.eventID));
    assert.ok(back.every((l) => ids.has(String(l.eventID))), "each line names its event");
  },
);
