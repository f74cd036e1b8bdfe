import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { commandsFor, program } from "../main.ts";
import * as bench from "../src/commands/bench.ts";
import * as consoleCommand from "../src/commands/console.ts";
import * as deadLetters from "../src/commands/dead_letters.ts";
import * as demo from "../src/commands/demo.ts";
import * as publish from "../src/commands/publish.ts";
import * as replay from "../src/commands/replay.ts";
import * as setup from "../src/commands/setup.ts";
import * as snapshot from "../src/commands/snapshot.ts";
import * as status from "../src/commands/status.ts";
import * as worker from "../src/commands/worker.ts";
import { resolveConfig } from "../src/config/resolve.ts";
import { COMMAND_SETTINGS, type CommandName } from "../src/config/settings.ts";
import { runCli } from "./support/cli.ts";

const EXAMPLES: Record<CommandName, readonly string[]> = {
  setup: setup.examples,
  publish: publish.examples,
  worker: worker.examples,
  replay: replay.examples,
  snapshot: snapshot.examples,
  status: status.examples,
  "dead-letters": deadLetters.examples,
  console: consoleCommand.examples,
  demo: demo.examples,
  bench: bench.examples,
};

Deno.test("--version prints event-tool's version and what it runs on", async () => {
  const result = await runCli(["--version"]);
  assert.equal(result.code, 0);
  const lines = result.stdout.trim().split("\n");
  assert.equal(lines[0], `event-tool ${denoJson.version}`);
  assert.deepEqual(lines.slice(1).map((l) => l.split(" ")[0]), [
    "deno",
    "v8",
    "typescript",
    "@google-cloud/pubsub",
  ]);
  assert.equal(lines[1], `deno ${Deno.version.deno}`);
});

Deno.test("help: typed placeholders, groups, examples; help <command> works too", async () => {
  for (const name of Object.keys(COMMAND_SETTINGS)) {
    const result = await runCli(["help", name]);
    assert.equal(result.code, 0, name);
    assert.doesNotMatch(result.stdout, /<value>/, `${name}: every flag says what it takes`);
    assert.match(result.stdout, /^Connection:$/m, name);
    assert.match(result.stdout, /^Examples:\n {2}\$ event-tool /m, name);
  }
  const worker = (await runCli(["worker", "--help"])).stdout;
  for (
    const wanted of [
      "--pool-size <count>",
      "--handler-timeout <duration|off>",
      "--handler-url <url>",
      "--log-level <level>",
      "Pool:",
      "Handler:",
      "Logging:",
      "Operations:",
      "warning (or warn)",
    ]
  ) {
    assert.ok(worker.includes(wanted), wanted);
  }
});

Deno.test("every example in help parses with the real parser", async () => {
  const cli = await program();
  for (const command of cli.commands) {
    const name = command.name() as CommandName;
    if (!(name in COMMAND_SETTINGS)) continue; // commander's own help command
    for (const example of EXAMPLES[name]) {
      const words = example.split(" ").filter((w) => w !== "");
      const args = words.slice(1, words.includes("<") ? words.indexOf("<") : undefined);
      const parsed = command.parseOptions(args);
      assert.ok(parsed.unknown.every((u) => !u.startsWith("-")), `${example}: ${parsed.unknown}`);
      const flags = command.opts();
      assert.doesNotThrow(
        () => resolveConfig(COMMAND_SETTINGS[name], { flags, env: () => undefined }),
        example,
      );
      for (const key of Object.keys(flags)) delete flags[key];
    }
  }
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

Deno.test("a failure prints its stack with --log-level debug or LOG_LEVEL=DEBUG, a usage error never", async () => {
  const env = { PUBSUB_EMULATOR_HOST: "127.0.0.1:1", PUBSUB_CONNECT_TIMEOUT: "1s" };
  const plain = await runCli(["publish", "--count", "1"], env);
  assert.equal(plain.code, 1);
  assert.doesNotMatch(plain.stderr, /\n\s+at /, "no stack at info");
  for (
    const [args, extra] of [
      [["publish", "--count", "1", "--log-level", "debug"], {}],
      [["publish", "--count", "1"], { LOG_LEVEL: "DEBUG" }],
    ] as const
  ) {
    const debug = await runCli([...args], { ...env, ...extra });
    assert.equal(debug.code, 1);
    assert.match(
      debug.stderr,
      /\n\s+at /,
      `a stack trace: ${args.join(" ")} ${JSON.stringify(extra)}`,
    );
  }
  const usage = await runCli(["publish", "--count", "x", "--log-level", "debug"], env);
  assert.equal(usage.code, 2);
  assert.doesNotMatch(usage.stderr, /\n\s+at /);
});

Deno.test("commandsFor() loads the command that runs, or every one for help", () => {
  assert.deepEqual(commandsFor(["worker", "--pool-size", "5"]), ["worker"]);
  assert.deepEqual(commandsFor(["dead-letters", "peek"]), ["dead-letters"]);
  for (const args of [["worker", "--help"], ["help", "worker"], ["-V"], ["nope"]]) {
    assert.deepEqual(
      [...commandsFor(args)].sort(),
      Object.keys(COMMAND_SETTINGS).sort(),
      args.join(" "),
    );
  }
});

/** The modules `entry` imports statically (what loads with it), from `deno info`. */
async function staticGraph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier?: string }; isDynamic?: boolean }[];
    }[];
  };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const stack = [...info.roots];
  while (stack.length > 0) {
    const specifier = stack.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      if (!dep.isDynamic && dep.code?.specifier) stack.push(dep.code.specifier);
    }
  }
  return [...seen];
}

Deno.test("event-tool worker loads nothing of the other commands, the console, OTel's SDK or Ajv's compiler", async () => {
  const graph = await staticGraph(new URL("../src/commands/worker.ts", import.meta.url).href);
  const loaded = (pattern: RegExp) => graph.filter((s) => pattern.test(s));
  assert.ok(loaded(/\/src\/worker\/worker\.ts$/).length === 1, "the worker itself is in the graph");
  assert.deepEqual(loaded(/\/src\/commands\/(?!worker\.ts)/), [], "another command");
  assert.deepEqual(loaded(/\/src\/ops\/console\/console\.ts$/), [], "the console");
  assert.deepEqual(loaded(/opentelemetry\/sdk|exporter-trace/), [], "OpenTelemetry's SDK");
  assert.deepEqual(
    loaded(/ajv@[^/]+\/dist\/2020|\/src\/event\/compile\.ts$/),
    [],
    "Ajv's compiler",
  );
  assert.deepEqual(
    loaded(/cli-progress|\/src\/pubsub\/(publisher|topology)\.ts$/),
    [],
    "publish, setup",
  );
  const main = await staticGraph(new URL("../main.ts", import.meta.url).href);
  assert.deepEqual(
    main.filter((s) => /\/src\/commands\//.test(s)),
    [],
    "main.ts loads commands on demand",
  );
});
