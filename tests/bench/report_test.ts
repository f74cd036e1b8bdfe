import assert from "node:assert/strict";
import type { CaseResult } from "../../bench/measure/result.ts";
import { markdownTable, textTable, withRatios } from "../../bench/report/table.ts";

const row = (consumer: CaseResult["consumer"], eventsPerSecond: number): CaseResult => ({
  name: `${consumer} drain P=100 L=20ms`,
  case: "grid-100-20",
  consumer,
  mode: "drain",
  pool: 100,
  latencyMs: 20,
  events: 1000,
  seconds: 1000 / eventsPerSecond,
  eventsPerSecond,
  bound: 5000,
  percentOfBound: (100 * eventsPerSecond) / 5000,
  handlerMeanMs: 20.5,
  p50Ms: 21,
  p95Ms: 25,
  p99Ms: 30,
  cpuMsPer1000: 100,
  peakRssMb: 120,
  rssStartMb: 100,
  rssEndMb: 110,
  streams: 10,
  waitP50Ms: 0.5,
});

Deno.test("withRatios() divides each event-tool drain by the plain client of its case", () => {
  const other = { ...row("plain-client", 400), case: "grid-100-100" };
  const rows = withRatios([other, row("event-tool", 4000), row("plain-client", 800)]);
  assert.equal(rows[1]?.vsPlainClient, 5);
  assert.equal(rows[2]?.vsPlainClient, undefined);
});

Deno.test("textTable() and markdownTable() show the figures of every row", () => {
  const rows = withRatios([row("event-tool", 4000), row("plain-client", 800)]);
  const text = textTable(rows);
  assert.match(
    text,
    /event-tool drain P=100 L=20ms\s+10\s+1000\s+4000\s+80\s+20\.5\s+82\s+0\.5\s+21\.0\s+25\.0\s+30\.0\s+100\s+120\s+5\.00/,
  );
  const markdown = markdownTable(rows).split("\n");
  assert.equal(markdown.length, 4);
  assert.match(
    markdown[2] ?? "",
    /^\| event-tool drain P=100 L=20ms \| 10 \| 1000 \| 4000 \| 80 \|/,
  );
});
