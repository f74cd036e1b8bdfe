import assert from "node:assert/strict";
import { builtInContract } from "../../src/event/contract.ts";
import { decodeEvent } from "../../src/event/event.ts";
import { fakeEvent } from "../../src/event/payload.ts";
import { safeUrl, scrubUrls } from "../../src/telemetry/redact.ts";
import type { LogRecord } from "@logtape/logtape";
import { formatJsonLine } from "../../src/telemetry/log.ts";
import { redactor } from "../../src/telemetry/redact.ts";
import { logRecord } from "../support/log_record.ts";

const record = logRecord;
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

Deno.test("redactor() hashes values the validator quotes, numbers too, and V8's JSON snippets are gone", () => {
  const decode = (text: string) => decodeEvent(new TextEncoder().encode(text), builtInContract());
  const invalid = decode(JSON.stringify({ ...fakeEvent(), userID: 4111111111111111 }));
  const notJson = decode('{"card": "4111 1111", "cvv" 123}');
  const bare = decode('alice "the" example');
  const details = [invalid, notJson, bare].map((r) => r.ok ? "" : r.detail);
  for (const detail of details) {
    const line = json(redactor()(record({ detail })));
    assert.doesNotMatch(JSON.stringify(line), /4111|alice|example|cvv/, detail);
  }
  assert.match(
    details[0] ?? "",
    /^\/userID: must be string \(rule type\), got the number "4111111111111111"$/,
  );
});

Deno.test("safeUrl() and scrubUrls() drop credentials and queries", () => {
  assert.equal(
    safeUrl("https://u:p@api.example.com/events?key=k#f"),
    "https://api.example.com/events?…",
  );
  assert.equal(safeUrl(new URL("http://127.0.0.1:8080/e")), "http://127.0.0.1:8080/e");
  assert.equal(
    scrubUrls("error sending request for url (http://u:p@h:1/x?token=t): refused"),
    "error sending request for url (http://h:1/x?…): refused",
  );
});
