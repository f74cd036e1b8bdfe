import assert from "node:assert/strict";
import { both, inEveryRound, x } from "../../bench/report/evidence.ts";

Deno.test("inEveryRound() needs every measured round to pass, and skips a round not measured", () => {
  const underTwice = (tool: number, peer: number) => tool <= 2 * peer;
  assert.equal(inEveryRound([[3, 2], [4, 2]], underTwice), true);
  assert.equal(inEveryRound([[3, 2], [5, 2]], underTwice), false, "round 2 over");
  assert.equal(inEveryRound([[3, 2], [undefined, 2]], underTwice), true, "round 2 missing");
});

Deno.test("figures read as a multiple and with their second round", () => {
  assert.equal(x(3, 2), "1.50×");
  assert.equal(x(3, undefined), "?");
  assert.equal(both(1.26, 2.5), "1.3 (round 2: 2.5)");
  assert.equal(both(1.26, undefined), "1.3");
});
