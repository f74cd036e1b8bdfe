/**
 * Case 7, bad input: flags, variables and files a user can get wrong. Each exits 2 with one line
 * naming the flag or variable, the value and the expected form, and no stack trace; a bad line
 * in `publish --file` (not JSON, not the contract, not UTF-8) is reported by number and nothing
 * is published.
 */
import assert from "node:assert/strict";

import { runCli } from "../support/cli.ts";
import { integrationTest } from "../support/emulator.ts";
import { createTopology, envFor, pull, testConfig } from "../support/pubsub.ts";
import { NO_EVENTS, report, since } from "../support/reliability.ts";
import { fakeEvent } from "../../src/event/payload.ts";

/**
 * A usage error: exit 2, exactly one error line on stderr (commander may add hint lines in
 * parentheses: "(Did you mean bench?)", "(run with --help for usage)"), no stack trace.
 */
function assertUsageError(result: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split("\n").filter((l) => !l.startsWith("("));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? "", pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

const NDJSON: [string, string, RegExp][] = [
  ["a line that is not JSON", "{not json}", /line 2: not JSON, expected one event per line/],
  [
    "a line with a bad field",
    JSON.stringify({ ...fakeEvent(), userID: "u1" }),
    /line 2: \/userID: expected a UUID .*\(rule pattern\), got "u1"/,
  ],
  ["a JSON array line", "[1,2]", /line 2: \/: must be object \(rule type\), got an array/],
];

integrationTest(
  "reliability: bad flags, variables and files exit 2 with one precise line",
  async () => {
    const start = performance.now();
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["launch"], {}, /^error: unknown command 'launch'/],
      [["worker", "--pool"], {}, /^error: unknown option '--pool'/],
      [["worker", "--pool-size"], {}, /^error: option '--pool-size <count>' argument missing/],
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
        ["worker", "--shutdown-timeout", "30 seconds"],
        {},
        /^error: --shutdown-timeout: got "30 seconds", expected a duration/,
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
        /^error: --max-outstanding 5: expected at least the pool size, --pool-size 10$/m,
      ],
      [
        ["setup"],
        { PUBSUB_EMULATOR_HOST: "localhost" },
        /^error: PUBSUB_EMULATOR_HOST: got "localhost", expected host:port/,
      ],
      [["setup", "--topic", ""], {}, /^error: --topic: got "", expected 3 to 255/],
      [
        ["setup"],
        { PUBSUB_EMULATOR_HOST: "", GOOGLE_CLOUD_PROJECT: "", GCLOUD_PROJECT: "" },
        /^error: no Google Cloud project: expected --project\/PUBSUB_PROJECT_ID, GOOGLE_CLOUD_PROJECT or GCLOUD_PROJECT/,
      ],
      [
        ["setup"],
        { PUBSUB_RETRY_MIN_BACKOFF: "20s", PUBSUB_RETRY_MAX_BACKOFF: "10s" },
        /^error: PUBSUB_RETRY_MIN_BACKOFF="20s": expected at most PUBSUB_RETRY_MAX_BACKOFF="10s"/,
      ],
      [
        ["setup"],
        { PUBSUB_SUBSCRIPTION: "goog-sub" },
        /^error: PUBSUB_SUBSCRIPTION: got "goog-sub"/,
      ],
      [
        ["setup", "--max-delivery-attempts", "3"],
        {},
        /^error: --max-delivery-attempts: got "3", expected an integer from 5 to 100/,
      ],
      [
        ["setup", "--ack-deadline", "5s"],
        {},
        /^error: --ack-deadline 5s: expected 10s to 600s/,
      ],
      [["publish", "--count", "ten"], {}, /^error: --count: got "ten", expected an integer/],
      [["publish", "--rate", "0"], {}, /^error: --rate: got "0", expected a number above 0/],
      [
        ["publish", "--count", "5", "--file", "events.ndjson"],
        {},
        /^error: --count 5: expected no --file as well/,
      ],
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
      [["publish", "--count", "0"], {}, /^error: --count: got "0", expected an integer from 1/],
      [["worker", "--dedupe-window", "-1"], {}, /^error: --dedupe-window: got "-1"/],
      [
        ["worker", "--max-payload", "64kb"],
        {},
        /^error: --max-payload: got "64kb", expected a size/,
      ],
      [
        ["worker"],
        { METRICS_PORT: "70000" },
        /^error: METRICS_PORT: got "70000", expected an integer from 0 to 65535/,
      ],
      [
        ["worker", "--simulate-latency", "10sec"],
        {},
        /^error: --simulate-latency: got "10sec", expected a duration/,
      ],
      [
        ["setup"],
        { LOG_REDACT: "sometimes" },
        /^error: LOG_REDACT: got "sometimes", expected true or false/,
      ],
      [
        ["setup"],
        { PUBSUB_PROJECT_ID: "My Project" },
        /^error: PUBSUB_PROJECT_ID: got "My Project", expected 6 to 30/,
      ],
    ];
    for (const [args, env, pattern] of cases) {
      const result = await runCli(args, { PUBSUB_EMULATOR_HOST: "127.0.0.1:1", ...env });
      assertUsageError(result, pattern);
    }

    const config = await testConfig();
    await createTopology(config);
    for (const [, line, pattern] of NDJSON) {
      const input = [JSON.stringify(fakeEvent()), line, JSON.stringify(fakeEvent())].join("\n");
      const result = await runCli(["publish", "--file", "-"], envFor(config), input);
      assertUsageError(result, pattern);
    }
    // Bytes that are not UTF-8 (ff fe): a lenient decoder would publish U+FFFD instead.
    const file = await Deno.makeTempFile({ suffix: ".ndjson" });
    const good = new TextEncoder().encode(`${JSON.stringify(fakeEvent())}\n`);
    await Deno.writeFile(file, new Uint8Array([...good, 0x7b, 0xff, 0xfe, 0x7d, 0x0a, ...good]));
    const notUtf8 = await runCli(["publish", "--file", file], envFor(config));
    await Deno.remove(file);
    assertUsageError(notUtf8, /line 2: not valid UTF-8, expected UTF-8 text/);
    assert.deepEqual(await pull(config, config.subscription), [], "nothing was published");

    const inputs = cases.length + NDJSON.length + 1;
    await report({
      case: "7. bad input",
      injected: `${inputs} bad command lines, variables and NDJSON files`,
      ...NO_EVENTS,
      seconds: since(start),
      notes: `${inputs} of ${inputs} exited 2 with one line naming the input; no stack trace`,
    });
  },
);
