/** Order a person can see: each outcome line names the event's ordering key (hashed under --redact). */
import assert from "node:assert/strict";
import { generatePayloads } from "../../src/event/payload.ts";
import { spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { createTopology, envFor, publishEvents, testConfig } from "../support/pubsub.ts";

integrationTest(
  "worker's outcome lines carry the ordering key, in words too; --redact hashes it",
  async () => {
    const config = await testConfig({ messageOrdering: true });
    await createTopology(config);
    for (const redact of [false, true]) {
      const payloads = await publishEvents(config, [...generatePayloads(4, "userID", 2)]);
      const keys = new Set(payloads.map((p) => p.orderingKey));
      const outcomes = new Outcomes();
      const worker = spawnCli(["worker", "--pool-size", "4", ...(redact ? ["--redact"] : [])], {
        ...envFor(config),
        WORKER_SUMMARY_INTERVAL: "0",
      });
      outcomes.follow(worker);
      await outcomes.until(() => outcomes.count("acked") >= 4, 20_000, "4 acked");
      worker.process.kill("SIGTERM");
      assert.equal((await worker.finished).code, 0);
      for (const line of outcomes.lines) {
        const key = String(line.orderingKey);
        const message = String((line as { message?: unknown }).message);
        assert.ok(message.includes(`, key ${key})`), message);
        if (redact) {
          assert.match(key, /^sha256:[0-9a-f]{12}$/);
          for (const plain of keys) assert.ok(!message.includes(String(plain)), "no plain key");
        } else assert.ok(keys.has(key), `${key} is a published key`);
      }
    }
  },
);
