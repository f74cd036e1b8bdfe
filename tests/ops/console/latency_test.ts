import assert from "node:assert/strict";
import { bucketOf, LatencyHistogram, MINUTE } from "../../../src/ops/console/latency.ts";

Deno.test("LatencyHistogram.tick() gives each second's p50/p95/p99 within a bucket (9%)", () => {
  const histogram = new LatencyHistogram();
  for (let ms = 1; ms <= 100; ms++) histogram.observe(ms);
  const { second, minute } = histogram.tick();
  assert.ok(second);
  assert.equal(second.count, 100);
  for (const [got, want] of [[second.p50, 50], [second.p95, 95], [second.p99, 99]] as const) {
    assert.ok(got >= want && got <= want * 1.1, `${got} within 10% above ${want}`);
  }
  assert.deepEqual(minute, second, "one second so far: the minute is that second");
  assert.deepEqual(histogram.tick(), { second: undefined, minute }, "an idle second");
});

Deno.test("LatencyHistogram keeps the last minute and drops what is older", () => {
  const histogram = new LatencyHistogram();
  histogram.observe(1000);
  histogram.tick();
  for (let s = 1; s < MINUTE; s++) {
    histogram.observe(2);
    assert.equal(histogram.tick().minute?.count, s + 1);
  }
  histogram.observe(2);
  const { minute } = histogram.tick();
  assert.equal(minute?.count, MINUTE, "the 1 s time fell out of the window");
  assert.ok((minute?.p99 ?? Infinity) < 3);
});

Deno.test("bucketOf() clamps times below 0.1 ms and above an hour", () => {
  assert.equal(bucketOf(0), 0);
  assert.equal(bucketOf(-1), 0);
  assert.equal(bucketOf(Number.NaN), 0);
  assert.equal(bucketOf(1e12), bucketOf(1e13));
  assert.ok(bucketOf(1) < bucketOf(1.1), "8 buckets per doubling: 10% apart are apart");
});
