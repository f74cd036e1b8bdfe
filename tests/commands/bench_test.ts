import assert from "node:assert/strict";
import { runCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { envFor, testConfig } from "../support/pubsub.ts";

integrationTest("bench runs one tiny drain case for the worker and the plain client", async () => {
  const config = await testConfig();
  const result = await runCli(
    ["bench", "--events", "300", "--pool-size", "10", "--simulate-latency", "1ms", "--json"],
    { ...envFor(config), LOG_LEVEL: "warning" },
  );
  assert.equal(result.code, 0, result.stderr);
  const rows = JSON.parse(result.stdout);
  assert.deepEqual(rows.map((r: { consumer: string }) => r.consumer), [
    "event-tool",
    "plain-client",
  ]);
  for (const r of rows) {
    assert.equal(r.events, 300);
    assert.ok(r.eventsPerSecond > 0);
    assert.ok(r.handlerMeanMs >= 1, "the simulated 1 ms latency shows in handler time");
  }
  assert.ok(rows[0].vsPlainClient > 0);
  const topics =
    await (await fetch(`http://${config.emulatorHost}/v1/projects/${config.project}/topics`))
      .json();
  assert.ok(
    !(topics.topics ?? []).some((t: { name: string }) => t.name.includes("/topics/bench-")),
    "bench removed its topics",
  );
});

Deno.test("bench --report without --matrix is a usage error", async () => {
  const result = await runCli(["bench", "--report"], { PUBSUB_EMULATOR_HOST: "127.0.0.1:1" });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: --report\/BENCH_REPORT: got true without --matrix/);
});
