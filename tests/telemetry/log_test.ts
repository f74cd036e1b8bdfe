import assert from "node:assert/strict";
import type { LogRecord } from "@logtape/logtape";
import { formatJsonLine } from "../../src/telemetry/log.ts";

const record = (properties: Record<string, unknown>, message: unknown[]): LogRecord => ({
  category: ["event-tool", "handler"],
  level: "warning",
  message,
  rawMessage: "",
  properties,
  timestamp: Date.UTC(2026, 10, 26, 16, 0, 0),
});

Deno.test("formatJsonLine() writes the fields Cloud Logging reads, then the properties", () => {
  const line = formatJsonLine(
    record({ eventID: "e-1", error: new Error("boom") }, ["Event ", "e-1", " failed"]),
  );
  assert.ok(line.endsWith("\n"));
  assert.deepEqual(JSON.parse(line), {
    time: "2026-11-26T16:00:00.000Z",
    severity: "WARNING",
    message: "Event e-1 failed",
    logger: "event-tool.handler",
    eventID: "e-1",
    error: "boom",
  });
});
