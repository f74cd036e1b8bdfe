/**
 * Reliability: Pub/Sub is away. setup and publish give up within --connect-timeout with one line
 * naming the target and the cause (exit 1); the worker keeps retrying but warns.
 */
import assert from "node:assert/strict";
import { runCli, spawnCli } from "../support/cli.ts";
import { NO_EVENTS, report, since } from "../support/reliability.ts";

/** Nothing listens on port 1 of the loopback interface. */
const NOWHERE = { PUBSUB_EMULATOR_HOST: "127.0.0.1:1", LOG_FORMAT: "json" };

Deno.test("reliability: setup and publish fail fast, the worker warns, when Pub/Sub is away", async () => {
  const start = performance.now();
  const lines: number[] = [];
  const seconds: number[] = [];
  for (const args of [["setup"], ["publish", "--count", "5"]]) {
    const started = performance.now();
    const result = await runCli(args, NOWHERE);
    seconds.push(since(started));
    assert.equal(result.code, 1, result.stderr);
    const errors = result.stderr.split("\n").filter((l) => l.startsWith("error:"));
    assert.deepEqual(errors, [
      "error: cannot reach the Pub/Sub emulator at 127.0.0.1:1: connection refused (is it " +
      "running? `gcloud beta emulators pubsub start --host-port=127.0.0.1:1` starts one)",
    ]);
    lines.push(result.stderr.trim().split("\n").length);
    assert.ok(since(started) < 10, `${args[0]} gave up after ${since(started).toFixed(1)}s`);
  }

  const worker = spawnCli(
    ["worker", "--connect-timeout", "2s", "--summary-interval", "1s", "--metrics-port", "0"],
    NOWHERE,
  );
  const warned = performance.now();
  await worker.waitForLine(/Not connected to Pub\/Sub .* after 2s/, 10_000);
  const warnSeconds = since(warned);
  await worker.waitForLine(/not connected to Pub\/Sub"/, 10_000);
  worker.process.kill("SIGTERM");
  assert.equal((await worker.finished).code, 0);
  assert.ok(warnSeconds < 5, `the worker warned after ${warnSeconds.toFixed(1)}s`);

  await report({
    case: "8. unreachable Pub/Sub",
    injected: "PUBSUB_EMULATOR_HOST=127.0.0.1:1 (nothing listens)",
    ...NO_EVENTS,
    seconds: since(start),
    notes: `setup gave up in ${seconds[0]?.toFixed(2)}s and publish in ` +
      `${seconds[1]?.toFixed(2)}s, each printing ${lines.join(" and ")} line(s) with exit 1; the ` +
      `worker warned after ${warnSeconds.toFixed(1)}s (--connect-timeout 2s) and its summary ` +
      "says it is not connected",
  });
});
