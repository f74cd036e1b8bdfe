import assert from "node:assert/strict";
import { RecentIds } from "../../src/worker/dedupe.ts";

Deno.test("RecentIds forgets the oldest ID once full", () => {
  const ids = new RecentIds(3);
  for (const id of ["a", "b", "c", "d"]) ids.add(id);
  assert.equal(ids.size, 3);
  assert.equal(ids.has("a"), false);
  assert.ok(ids.has("b") && ids.has("c") && ids.has("d"));
});

Deno.test("RecentIds stores a re-added ID once, and keeps its first place", () => {
  const ids = new RecentIds(2);
  ids.add("a");
  ids.add("b");
  ids.add("a");
  assert.equal(ids.size, 2);
  ids.add("c");
  assert.equal(ids.has("a"), false, "a was the oldest");
  assert.ok(ids.has("b") && ids.has("c"));
});

Deno.test("RecentIds of size 0 remembers nothing", () => {
  const ids = new RecentIds(0);
  ids.add("a");
  assert.equal(ids.has("a"), false);
  assert.throws(() => new RecentIds(-1), RangeError);
});
