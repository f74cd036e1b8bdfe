import assert from "node:assert/strict";
import { type KeyedEnd, KeyScheduler } from "../../src/worker/keys.ts";
import type { ReceivedMessage } from "../../src/pubsub/subscriber/message.ts";
import { fakeMessage } from "../support/fake_messages.ts";

/** A scheduler whose runs the test ends by hand. */
function harness(concurrency: number) {
  const running = new Map<string, (end: KeyedEnd) => void>();
  const started: string[] = [];
  const released: string[] = [];
  const scheduler = new KeyScheduler({
    concurrency,
    blockMs: 60_000,
    run: (message) =>
      new Promise<KeyedEnd>((resolve) => {
        started.push(message.id);
        running.set(message.id, resolve);
      }),
    release: (message, why) => released.push(`${message.id} ${why}`),
  });
  const end = async (message: ReceivedMessage, how: KeyedEnd = "done") => {
    running.get(message.id)?.(how);
    await new Promise((r) => setTimeout(r, 0));
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

Deno.test("KeyScheduler nacks a key's later events after a nack, until the failed one comes back", async () => {
  {
    const { scheduler, started, released, end } = harness(1);
    const [a1, a2, a3, a4] = messages(4);
    for (const m of [a1, a2, a3]) scheduler.submit("a", m!);
    await end(a1!, "nacked");
    assert.deepEqual(released, [`${a2!.id} key-failed`, `${a3!.id} key-failed`]);
    scheduler.submit("a", a4!); // a later one arriving before a1 comes back
    assert.equal(released.at(-1), `${a4!.id} key-failed`);
    scheduler.submit("a", a1!); // a1 again: the key goes on
    assert.equal(started.at(-1), a1!.id);
    await end(a1!);
    assert.equal(scheduler.stats.keysInFlight, 0);
  }
});

Deno.test("KeyScheduler.close() gives back every waiting event", () => {
  const { scheduler, released } = harness(1);
  const [a1, a2, a3] = messages(3);
  for (const m of [a1, a2, a3]) scheduler.submit("a", m!);
  assert.equal(scheduler.close(), 2);
  assert.deepEqual(released, [`${a2!.id} shutting-down`, `${a3!.id} shutting-down`]);
});
