import assert from "node:assert/strict";
import { plural } from "../../src/base/words.ts";

Deno.test("plural() says one event, and events for any other count", () => {
  assert.equal(plural(1, "event"), "1 event");
  assert.equal(plural(0, "event"), "0 events");
  assert.equal(plural(2, "event"), "2 events");
  assert.equal(plural(3, "entry", "entries"), "3 entries");
});
