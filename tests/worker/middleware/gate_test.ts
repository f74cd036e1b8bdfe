/** The handler gate on a fake clock: refusals held in place, the pause, the probe, the resume. */
import assert from "node:assert/strict";
import { defaults } from "../../../src/config/resolve.ts";
import type { PaymentMethodCreated } from "../../../src/event/event.ts";
import { type Handler, RetryableError } from "../../../src/worker/handler.ts";
import { refusedStatuses } from "../../../src/worker/handlers/http.ts";
import { EVENT_TRIES, Gate, MAX_RETRY_MS } from "../../../src/worker/middleware/gate.ts";
import { type FakeClock, withFakeClock } from "../../support/clock.ts";
import { handlerContext } from "../../support/handler.ts";

const event = (id: string) => ({ eventID: id }) as unknown as PaymentMethodCreated;
const refused = () =>
  new RetryableError("the handler service at http://svc/events answered 401: expired", undefined, {
    status: 401,
  });

/** A gate with the default --pause-after, recording its pauses and resumes. */
function gate(pauseAfterMs = defaults().pauseAfter) {
  const calls: string[] = [];
  const g = new Gate({
    statuses: refusedStatuses([409]),
    pauseAfterMs,
    pause: (reason, detail) => calls.push(`pause ${reason}: ${detail}`),
    resume: (reason) => calls.push(`resume ${reason}`),
  });
  return { gate: g, calls };
}

/** A handler answering as `answer` says, counting calls per event ID. */
function service(answer: (id: string, call: number) => void) {
  const calls = new Map<string, number>();
  const handler: Handler = (e) => {
    const n = (calls.get(e.eventID) ?? 0) + 1;
    calls.set(e.eventID, n);
    try {
      answer(e.eventID, n);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return { handler, calls, total: () => [...calls.values()].reduce((a, b) => a + b, 0) };
}

/** Runs `events` through the gate; the promise of each outcome ("ok" or the error's name). */
function run(handler: Handler, ids: string[], signal = new AbortController().signal) {
  const outcomes = new Map<string, string>();
  const done = ids.map((id) =>
    handler(event(id), handlerContext({ signal })).then(
      () => void outcomes.set(id, "ok"),
      (error) => void outcomes.set(id, (error as Error).name),
    )
  );
  return { outcomes, done: Promise.all(done) };
}

async function tick(clock: FakeClock, ms: number) {
  await clock.tickAsync(ms);
}

Deno.test("Gate holds 401s in place and lets them go when the service accepts again", async () => {
  await withFakeClock(async (clock) => {
    const { gate: g, calls } = gate();
    let accepting = false;
    const svc = service(() => {
      if (!accepting) throw refused();
    });
    const { outcomes, done } = run(g.middleware(svc.handler), ["a", "b", "c"]);
    await tick(clock, 10_000);
    assert.equal(outcomes.size, 0, "nothing failed: every event waits in place");
    assert.ok(svc.calls.get("a")! >= 3, "tried again with backoff");
    assert.deepEqual(calls, [], "10 s of refusals does not pause (default: 1 min)");
    accepting = true;
    await tick(clock, 20_000);
    await done;
    assert.deepEqual([...outcomes.values()], ["ok", "ok", "ok"]);
    assert.equal(g.paused, undefined);
    assert.ok(g.refusals >= 9);
  });
});

Deno.test("Gate pauses after the default --pause-after of refusals, probes, then resumes", async () => {
  await withFakeClock(async (clock) => {
    assert.equal(defaults().pauseAfter, 60_000);
    const { gate: g, calls } = gate();
    let accepting = false;
    const svc = service(() => {
      if (!accepting) throw refused();
    });
    const wrapped = g.middleware(svc.handler);
    const { outcomes, done } = run(wrapped, ["a", "b", "c", "d"]);
    await tick(clock, 59_000);
    assert.deepEqual(calls, [], "not paused before the minute");
    await tick(clock, 1_500);
    assert.equal(calls.length, 1, "paused once");
    assert.match(calls[0]!, /^pause handler-refused: .*http:\/\/svc\/events answered 401/);
    assert.equal(g.paused, "handler-refused");
    // While paused, one probe at a time, at most every 30 s, whatever the number held.
    const before = svc.total();
    await tick(clock, 5 * MAX_RETRY_MS);
    const probes = svc.total() - before;
    assert.ok(probes >= 3 && probes <= 9, `${probes} probes in 150 s`);
    // A new event while paused waits too, without calling the service.
    const late = run(wrapped, ["e"]);
    await tick(clock, 0);
    assert.equal(svc.calls.get("e") ?? 0, 0);
    accepting = true;
    await tick(clock, MAX_RETRY_MS * 1.3);
    await done;
    await late.done;
    assert.deepEqual([...outcomes.values()], ["ok", "ok", "ok", "ok"]);
    assert.equal(late.outcomes.get("e"), "ok");
    assert.deepEqual(calls.slice(1), ["resume handler-refused"]);
    assert.equal(g.paused, undefined);
  });
});

Deno.test("Gate fails an event refused while others are accepted, after a few tries", async () => {
  await withFakeClock(async (clock) => {
    const { gate: g, calls } = gate();
    const svc = service((id) => {
      if (id === "bad") throw new RetryableError("answered 409", undefined, { status: 409 });
    });
    const wrapped = g.middleware(svc.handler);
    const bad = run(wrapped, ["bad"]);
    for (let i = 0; i < 20; i++) {
      await run(wrapped, [`good-${i}`]).done;
      await tick(clock, 1000);
    }
    await bad.done;
    assert.equal(bad.outcomes.get("bad"), "RetryableError", "nacked as any failure");
    assert.equal(svc.calls.get("bad"), EVENT_TRIES);
    assert.deepEqual(calls, []);
  });
});

Deno.test("Gate pauses at once on a missing permission, and passes other errors through", async () => {
  await withFakeClock(async (clock) => {
    const { gate: g, calls } = gate();
    const other = run(
      g.middleware(() => Promise.reject(new RetryableError("answered 503", 0, { status: 503 }))),
      ["x"],
    );
    await other.done;
    assert.equal(other.outcomes.get("x"), "RetryableError", "a 503 is not a refusal");
    const svc = service(() => {
      throw new Deno.errors.NotCapable(
        'Requires write access to "/data/seen.txt", run again with the --allow-write flag',
      );
    });
    const controller = new AbortController();
    const held = run(g.middleware(svc.handler), ["a", "b"], controller.signal);
    await tick(clock, 0);
    assert.equal(calls.length, 1);
    assert.match(calls[0]!, /^pause handler-permission: Requires write access/);
    await tick(clock, 10_000);
    assert.equal(held.outcomes.size, 0, "held, not failed");
    controller.abort(new Error("the worker is shutting down"));
    await held.done;
    assert.deepEqual([...held.outcomes.values()], ["Error", "Error"], "the stop ends the wait");
  });
});

Deno.test("Gate.holding counts the calls it holds, at the defaults, from the first refusal through the pause until accepted", async () => {
  await withFakeClock(async (clock) => {
    const { gate: g, calls } = gate();
    let accepting = true;
    const svc = service(() => {
      if (!accepting) throw refused();
    });
    const wrapped = g.middleware(svc.handler);
    const passing = run(wrapped, ["ok"]);
    assert.equal(g.holding, 0, "a call the service has not refused is not held");
    await passing.done;
    accepting = false;
    const { done } = run(wrapped, ["a", "b", "c", "d"]);
    await tick(clock, 0);
    const seen = new Set<number>();
    for (let second = 0; second < 5 * 60; second++) { // the default minute, the pause, probes
      seen.add(g.holding);
      await tick(clock, 1000);
    }
    assert.deepEqual([...seen], [4], "each refused call counted, every second, paused or not");
    assert.equal(calls[0]?.startsWith("pause handler-refused"), true, "paused meanwhile");
    accepting = true;
    await tick(clock, MAX_RETRY_MS * 1.3);
    await done;
    assert.equal(g.holding, 0, "none once accepted");
  });
});
