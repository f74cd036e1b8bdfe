/**
 * The worker's handlers from the command line, as users run them: the examples (a module
 * handler and an HTTP receiver) on the real emulator, and the inputs that must exit 2.
 */
import assert from "node:assert/strict";
import { freePort } from "../../src/pubsub/emulator.ts";
import { runCli, spawnCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { Outcomes } from "../support/outcomes.ts";
import { createTopology, envFor, publishEvents, pull, testConfig } from "../support/pubsub.ts";

const examples = new URL("../../examples/", import.meta.url).pathname;

integrationTest(
  "worker --handler runs examples/custom_handler.ts; its failures are redelivered",
  async () => {
    const config = await testConfig();
    await createTopology(config);
    const payloads = await publishEvents(config, 30);
    const worker = spawnCli(
      ["worker", "--handler", `${examples}custom_handler.ts`],
      { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" },
    );
    const outcomes = new Outcomes();
    outcomes.follow(worker);
    await outcomes.until(() => outcomes.processedCounts().size >= 30, 60_000, "30 handled");
    worker.process.kill("SIGTERM");
    assert.equal((await worker.finished).code, 0);
    const banks = payloads.length -
      outcomes.lines.filter((l) => l.outcome === "acked" && l.deliveryAttempt === 1).length;
    assert.ok(banks > 0, "some bank_account events failed their first attempt");
    assert.equal(outcomes.count("nacked"), banks, "each failed once, then succeeded");
    assert.ok(worker.lines.some((l) => /stored (card|bank_account) /.test(l)));
    assert.deepEqual(await pull(config, config.subscription), []);
  },
);

integrationTest("worker --handler-url delivers to examples/http_receiver.ts", async () => {
  const config = await testConfig();
  await createTopology(config);
  await publishEvents(config, 25);
  const port = freePort();
  const receiver = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", `${examples}http_receiver.ts`, String(port)],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines: string[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of receiver.stdout) lines.push(...decoder.decode(chunk).split("\n"));
  })();
  const worker = spawnCli(
    ["worker", "--handler-url", `http://127.0.0.1:${port}/events`],
    { ...envFor(config), WORKER_SUMMARY_INTERVAL: "0" },
  );
  const outcomes = new Outcomes();
  outcomes.follow(worker);
  try {
    await outcomes.until(() => outcomes.count("acked") >= 25, 60_000, "25 acked");
  } finally {
    worker.process.kill("SIGTERM");
    await worker.finished;
    receiver.kill("SIGTERM");
    await receiver.status;
    await reading;
  }
  const received = lines.filter((l) => l.startsWith("PaymentMethodCreated "));
  assert.equal(received.length, 25, "the receiver printed one line per event");
  assert.match(received[0] ?? "", /\(attempt 1\): (card|bank_account) /);
});

Deno.test("worker handler inputs that cannot work exit 2 with one line", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/no_default.ts`, "export const handle = 1;\n");
  const env = { PUBSUB_EMULATOR_HOST: "127.0.0.1:1", METRICS_PORT: "0" };
  const cases: [string[], RegExp][] = [
    [
      ["--handler-url", "ftp://example.com/x"],
      /^error: --handler-url: got "ftp:\/\/example.com\/x", expected an http\(s\) URL/,
    ],
    [
      ["--handler-url", "not a url"],
      /^error: --handler-url: got "not a url", expected an http\(s\) URL/,
    ],
    [
      ["--handler", `${dir}/missing.ts`],
      /^error: --handler: cannot read ".*missing.ts" \(not found\), expected a module whose default export/,
    ],
    [
      ["--handler", `${dir}/no_default.ts`],
      /^error: --handler: ".*no_default.ts" has no default export, expected a module/,
    ],
    [
      ["--handler", `${dir}/no_default.ts`, "--handler-url", "http://127.0.0.1:1/"],
      /^error: --handler .*: expected no --handler-url as well/,
    ],
    [
      ["--handler-header", "no colon here"],
      /^error: --handler-header: got a value \(not shown: it may be a secret\), expected one "Name: value" header per line.*header 1 of 1/,
    ],
    [
      ["--handler-header", "Authorization: Bearer X-s3cret", "--handler-header", "X-Bad Header"],
      /^error: --handler-header: got a value \(not shown.*header 2 of 2 has no valid name/,
    ],
    [
      ["--handler-header", "X-Api-Key: s3cret\u0007tail"],
      /^error: --handler-header: .*the value of header "X-Api-Key" has a control character/,
    ],
    [
      ["--handler-timeout", "0"],
      /^error: --handler-timeout: got "0", expected a duration from 1ms to 600s .* or off for no limit/,
    ],
    [
      ["--handler-timeout", "0.4ms"],
      /^error: --handler-timeout: got "0.4ms", expected a duration from 1ms/,
    ],
    [
      ["--dead-letter-topic", "payment-method-created-topic"],
      /^error: --dead-letter-topic payment-method-created-topic: expected a topic other than --topic/,
    ],
  ];
  try {
    for (const [args, pattern] of cases) {
      const result = await runCli(["worker", ...args], env);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      const lines = result.stderr.trim().split("\n");
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? "", pattern);
      assert.doesNotMatch(result.stderr, /s3cret/, "a header value is never printed");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
