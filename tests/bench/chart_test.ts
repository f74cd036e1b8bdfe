import assert from "node:assert/strict";
import { renderChart } from "../../bench/report/chart.ts";

Deno.test("renderChart() draws one bar per measured value and the ceiling", () => {
  const svg = renderChart(
    [
      { label: "no-op P=1000", values: { "event-tool": 20_000, "Go peer": 16_000 } },
      {
        label: "P=100 L=20ms",
        values: { "event-tool": 4800, "plain client": 900, "Go peer": 4850 },
      },
    ],
    30_000,
    "events/s",
  );
  assert.match(svg, /^<svg /);
  assert.equal(svg.match(/<rect x=/g)?.length, 5 + 3, "five bars and three legend swatches");
  assert.match(svg, /<title>event-tool, no-op P=1000: 20000 events\/s<\/title>/);
  assert.match(svg, /ceiling 30,000 events\/s/);
});
