/**
 * Case fake a, the server's deadline known to the client: two worker processes with the default
 * settings on a 10 s ack deadline, an HTTP service that takes 20 s per event. Four events first
 * (the workers learn that handlers take 20 s, so they ask for longer leases), twelve more once
 * those are done. Pub/Sub gives each delivery the stream's ack deadline at delivery (10 s until a
 * keep-alive says otherwise), not what the client booked: a worker that booked 21 s without
 * telling the server sees its deliveries expire 10 s into their run and redelivered, to the other
 * worker too. The fake records every delivery, so the case asserts what the server did: each
 * event delivered once, no delivery expired, and the service called once per event.
 */
import assert from "node:assert/strict";
import { withFakeCase } from "../support/fake_case.ts";
import { fakeTest } from "../support/fake_server.ts";
import { freePort } from "../../src/pubsub/emulator.ts";
import { sleep } from "../../src/base/async.ts";

const HANDLER_MS = 20_000;
const FIRST = 4;
const LATER = 12;

/** The HTTP service: 204 after 20 s; counts its calls per event (`ce-id`) and at once. */
function slowService(port: number) {
  const calls = new Map<string, number>();
  let running = 0;
  let peak = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (r) => {
    const id = r.headers.get("ce-id") ?? "";
    calls.set(id, (calls.get(id) ?? 0) + 1);
    peak = Math.max(peak, ++running);
    await r.body?.cancel();
    await sleep(HANDLER_MS);
    running--;
    return new Response(null, { status: 204 });
  });
  return { calls, peak: () => peak, server };
}

fakeTest(
  "reliability (fake a): 20 s handlers on a 10 s ack deadline, two workers: each event delivered and run once",
  async (fake) => {
    const port = freePort();
    const service = slowService(port);
    const options = {
      config: { ackDeadline: 10_000 },
      workers: 2,
      args: ["--handler-url", `http://127.0.0.1:${port}/events`],
    };
    try {
      await withFakeCase(fake, options, async (run) => {
        const { outcomes } = run;
        await Promise.all(run.workers.map((w) => w.waitForLine(/Connected to Pub\/Sub/, 30_000)));
        run.publish(FIRST);
        await outcomes.until(() => outcomes.count("acked") >= FIRST, 60_000, "the first events");
        run.publish(LATER);
        // Acked on the server: nothing is left that a lapsed deadline could bring back.
        await run.allAcked(60_000);
        assert.deepEqual(await run.stop(), [0, 0]);

        const server = run.server();
        const runs = [...service.calls.values()];
        const notes = `the server recorded ${server.expiredTotal} expired deliveries and ` +
          `${server.redelivered} redelivered events; the service ran each event ` +
          `${[...new Set(runs)].sort().join(" or ")} time(s) (at most ${service.peak()} at a time)`;
        run.log("fake a", notes);
        assert.equal(server.expiredTotal, 0, "deliveries expired on the server");
        assert.equal(server.redelivered, 0, "events delivered more than once");
        assert.equal(service.calls.size, FIRST + LATER);
        assert.ok(runs.every((n) => n === 1), `service calls per event: ${runs.join(",")}`);
        assert.deepEqual(outcomes.lines.map((l) => l.outcome), run.payloads.map(() => "acked"));
        await run.report({
          case: "fake a. handlers longer than the deadline the server gave",
          injected: "ack deadline 10 s, every handler 20 s, two workers; 4 events, then 12 once " +
            "handler times were learned",
          duplicates: runs.reduce((sum, n) => sum + n - 1, 0),
          notes,
        });
      });
    } finally {
      await service.server.shutdown();
    }
  },
);
