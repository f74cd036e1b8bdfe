/**
 * event-tool: parse the command line, dispatch to a command, map errors to exit codes.
 * Each command lives in src/commands/; every flag and variable is declared in src/config/settings.ts.
 */
import { Command, CommanderError } from "commander";
import denoJson from "./deno.json" with { type: "json" };
import * as bench from "./src/commands/bench.ts";
import * as consoleCommand from "./src/commands/console.ts";
import * as deadLetters from "./src/commands/dead_letters.ts";
import * as demo from "./src/commands/demo.ts";
import * as publish from "./src/commands/publish.ts";
import * as replay from "./src/commands/replay.ts";
import * as setup from "./src/commands/setup.ts";
import * as snapshot from "./src/commands/snapshot.ts";
import * as status from "./src/commands/status.ts";
import * as worker from "./src/commands/worker.ts";
import { cliOption } from "./src/config/cli.ts";
import { checkReadable } from "./src/config/readable.ts";
import { resolveConfig } from "./src/config/resolve.ts";
import { COMMAND_SETTINGS, type CommandName, type Config } from "./src/config/settings.ts";
import { EXIT, exitCodeFor, formatError } from "./src/base/errors.ts";
import {
  flushLogs,
  guardUnhandledRejections,
  logsAt,
  redactText,
  setupLogging,
} from "./src/telemetry/log.ts";
import { startTracing, stopTracing } from "./src/telemetry/tracing.ts";
import { scrubUrls } from "./src/telemetry/redact.ts";

/** What main.ts needs of a command module. */
interface CommandModule {
  summary: string;
  /** Positional arguments (commander syntax), if any. */
  args?: readonly string[];
  /** Command lines shown under "Examples" in its help. */
  examples: readonly string[];
  run(config: Config, args: string[]): Promise<void>;
}

const COMMANDS: Record<CommandName, CommandModule> = {
  setup,
  publish,
  worker,
  replay,
  snapshot,
  status,
  "dead-letters": deadLetters,
  console: consoleCommand,
  demo,
  bench,
};

/** event-tool's version and those of what it runs on, one per line. */
function versions(): string {
  const pubsub = denoJson.imports["@google-cloud/pubsub"].split("@").at(-1);
  return [
    `event-tool ${denoJson.version}`,
    `deno ${Deno.version.deno}`,
    `v8 ${Deno.version.v8}`,
    `typescript ${Deno.version.typescript}`,
    `@google-cloud/pubsub ${pubsub}`,
  ].join("\n");
}

/** The command-line program: every command, its flags from the settings table, its help. */
export function program(): Command {
  const cli = new Command("event-tool")
    .description("Run an event worker on Google Cloud Pub/Sub (or its emulator).")
    .version(versions(), "-V, --version", "print the versions of event-tool and what it runs on")
    .exitOverride()
    // Commander quotes what it could not parse (`unknown option '--handler-urll=https://u:p@h'`).
    .configureOutput({ outputError: (text, write) => write(scrubUrls(text)) })
    .showHelpAfterError("(run with --help for usage)");
  for (const [name, command] of Object.entries(COMMANDS) as [CommandName, CommandModule][]) {
    const sub = cli.command(name).description(command.summary).exitOverride()
      .addHelpText(
        "after",
        `\nExamples:\n${command.examples.map((e) => `  $ event-tool ${e}`).join("\n")}`,
      );
    for (const arg of command.args ?? []) sub.argument(arg);
    for (const key of new Set(COMMAND_SETTINGS[name])) sub.addOption(cliOption(key));
    sub.action(async (...received: unknown[]) => {
      // commander passes the positional arguments, then the options, then the command.
      const positional = received.slice(0, -2) as string[];
      const flags = received.at(-2) as Record<string, unknown>;
      const config = resolveConfig(COMMAND_SETTINGS[name], {
        flags,
        env: (variable) => Deno.env.get(variable),
      });
      checkReadable(config, name);
      await setupLogging(config);
      if (config.otel) await startTracing();
      try {
        await command.run(config, positional);
      } finally {
        await stopTracing();
      }
    });
  }
  return cli;
}

/** Runs the CLI with `args` and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  guardUnhandledRejections();
  try {
    if (args.length === 0) {
      program().outputHelp({ error: true });
      return EXIT.usage;
    }
    await program().parseAsync(args, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    // Commander has already printed its own message (unknown flag, missing value, --help).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    flushLogs(); // the lines that led here come first
    // Stack traces with --log-level debug (or LOG_LEVEL=DEBUG): the resolved level decides.
    console.error(scrubUrls(redactText(formatError(error, logsAt("debug")))));
    return exitCodeFor(error);
  }
}

if (import.meta.main) {
  const code = await main(Deno.args);
  flushLogs();
  Deno.exit(code);
}
