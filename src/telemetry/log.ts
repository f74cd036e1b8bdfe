/**
 * Logging: LogTape configured once per process. Logs go to stderr (stdout carries command
 * results such as the publish summary) through a buffered sink, flushed at exit. `json` writes one JSON object per line with the fields
 * Cloud Logging understands (`time`, `severity`, `message`) plus the record's properties;
 * `pretty` writes readable, coloured lines on a terminal.
 */
import {
  configure,
  getAnsiColorFormatter,
  getLogger,
  getTextFormatter,
  type Logger,
  type LogLevel,
  type LogRecord,
  reset,
} from "@logtape/logtape";
import { type Config, LOG_LEVELS } from "../config/settings.ts";
import { hasher, hashQuoted, redactor } from "./redact.ts";
import { type BufferedSink, bufferedStderr } from "./stderr_sink.ts";

/** Root category of every event-tool logger. */
export const LOG_CATEGORY = "event-tool";

const SEVERITY: Record<LogLevel, string> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warning: "WARNING",
  error: "ERROR",
  fatal: "CRITICAL",
};

function renderMessage(record: LogRecord): string {
  let text = "";
  for (const part of record.message) text += typeof part === "string" ? part : String(part);
  return text;
}

/** Errors are logged as their message. */
function replacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}

/** Whether every property is a string, number, boolean or null (no Error to replace). */
function flat(properties: Record<string, unknown>): boolean {
  for (const key in properties) {
    const value = properties[key];
    if (typeof value === "object" && value !== null) return false;
  }
  return true;
}

let isoSecond = -1;
let isoPrefix = "";

/** `timestamp` as ISO 8601 in UTC, the date part made once per second. */
function isoTime(timestamp: number): string {
  const second = Math.floor(timestamp / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20); // up to "…:SS."
  }
  const ms = Math.floor(timestamp) - second * 1000;
  return `${isoPrefix}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z`;
}

/**
 * One JSON object per line: `time`, `severity`, `message`, `logger`, then the properties (built
 * by concatenation: this runs once per event, so it makes no intermediate objects, and flat
 * properties go through JSON.stringify without a replacer, which keeps V8's fast path).
 */
export function formatJsonLine(record: LogRecord): string {
  const head = `{"time":"${isoTime(record.timestamp)}","severity":"${
    SEVERITY[record.level]
  }","message":${JSON.stringify(renderMessage(record))},"logger":"${record.category.join(".")}"`;
  const properties = flat(record.properties)
    ? JSON.stringify(record.properties)
    : JSON.stringify(record.properties, replacer);
  return properties === "{}" ? `${head}}\n` : `${head},${properties.slice(1)}\n`;
}

/** The sink in use: flushed by {@linkcode flushLogs}. */
let active: BufferedSink | undefined;
/** The lowest level in effect (stack traces of failures are printed at debug and below). */
let lowestLevel: LogLevel = "info";

/** Whether `level` is logged with the configuration in effect. */
export function logsAt(level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(lowestLevel);
}

/** With --redact, hashes the quoted fragments of a text printed outside the log (errors). */
let redactOutput: (text: string) => string = (text) => text;

/** `text` as it may be printed: quoted fragments hashed under --redact, as in log lines. */
export function redactText(text: string): string {
  return redactOutput(text);
}

/** Writes out every buffered log line (at exit, and before anything that must follow them). */
export function flushLogs(): void {
  active?.flush();
}

/**
 * Runs `action` once the log lines written so far have left the process (at once when logging
 * is not set up or nothing waits): acks go through here, after their outcome line.
 */
export function afterLogWrite(action: () => void): void {
  if (active === undefined) action();
  else active.afterWrite(action);
}

/** The log format in effect: the configured one, or pretty on a terminal and json elsewhere. */
export function effectiveFormat(config: Pick<Config, "logFormat">): "json" | "pretty" {
  return config.logFormat ?? (Deno.stderr.isTerminal() ? "pretty" : "json");
}

/** Configures LogTape for this process (replacing any earlier configuration). */
export async function setupLogging(
  config: Pick<Config, "logLevel" | "logFormat" | "redact" | "redactKey">,
): Promise<void> {
  const format = effectiveFormat(config);
  // Pretty lines read as words: strings in a message are not quoted (`Event 7d0f… nacked`).
  const formatter = format === "json" ? formatJsonLine : Deno.stderr.isTerminal() && !Deno.noColor // NO_COLOR: pretty, without colours
    ? getAnsiColorFormatter({ value: "bare" })
    : getTextFormatter({ value: "bare" });
  lowestLevel = config.logLevel;
  const redact = config.redact ? redactor(config.redactKey) : undefined;
  const hash = hasher(config.redactKey);
  redactOutput = config.redact ? (text) => hashQuoted(text, hash) : (text) => text;
  active?.flush();
  const sink = bufferedStderr(redact ? (record) => formatter(redact(record)) : formatter);
  active = sink;
  await reset();
  await configure({
    reset: true,
    sinks: { stderr: sink },
    loggers: [
      { category: [LOG_CATEGORY], lowestLevel: config.logLevel, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}

/**
 * Logs a record whose message the caller split already (text, value, text, value, …), straight
 * into the sink: the same line LogTape would write, without its per-call template parsing and
 * property snapshot. For the per-event outcome line, the hottest log call there is.
 */
export function logParts(
  log: Logger,
  level: LogLevel,
  message: readonly unknown[],
  properties: Record<string, unknown>,
): void {
  if (active === undefined || !log.isEnabledFor(level)) return;
  active({
    category: log.category,
    level,
    message,
    rawMessage: "",
    properties,
    timestamp: Date.now(),
  });
}

/** A logger under the event-tool category, e.g. `logger("worker")`. */
export function logger(name: string): Logger {
  return getLogger([LOG_CATEGORY, name]);
}

/**
 * Logs a promise rejection nobody handled, at error level, instead of letting it kill a worker
 * that holds events in flight. There should never be one: each is a bug to fix.
 */
export function guardUnhandledRejections(): void {
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    getLogger([LOG_CATEGORY, "process"]).error("Unhandled promise rejection: {error}", {
      error: event.reason,
    });
  });
}
