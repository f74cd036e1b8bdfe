/**
 * Case fake c, streams that end: the server ends every stream once it has sent 500 messages, for
 * the whole run (the service ends streams now and then; here it does so all the time). Acks and
 * deadline changes written to a stream as it ends must not be lost: an ack the server never read
 * lets the delivery expire, and the event is delivered again (to another worker, run again).
 * Two workers, one stream each; the server records what it applied.
 */
import assert from "node:assert/strict";
import { withFakeCase } from "../support/fake_case.ts";
import { fakeTest } from "../support/fake_server.ts";

const EVENTS = 4000;
const PER_STREAM = 500;
/**
 * One stream per worker (the default opens 10): the server counts messages per stream, and 10
 * streams per worker would share 4,000 events without any reaching 500.
 */
const STREAMS = "1";

fakeTest(
  "reliability (fake c): streams ended every 500 messages: nothing lost, nothing run twice",
  async (fake) => {
    const options = { events: EVENTS, workers: 2, args: ["--streams", STREAMS] };
    await withFakeCase(fake, options, async (run) => {
      const { outcomes } = run;
      await run.allAcked(90_000);
      // A dropped ack shows as an expiry once the delivery's deadline passes: wait past it.
      fake.advance(15 * 60_000);
      assert.deepEqual(await run.stop(), [0, 0]);

      const server = run.server();
      const ended = fake.record.requests("StreamingPull").length;
      const handled = outcomes.processedCounts();
      const dropped = fake.record.calls.filter((c) => c.dropped).length;
      const notes = `${ended} streams opened; ${dropped} requests written to ending streams ` +
        `(never read); the server recorded ${server.expiredTotal} expired deliveries and ` +
        `${server.redelivered} redelivered events`;
      run.log("fake c", notes);
      assert.ok(ended >= EVENTS / PER_STREAM, `${ended} streams opened`);
      assert.equal(
        server.expiredTotal,
        0,
        "deliveries expired: their acks never reached the server",
      );
      assert.equal(server.redelivered, 0, "events delivered again");
      assert.ok([...handled.values()].every((n) => n === 1), "an event handled twice");
      assert.equal(handled.size, EVENTS);
      await run.report({
        case: "fake c. streams ended every 500 messages",
        injected: `the server ends each stream after ${PER_STREAM} messages, the whole run; ` +
          "two workers, one stream each",
        notes,
      });
    });
  },
  { faults: { endStreamAfterMessages: PER_STREAM } },
);
