import assert from "node:assert/strict";
import { RecentOutcomes } from "../../../src/ops/console/recent.ts";
import type { OutcomeRecord } from "../../../src/worker/outcome.ts";

let nextMessage = 1;
function record(overrides: Partial<OutcomeRecord>): OutcomeRecord {
  return {
    outcome: "nacked",
    eventID: crypto.randomUUID(),
    messageId: String(nextMessage++),
    deliveryAttempt: 1,
    durationMs: 1,
    latencyMs: 1,
    reason: "handler-failed",
    detail: "simulated handler failure",
    ...overrides,
  };
}

Deno.test("RecentOutcomes keeps the last non-acked outcomes, newest first", () => {
  const recent = new RecentOutcomes({ capacity: 3 });
  recent.record(record({ outcome: "acked", reason: undefined as never }));
  recent.record(record({ outcome: "duplicate", reason: "already-handled" }));
  for (let i = 1; i <= 5; i++) recent.record(record({ deliveryAttempt: i }));
  assert.equal(recent.total, 5, "acked and duplicates are not counted");
  const { kept, matched, entries } = recent.query();
  assert.equal(kept, 3);
  assert.equal(matched, 3);
  assert.deepEqual(entries.map((e) => [e.seq, e.attempt]), [[5, 5], [4, 4], [3, 3]]);
});

Deno.test("RecentOutcomes.query() filters by outcome and reason and finds by event or message ID", () => {
  const recent = new RecentOutcomes();
  const invalid = record({ outcome: "dead-lettered", reason: "invalid-event", detail: "bad" });
  recent.record(invalid);
  for (let i = 0; i < 10; i++) recent.record(record({}));
  assert.equal(recent.query({ outcome: "dead-lettered" }).matched, 1);
  assert.equal(recent.query({ reason: "handler-failed" }).matched, 10);
  assert.equal(recent.query({ outcome: "nacked", reason: "invalid-event" }).matched, 0);
  assert.deepEqual(recent.query({ find: invalid.eventID ?? "" }).entries.map((e) => e.seq), [1]);
  assert.deepEqual(recent.query({ find: ` ${invalid.messageId} ` }).entries.map((e) => e.seq), [
    1,
  ]);
  assert.equal(recent.query({ find: "no-such-id" }).matched, 0);
  const limited = recent.query({ limit: 4 });
  assert.equal(limited.matched, 11);
  assert.equal(limited.entries.length, 4);
});

Deno.test("RecentOutcomes under --redact shows what the log shows, and still finds the real ID", () => {
  const recent = new RecentOutcomes({ redact: true });
  const odd = record({
    outcome: "dead-lettered",
    eventID: "user-42-event",
    reason: "invalid-event",
    detail: 'eventID "user-42-event" is not a UUID',
  });
  recent.record(odd);
  const [entry] = recent.query({ find: "user-42-event" }).entries;
  assert.ok(entry, "found by its real event ID");
  assert.match(entry.eventID ?? "", /^sha256:[0-9a-f]{12}$/);
  assert.doesNotMatch(JSON.stringify(entry), /user-42/);
  const uuid = record({});
  recent.record(uuid);
  assert.equal(recent.query({ find: uuid.eventID ?? "" }).entries[0]?.eventID, uuid.eventID);
});

Deno.test("RecentOutcomes shows the key a record carries", () => {
  const recent = new RecentOutcomes();
  recent.record({ ...record({}), orderingKey: "user-7" });
  recent.record(record({}));
  assert.deepEqual(recent.query().entries.map((e) => e.key), [undefined, "user-7"]);
});
