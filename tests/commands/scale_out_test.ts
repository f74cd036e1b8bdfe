/** Three worker processes on one subscription, as `--scale worker=3` runs them. */
import assert from "node:assert/strict";
import { spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { createTopology, envFor, publishEvents, pull, testConfig } from "../support/pubsub.ts";

integrationTest("three workers on one subscription handle every event, each some", async () => {
  const config = await testConfig();
  await createTopology(config);
  const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" };
  const args = ["worker", "--pool-size", "5", "--simulate-latency", "20ms"];
  const replicas = [0, 1, 2].map(() => spawnCli(args, env));
  const each = replicas.map((replica) => {
    const outcomes = new Outcomes();
    outcomes.follow(replica);
    return outcomes;
  });
  await Promise.all(replicas.map((r) => r.waitForLine(/Connected to Pub\/Sub/)));
  const payloads = await publishEvents(config, 300);
  const handled = () => new Set(each.flatMap((o) => [...o.processedCounts().keys()]));
  await each[0]!.until(() => handled().size >= 300, 60_000, "300 handled by the replicas");
  for (const replica of replicas) replica.process.kill("SIGTERM");
  for (const replica of replicas) assert.equal((await replica.finished).code, 0);
  assert.deepEqual(handled(), new Set(payloads.map((p) => p.eventID)));
  const shares = each.map((o) => o.processedCounts().size);
  assert.ok(shares.every((n) => n > 0), `each replica handled some: ${shares.join(" / ")}`);
  assert.deepEqual(await pull(config, config.subscription), []);
});
