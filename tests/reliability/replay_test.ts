/**
 * Case 11, replay: a seek to a time acknowledges everything published before it, waiting events
 * included. `replay --to` a time in the future and `replay --since 0` are refused (exit 2) and the
 * waiting backlog is still all there; a time seek that does acknowledge waiting events prints the
 * command that undoes it, and that command (a snapshot seek) brings every one of them back and
 * prints its own undo. Lost is counted from what the subscription holds, before any worker runs.
 */
import assert from "node:assert/strict";
import { runCli, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { envFor, pull } from "../support/pubsub.ts";
import { countLost, freshBacklog, report, since, tallied } from "../support/reliability.ts";

const EVENTS = 40;

integrationTest("reliability: replay never silently acknowledges a waiting backlog", async () => {
  const start = performance.now();
  const { config, publishedFrom, payloads } = await freshBacklog({}, EVENTS);
  const env = { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" };
  const outcomes = new Outcomes();

  const future = new Date(Date.now() + 3_600_000).toISOString();
  const refused = await runCli(["replay", "--to", future], env);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /^error: --to: got .*, expected a time in the past/);
  const sinceZero = await runCli(["replay", "--since", "0"], env);
  assert.equal(sinceZero.code, 2, sinceZero.stderr);
  assert.match(sinceZero.stderr, /^error: --since: got 0s, which lands on now, expected a time/);
  const afterRefusal = await countLost(config, payloads, outcomes, publishedFrom);
  assert.equal(afterRefusal.lost, 0, "the refused replay acknowledged nothing");
  assert.equal(afterRefusal.held, EVENTS);

  // A seek to now acknowledges the whole waiting backlog; replay says so and how to undo it.
  const seek = await runCli(["replay", "--to", new Date().toISOString()], env);
  assert.equal(seek.code, 0, seek.stderr);
  const undo = /to undo: event-tool (replay --snapshot (\S+))$/m.exec(seek.stdout);
  assert.ok(undo, seek.stdout);
  assert.deepEqual(await pull(config, config.subscription), [], "the seek acknowledged them");
  const undone = await runCli((undo[1] as string).split(" "), env);
  assert.equal(undone.code, 0, undone.stderr);
  const undoOfUndo = /to undo: event-tool replay --snapshot (\S+)$/m.exec(undone.stdout);
  assert.ok(undoOfUndo, `a snapshot seek prints its undo too: ${undone.stdout}`);

  const worker = spawnCli(["worker", "--pool-size", "20"], env);
  outcomes.follow(worker);
  await outcomes.until(() => outcomes.processedCounts().size >= EVENTS, 30_000, "all 40");
  worker.process.kill("SIGTERM");
  assert.equal((await worker.finished).code, 0);
  const counts = outcomes.processedCounts();
  const lost = payloads.filter((p) => !counts.has(p.eventID)).length;
  assert.equal(lost, 0);
  for (const name of [undo[2], undoOfUndo[1]]) {
    assert.equal((await runCli(["snapshot", "delete", name as string], env)).code, 0);
  }
  await report({
    case: "11. replay",
    injected: "replay --to one hour ahead and --since 0 over a waiting backlog; then replay --to " +
      "now and its printed undo",
    eventsIn: EVENTS,
    ...tallied(outcomes),
    lost,
    seconds: since(start),
    notes: `the future target and --since 0 exited 2 and the subscription still held ` +
      `${afterRefusal.held} of ${EVENTS}; the seek to now printed its undo (${undo[1]}), which ` +
      "brought all back and printed its own undo",
  });
});
