import assert from "node:assert/strict";
import type { LogRecord } from "@logtape/logtape";
import { formatJsonLine } from "../../src/telemetry/log.ts";
import { redactor } from "../../src/telemetry/redact.ts";

const record = (properties: Record<string, unknown>, message: unknown[] = []): LogRecord => ({
  category: ["event-tool", "worker"],
  level: "warning",
  message,
  rawMessage: "",
  properties,
  timestamp: Date.UTC(2026, 10, 26, 16, 0, 0),
});
const json = (r: LogRecord) => JSON.parse(formatJsonLine(r));
const userID = "0b6e0f8a-1a7d-4f3e-8f0a-6f1d2c3b4a59";

Deno.test("redactor() hashes user and payment method IDs in properties and message", () => {
  const redacted = redactor()(record({ userID, eventID: userID }, ["user ", userID, ""]));
  const line = json(redacted);
  assert.match(line.userID, /^sha256:[0-9a-f]{12}$/);
  assert.equal(line.message, `user ${line.userID}`);
  assert.equal(line.eventID, userID, "a well-formed event ID is not personal: kept");
  assert.equal(json(redactor()(record({ userID }))).userID, line.userID, "stable, so joinable");
});

Deno.test("redactor() hashes payload fragments in details and an invalid payload's event ID", () => {
  const detail = 'userID: expected a UUID, got "alice@example.com"';
  const error = `Unexpected token 'a', "alice@exa"... is not valid JSON`;
  const line = json(redactor()(record({ eventID: "alice-order-7", detail, error })));
  const all = JSON.stringify(line);
  assert.ok(!all.includes("alice"), all);
  assert.match(line.detail, /^userID: expected a UUID, got "sha256:[0-9a-f]{12}"$/);
  assert.match(line.eventID, /^sha256:/);
});

Deno.test("redactor() with LOG_REDACT_KEY uses HMAC: keyed, stable, unlike the plain hash", () => {
  const keyed = json(redactor("s3cret")(record({ userID }))).userID;
  assert.match(keyed, /^hmac:[0-9a-f]{12}$/);
  assert.equal(json(redactor("s3cret")(record({ userID }))).userID, keyed);
  assert.notEqual(json(redactor("other")(record({ userID }))).userID, keyed);
});
