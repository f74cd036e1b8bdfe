import assert from "node:assert/strict";
import { UsageError } from "../../src/base/errors.ts";
import { seekTarget } from "../../src/commands/replay.ts";
import { runCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { createTopology, envFor, publishEvents, testConfig } from "../support/pubsub.ts";
import { spawnCli } from "../support/cli.ts";

const none = { since: undefined, to: undefined, snapshot: undefined };

Deno.test("seekTarget() takes exactly one of --since, --to and --snapshot", () => {
  const now = Date.parse("2026-11-27T10:00:00Z");
  assert.equal(
    (seekTarget({ ...none, since: 600_000 }, now) as Date).toISOString(),
    "2026-11-27T09:50:00.000Z",
  );
  const to = new Date("2026-11-27T09:30:00Z");
  assert.equal(seekTarget({ ...none, to }, now), to);
  assert.equal(seekTarget({ ...none, snapshot: "before-deploy" }, now), "before-deploy");
  assert.throws(() => seekTarget(none, now), UsageError);
  assert.throws(
    () => seekTarget({ ...none, since: 1000, snapshot: "x-snap" }, now),
    /got --since and --snapshot, expected exactly one of --since <duration>, --to <time> or --snapshot <name>/,
  );
});

/** Runs a worker until `count` more events were acked, then stops it. */
async function consume(env: Record<string, string>, outcomes: Outcomes, count: number) {
  const target = outcomes.count("acked") + count;
  const worker = spawnCli(["worker", "--pool-size", "50"], env);
  outcomes.follow(worker);
  await outcomes.until(() => outcomes.count("acked") >= target, 30_000, `${target} acked`);
  worker.process.kill("SIGTERM");
  assert.equal((await worker.finished).code, 0);
}

integrationTest(
  "replay --since brings back acked events; snapshot and replay --snapshot too",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" };
    const payloads = await publishEvents(config, 20);
    const outcomes = new Outcomes();
    await consume(env, outcomes, 20);

    const snap = await runCli(["snapshot", "create", "after-first-run"], env);
    assert.equal(snap.code, 0, snap.stderr);
    assert.match(snap.stdout, /^created snapshot after-first-run of /);

    const replayed = await runCli(["replay", "--since", "10m"], env);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(replayed.stdout, /^replayed .* from \d{4}-\d{2}-\d{2}T/);
    await consume(env, outcomes, 20); // each event again (a new process has no dedupe memory)
    const counts = outcomes.processedCounts();
    assert.ok(payloads.every((p) => counts.get(p.eventID) === 2), "every event handled twice");

    const toSnapshot = await runCli(["replay", "--snapshot", "after-first-run"], env);
    assert.equal(toSnapshot.code, 0, toSnapshot.stderr);
    const deleted = await runCli(["snapshot", "delete", "after-first-run"], env);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /^deleted snapshot after-first-run/);

    const bad = await runCli(["snapshot", "rename", "x-snap"], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: snapshot: got "rename", expected create or delete/);
  },
);
