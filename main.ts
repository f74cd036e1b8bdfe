/**
 * event-tool: parse the command line, dispatch to a command, map errors to exit codes.
 * Each command lives in src/commands/ and is loaded only when it runs (or its help is asked
 * for): `event-tool worker` loads the worker and nothing of the other commands. Every flag and
 * variable is declared in src/config/settings.ts.
 */
import { Command, CommanderError } from "commander";
import denoJson from "./deno.json" with { type: "json" };
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
export interface CommandModule {
  summary: string;
  /** Positional arguments (commander syntax), if any. */
  args?: readonly string[];
  /** Command lines shown under "Examples" in its help. */
  examples: readonly string[];
  run(config: Config, args: string[]): Promise<void>;
}

/** Each command's module, loaded on demand. */
const COMMANDS: Record<CommandName, () => Promise<CommandModule>> = {
  setup: () => import("./src/commands/setup.ts"),
  publish: () => import("./src/commands/publish.ts"),
  worker: () => import("./src/commands/worker.ts"),
  replay: () => import("./src/commands/replay.ts"),
  snapshot: () => import("./src/commands/snapshot.ts"),
  status: () => import("./src/commands/status.ts"),
  "dead-letters": () => import("./src/commands/dead_letters.ts"),
  console: () => import("./src/commands/console.ts"),
  demo: () => import("./src/commands/demo.ts"),
  bench: () => import("./src/commands/bench.ts"),
};
const NAMES = Object.keys(COMMANDS) as CommandName[];

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

/** Adds command `name` of `command` to `cli`: its flags from the settings table, its help. */
function addCommand(cli: Command, name: CommandName, command: CommandModule): void {
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

/**
 * The command-line program with the commands `only` names (default every one, as help lists
 * them): their flags from the settings table, their help.
 */
export async function program(only: readonly CommandName[] = NAMES): Promise<Command> {
  const cli = new Command("event-tool")
    .description("Run an event worker on Google Cloud Pub/Sub (or its emulator).")
    .version(versions(), "-V, --version", "print the versions of event-tool and what it runs on")
    .exitOverride()
    // Commander quotes what it could not parse (`unknown option '--handler-urll=https://u:p@h'`).
    .configureOutput({ outputError: (text, write) => write(scrubUrls(text)) })
    .showHelpAfterError("(run with --help for usage)");
  const modules = await Promise.all(only.map((name) => COMMANDS[name]()));
  only.forEach((name, i) => addCommand(cli, name, modules[i]!));
  return cli;
}

/**
 * The commands `args` needs: the one it runs, or every one when it asks for help (or names no
 * command, or one that does not exist: commander then says so, with the list).
 */
export function commandsFor(args: readonly string[]): readonly CommandName[] {
  const [first] = args;
  const named = NAMES.find((name) => name === first);
  const help = args.some((a) => a === "-h" || a === "--help");
  return named === undefined || help ? NAMES : [named];
}

/** Runs the CLI with `args` and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  guardUnhandledRejections();
  try {
    if (args.length === 0) {
      (await program()).outputHelp({ error: true });
      return EXIT.usage;
    }
    await (await program(commandsFor(args))).parseAsync(args, { from: "user" });
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
