import assert from "node:assert/strict";
import { CORE_SHARE, suggestPool } from "../../src/ops/sizing.ts";

Deno.test("suggestPool() sizes the pool by Little's law with 25% headroom, on one process", () => {
  const s = suggestPool(5000, { handlerMeanMs: 20, cpuMsPer1000: 60 });
  assert.equal(s.inFlight, 100);
  assert.equal(s.poolSize, 125);
  assert.equal(s.replicas, 1);
  assert.equal(s.cores, 0.3);
});

Deno.test("suggestPool() splits a rate one process's CPU cannot take across replicas", () => {
  // 100 CPU-ms per 1,000 events: one process takes 7,000/s at 70% of a core.
  const s = suggestPool(20_000, { handlerMeanMs: 10, cpuMsPer1000: 100 });
  assert.equal(s.perProcess, CORE_SHARE * 10_000);
  assert.equal(s.replicas, 3);
  assert.equal(s.poolSize, Math.ceil((200 * 1.25) / 3));
  assert.equal(suggestPool(1, { handlerMeanMs: 0.1, cpuMsPer1000: 1 }).poolSize, 1, "at least 1");
});
