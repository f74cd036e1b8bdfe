import assert from "node:assert/strict";
import { EXTEND_EVERY_MS, HeldRead, LEASE_SECONDS } from "../../src/pubsub/held_read.ts";
import type { Pulled, Puller } from "../../src/pubsub/pull.ts";
import { withFakeClock } from "../support/clock.ts";

/** A puller on a list of batches (then nothing), recording every call. */
function fakePuller(batches: Pulled[][]) {
  const calls: { method: string; ackIds: string[]; seconds?: number }[] = [];
  let acks = 0;
  const puller: Puller & { failAcks: number } = {
    failAcks: 0,
    pull: () => Promise.resolve(batches.shift() ?? []),
    ack(ackIds) {
      calls.push({ method: "ack", ackIds: [...ackIds] });
      return acks++ < puller.failAcks
        ? Promise.reject(new Error("13 INTERNAL"))
        : Promise.resolve();
    },
    release(ackIds) {
      calls.push({ method: "release", ackIds: [...ackIds] });
      return Promise.resolve();
    },
    extend(ackIds, seconds) {
      calls.push({ method: "extend", ackIds: [...ackIds], seconds });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return { puller, calls };
}

const pulled = (messageId: string, ackId: string): Pulled => ({
  ackId,
  messageId,
  data: new Uint8Array(),
  attributes: {},
  orderingKey: "",
  publishTime: new Date(0),
});

Deno.test("HeldRead: a message pulled again is the same message, with both ack IDs", async () => {
  await withFakeClock(async (clock) => {
    const { puller, calls } = fakePuller([
      [pulled("1", "a1"), pulled("2", "a2"), pulled("1", "a1-twice")],
      [pulled("2", "a2-again")],
    ]);
    const read = new HeldRead(puller);
    const seen: string[] = [];
    const done = read.read((m) => seen.push(m.messageId));
    await clock.tickAsync(1000);
    await done;
    assert.deepEqual(seen, ["1", "2"]);
    assert.equal(read.held, 2);
    assert.deepEqual(await read.ack(["1"]), { failed: [] });
    await read.end();
    assert.deepEqual(calls, [
      { method: "ack", ackIds: ["a1", "a1-twice"] },
      { method: "release", ackIds: ["a2", "a2-again"] },
    ], "nothing extended without a lease: a read that only looks holds nothing longer");
  });
});

Deno.test("HeldRead with a lease extends what it holds at once and every 20 s until end()", async () => {
  await withFakeClock(async (clock) => {
    const { puller, calls } = fakePuller([[pulled("1", "a1"), pulled("2", "a2")]]);
    const read = new HeldRead(puller, { lease: true });
    const done = read.read(() => {});
    await clock.tickAsync(1000);
    await done;
    const extended = () => calls.filter((c) => c.method === "extend");
    assert.deepEqual(extended(), [{ method: "extend", ackIds: ["a1", "a2"], seconds: 60 }]);
    await read.ack(["2"]);
    await clock.tickAsync(3 * EXTEND_EVERY_MS);
    assert.equal(extended().length, 4, "once on the pull, then once per tick");
    assert.deepEqual(extended().at(-1), {
      method: "extend",
      ackIds: ["a1"],
      seconds: LEASE_SECONDS,
    }, "only what is still held");
    await read.end(new Set(["1"]));
    await clock.tickAsync(3 * EXTEND_EVERY_MS);
    assert.equal(extended().length, 4, "nothing extended after end()");
    assert.ok(!calls.some((c) => c.method === "release"), "a kept message is not given back");
  });
});

Deno.test("HeldRead.ack() tries a failed ack twice more, then reports what it could not ack", async () => {
  await withFakeClock(async (clock) => {
    const { puller, calls } = fakePuller([[pulled("1", "a1")]]);
    puller.failAcks = 2;
    const read = new HeldRead(puller);
    const done = read.read(() => {});
    await clock.tickAsync(1000);
    await done;
    const acked = read.ack(["1"]);
    await clock.tickAsync(2000);
    assert.deepEqual(await acked, { failed: [] });
    assert.equal(calls.filter((c) => c.method === "ack").length, 3);
    assert.equal(read.held, 0);

    const { puller: failing } = fakePuller([[pulled("3", "a3")]]);
    failing.failAcks = 3;
    const other = new HeldRead(failing);
    const reading = other.read(() => {});
    await clock.tickAsync(1000);
    await reading;
    const result = other.ack(["3"]);
    await clock.tickAsync(2000);
    const { failed, error } = await result;
    assert.deepEqual(failed, ["3"]);
    assert.match(error?.message ?? "", /INTERNAL/);
    assert.equal(other.held, 1, "still held");
    await other.end();
    await read.end();
  });
});
