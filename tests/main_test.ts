import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { runCli } from "./support/cli.ts";

/** A usage error: exit 2, exactly one line on stderr, no stack trace. */
function assertUsageError(result: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split("\n").filter((l) => !l.startsWith("(run with --help"));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? "", pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

Deno.test("--version prints the version from deno.json", async () => {
  const result = await runCli(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), denoJson.version);
});

Deno.test("--help on each command lists its flags with their variables", async () => {
  const expectations: Record<string, string[]> = {
    setup: ["--max-delivery-attempts", "WORKER_MAX_DELIVERY_ATTEMPTS", "PUBSUB_DEAD_LETTER_TOPIC"],
    publish: ["--count", "--file", "--rate", "PUBSUB_TOPIC"],
    worker: ["--pool-size", "--max-outstanding", "--handler-timeout", "--simulate-latency"],
    demo: ["--count", "--pool-size"],
  };
  for (const [command, needles] of Object.entries(expectations)) {
    const result = await runCli([command, "--help"]);
    assert.equal(result.code, 0, command);
    for (const needle of needles) {
      assert.ok(result.stdout.includes(needle), `${command}: ${needle}`);
    }
  }
});

Deno.test("no command prints help on stderr and exits 2", async () => {
  const result = await runCli([]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Usage: event-tool/);
});

Deno.test("bad usage exits 2 with one line naming the flag or variable, value and form", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["launch"], {}, /^error: unknown command 'launch'/],
    [["worker", "--pool"], {}, /^error: unknown option '--pool'/],
    [["worker", "--pool-size"], {}, /^error: option '--pool-size <value>' argument missing/],
    [
      ["worker", "--pool-size", "0"],
      {},
      /^error: --pool-size: got "0", expected an integer from 1/,
    ],
    [["worker", "--pool-size", "-5"], {}, /^error: --pool-size: got "-5", expected an integer/],
    [["worker", "--pool-size", "NaN"], {}, /^error: --pool-size: got "NaN", expected an integer/],
    [["worker", "--pool-size", "1e9"], {}, /^error: --pool-size: got "1e9", expected an integer/],
    [
      ["worker"],
      { WORKER_POOL_SIZE: "99999999999" },
      /^error: WORKER_POOL_SIZE: got "99999999999"/,
    ],
    [
      ["worker", "--shutdown-timeout", "30"],
      {},
      /^error: --shutdown-timeout: got "30", expected a duration/,
    ],
    [
      ["worker"],
      { WORKER_HANDLER_TIMEOUT: "soon" },
      /^error: WORKER_HANDLER_TIMEOUT: got "soon", expected a duration/,
    ],
    [
      ["worker", "--simulate-failure-rate", "1.5"],
      {},
      /^error: --simulate-failure-rate: got "1.5", expected a number from 0 to 1/,
    ],
    [
      ["worker", "--pool-size", "10", "--max-outstanding", "5"],
      {},
      /^error: --max-outstanding\/WORKER_MAX_OUTSTANDING: got 5/,
    ],
    [
      ["setup"],
      { PUBSUB_EMULATOR_HOST: "localhost" },
      /^error: PUBSUB_EMULATOR_HOST: got "localhost", expected host:port/,
    ],
    [["setup", "--topic", ""], {}, /^error: --topic: got "", expected 3 to 255/],
    [["setup"], { PUBSUB_SUBSCRIPTION: "goog-sub" }, /^error: PUBSUB_SUBSCRIPTION: got "goog-sub"/],
    [
      ["setup", "--max-delivery-attempts", "3"],
      {},
      /^error: --max-delivery-attempts: got "3", expected an integer from 5 to 100/,
    ],
    [
      ["setup", "--ack-deadline", "5s"],
      {},
      /^error: --ack-deadline\/PUBSUB_ACK_DEADLINE: got 5000ms, expected 10s to 600s/,
    ],
    [["publish", "--count", "ten"], {}, /^error: --count: got "ten", expected an integer/],
    [["publish", "--rate", "0"], {}, /^error: --rate: got "0", expected an integer/],
    [
      ["publish", "--file", "/nonexistent/events.ndjson"],
      {},
      /^error: --file: cannot read "\/nonexistent\/events.ndjson"/,
    ],
    [
      ["publish", "--log-format", "xml"],
      {},
      /^error: --log-format: got "xml", expected one of json, pretty/,
    ],
    [
      ["publish"],
      { LOG_LEVEL: "loud" },
      /^error: LOG_LEVEL: got "loud", expected one of trace, debug/,
    ],
  ];
  for (const [args, env, pattern] of cases) {
    const result = await runCli(args, { PUBSUB_EMULATOR_HOST: "127.0.0.1:1", ...env });
    assertUsageError(result, pattern);
  }
});
