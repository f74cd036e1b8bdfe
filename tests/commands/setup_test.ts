import assert from "node:assert/strict";
import { runCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { envFor, testConfig } from "../support/pubsub.ts";

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
