/**
 * The TypeScript bench peers drain a real backlog on the emulator and report it, measured from
 * /proc as the bench measures every consumer (the Go peer needs `go build`: the bench covers it).
 */
import assert from "node:assert/strict";
import { peerProcess } from "../../bench/cases/peers.ts";
import { createClient } from "../../src/pubsub/client.ts";
import { integrationTest } from "../support/emulator.ts";
import { testConfig } from "../support/pubsub.ts";

for (const consumer of ["bare-stream", "plain-client"] as const) {
  integrationTest(`bench peer ${consumer}: drains 300 events and reports its usage`, async () => {
    const config = await testConfig();
    const client = createClient(config);
    try {
      const row = await peerProcess(client, config, consumer, {
        case: "test",
        pool: 100,
        latencyMs: 0,
        events: 300,
      });
      assert.equal(row.events, 300);
      assert.equal(row.case, "test");
      assert.ok(row.seconds > 0 && row.cpuMsPer1000 > 0 && row.peakRssMb > 0, JSON.stringify(row));
    } finally {
      await client.close();
    }
  });
}
