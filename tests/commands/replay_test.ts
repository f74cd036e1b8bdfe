import assert from "node:assert/strict";
import { UsageError } from "../../src/base/errors.ts";
import { seekTarget } from "../../src/commands/replay.ts";
import { runCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { createTopology, envFor, publishEvents, testConfig } from "../support/pubsub.ts";
import { spawnCli } from "../support/cli.ts";
import { sleep } from "../../src/base/async.ts";

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
  "replay --since brings back acked events with an undo; replay --snapshot goes back to it",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" };
    const payloads = await publishEvents(config, 20);
    const outcomes = new Outcomes();
    const snap = await runCli(["snapshot", "create", "before-first-run"], env);
    assert.equal(snap.code, 0, snap.stderr);
    assert.match(snap.stdout, /^created snapshot before-first-run of /);
    await consume(env, outcomes, 20);

    const replayed = await runCli(["replay", "--since", "10m"], env);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(replayed.stdout, /^replayed .* from \d{4}-\d{2}-\d{2}T/);
    const undo = /to undo: event-tool replay --snapshot (before-replay-\d{8}T\d{9}Z)$/m
      .exec(replayed.stdout);
    assert.ok(undo, replayed.stdout);
    await consume(env, outcomes, 20); // each event again (a new process has no dedupe memory)
    let counts = outcomes.processedCounts();
    assert.ok(payloads.every((p) => counts.get(p.eventID) === 2), "every event handled twice");

    // Back to before the first run: the 20 events are unacked again. A snapshot seek can
    // acknowledge waiting events too, so it takes its undo snapshot as well.
    const toSnapshot = await runCli(["replay", "--snapshot", "before-first-run"], env);
    assert.equal(toSnapshot.code, 0, toSnapshot.stderr);
    const undoSnapshot = /to undo: event-tool replay --snapshot (before-replay-\S+)$/m
      .exec(toSnapshot.stdout);
    assert.ok(undoSnapshot, toSnapshot.stdout);
    await consume(env, outcomes, 20);
    counts = outcomes.processedCounts();
    assert.ok(payloads.every((p) => counts.get(p.eventID) === 3), "every event handled again");

    for (const name of ["before-first-run", undo[1] as string, undoSnapshot[1] as string]) {
      const deleted = await runCli(["snapshot", "delete", name], env);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.match(deleted.stdout, new RegExp(`^deleted snapshot ${name}`));
    }

    const bad = await runCli(["snapshot", "rename", "x-snap"], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: snapshot: got "rename", expected create, delete or list/);
  },
);

Deno.test("seekTarget() refuses a time at or after now: it would acknowledge the backlog", () => {
  const now = Date.parse("2026-11-27T10:00:00Z");
  assert.throws(
    () => seekTarget({ ...none, to: new Date(now + 1000) }, now),
    /--to: got 2026-11-27T10:00:01.000Z, expected a time in the past/,
  );
  assert.throws(
    () => seekTarget({ ...none, to: new Date(now) }, now),
    /--to: got 2026-11-27T10:00:00.000Z, expected a time in the past/,
  );
  assert.throws(
    () => seekTarget({ ...none, since: 0 }, now),
    /^UsageError: --since: got 0s, which lands on now, expected a time in the past \(now is 2026-11-27T10:00:00.000Z\): a seek to now or later acknowledges every waiting event$/,
  );
  assert.equal((seekTarget({ ...none, since: 1 }, now) as Date).getTime(), now - 1);
});

integrationTest(
  "replay into a running worker: its handler gets the replayed events again",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    // --dedupe-for 1s: at the default (2 min) the replay would have to wait two minutes after
    // the first handling; tests/worker/dedupe_test.ts holds the default on a fake clock.
    const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0", WORKER_DEDUPE_FOR: "1s" };
    const from = new Date(Date.now() - 1000);
    const payloads = await publishEvents(config, 20);
    const outcomes = new Outcomes();
    const worker = spawnCli(["worker", "--pool-size", "50"], env);
    outcomes.follow(worker);
    try {
      const handled = (times: number) => () =>
        payloads.every((p) => outcomes.processedCounts().get(p.eventID) === times);
      await outcomes.until(handled(1), 30_000, "each event handled once");
      await sleep(1500); // past --dedupe-for 1s: a replay sooner would be taken for copies
      const replayed = await runCli(["replay", "--to", from.toISOString()], env);
      assert.equal(replayed.code, 0, replayed.stderr);
      assert.match(replayed.stdout, /^running workers handle the replayed events again, except/m);
      await outcomes.until(handled(2), 30_000, "each event handled again by the same worker");
      assert.equal(outcomes.count("duplicate"), 0);
      const undo = /--snapshot (before-replay-\S+)$/m.exec(replayed.stdout)?.[1] ?? "";
      assert.equal((await runCli(["snapshot", "delete", undo], env)).code, 0);
    } finally {
      worker.process.kill("SIGTERM");
      assert.equal((await worker.finished).code, 0);
    }
  },
);
