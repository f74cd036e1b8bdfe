import assert from "node:assert/strict";
import { defaults } from "../../src/config/resolve.ts";
import { Dedupe } from "../../src/worker/dedupe.ts";
import { withFakeClock } from "../support/clock.ts";

Deno.test("Dedupe: a claimed ID is busy until released, then handled or free again", () => {
  const dedupe = new Dedupe(10);
  assert.equal(dedupe.claim("a"), "new");
  assert.equal(dedupe.claim("a"), "busy", "a second copy while the first runs");
  dedupe.release("a", false);
  assert.equal(dedupe.claim("a"), "new", "failed: the next copy runs");
  dedupe.release("a", true);
  assert.equal(dedupe.claim("a"), "handled");
  assert.equal(dedupe.handled, 1);
});

Deno.test("Dedupe forgets the oldest handled ID once its window is full", () => {
  const dedupe = new Dedupe(3);
  for (const id of ["a", "b", "c", "d"]) {
    assert.equal(dedupe.claim(id), "new");
    dedupe.release(id, true);
  }
  assert.equal(dedupe.handled, 3);
  assert.equal(dedupe.claim("a"), "new", "a was the oldest");
  for (const id of ["b", "c", "d"]) assert.equal(dedupe.claim(id), "handled");
});

Deno.test("Dedupe of window 0 remembers no handled ID, but still knows the busy ones", () => {
  const dedupe = new Dedupe(0);
  assert.equal(dedupe.claim("a"), "new");
  assert.equal(dedupe.claim("a"), "busy");
  dedupe.release("a", true);
  assert.equal(dedupe.claim("a"), "new");
  assert.throws(() => new Dedupe(-1), RangeError);
});

Deno.test("Dedupe with the default --dedupe-for: a copy within 2 min is a duplicate, later ones run", async () => {
  await withFakeClock(async (clock) => {
    const forMs = defaults().dedupeFor;
    assert.equal(forMs, 120_000);
    const dedupe = new Dedupe(10, forMs);
    assert.equal(dedupe.claim("a"), "new");
    dedupe.release("a", true);
    await clock.tickAsync(forMs - 1000);
    assert.equal(dedupe.claim("a"), "handled", "a lost ack's redelivery comes within the deadline");
    await clock.tickAsync(2000);
    assert.equal(dedupe.claim("a"), "new", "a replay's copy, minutes later, is handled again");
    assert.equal(dedupe.claim("a"), "busy");
    dedupe.release("a", true);
    assert.equal(dedupe.claim("a"), "handled", "and remembered from its new handling");
  });
});

Deno.test("Dedupe keeps an ID handled again after its first slot is recycled", () => {
  const dedupe = new Dedupe(2, 0.5);
  assert.equal(dedupe.claim("a"), "new");
  dedupe.release("a", true, 0);
  assert.equal(dedupe.claim("a", 1000), "new", "past its time");
  dedupe.release("a", true, 1000);
  assert.equal(dedupe.claim("b", 1000), "new");
  dedupe.release("b", true, 1000); // evicts a's first slot, not its second handling
  assert.equal(dedupe.claim("a", 1000), "handled");
  assert.throws(() => new Dedupe(1, -1), RangeError);
});
