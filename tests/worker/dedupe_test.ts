import assert from "node:assert/strict";
import { Dedupe } from "../../src/worker/dedupe.ts";

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
