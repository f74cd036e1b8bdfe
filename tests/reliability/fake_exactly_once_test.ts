/**
 * Case fake b, exactly-once delivery: 2,000 events on an exactly-once subscription, two workers
 * with the default settings; 5% of ack IDs fail transiently once (not applied: the client must
 * try again), 1% of deliveries expire just before their ack arrives (the ack fails for good: the
 * event is delivered again). The outcome lines must tell what the server did: every `acked` (or
 * `duplicate`) line matches an ack the server applied to that very delivery, the failed ones say
 * `ack-failed` and their event comes back and ends acked; the server applies one ack per event.
 */
import assert from "node:assert/strict";
import { withFakeCase } from "../support/fake_case.ts";
import { fakeTest } from "../support/fake_server.ts";

const EVENTS = 2000;

fakeTest(
  "reliability (fake b): exactly-once with failing acks: every acked line is an ack the server applied",
  async (fake) => {
    const config = { exactlyOnce: true }; // setup --exactly-once
    await withFakeCase(fake, { config, events: EVENTS, workers: 2 }, async (run) => {
      const { outcomes } = run;
      assert.equal(fake.protoOf(run.config.subscription).enableExactlyOnceDelivery, true);
      await run.allAcked(90_000);
      assert.deepEqual(await run.stop(), [0, 0]);

      const server = run.server();
      const applied = new Set(fake.record.of("acked").map((e) => `${e.messageId}/${e.attempt}`));
      const claims = outcomes.lines.filter((l) =>
        l.outcome === "acked" || l.outcome === "duplicate"
      );
      const unconfirmed = claims.filter((l) => !applied.has(`${l.messageId}/${l.deliveryAttempt}`));
      const failed = outcomes.lines.filter((l) => l.outcome === "ack-failed");
      const settledLater = failed.filter((f) =>
        claims.some((l) => l.eventID === f.eventID && l.deliveryAttempt > f.deliveryAttempt)
      );
      const transient = fake.record.of("failed").length;
      const refused = fake.record.of("refused").length;
      const notes = `${transient} transient ack failures and ${refused} refused acks injected; ` +
        `${claims.length} acked/duplicate lines, ${unconfirmed.length} of them for an ack the ` +
        `server never applied; ${failed.length} ack-failed lines, ${settledLater.length} of ` +
        `their events delivered again and settled; ${server.redelivered} events delivered ` +
        "more than once";
      run.log("fake b", notes);
      assert.ok(transient > 0 && refused > 0, `faults injected: ${transient}, ${refused}`);
      assert.ok([...server.acked.values()].every((n) => n === 1), "one ack applied per event");
      assert.equal(server.acked.size, EVENTS);
      assert.equal(
        unconfirmed.length,
        0,
        `${unconfirmed.length} acked lines the server never applied`,
      );
      assert.equal(
        settledLater.length,
        failed.length,
        "every ack-failed event came back and ended",
      );
      const handled = outcomes.lines.filter((l) =>
        l.handlerMs !== undefined && l.outcome !== "nacked"
      );
      const runs = new Map<string, number>();
      for (const l of handled) runs.set(l.eventID ?? "", (runs.get(l.eventID ?? "") ?? 0) + 1);
      await run.report({
        case: "fake b. exactly-once with failing acks",
        injected: "exactly-once subscription; 5% of ack IDs fail transiently once, 1% of " +
          "deliveries expire just before their ack; two workers",
        processed: new Set(claims.map((l) => l.eventID)).size,
        duplicates: [...runs.values()].reduce((sum, n) => sum + n - 1, 0),
        notes,
      });
    });
  },
  { faults: { transientAckShare: 0.05, expireBeforeAckShare: 0.01 } },
);
