import assert from "node:assert/strict";
import type { LogRecord } from "@logtape/logtape";
import { formatJsonLine, redactRecord } from "../../src/telemetry/log.ts";

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

Deno.test("redactRecord() hashes user and payment method IDs in properties and message", () => {
  const userID = "0b6e0f8a-1a7d-4f3e-8f0a-6f1d2c3b4a59";
  const redacted = redactRecord(record({ userID, eventID: "e-1" }, ["user ", userID, ""]));
  const json = JSON.parse(formatJsonLine(redacted));
  assert.match(json.userID, /^sha256:[0-9a-f]{12}$/);
  assert.equal(json.message, `user ${json.userID}`);
  assert.equal(json.eventID, "e-1");
  assert.ok(!formatJsonLine(redacted).includes(userID));
  const again = JSON.parse(formatJsonLine(redactRecord(record({ userID }, [])))).userID;
  assert.equal(again, json.userID, "the same ID always hashes the same, so lines can be joined");
});
