import assert from "node:assert/strict";
import { windowRates } from "../../bench/cases/worker_process.ts";

Deno.test("windowRates() gives the rate of each whole window of a timeline, none for a part", () => {
  const timeline: [number, number][] = [[0, 0], [1000, 150], [2100, 410], [3000, 600], [4200, 700]];
  assert.deepEqual(windowRates(timeline, 2000), [410 * 1000 / 2100, 290 * 1000 / 2100]);
  assert.deepEqual(windowRates(timeline, 5000), [], "4.2 s: no whole 5 s window");
  assert.deepEqual(windowRates([], 1000), []);
});
