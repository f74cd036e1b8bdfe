import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { runCli } from "./support/cli.ts";

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
