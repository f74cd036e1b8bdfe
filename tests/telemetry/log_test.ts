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

Deno.test("formatJsonLine() writes each timestamp as toISOString() does, across seconds", () => {
  const times = [0, 7, 99, 100, 999, 1000, 1001, 59_999.6, 1_764_430_000_123, 1_764_430_001_005];
  for (const timestamp of times) {
    const line = formatJsonLine({ ...record({ n: 1 }, ["x"]), timestamp });
    assert.equal(JSON.parse(line).time, new Date(timestamp).toISOString(), `at ${timestamp}`);
  }
});

Deno.test("formatJsonLine() keeps flat properties and nested errors as they are meant", () => {
  const flat = JSON.parse(formatJsonLine(record({ a: "x", b: 1.5, c: null, d: true }, ["m"])));
  assert.deepEqual([flat.a, flat.b, flat.c, flat.d], ["x", 1.5, null, true]);
  const nested = JSON.parse(formatJsonLine(record({ cause: { error: new Error("deep") } }, ["m"])));
  assert.deepEqual(nested.cause, { error: "deep" });
});
