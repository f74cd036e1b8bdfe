/** A LogTape record for unit tests of formatters, redaction and sinks. */
import type { LogRecord } from "@logtape/logtape";

/** A warning of the worker at a fixed time with `properties` and `message`, then `overrides`. */
export function logRecord(
  properties: Record<string, unknown> = {},
  message: unknown[] = [],
  overrides: Partial<LogRecord> = {},
): LogRecord {
  return {
    category: ["event-tool", "worker"],
    level: "warning",
    message,
    rawMessage: "",
    properties,
    timestamp: Date.UTC(2026, 10, 26, 16, 0, 0),
    ...overrides,
  };
}
