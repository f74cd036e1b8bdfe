/**
 * Case fake f, a shutdown Pub/Sub does not answer: 200 events in flight (1 s handlers), then the
 * server stops answering anything (calls wait forever, streams neither send nor end) and the
 * worker gets SIGTERM. Its acks and nacks cannot leave; it must still exit within
 * --shutdown-timeout (+ 2 s), as an orchestrator kills it right after. What it could not settle
 * comes back: the server still holds every event it did not ack.
 *
 * --shutdown-timeout is 5 s here, not the 30 s default: the bound under test is relative to the
 * setting, and a 30 s wait would only make the case slower.
 */
import assert from "node:assert/strict";
import { endsWithin } from "../../src/base/async.ts";
import { withFakeCase } from "../support/fake_case.ts";
import { fakeTest } from "../support/fake_server.ts";
import { since } from "../support/reliability.ts";

const EVENTS = 400;
const SHUTDOWN_TIMEOUT_MS = 5000;

fakeTest(
  "reliability (fake f): SIGTERM while Pub/Sub answers nothing: exit within --shutdown-timeout + 2 s",
  async (fake) => {
    const options = {
      events: EVENTS,
      args: ["--pool-size", "200", "--simulate-latency", "1s"],
      env: { WORKER_SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms` },
    };
    await withFakeCase(fake, options, async (run) => {
      const { worker, outcomes } = run;
      try {
        await outcomes.until(() => outcomes.count("acked") >= 100, 60_000, "100 acked");
        fake.faults.hanging = true;
        const signalled = performance.now();
        worker.process.kill("SIGTERM");
        const ended = await endsWithin(worker.finished, SHUTDOWN_TIMEOUT_MS + 15_000);
        const seconds = since(signalled);
        assert.ok(ended, `the worker did not exit within ${seconds.toFixed(1)}s`);
        const exited = (await worker.finished).code;
        assert.ok(
          seconds <= SHUTDOWN_TIMEOUT_MS / 1000 + 2,
          `exited ${seconds.toFixed(1)}s after SIGTERM (--shutdown-timeout ` +
            `${SHUTDOWN_TIMEOUT_MS}ms)`,
        );
        assert.equal(exited, 0, "a bounded shutdown is still a clean one");
        fake.faults.hanging = false;
        await run.report({
          case: "fake f. SIGTERM while Pub/Sub answers nothing",
          injected: `the server stops answering with ${EVENTS} events in flight or waiting (1 s ` +
            `handlers), then SIGTERM; --shutdown-timeout ${SHUTDOWN_TIMEOUT_MS / 1000}s`,
          duplicates: 0,
          deadLettered: 0,
          notes: `exited ${exited} ${seconds.toFixed(1)}s after SIGTERM; ` +
            `${run.server().held.size} events still held by the server, to be delivered again`,
        });
      } finally {
        fake.faults.hanging = false;
      }
    });
  },
);
