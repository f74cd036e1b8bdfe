/**
 * Case fake d, an outage without a restart: mid-run, every call fails with UNAVAILABLE for 5 s
 * and the open streams end with it (Pub/Sub unreachable, a load balancer failing over). The
 * worker keeps running, reconnects with backoff and finishes the backlog; the acks it could not
 * send meanwhile are sent once the server answers again. 1,000 events, 100 ms handlers, pool 20
 * (so the run lasts long enough to have a middle); the server records what it applied.
 */
import assert from "node:assert/strict";
import { withFakeCase } from "../support/fake_case.ts";
import { fakeTest } from "../support/fake_server.ts";

const EVENTS = 1000;
const OUTAGE_MS = 5000;

fakeTest(
  "reliability (fake d): UNAVAILABLE on every call for 5 s mid-run: the worker recovers, nothing lost",
  async (fake) => {
    // Pool 20 and 100 ms handlers: the run lasts ~5 s before the outage's own 5 s.
    const args = ["--pool-size", "20", "--simulate-latency", "100ms"];
    await withFakeCase(fake, { events: EVENTS, args }, async (run) => {
      const { worker, outcomes } = run;
      await outcomes.until(() => outcomes.count("acked") >= 200, 60_000, "200 acked");
      const linesBefore = worker.lines.length;
      fake.unavailableFor(OUTAGE_MS);
      const refusedFrom = fake.record.calls.length;
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS)); // the outage runs its course
      const linesDuring = worker.lines.length - linesBefore;
      const refused = fake.record.calls.slice(refusedFrom).filter((c) => c.code === 14).length;
      await run.allAcked(60_000);
      assert.deepEqual(await run.stop(), [0], "the worker never exited on its own");

      const server = run.server();
      const handled = outcomes.processedCounts();
      const notes = `${refused} calls refused during the outage; ${linesDuring} log lines ` +
        `meanwhile; recovered without a restart; the server recorded ${server.expiredTotal} ` +
        `expired deliveries and ${server.redelivered} redelivered events`;
      run.log("fake d", notes);
      assert.ok(refused > 0, "calls were refused during the outage");
      assert.equal(handled.size, EVENTS);
      assert.ok([...handled.values()].every((n) => n === 1), "an event handled twice");
      assert.ok([...server.acked.values()].every((n) => n === 1));
      assert.deepEqual(outcomes.errors, [], "no unhandled promise rejection");
      await run.report({
        case: "fake d. UNAVAILABLE for 5 s mid-run",
        injected: `every call answered UNAVAILABLE for ${OUTAGE_MS / 1000} s after 200 of ` +
          `${EVENTS} events, open streams ended`,
        notes,
      });
    });
  },
);
