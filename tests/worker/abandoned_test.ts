import assert from "node:assert/strict";
import { Abandoned } from "../../src/worker/abandoned.ts";

Deno.test("Abandoned counts calls until they end and is wedged when they hold every permit", async () => {
  const abandoned = new Abandoned(2);
  const first = Promise.withResolvers<void>();
  const second = Promise.withResolvers<void>();
  const holding = [abandoned.hold(first.promise), abandoned.hold(second.promise)];
  assert.equal(abandoned.count, 2);
  assert.equal(abandoned.wedged, true);
  first.resolve();
  await holding[0];
  assert.equal(abandoned.count, 1);
  assert.equal(abandoned.wedged, false);
  second.resolve();
  await holding[1];
  assert.equal(abandoned.count, 0);
});
