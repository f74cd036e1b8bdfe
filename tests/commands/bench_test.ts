import assert from "node:assert/strict";
import type { Config } from "../../src/config/settings.ts";
import { runCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { envFor, testConfig } from "../support/pubsub.ts";

/** Topics whose names the bench gives its runs, still on the emulator of `config`. */
async function benchTopics(config: Pick<Config, "emulatorHost" | "project">) {
  const url = `http://${config.emulatorHost}/v1/projects/${config.project}/topics`;
  const { topics = [] } = await (await fetch(url)).json() as { topics?: { name: string }[] };
  return topics.map((t) => t.name).filter((name) => name.includes("/topics/event-tool-bench-"));
}

integrationTest(
  "bench drains through the worker and measures it, on a topology of its own",
  async () => {
    const config = await testConfig();
    const result = await runCli(
      [
        "bench",
        "--events",
        "300",
        "--pool-size",
        "10",
        "--simulate-latency",
        "2ms",
        "--target-rate",
        "1000",
        "--json",
      ],
      { ...envFor(config), LOG_LEVEL: "warning" },
    );
    assert.equal(result.code, 0, result.stderr);
    const figures = JSON.parse(result.stdout);
    assert.equal(figures.events, 300);
    assert.equal(figures.outcomes.acked, 300);
    assert.ok(figures.eventsPerSecond > 0 && figures.seconds > 0, result.stdout);
    assert.ok(figures.handler.mean >= 1.8, "the simulated 2 ms latency shows in handler time");
    assert.ok(figures.receiptToOutcome.p50 >= figures.handler.p50);
    assert.ok(figures.cpuMsPer1000 > 0 && figures.peakRssMb > 0);
    // 1,000/s × ~2 ms: about 2 in flight, + 25%: a pool of 3 or so, one process.
    assert.equal(figures.suggestion.rate, 1000);
    assert.equal(figures.suggestion.replicas, 1);
    assert.ok(figures.suggestion.poolSize >= 2 && figures.suggestion.poolSize <= 10, result.stdout);
    assert.deepEqual(await benchTopics(config), [], "bench removed its topics");
  },
);

integrationTest("bench --file drains the given events and says so in words", async () => {
  const config = await testConfig();
  const file = await Deno.makeTempFile({ suffix: ".ndjson" });
  const event = () =>
    JSON.stringify({
      eventID: crypto.randomUUID(),
      userID: crypto.randomUUID(),
      paymentMethodID: crypto.randomUUID(),
      paymentMethodType: "card",
    });
  await Deno.writeTextFile(file, Array.from({ length: 7 }, event).join("\n") + "\n");
  try {
    const result = await runCli(["bench", "--file", file, "--target-rate", "50"], {
      ...envFor(config),
      LOG_LEVEL: "warning",
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Drained 7 events in [\d.]+ s: [\d,]+ events\/s with --pool-size 1000/,
    );
    assert.match(result.stdout, /^CPU: +[\d.]+ ms per 1,000 events/m);
    assert.match(result.stdout, /^For 50 events\/s: --pool-size 1 on one worker process/m);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("bench --cloud with an emulator set is a usage error naming both", async () => {
  const result = await runCli(["bench", "--cloud"], { PUBSUB_EMULATOR_HOST: "127.0.0.1:1" });
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^error: --cloud\/BENCH_CLOUD: got true with --emulator-host\/PUBSUB_EMULATOR_HOST set/,
  );
});
