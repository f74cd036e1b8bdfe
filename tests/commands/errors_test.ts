/**
 * Errors that teach: a command that cannot reach Pub/Sub, finds no project or finds a resource
 * missing names the next thing to run (the emulator and its variable, `event-tool setup`).
 */
import assert from "node:assert/strict";
import { runCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { envFor, testConfig } from "../support/pubsub.ts";

/** The `error:` lines of a run. */
const errors = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("error:"));

integrationTest("every command on a project without the topology says to run setup", async () => {
  // A project of its own: nothing exists in it.
  const config = await testConfig({ project: `empty-${crypto.randomUUID().slice(0, 8)}` });
  const env = { ...envFor(config), WORKER_METRICS_PORT: "0" };
  const commands = [
    ["publish", "--count", "1"],
    ["replay", "--since", "1m"],
    ["snapshot", "list"],
    ["dead-letters", "peek"],
    ["dead-letters", "requeue"],
    ["worker"],
  ];
  const runs = await Promise.all(commands.map((args) => runCli(args, env)));
  const target = `emulator ${config.emulatorHost} \\(project ${config.project}\\)`;
  runs.forEach((run, i) => {
    const what = commands[i]!.join(" ");
    assert.notEqual(run.code, 0, what);
    const [line, ...more] = errors(run.stderr);
    assert.deepEqual(more, [], `${what}: one error line`);
    assert.match(line ?? "", /run `event-tool setup`/, `${what}: ${run.stderr}`);
  });
  const [publish, replay, , peek] = runs.map((r) => errors(r.stderr)[0]);
  assert.match(
    publish!,
    new RegExp(
      `^error: topic ${config.topic} \\(--topic/PUBSUB_TOPIC\\) does not exist on ${target}: ` +
        "run `event-tool setup` with the same names and project first$",
    ),
  );
  assert.match(replay!, new RegExp(`^error: subscription ${config.subscription} `));
  assert.match(peek!, new RegExp(`^error: subscription ${config.deadLetterSubscription} `));
  assert.equal(runs[0]!.code, 2, "a missing topic is the user's to fix: exit 2");
  assert.match(runs[0]!.stderr, /"Publishing 1 event to /, "one event, in the singular");
});

Deno.test("no project and an unreachable emulator name the variable and the command to run", async () => {
  const [noProject, unreachable] = await Promise.all([
    runCli(["setup"], {
      PUBSUB_EMULATOR_HOST: "",
      PUBSUB_PROJECT_ID: "",
      GOOGLE_CLOUD_PROJECT: "",
      GCLOUD_PROJECT: "",
      GOOGLE_APPLICATION_CREDENTIALS: "/nonexistent/credentials.json",
      METADATA_SERVER_DETECTION: "none",
    }),
    runCli(["publish", "--count", "1"], {
      PUBSUB_EMULATOR_HOST: "127.0.0.1:1",
      PUBSUB_CONNECT_TIMEOUT: "2s",
    }),
  ]);
  assert.equal(noProject.code, 2);
  assert.deepEqual(errors(noProject.stderr), [
    "error: no Google Cloud project: expected --project/PUBSUB_PROJECT_ID, GOOGLE_CLOUD_PROJECT " +
    "or GCLOUD_PROJECT, or credentials that name a project; for the emulator, " +
    "--emulator-host/PUBSUB_EMULATOR_HOST (`export PUBSUB_EMULATOR_HOST=localhost:8085`)",
  ]);
  assert.equal(unreachable.code, 1);
  assert.deepEqual(errors(unreachable.stderr), [
    "error: cannot reach the Pub/Sub emulator at 127.0.0.1:1: connection refused (is it running? " +
    "`gcloud beta emulators pubsub start --host-port=127.0.0.1:1` starts one)",
  ]);
});
