import assert from "node:assert/strict";
import { runCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";

integrationTest(
  "demo starts its own emulator, handles 100 events end to end, and stops it",
  async () => {
    // Run with the compiled executable's permissions (runCli), which start the emulator's JVM
    // without the SDK's launcher: stopping it must leave nothing running.
    const result = await runCli(["demo", "--log-level", "info"], { PUBSUB_EMULATOR_HOST: "" });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /demo: published 100, handled 100 distinct events \(100 acked, 0 nacked, 0 dead-lettered\)/,
    );
    const up = /Emulator up via (\w+) on (127\.0\.0\.1:\d+)/.exec(result.stderr);
    assert.ok(up, result.stderr);
    assert.notEqual(up[1], "gcloud", "gcloud, stopped, would leave the emulator's JVM running");
    const answer = await fetch(`http://${up[2]}/`).then(
      async (r) => (await r.body?.cancel(), r.status),
      () => "refused",
    );
    assert.equal(answer, "refused", "the emulator is gone once demo exits");
  },
);
