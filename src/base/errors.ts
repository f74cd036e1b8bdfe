/**
 * The one error path of the CLI: which errors are the user's (exit 2) and how any error is
 * printed. Commands throw; only `main.ts` turns an error into an exit code.
 */

/** Exit codes of every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * A mistake in the command line or the environment: a bad flag, variable or file. Printed as
 * one line without a stack trace; the process exits with {@linkcode EXIT.usage}.
 */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/** A second SIGINT/SIGTERM forced the command to stop: exit 128 + the signal's number. */
export class InterruptedError extends Error {
  readonly exitCode: number;
  constructor(readonly signal: "SIGINT" | "SIGTERM") {
    super(`interrupted by a second ${signal}: what was held was nacked`);
    this.name = "InterruptedError";
    this.exitCode = 128 + (signal === "SIGINT" ? 2 : 15);
  }
}

/** Picks the exit code for an error that reached the top of a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof InterruptedError) return error.exitCode;
  return error instanceof UsageError ? EXIT.usage : EXIT.failure;
}

/**
 * Formats an error as `error: message` followed by its cause chain, one `caused by:` line each.
 * Stack traces are left out unless `withStack` is set (used for `--log-level debug`), and always
 * for a {@linkcode UsageError}: a user's mistake is one line.
 */
export function formatError(error: unknown, withStack = false): string {
  const lines: string[] = [];
  let current: unknown = error;
  let prefix = "error:";
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof Error) {
      lines.push(`${prefix} ${current.message}`);
      if (withStack && current.stack && !(error instanceof UsageError)) lines.push(current.stack);
      current = current.cause;
    } else {
      lines.push(`${prefix} ${String(current)}`);
      current = undefined;
    }
    prefix = "  caused by:";
  }
  return lines.join("\n");
}

/** The message of anything thrown: an Error's message, else its text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `thrown` as an Error: itself when it is one, else an Error carrying its text. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(messageOf(thrown));
}
