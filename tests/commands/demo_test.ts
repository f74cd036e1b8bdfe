import assert from "node:assert/strict";
import { runCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";

integrationTest("demo starts its own emulator and handles 100 events end to end", async () => {
  const result = await runCli(["demo", "--log-level", "warning"], { PUBSUB_EMULATOR_HOST: "" });
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /demo: published 100, handled 100 distinct events \(100 acked, 0 nacked, 0 dead-lettered\)/,
  );
});
