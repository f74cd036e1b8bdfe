import assert from "node:assert/strict";
import { progressLine, startProgress } from "../../src/ops/progress.ts";
import { withFakeClock } from "../support/clock.ts";

Deno.test("progressLine() gives count, rate and ETA", () => {
  assert.equal(progressLine(500, 1000, 2000), "published 500/1000 (250 events/s, ETA 2s)");
  assert.equal(progressLine(0, 1000, 0), "published 0/1000 (0 events/s, ETA ?s)");
});

Deno.test("startProgress() without a terminal writes a line at most once per interval", async () => {
  await withFakeClock(async (clock) => {
    const lines: string[] = [];
    const progress = startProgress(100, {
      tty: false,
      intervalMs: 30,
      write: (l) => lines.push(l),
    });
    progress.update(1);
    assert.equal(lines.length, 0, "nothing before the first interval");
    await clock.tickAsync(40);
    progress.update(10);
    progress.update(11);
    assert.equal(lines.length, 1);
    assert.equal(lines[0], "published 10/100 (250 events/s, ETA 1s)");
    await clock.tickAsync(40);
    progress.update(100);
    progress.stop();
    assert.equal(lines.length, 1, "the final count is left to the summary");
  });
});
