import assert from "node:assert/strict";
import { percentile, startUsage } from "../../src/bench/measure.ts";

Deno.test("percentile() takes the nearest rank", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([], 50), 0);
});

Deno.test("startUsage() reports CPU time spent and the peak RSS", async () => {
  const usage = startUsage(10);
  let x = 0;
  for (let i = 0; i < 2_000_000; i++) x += Math.sqrt(i);
  await new Promise((r) => setTimeout(r, 30));
  const used = usage.stop();
  assert.ok(x > 0);
  assert.ok(used.cpuMs > 0);
  assert.ok(used.peakRssBytes >= Math.max(...used.rssSamples.slice(0, -1)));
  assert.ok(used.rssSamples.length >= 3);
});
