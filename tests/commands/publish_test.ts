import assert from "node:assert/strict";
import { builtInContract } from "../../src/event/contract.ts";
import { runCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, envFor, pull, pullAll, testConfig } from "../support/pubsub.ts";
import { fakeEvent } from "../../src/event/payload.ts";

integrationTest("publish --count sends that many valid events and prints a summary", async () => {
  const config = await testConfig();
  await createTopology(config);
  const result = await runCli(["publish", "--count", "25"], envFor(config));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^published 25 events, 0 failed, in \d+\.\d\ds \(\d+ events\/s\)$/m);
  const messages = await pullAll(config, config.subscription, 25);
  assert.equal(messages.length, 25);
  for (const message of messages) {
    assert.equal(builtInContract().validate(JSON.parse(message.text)), undefined);
    assert.equal(message.attributes.eventType, "PaymentMethodCreated");
    assert.match(message.attributes.publishedAt ?? "", /^\d{13}$/);
  }
  assert.equal(new Set(messages.map((m) => JSON.parse(m.text).eventID)).size, 25);
});

integrationTest("publish --file - publishes the NDJSON lines exactly as given", async () => {
  const config = await testConfig();
  await createTopology(config);
  const events = [fakeEvent(), fakeEvent(), fakeEvent()];
  const lines = events.map((e) => JSON.stringify(e));
  const result = await runCli(
    ["publish", "--file", "-"],
    envFor(config),
    lines.join("\n") + "\n\n",
  );
  assert.equal(result.code, 0, result.stderr);
  const messages = await pullAll(config, config.subscription, 3);
  assert.deepEqual(messages.map((m) => m.text).sort(), [...lines].sort());
});

integrationTest("publish --file with a bad line names the line and publishes nothing", async () => {
  const config = await testConfig();
  await createTopology(config);
  const file = await Deno.makeTempFile({ suffix: ".ndjson" });
  const bad = { ...fakeEvent(), paymentMethodType: 7 };
  await Deno.writeTextFile(
    file,
    [fakeEvent(), bad, fakeEvent()].map((e) => JSON.stringify(e)).join("\n"),
  );
  const result = await runCli(["publish", "--file", file], envFor(config));
  await Deno.remove(file);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr.trim(),
    `error: --file ${file} line 2: /paymentMethodType: must be string (rule type), got the ` +
      'number "7" (PaymentMethodCreated from the built-in schema)',
  );
  assert.deepEqual(await pull(config, config.subscription), []);
});

integrationTest(
  "publish --file with bytes that are not UTF-8 names the line, publishes nothing",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const good = new TextEncoder().encode(JSON.stringify(fakeEvent()) + "\n");
    const bad = new TextEncoder().encode(JSON.stringify({ ...fakeEvent(), userID: "X" }));
    const at = bad.indexOf(0x58); // the X becomes ff fe: what U+FFFD replaced before
    const file = await Deno.makeTempFile({ suffix: ".ndjson" });
    await Deno.writeFile(
      file,
      new Uint8Array([...good, ...bad.subarray(0, at), 0xff, 0xfe, ...bad.subarray(at + 1), 10]),
    );
    const result = await runCli(["publish", "--file", file], envFor(config));
    await Deno.remove(file);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr.trim(),
      `error: --file ${file} line 2: not valid UTF-8, expected UTF-8 text (nothing was published)`,
    );
    assert.deepEqual(await pull(config, config.subscription), []);
  },
);

integrationTest(
  "publish to a topic that does not exist fails with exit 2, naming setup",
  async () => {
    const config = await testConfig();
    const result = await runCli(["publish", "--count", "3"], envFor(config));
    assert.equal(result.code, 2);
    assert.match(result.stdout, /published 0 events, 3 failed/);
    assert.match(
      result.stderr,
      new RegExp(
        `^error: topic ${config.topic} .* does not exist on .*: run \`event-tool setup\``,
        "m",
      ),
    );
  },
);

integrationTest("publish --ordering-key userID keys each message by its event's user", async () => {
  const config = await testConfig();
  await createTopology(config);
  const result = await runCli(
    ["publish", "--count", "20", "--ordering-key", "userID"],
    envFor(config),
  );
  assert.equal(result.code, 0, result.stderr);
  const messages = await pullAll(config, config.subscription, 20);
  assert.equal(messages.length, 20);
  for (const m of messages) assert.equal(m.orderingKey, JSON.parse(m.text).userID);
});

integrationTest(
  "publish --users 4 gives 20 random events to 4 users in turn, in publish order",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const result = await runCli(
      ["publish", "--count", "20", "--ordering-key", "userID", "--users", "4"],
      envFor(config),
    );
    assert.equal(result.code, 0, result.stderr);
    const events = (await pullAll(config, config.subscription, 20)).map((m) => ({
      ...JSON.parse(m.text) as { userID: string; createdAt: string },
      orderingKey: m.orderingKey,
    }));
    assert.equal(events.length, 20);
    for (const e of events) assert.equal(e.orderingKey, e.userID, "keyed by its user");
    // createdAt rises from one event to the next, so it tells the publish order.
    events.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    assert.equal(new Set(events.map((e) => e.createdAt)).size, 20);
    const users = [...new Set(events.map((e) => e.userID))];
    assert.equal(users.length, 4);
    events.forEach((e, i) => assert.equal(e.userID, users[i % 4], "users in turn"));
  },
);

integrationTest("publish --users with --file is refused (exit 2)", async () => {
  const config = await testConfig();
  const result = await runCli(["publish", "--file", "-", "--users", "3"], envFor(config));
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--users .*: expected no --file as well/);
});
