import assert from "node:assert/strict";
import { percentile, startUsage } from "../../src/ops/usage.ts";

Deno.test("percentile() takes the nearest rank", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([], 50), 0);
});

Deno.test("startUsage() reports the CPU time spent and RSS growth", async () => {
  const usage = startUsage(10);
  const started = performance.now();
  while (performance.now() - started < 50) Math.sqrt(Math.random()); // busy for 50 ms
  const block = new Uint8Array(64 * 1024 * 1024).fill(1); // 64 MB, touched so it is resident
  await new Promise((r) => setTimeout(r, 30));
  const used = usage.stop();
  assert.equal(block[block.length - 1], 1);
  assert.ok(used.cpuMs >= 40, `CPU ${used.cpuMs} ms for 50 ms of busy work`);
  const first = used.rssSamples[0] ?? 0;
  assert.ok(used.peakRssBytes - first >= 60 * 1024 * 1024, "the 64 MB block shows in peak RSS");
});
