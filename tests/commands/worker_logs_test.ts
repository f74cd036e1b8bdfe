/** What a person reads on a terminal: outcome lines in words, quiet when idle, a clear stop. */
import assert from "node:assert/strict";
import { sleep } from "../../src/base/async.ts";
import { spawnCli } from "../support/cli.ts";
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
    await sleep(1200); // a summary for the work just done
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
      /in flight get up to 30s to finish; \d+ waiting for a permit and \d+ leased/,
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
  await waitFor(() => summaries() >= 1, { timeoutMs: 5000, what: "the first summary" });
  await sleep(1000); // a line for the connection's change, if it came after the first
  const settled = summaries();
  await sleep(3000); // six intervals, no event
  worker.process.kill("SIGTERM");
  await worker.finished;
  assert.equal(summaries(), settled, "no summary while nothing changes");
});
