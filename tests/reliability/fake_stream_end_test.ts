/**
 * Case fake c, streams that end: the server ends every stream once it has sent 500 messages, for
 * the whole run (the service ends streams now and then; here it does so all the time). Acks and
 * deadline changes written to a stream as it ends must not be lost: an ack the server never read
 * lets the delivery expire, and the event is delivered again (to another worker, run again).
 * Two workers, one stream each; the server records what it applied.
 */
import assert from "node:assert/strict";
import {
  fakeConfig,
  fakeTest,
  fakeTopology,
  fakeWorkers,
  killAll,
  publishOnFake,
  serverView,
  stopWorkers,
} from "../support/fake_server.ts";
import { report, since } from "../support/reliability.ts";
import { waitFor } from "../support/wait.ts";

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
    const start = performance.now();
    const config = fakeConfig(fake);
    await fakeTopology(config);
    const published = publishOnFake(fake, config, EVENTS);
    const { workers, outcomes } = fakeWorkers(config, 2, ["--streams", STREAMS]);
    try {
      const subscription = fake.subscriptionOrFail(config.subscription);
      await waitFor(() => subscription.unacked === 0, {
        timeoutMs: 90_000,
        what: "every event acked on the server",
        progress: () => `${subscription.unacked} unacked; ${outcomes.summary()}`,
      });
      // A dropped ack shows as an expiry once the delivery's deadline passes: wait past it.
      fake.advance(15 * 60_000);
      await outcomes.settle(() => false, 1000, 10_000);
      assert.deepEqual(await stopWorkers(workers), [0, 0]);

      const server = serverView(fake, config, published, outcomes);
      const ended = fake.record.requests("StreamingPull").length;
      const handled = outcomes.processedCounts();
      const dropped = fake.record.calls.filter((c) => c.dropped).length;
      const notes = `${ended} streams opened; ${dropped} requests written to ending streams ` +
        `(never read); the server recorded ${server.expiredTotal} expired deliveries and ` +
        `${server.redelivered} redelivered events`;
      console.log(`fake c: ${notes}; ${outcomes.summary()}`);
      assert.ok(ended >= EVENTS / PER_STREAM, `${ended} streams opened`);
      assert.equal(
        server.expiredTotal,
        0,
        "deliveries expired: their acks never reached the server",
      );
      assert.equal(server.redelivered, 0, "events delivered again");
      assert.ok([...handled.values()].every((n) => n === 1), "an event handled twice");
      assert.equal(handled.size, EVENTS);
      await report({
        case: "fake c. streams ended every 500 messages",
        injected: `the server ends each stream after ${PER_STREAM} messages, the whole run; ` +
          "two workers, one stream each",
        eventsIn: EVENTS,
        processed: handled.size,
        duplicates: [...handled.values()].reduce((sum, n) => sum + n - 1, 0),
        deadLettered: outcomes.count("dead-lettered"),
        lost: server.lost,
        seconds: since(start),
        server: "fake",
        notes,
      });
    } finally {
      killAll(workers);
    }
  },
  { faults: { endStreamAfterMessages: PER_STREAM } },
);
