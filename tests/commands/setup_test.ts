import assert from "node:assert/strict";
import { runCli, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { envFor, publishEvents, pullAll, testConfig } from "../support/pubsub.ts";
import { fakeConfig, fakeTest } from "../support/fake_server.ts";

integrationTest("setup creates the four resources, then reports them as existing", async () => {
  const config = await testConfig();
  const env = envFor(config);
  const first = await runCli(["setup"], env);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.stdout.trim().split("\n").map((l) => l.split(/\s+/)), [
    ["created", "topic", config.topic],
    ["created", "topic", config.deadLetterTopic],
    ["created", "subscription", config.subscription],
    ["created", "subscription", config.deadLetterSubscription],
  ]);
  const second = await runCli(["setup"], env);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(second.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]), [
    "exists",
    "exists",
    "exists",
    "exists",
  ]);

  const url =
    `http://${config.emulatorHost}/v1/projects/${config.project}/subscriptions/${config.subscription}`;
  const subscription = await (await fetch(url)).json();
  assert.equal(subscription.ackDeadlineSeconds, 60);
  assert.deepEqual(subscription.deadLetterPolicy, {
    deadLetterTopic: `projects/${config.project}/topics/${config.deadLetterTopic}`,
    maxDeliveryAttempts: 5,
  });
  assert.equal(subscription.retryPolicy.minimumBackoff, "1s");
  assert.equal(subscription.retryPolicy.maximumBackoff, "1s");
});

integrationTest(
  "setup shows drift, --update applies it, status shows it and the worker follows",
  async () => {
    const config = await testConfig();
    const env = envFor(config);
    assert.equal((await runCli(["setup"], env)).code, 0);
    const changed = ["--max-delivery-attempts", "10", "--ack-deadline", "120s"];
    const status = await runCli(["status", ...changed], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(
        `^subscription ${config.subscription} \\(topic ${config.topic}\\): ack deadline 60s, retry backoff 1s to 1s, dead-letter topic ${config.deadLetterTopic}, max delivery attempts 5, replay window 168h, message ordering off, exactly-once delivery off, expiry never, filter none$`,
        "m",
      ),
    );
    assert.match(
      status.stdout,
      /^ {2}differs from the flags: ack deadline 60s → 120s \(setup --update applies it\)$/m,
    );
    assert.match(status.stdout, /^ {2}differs from the flags: max delivery attempts 5 → 10/m);
    assert.match(status.stdout, /^dead letters on .*: none/m);

    const second = await runCli(["setup", ...changed], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(
      second.stdout,
      new RegExp(
        `^differs subscription ${config.subscription}: ack deadline 60s → 120s, max delivery attempts 5 → 10 \\(--update applies them\\)$`,
        "m",
      ),
    );
    assert.match(
      second.stdout,
      new RegExp(
        `^differs subscription ${config.deadLetterSubscription}: ack deadline 60s → 120s`,
        "m",
      ),
    );
    const url = `http://${config.emulatorHost}/v1/projects/${config.project}/subscriptions/`;
    const read = async (name: string) => await (await fetch(url + name)).json();
    assert.equal((await read(config.subscription)).ackDeadlineSeconds, 60, "nothing changed yet");

    const updated = await runCli(["setup", ...changed, "--update"], env);
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(
      updated.stdout,
      new RegExp(
        `^updated subscription ${config.subscription}: ack deadline 60s → 120s, max delivery attempts 5 → 10$`,
        "m",
      ),
    );
    const after = await read(config.subscription);
    assert.equal(after.ackDeadlineSeconds, 120);
    assert.equal(after.deadLetterPolicy.maxDeliveryAttempts, 10);
    assert.equal((await read(config.deadLetterSubscription)).ackDeadlineSeconds, 120);
    const third = await runCli(["setup", ...changed], env);
    assert.deepEqual(third.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]), [
      "exists",
      "exists",
      "exists",
      "exists",
    ]);
    const clean = await runCli(["status", ...changed], env);
    assert.doesNotMatch(clean.stdout, /differs/);

    // The worker, given the old flag, follows the subscription (10) and says so once.
    const worker = spawnCli(["worker", "--max-delivery-attempts", "5"], env);
    await worker.waitForLine(/dead-letters after 10 deliveries/);
    worker.process.kill("SIGTERM");
    const stopped = await worker.finished;
    assert.equal(stopped.code, 0);
    assert.equal(
      stopped.stderr.split("\n").filter((l) => /dead-letters after 10/.test(l)).length,
      1,
    );
  },
);

integrationTest(
  "setup fails when message ordering cannot be applied, and --recreate applies it only while nothing waits",
  async () => {
    const config = await testConfig();
    const env = envFor(config);
    const url =
      `http://${config.emulatorHost}/v1/projects/${config.project}/subscriptions/${config.subscription}`;
    const ordering = async () => (await (await fetch(url)).json()).enableMessageOrdering ?? false;
    assert.equal((await runCli(["setup"], env)).code, 0);

    for (const args of [["--message-ordering"], ["--message-ordering", "--update"]]) {
      const refused = await runCli(["setup", ...args], env);
      assert.equal(refused.code, 1, `setup ${args.join(" ")} cannot do what it was asked`);
      assert.match(
        refused.stdout,
        new RegExp(
          `^differs subscription ${config.subscription}: message ordering off → on \\(cannot change on an existing one\\)$`,
          "m",
        ),
      );
      assert.equal(
        refused.stderr.trim().split("\n").at(-1),
        `error: subscription ${config.subscription}: message ordering off → on cannot be applied ` +
          `to an existing subscription; run setup again with --recreate (it deletes and creates ` +
          `${config.subscription}, so only while nothing waits on it), or switch to a new ` +
          `subscription name (docs/operations.md, "Settings Pub/Sub cannot change")`,
      );
      assert.equal(await ordering(), false, "unchanged");
    }

    const recreated = await runCli(["setup", "--message-ordering", "--recreate"], env);
    assert.equal(recreated.code, 0, recreated.stderr);
    assert.match(
      recreated.stdout,
      new RegExp(
        `^recreated subscription ${config.subscription}: message ordering off → on \\(it did not ` +
          "exist for at most \\d+ ms: events published then are not on it\\)$",
        "m",
      ),
    );
    assert.equal(await ordering(), true);
    const again = await runCli(["setup", "--message-ordering"], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^exists {2}subscription ${config.subscription}$`, "m"));

    await publishEvents(config, 3);
    const kept = await runCli(["setup", "--recreate"], env);
    assert.equal(kept.code, 1);
    assert.match(
      kept.stderr,
      new RegExp(
        `^error: subscription ${config.subscription}: message ordering on → off not applied: it ` +
          "holds at least 3 undelivered events, which --recreate would delete; let its workers " +
          "drain it and run setup again, or switch to a new subscription name",
        "m",
      ),
    );
    assert.equal(await ordering(), true, "not recreated");
    assert.equal((await pullAll(config, config.subscription, 3)).length, 3, "nothing lost");
  },
);

fakeTest(
  "setup --exactly-once gives the subscription exactly-once delivery; status and drift show it",
  async (fake) => {
    const config = fakeConfig(fake);
    const env = envFor(config);
    const created = await runCli(["setup", "--exactly-once"], env);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(fake.protoOf(config.subscription).enableExactlyOnceDelivery, true);
    assert.equal(fake.protoOf(config.deadLetterSubscription).enableExactlyOnceDelivery, undefined);
    const status = await runCli(["status", "--exactly-once"], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /message ordering off, exactly-once delivery on, expiry never/);
    assert.doesNotMatch(status.stdout, /differs from the flags/);
    const drift = await runCli(["setup"], env); // without the flag: it differs
    assert.equal(drift.code, 0, drift.stderr);
    assert.match(drift.stdout, /exactly-once delivery on → off/);
    assert.equal(fake.protoOf(config.subscription).enableExactlyOnceDelivery, true, "unchanged");
    const updated = await runCli(["setup", "--update"], env);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(fake.protoOf(config.subscription).enableExactlyOnceDelivery, false);
  },
);
