import assert from "node:assert/strict";
import type { OutcomeRecord } from "../../src/worker/outcome.ts";
import { Tally } from "../../src/worker/tally.ts";

const record: OutcomeRecord = {
  outcome: "acked",
  eventID: "e-1",
  messageId: "1",
  deliveryAttempt: 1,
  durationMs: 1,
  latencyMs: 1,
};

Deno.test("Tally.record() counts an outcome once even when a listener throws", () => {
  const tally = new Tally();
  const seen: string[] = [];
  tally.onOutcome(() => {
    throw new Error("listener broke");
  });
  tally.onOutcome((r) => seen.push(r.outcome));
  assert.doesNotThrow(() => tally.record(record));
  assert.deepEqual(tally.counts, {
    acked: 1,
    duplicate: 0,
    nacked: 0,
    "dead-lettered": 0,
    "ack-failed": 0,
  });
  assert.deepEqual(seen, ["acked"], "the other listeners still hear it");
});
