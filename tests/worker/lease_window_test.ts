import assert from "node:assert/strict";
import { LeaseWindow, maxWindow, windowFor } from "../../src/worker/lease_window.ts";

Deno.test("windowFor() gives a slow handler little more than the pool, a fast one headroom", () => {
  assert.equal(windowFor(10, 100), 13, "P=10, 100 ms: 10 × (1 + 30/100)");
  assert.equal(windowFor(100, 30), 200, "P=100, 30 ms: 100 × 2");
  assert.equal(windowFor(10, 1), 210, "P=10, 1 ms: capped at pool + 200");
  assert.equal(windowFor(1000, 0.05), 2000, "no-op: capped at 2 × pool");
  assert.equal(windowFor(10, 10_000), 11, "never below pool + 1");
  assert.equal(maxWindow(10), 210);
});

Deno.test("LeaseWindow learns the handler time and reports only moves worth applying", () => {
  const window = new LeaseWindow({ poolSize: 10, maxOutstanding: undefined });
  assert.equal(window.current, 20, "starts at 2 × pool");
  assert.equal(window.observe(100), 13);
  assert.equal(window.observe(101), undefined, "a small change is not applied");
  assert.equal(window.current, 13);
  for (let i = 0; i < 200; i++) window.observe(1);
  assert.ok(
    window.current >= 190,
    `the mean moved to ~1 ms: near the most headroom (${window.current})`,
  );
});

Deno.test("LeaseWindow is fixed by --max-outstanding", () => {
  const window = new LeaseWindow({ poolSize: 10, maxOutstanding: 50 });
  assert.equal(window.current, 50);
  assert.equal(window.fixed, true);
  assert.equal(window.observe(1), undefined);
});
