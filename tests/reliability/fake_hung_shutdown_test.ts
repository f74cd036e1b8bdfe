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
import {
  fakeConfig,
  fakeTest,
  fakeTopology,
  fakeWorker,
  killAll,
  publishOnFake,
  serverView,
} from "../support/fake_server.ts";
import { report, since } from "../support/reliability.ts";

const EVENTS = 400;
const SHUTDOWN_TIMEOUT_MS = 5000;

fakeTest(
  "reliability (fake f): SIGTERM while Pub/Sub answers nothing: exit within --shutdown-timeout + 2 s",
  async (fake) => {
    const start = performance.now();
    const config = fakeConfig(fake);
    await fakeTopology(config);
    const published = publishOnFake(fake, config, EVENTS);
    const { worker, outcomes } = fakeWorker(
      config,
      ["--pool-size", "200", "--simulate-latency", "1s"],
      { WORKER_SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms` },
    );
    try {
      await outcomes.until(() => outcomes.count("acked") >= 100, 60_000, "100 acked");
      fake.faults.hanging = true;
      const signalled = performance.now();
      worker.process.kill("SIGTERM");
      const exited = await Promise.race([
        worker.finished.then((r) => r.code),
        new Promise<string>((resolve) =>
          setTimeout(() => resolve("still running"), SHUTDOWN_TIMEOUT_MS + 15_000)
        ),
      ]);
      const seconds = since(signalled);
      assert.notEqual(exited, "still running", "the worker did not exit");
      assert.ok(
        seconds <= SHUTDOWN_TIMEOUT_MS / 1000 + 2,
        `exited ${seconds.toFixed(1)}s after SIGTERM (--shutdown-timeout ${SHUTDOWN_TIMEOUT_MS}ms)`,
      );
      assert.equal(exited, 0, "a bounded shutdown is still a clean one");
      fake.faults.hanging = false;
      const server = serverView(fake, config, published, outcomes);
      await report({
        case: "fake f. SIGTERM while Pub/Sub answers nothing",
        injected: `the server stops answering with ${EVENTS} events in flight or waiting (1 s ` +
          `handlers), then SIGTERM; --shutdown-timeout ${SHUTDOWN_TIMEOUT_MS / 1000}s`,
        eventsIn: EVENTS,
        processed: outcomes.processedCounts().size,
        duplicates: 0,
        deadLettered: 0,
        lost: server.lost,
        seconds: since(start),
        server: "fake",
        notes: `exited ${exited} ${seconds.toFixed(1)}s after SIGTERM; ${server.held.size} ` +
          "events still held by the server, to be delivered again",
      });
    } finally {
      fake.faults.hanging = false;
      killAll([worker]);
    }
  },
);
