import assert from "node:assert/strict";
import { type KeyedEnd, KeyScheduler } from "../../src/worker/key_scheduler.ts";
import type { ReceivedMessage } from "../../src/pubsub/subscriber/message.ts";
import { fakeMessage, redelivered } from "../support/fake_messages.ts";
import { withFakeClock } from "../support/clock.ts";

/** A scheduler whose runs the test ends by hand; `giveBack`: ordering keys (else --key-from). */
function harness(concurrency: number, giveBack = true) {
  const running = new Map<string, (end: KeyedEnd) => void>();
  const started: string[] = [];
  const released: string[] = [];
  const scheduler = new KeyScheduler({
    concurrency,
    blockMs: () => 60_000,
    giveBack,
    run: (message, _key, ended) => {
      started.push(message.id);
      running.set(message.id, ended);
    },
    release: (message, why) => {
      released.push(`${message.id} ${why}`);
      message.nack();
    },
  });
  const end = async (message: ReceivedMessage, how: KeyedEnd = "done") => {
    running.get(message.id)?.(how);
    for (let i = 0; i < 5; i++) await Promise.resolve(); // its end reaches the scheduler
  };
  return { scheduler, started, released, end };
}

const messages = (n: number) => Array.from({ length: n }, () => fakeMessage("{}", []));

Deno.test("KeyScheduler runs one key's events one at a time, in order, other keys in parallel", async () => {
  const { scheduler, started, end } = harness(1);
  const [a1, a2, a3, b1] = messages(4);
  for (const m of [a1, a2, a3]) scheduler.submit("a", m!);
  scheduler.submit("b", b1!);
  assert.deepEqual(started, [a1!.id, b1!.id], "a2 and a3 wait for a1; b runs beside");
  assert.deepEqual(scheduler.stats, {
    keysInFlight: 2,
    waiting: 2,
    longest: [{ key: "a", running: 1, waiting: 2 }],
  });
  await end(a1!);
  assert.deepEqual(started, [a1!.id, b1!.id, a2!.id]);
  await end(a2!);
  await end(a3!);
  assert.deepEqual(started.slice(2), [a2!.id, a3!.id]);
});

Deno.test("KeyScheduler with --key-concurrency 2 runs at most two of a key at once", async () => {
  const { scheduler, started, end } = harness(2);
  const list = messages(5);
  for (const m of list) scheduler.submit("a", m);
  assert.equal(started.length, 2);
  await end(list[0]!);
  assert.equal(started.length, 3);
  assert.equal(scheduler.stats.waiting, 2);
});

Deno.test("KeyScheduler on ordering keys gives back a key's later events while its event is back in Pub/Sub", async () => {
  const { scheduler, started, released, end } = harness(1);
  const [a1, a2, a3, a4] = messages(4);
  for (const m of [a1, a2, a3]) scheduler.submit("a", m!);
  await end(a1!, "nacked"); // its retries in place spent: back to Pub/Sub
  assert.deepEqual(released, [`${a2!.id} key-failed`, `${a3!.id} key-failed`]);
  scheduler.submit("a", a4!); // a later one arriving before a1 comes back
  assert.equal(released.at(-1), `${a4!.id} key-failed`);
  scheduler.submit("a", redelivered(a1!, [])); // a1 again: the key goes on
  assert.equal(started.at(-1), a1!.id);
  await end(a1!);
  assert.equal(scheduler.stats.keysInFlight, 0);
});

Deno.test("KeyScheduler on --key-from keys gives nothing back: later events wait for the event back in Pub/Sub", async () => {
  const { scheduler, started, released, end } = harness(1, false);
  const [a1, a2, a3, a4] = messages(4);
  for (const m of [a1, a2, a3]) scheduler.submit("a", m!);
  await end(a1!, "nacked");
  scheduler.submit("a", a4!); // arrives before a1 comes back: waits too
  assert.deepEqual(released, [], "nothing refused, no delivery used up");
  assert.deepEqual(started, [a1!.id], "nothing runs before a1");
  assert.equal(scheduler.stats.waiting, 3);
  scheduler.submit("a", redelivered(a1!, []));
  assert.deepEqual(started, [a1!.id, a1!.id], "a1 first, ahead of those that waited");
  for (const m of [a1, a2, a3]) await end(m!);
  assert.deepEqual(started.slice(2), [a2!.id, a3!.id, a4!.id], "then the others in order");
  scheduler.close();
});

Deno.test("KeyScheduler on --key-from keys goes on when the event does not come back in time", async () => {
  await withFakeClock(async (clock) => {
    const { scheduler, started, end } = harness(1, false);
    const [a1, a2] = messages(2);
    for (const m of [a1, a2]) scheduler.submit("a", m!);
    await end(a1!, "nacked"); // it went to another replica, say
    await clock.tickAsync(59_999);
    assert.deepEqual(started, [a1!.id]);
    await clock.tickAsync(1);
    assert.deepEqual(started, [a1!.id, a2!.id], "the wait ran out: the key goes on");
    scheduler.close();
  });
});

Deno.test("KeyScheduler keeps no copy given back while it waited: memory stays flat over 10 max-lease cycles", async () => {
  await withFakeClock(async (clock) => {
    for (const giveBack of [true, false]) {
      const { scheduler, started } = harness(1, giveBack);
      const [head] = messages(1);
      scheduler.submit("a", head!); // hangs: never ends
      let waiting = messages(5);
      for (const m of waiting) scheduler.submit("a", m);
      const sizes: number[] = [];
      for (let cycle = 0; cycle < 10; cycle++) {
        for (const m of waiting) m.nack(); // held past --max-lease: the subscriber gave them back
        await clock.tickAsync(1000);
        waiting = waiting.map((m) => redelivered(m, [])); // and Pub/Sub delivers them again
        for (const m of waiting) scheduler.submit("a", m);
        sizes.push(scheduler.stats.waiting);
      }
      assert.deepEqual(sizes, Array(10).fill(5), `${giveBack ? "ordering" : "--key-from"} keys`);
      assert.deepEqual(started, [head!.id], "nothing ran beside the hung event");
      scheduler.close();
    }
  });
});

Deno.test("KeyScheduler.stuck() names the key that has run one event too long; its copies keep the time", async () => {
  await withFakeClock(async (clock) => {
    const { scheduler, end } = harness(1);
    const [a1, b1] = messages(2);
    scheduler.submit("a", a1!);
    await clock.tickAsync(30_000);
    scheduler.submit("b", b1!);
    assert.equal(scheduler.stuck(60_000), undefined);
    await clock.tickAsync(30_001);
    assert.deepEqual(scheduler.stuck(60_000), { key: "a", messageId: a1!.id, since: 0 });
    await end(a1!, "nacked");
    scheduler.submit("a", redelivered(a1!, []));
    assert.equal(scheduler.stuck(60_000)?.since, 0, "the copy of the same event keeps the time");
    await end(a1!);
    await clock.tickAsync(30_000);
    assert.equal(scheduler.stuck(60_000)?.key, "b");
    await end(b1!);
    assert.equal(scheduler.stuck(60_000), undefined);
  });
});

Deno.test("KeyScheduler.close() gives back every waiting event not given back already", () => {
  const { scheduler, released } = harness(1);
  const [a1, a2, a3, a4] = messages(4);
  for (const m of [a1, a2, a3, a4]) scheduler.submit("a", m!);
  a4!.nack(); // given back at --max-lease
  assert.equal(scheduler.close(), 2);
  assert.deepEqual(released, [`${a2!.id} shutting-down`, `${a3!.id} shutting-down`]);
});

/** `message` given back by the subscriber (held past --max-lease): nacked, as it does. */
function givenBack(message: ReceivedMessage): void {
  message.givenUp = "max-lease";
  message.nack();
}

Deno.test("KeyScheduler waits for a running event given back, not for a later one given back behind it", async () => {
  for (const giveBack of [true, false]) {
    const { scheduler, started, released, end } = harness(1, giveBack);
    const [o, w1] = messages(2);
    scheduler.submit("a", o!); // held at the handler gate, say, past --max-lease
    scheduler.submit("a", w1!);
    givenBack(o!);
    givenBack(w1!);
    void scheduler.stats; // the sweep
    const copy = redelivered(o!, []);
    scheduler.submit("a", copy); // Pub/Sub delivers the key again from o on, while o still runs
    assert.deepEqual(released, [], `${giveBack ? "ordering" : "--key-from"}: o's copy kept`);
    await end(o!, "nacked"); // its run ends; it was given back
    assert.deepEqual(started, [o!.id, o!.id], "its copy runs next");
    assert.deepEqual(released, []);
    await end(copy);
    scheduler.submit("a", redelivered(w1!, []));
    assert.deepEqual(started, [o!.id, o!.id, w1!.id], "then w1, in order");
    scheduler.close();
  }
});

Deno.test("KeyScheduler runs the fresh copy of an event given back while it ran, never gives it back", async () => {
  for (const giveBack of [true, false]) {
    const { scheduler, started, released, end } = harness(1, giveBack);
    const [o, later] = messages(2);
    scheduler.submit("a", o!); // waiting for a retry in place, say
    givenBack(o!);
    const copy = redelivered(o!, []);
    scheduler.submit("a", copy); // queued behind its earlier run
    scheduler.submit("a", later!);
    await end(o!, "nacked");
    assert.deepEqual(released, [], `${giveBack ? "ordering" : "--key-from"}: nothing given back`);
    assert.deepEqual(started, [o!.id, o!.id], "the copy runs at once, ahead of the later event");
    await end(copy);
    assert.deepEqual(started, [o!.id, o!.id, later!.id]);
    scheduler.close();
  }
});
