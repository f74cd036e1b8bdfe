/**
 * Case 6, outage: the emulator is stopped mid-run and a new one started on the same port (the
 * topology recreated by `setup`). The worker survives, reports itself not ready meanwhile, logs
 * the failure with backoff rather than in a loop, becomes ready again and processes what is
 * published afterwards.
 */
import assert from "node:assert/strict";
import { freePort, startEmulator } from "../../src/pubsub/emulator.ts";

import { runCli, spawnCli } from "../support/cli.ts";
import { httpStatus } from "../support/http.ts";
import { integrationTest } from "../support/emulator.ts";
import { envFor, uniqueConfig } from "../support/pubsub.ts";
import { Outcomes } from "../support/outcomes.ts";
import { report, since, tallied } from "../support/reliability.ts";
import { sleep } from "../../src/base/async.ts";
import { waitFor } from "../support/wait.ts";

const BATCH = 50;

function readyz(port: number): Promise<number | undefined> {
  return httpStatus(`http://127.0.0.1:${port}/readyz`);
}

async function waitForReadyz(port: number, status: number, timeoutMs: number): Promise<void> {
  await waitFor(async () => await readyz(port) === status, {
    timeoutMs,
    intervalMs: 200,
    what: `/readyz to answer ${status}`,
  });
}

integrationTest("reliability: the worker survives an emulator outage and resumes", async () => {
  const start = performance.now();
  const port = freePort();
  let emulator = await startEmulator({ port });
  const config = uniqueConfig(emulator.host); // its own emulator, not the shared one: it stops it
  const metricsPort = freePort();
  const env = {
    ...envFor(config),
    METRICS_PORT: String(metricsPort),
    WORKER_SUMMARY_INTERVAL: "0",
  };
  try {
    assert.equal((await runCli(["setup"], env)).code, 0);
    const outcomes = new Outcomes();
    const worker = spawnCli(["worker", "--pool-size", "20"], env);
    outcomes.follow(worker);
    assert.equal((await runCli(["publish", "--count", String(BATCH)], env)).code, 0);
    await outcomes.until(() => outcomes.count("acked") >= BATCH, 60_000, "the first batch");
    await waitForReadyz(metricsPort, 200, 15_000);

    const linesBefore = worker.lines.length;
    await emulator.stop();
    const down = performance.now();
    await waitForReadyz(metricsPort, 503, 15_000);
    await sleep(5000); // an outage of a few seconds more
    const linesDuringOutage = worker.lines.length - linesBefore;

    emulator = await startEmulator({ port });
    assert.equal((await runCli(["setup"], env)).code, 0);
    await waitForReadyz(metricsPort, 200, 60_000);
    const recovered = since(down);
    assert.equal((await runCli(["publish", "--count", String(BATCH)], env)).code, 0);
    await outcomes.until(() => outcomes.count("acked") >= 2 * BATCH, 90_000, "the second batch");

    worker.process.kill("SIGTERM");
    assert.equal((await worker.finished).code, 0, "the worker never exited on its own");
    assert.ok(linesDuringOutage < 40, `${linesDuringOutage} log lines during the outage`);
    assert.deepEqual(outcomes.errors, [], "no unhandled promise rejection");
    await report({
      case: "6. outage",
      injected: "emulator stopped mid-run for ~5s+, new one started, topology recreated",
      eventsIn: 2 * BATCH,
      ...tallied(outcomes),
      lost: 2 * BATCH - outcomes.processedCounts().size,
      seconds: since(start),
      notes: `not ready within seconds of the stop; ready again ${recovered.toFixed(1)}s after ` +
        `it; ${linesDuringOutage} log line(s) during the outage`,
    });
  } finally {
    await emulator.stop();
  }
});
