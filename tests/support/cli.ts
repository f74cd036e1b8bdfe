/**
 * Runs the real CLI as a child process, as users do: `deno run main.ts` with the tasks'
 * permissions and heap setting, or a compiled executable when `binary` is given.
 */
import { COMPILE_FLAGS } from "../../scripts/compile.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
/** As the compiled executable runs: the tool's permissions and the worker's heap cap. */
const FLAGS = [...COMPILE_FLAGS];

/** The result of a finished CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The program and arguments that run `event-tool args…` from the source, as the tests do. */
export function cliCommandLine(args: string[]): [string, string[]] {
  return [Deno.execPath(), ["run", ...FLAGS, MAIN, ...args]];
}

function command(
  args: string[],
  env: Record<string, string>,
  stdin: "null" | "piped",
  binary?: string,
) {
  return new Deno.Command(binary ?? Deno.execPath(), {
    args: binary === undefined ? ["run", ...FLAGS, MAIN, ...args] : args,
    env: { NO_COLOR: "1", ...env },
    stdin,
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs `event-tool args…` to completion, optionally feeding `input` on stdin. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
  binary?: string,
): Promise<CliResult> {
  const child = command(args, env, input === undefined ? "null" : "piped", binary).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A CLI process left running, whose stderr lines are collected as they come. */
export interface RunningCli {
  readonly process: Deno.ChildProcess;
  /** Lines of stderr so far. */
  readonly lines: string[];
  /** Resolves when a stderr line matches `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Calls `listener` with each stderr line from now on. */
  onLine(listener: (line: string) => void): void;
  /** Resolves with the exit code and full output once the process ends. */
  finished: Promise<CliResult>;
}

/** Starts `event-tool args…` without waiting for it to end. */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
  binary?: string,
): RunningCli {
  const child = command(args, env, "null", binary).spawn();
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const listeners: ((line: string) => void)[] = [];
  const readStderr = (async () => {
    let buffer = "";
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      buffer += decoder.decode(chunk, { stream: true });
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        for (const listener of listeners) listener(line);
        for (const w of waiters.filter((w) => w.pattern.test(line))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
    if (buffer) lines.push(buffer);
  })();
  const stdout = new Response(child.stdout).text();
  const finished = (async () => {
    const status = await child.status;
    await readStderr;
    return { code: status.code, stdout: await stdout, stderr: lines.join("\n") };
  })();
  return {
    process: child,
    lines,
    finished,
    onLine: (listener) => void listeners.push(listener),
    waitForLine(pattern, timeoutMs = 30_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no stderr line matched ${pattern} within ${timeoutMs}ms (${lines.length} ` +
                  `lines; the last: ${lines.at(-1) ?? "none"})`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

/** Parses the JSON log lines among `lines` (other lines are skipped). */
export function jsonLogs(lines: string[]): Record<string, unknown>[] {
  return lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
}
