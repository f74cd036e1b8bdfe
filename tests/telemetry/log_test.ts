import assert from "node:assert/strict";
import { formatJsonLine } from "../../src/telemetry/log.ts";
import { logRecord } from "../support/log_record.ts";

const record = (properties: Record<string, unknown>, message: unknown[]) =>
  logRecord(properties, message, { category: ["event-tool", "handler"] });

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
