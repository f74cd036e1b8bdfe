import assert from "node:assert/strict";
import { describePauses, Pauses } from "../../src/worker/pause.ts";

Deno.test("Pauses holds pulling from the first reason to the last one lifted", () => {
  const holds: boolean[] = [];
  const pauses = new Pauses((held) => holds.push(held));
  assert.equal(pauses.held, false);
  assert.equal(describePauses(pauses.entries), undefined);
  assert.equal(pauses.add("operator", "paused by hand"), true);
  assert.equal(pauses.add("handler-refused", "the service answered 401"), true);
  assert.equal(pauses.add("operator", "again"), false, "already paused for it");
  assert.deepEqual(holds, [true], "held once");
  assert.match(
    describePauses(pauses.entries) ?? "",
    /^paused \(operator since .*: again; handler-refused since .*: the service answered 401\)$/,
  );
  assert.equal(pauses.remove("operator"), true);
  assert.equal(pauses.held, true, "the service still refuses");
  assert.equal(pauses.remove("operator"), false);
  assert.equal(pauses.remove("handler-refused"), true);
  assert.deepEqual(holds, [true, false]);
  assert.equal(pauses.held, false);
});
